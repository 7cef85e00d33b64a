import Foundation
import Testing
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct SpeechCommandsPartitionTests {
  @Test func sha1MatchesFIPSVectors() {
    func hex(_ s: String) -> String { SHA1.digest(Array(s.utf8)).map { String(format: "%02x", $0) }.joined() }
    #expect(hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    #expect(hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    #expect(hex(String(repeating: "a", count: 1000)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
  }

  @Test func whichSetAgreesWithPythonsHashlib() {
    // Percentages from Python: (int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2**27) * (100.0 / (2**27 - 1)).
    let cases: [(String, Double, SpeechCommandsPartition)] = [
      ("0a7c2a8d", 56.836387193474074, .training), ("d750966e", 28.492501590345064, .training),
      ("dc2222d7", 3.1242065364435803, .validation), ("605ed0ff", 1.9856386034610762, .validation),
      ("563aa4e6", 13.094019987389593, .testing), ("97f4c236", 14.779315998996168, .testing),
      ("ü-speaker", 46.10435699004201, .training), ("", 98.04821758008165, .training),
    ]
    for (name, percentage, partition) in cases {
      #expect(SpeechCommandsPartition.percentage(ofHashName: name) == percentage, "\(name)")
      #expect(SpeechCommandsPartition.of(hashName: name) == partition, "\(name)")
    }
    // Only the base name up to the first _nohash_ counts; without _nohash_ the whole base name is hashed.
    #expect(SpeechCommandsPartition.hashName(ofFile: "data/yes/563aa4e6_nohash_2.wav") == "563aa4e6")
    #expect(SpeechCommandsPartition.hashName(ofFile: "a_nohash_b_nohash_1.wav") == "a")
    #expect(SpeechCommandsPartition.hashName(ofFile: "x/tst_000000_Stop_7.wav") == "tst_000000_Stop_7.wav")
    #expect(SpeechCommandsPartition.of(file: "/any/where/563aa4e6_nohash_0.wav") == .testing)
    #expect(SpeechCommandsPartition.of(file: "tst_000000_Stop_7.wav") == .validation)  // 8.687...
    // Other percentages move the boundaries.
    #expect(SpeechCommandsPartition.of(hashName: "563aa4e6", validationPercentage: 20, testingPercentage: 10) == .validation)
    #expect(SpeechCommandsPartition.of(hashName: "d750966e", validationPercentage: 10, testingPercentage: 20) == .testing)
  }

  @Test(.enabled(if: SharedData.isAvailable("data/speech-commands-mini/manifest.csv"),
                 SharedData.reason("data/speech-commands-mini/manifest.csv")))
  func whichSetReproducesSpeechCommandsMiniPartitions() throws {
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: SharedData.path("data/speech-commands-mini/manifest.csv"))),
                      as: UTF8.self)
    let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    #expect(rows.count == 2800)
    var counts: [SpeechCommandsPartition: Int] = [:]
    for row in rows {
      let (file, speaker, partition) = (row[0], row[2], row[3])
      #expect(SpeechCommandsPartition.of(file: file).rawValue == partition, "\(file)")
      #expect(SpeechCommandsPartition.hashName(ofFile: file) == speaker)
      counts[SpeechCommandsPartition.of(file: file), default: 0] += 1
    }
    #expect(counts[.training] == 2400 && counts[.validation] == 400 && counts[.testing] == nil)
  }

  @Test func keywordLabelSets() {
    let mlperf = KeywordLabelSet.mlperfTiny
    #expect(mlperf.classNames == ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"])
    #expect(mlperf.label(ofWord: "Stop") == 7 && mlperf.label(ofWord: "_silence_") == 10)
    #expect(mlperf.label(ofWord: "_unknown_") == 11 && mlperf.label(ofWord: "marvin") == 11)
    #expect(mlperf.label(ofWord: "silence") == 10 && mlperf.label(ofWord: "unknown") == 11)
    let shipped = KeywordLabelSet.precsearch
    for word in ["yes", "go", "off", "marvin", "_silence_", "_unknown_"] {
      #expect(shipped.label(ofWord: word) == KeywordSpotting.label(ofWord: word), "\(word)")
      #expect(mlperf.label(mlperf.label(ofWord: word), in: shipped) == shipped.label(ofWord: word), "\(word)")
    }
    #expect(mlperf.label(12, in: shipped) == nil)
  }
}
