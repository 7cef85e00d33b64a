import Foundation
import Testing
@testable import AudioFeatures

/// The clips and numpy features of Fixtures/mfcc-reference.bin (made by Experiments/kws/make_mfcc_fixture.py).
struct MFCCFixtureClip {
  var sampleRate: Int
  var pcm: [Int16]
  var frames: Int
  var coefficients: Int
  var features: [Double]
  var resampled: [Float]?
}

func loadMFCCFixture() throws -> [MFCCFixtureClip] {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures").appendingPathComponent("mfcc-reference.bin")
  let bytes = [UInt8](try Data(contentsOf: url))
  var offset = 0
  func take(_ n: Int) throws -> ArraySlice<UInt8> {
    guard offset + n <= bytes.count else { throw AudioFeaturesError("fixture", "truncated at \(offset)") }
    defer { offset += n }
    return bytes[offset..<(offset + n)]
  }
  func u32() throws -> Int {
    let s = try take(4)
    return s.reversed().reduce(0) { $0 << 8 | Int($1) }
  }
  func u64() throws -> UInt64 {
    let s = try take(8)
    return s.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
  }
  guard String(decoding: try take(8), as: UTF8.self) == "MFCCFIX1" else {
    throw AudioFeaturesError("fixture", "bad magic")
  }
  var clips: [MFCCFixtureClip] = []
  for _ in 0..<(try u32()) {
    let rate = try u32(), count = try u32()
    var pcm: [Int16] = []
    for _ in 0..<count {
      let s = try take(2)
      pcm.append(Int16(bitPattern: UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8))
    }
    let frames = try u32(), coefficients = try u32()
    var features: [Double] = []
    for _ in 0..<(frames * coefficients) { features.append(Double(bitPattern: try u64())) }
    var resampled: [Float]?
    if rate != 16_000 {
      let n = try u32()
      resampled = try (0..<n).map { _ in Float(bitPattern: UInt32(try u32())) }
    }
    clips.append(MFCCFixtureClip(sampleRate: rate, pcm: pcm, frames: frames, coefficients: coefficients,
                                 features: features, resampled: resampled))
  }
  return clips
}

/// Tolerance of the comparison with numpy: both compute in Double; the Swift features are rounded to Float
/// (relative 6e-8 of values below 130), so 1e-3 absolute leaves a wide margin while catching any definition change
/// (a different window, mel formula, log offset or DCT scale moves coefficients by 0.01 or more).
let mfccTolerance = 1e-3

@Test func mfccMatchesTheNumpyReference() throws {
  let clips = try loadMFCCFixture()
  #expect(clips.count >= 5)
  let extractor = try MFCCExtractor()
  for (index, clip) in clips.enumerated() {
    #expect(clip.frames == 49 && clip.coefficients == 10)
    let features = try extractor.features(pcm: clip.pcm, sampleRate: clip.sampleRate)
    #expect(features.count == 490)
    var worst = 0.0
    for (a, b) in zip(features, clip.features) { worst = max(worst, abs(Double(a) - b)) }
    #expect(worst < mfccTolerance, "clip \(index) (\(clip.sampleRate) Hz): largest difference \(worst)")
  }
}

@Test func resamplerMatchesTheDirectKernelEvaluation() throws {
  let clips = try loadMFCCFixture().filter { $0.resampled != nil }
  #expect(clips.count == 2)
  for clip in clips {
    let expected = clip.resampled!
    let resampler = try PCMResampler(inputRate: clip.sampleRate, outputRate: 16_000)
    let output = try resampler.resample(clip.pcm)
    #expect(output.count == expected.count)
    var worst: Float = 0
    for (a, b) in zip(output, expected) { worst = max(worst, abs(a - b)) }
    #expect(worst < 1e-5, "\(clip.sampleRate) Hz: largest difference \(worst)")
  }
}
