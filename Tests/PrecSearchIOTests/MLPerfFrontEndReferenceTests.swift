import AudioFeatures
import Foundation
import Testing
import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

/// The `mlperf-tiny` front-end against MLPerf Tiny's own int8 features of its 1,000 test clips
/// (`../shared/data/mlperf-tiny-kws`: `audio/LABEL/FILE`, `mfcc-int8/*.bin`, 49 x 10 int8 row-major, mapped by
/// `labels.csv`). Prints the histogram of differences (ours minus MLPerf's, in int8 codes):
/// `swift test --filter MLPerfFrontEndReferenceTests` (docs/audio.md).
@Suite struct MLPerfFrontEndReferenceTests {
  @Test(.enabled(if: SharedData.isAvailable("data/mlperf-tiny-kws/labels.csv", "data/mlperf-tiny-kws/audio",
                                            "data/mlperf-tiny-kws/mfcc-int8"),
                 SharedData.reason("data/mlperf-tiny-kws (MLPerf Tiny's KWS test set with its int8 features)")))
  func featuresEqualMLPerfsReferenceFeatures() throws {
    let root = SharedData.path("data/mlperf-tiny-kws")
    let table = String(decoding: try Data(contentsOf: URL(fileURLWithPath: root + "/labels.csv")), as: UTF8.self)
    var lines = table.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    let header = lines.removeFirst().split(separator: ",").map(String.init)
    let fileColumn = try #require(header.firstIndex(of: "file")), labelColumn = try #require(header.firstIndex(of: "label"))
    let featureColumn = try #require(header.firstIndex(of: "mfcc_file"))
    let extractor = try KeywordFeatureExtractor(frontEnd: .mlperfTiny)
    var histogram: [Int: Int] = [:]
    var differingClips = 0
    // Differences in frames whose 480 samples are all zero (digital silence), by coefficient.
    var silentFrameDifferences = [Int](repeating: 0, count: 10)
    for line in lines where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      let wav = "\(root)/audio/\(fields[labelColumn])/\(fields[fileColumn])"
      let ours = try extractor.features(ofFile: wav).map { Int(Int8FeatureQuantization.code(ofStoredByte: $0)) }
      let reference = try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(fields[featureColumn])")).map { Int(Int8(bitPattern: $0)) }
      try #require(reference.count == 490, "\(fields[featureColumn]): \(reference.count) bytes, expected 490")
      let samples = try WAVReader.read(at: wav).samples
      var differs = false
      for (index, (a, b)) in zip(ours, reference).enumerated() {
        histogram[a - b, default: 0] += 1
        differs = differs || a != b
        let start = index / 10 * 320
        if a != b, start + 480 <= samples.count, samples[start..<(start + 480)].allSatisfy({ $0 == 0 }) {
          silentFrameDifferences[index % 10] += 1
        }
      }
      if differs { differingClips += 1 }
    }
    let total = histogram.values.reduce(0, +)
    let equal = histogram[0] ?? 0
    let rows = histogram.keys.sorted().map { "  \($0): \(histogram[$0]!)" }.joined(separator: "\n")
    print("mlperf-tiny front-end against mfcc-int8 (ours - reference, int8 codes), \(lines.count) clips, \(total) values:\n"
      + rows + "\n  equal: \(equal) of \(total) (\(String(format: "%.3f", 100 * Double(equal) / Double(total)))%); "
      + "clips with any difference: \(differingClips)\n  in all-zero frames, by coefficient c0...c9: "
      + silentFrameDifferences.map(String.init).joined(separator: " "))
    #expect(total == 1000 * 490)
    #expect(Double(equal) >= 0.99 * Double(total))
    #expect(histogram.keys.allSatisfy { abs($0) <= 1 }, "differences: \(histogram.keys.sorted())")
  }
}
