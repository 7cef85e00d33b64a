import Testing
@testable import AudioFeatures
import PlatformSupport
import SeededRandom

/// A deterministic test clip: a chirp plus noise, `count` samples of 16-bit PCM.
func goldenClip(rate: Int, count: Int) -> [Int16] {
  var g = SplitMix(seed: UInt64(rate))
  return (0..<count).map { i in
    let t = Double(i) / Double(rate)
    let v = 9000 * LibM.sin(2 * Double.pi * (200 + 900 * t) * t) + 3000 * (g.nextDouble() - 0.5)
    return Int16(v.rounded())
  }
}

/// FNV-1a (64-bit) of the Floats' bit patterns: equal hashes mean bit-identical outputs.
func fnv1a(_ values: [Float]) -> UInt64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for v in values {
    var bits = v.bitPattern
    for _ in 0..<4 {
      h = (h ^ UInt64(bits & 0xFF)) &* 0x100_0000_01b3
      bits >>= 8
    }
  }
  return h
}

/// Outputs of the resampler before the kernel table was cached and the output bounded (commit 13cdd60), for
/// `goldenClip(rate:count: rate / 4)` resampled to 16 kHz: rate, output count, FNV-1a of the outputs, and the bit
/// patterns of outputs 0, 1, 100, 1000, 2345 and the last. Rates up to 96 kHz were tabulated then and must stay
/// bit-identical; 4,001 and 44,101 Hz (16,000 phases) were evaluated directly then and are tabulated now, where the
/// kernel's argument is rounded differently (`fraction - j` instead of `(q + fraction) - k`), so they are checked to
/// 1e-6 (on this clip the Float outputs still come out bit-identical: same FNV-1a).
let resamplerGolden: [(rate: Int, count: Int, hash: UInt64, picks: [UInt32], wasTabulated: Bool)] = [
  (8000, 4000, 0x4386dde44eeb3ff0, [0x3d24f7fc, 0x3d4f159b, 0x3e6b5b66, 0xbc78802c, 0xbe6bbd5f, 0x3e13ac37], true),
  (11_025, 4000, 0x6bb8d0ee36935fac, [0xbcdaddb7, 0xbc46b007, 0x3e7b0683, 0x3c2a5258, 0xbe5e1bc4, 0x3dd51d23], true),
  (22_050, 4000, 0x733da28f17ea787a, [0x3c38cb55, 0x3cf52307, 0x3e752222, 0x3ceb94f0, 0xbe87bbef, 0x3e4ab89e], true),
  (32_000, 4000, 0x52aeef2060500867, [0x3c59cf0a, 0x3d56f3d5, 0x3e96bb9c, 0x3d9ec861, 0xbe4d2d30, 0x3e89fd1b], true),
  (44_100, 4000, 0x9a0db5a0e0f453d6, [0x3c431aab, 0x3d04c81c, 0x3e72a45a, 0x3b58c87d, 0xbe5c5be0, 0x3e8cbfdf], true),
  (48_000, 4000, 0xc6cafcdfe6c1aed2, [0x3c76c945, 0x3d246f91, 0x3e8daac8, 0x3d1f8394, 0xbe5b625a, 0x3e8f6640], true),
  (96_000, 4000, 0xa760aaab771d5f09, [0xbbc33405, 0x3c78ae0e, 0x3e886eb3, 0x3cf93a21, 0xbe5451ac, 0x3e912fba], true),
  (4001, 3999, 0x7045b812f4d00084, [0x3c331adf, 0x3c926836, 0x3e98b6e1, 0xbc8b3d8d, 0xbe2c5f84, 0x3d2075e9], false),
  (44_101, 4000, 0x2826e2fcf498db41, [0x3b7b18e1, 0x3cdc6f09, 0x3e949060, 0x3ca8b48f, 0xbe62e391, 0x3e862864], false),
]

@Test func resamplerOutputIsUnchangedForRatesThatWorkedBefore() throws {
  for golden in resamplerGolden {
    let pcm = goldenClip(rate: golden.rate, count: golden.rate / 4)
    let resampler = try PCMResampler(inputRate: golden.rate, outputRate: 16_000)
    #expect(resampler.isTabulated, "\(golden.rate) Hz")
    let out = try resampler.resample(pcm)
    #expect(out.count == golden.count)
    guard out.count == golden.count else { continue }
    let picks = [0, 1, 100, 1000, 2345, out.count - 1].map { out[$0] }
    if golden.wasTabulated {
      #expect(fnv1a(out) == golden.hash, "\(golden.rate) Hz: not bit-identical to the previous resampler")
      #expect(picks.map(\.bitPattern) == golden.picks)
    } else {
      for (value, bits) in zip(picks, golden.picks) {
        #expect(abs(value - Float(bitPattern: bits)) <= 1e-6, "\(golden.rate) Hz: \(value)")
      }
    }
  }
}

/// FNV-1a of the MFCC features of `goldenClip(rate:count: rate * 3 / 2)` (1.5 s) before the output was bounded
/// (commit 13cdd60): computing only the first second must not change a bit.
let featureGolden: [(rate: Int, hash: UInt64)] = [
  (16_000, 0x879e23b35bd4f399), (44_100, 0x417429db1efe4fcc), (8000, 0x82f6f92fe698effe),
]

@Test func boundedResamplingGivesTheSameBitsAsTheFullOutput() throws {
  let extractor = try MFCCExtractor()
  for golden in featureGolden {
    let pcm = goldenClip(rate: golden.rate, count: golden.rate * 3 / 2)
    #expect(fnv1a(try extractor.features(pcm: pcm, sampleRate: golden.rate)) == golden.hash, "\(golden.rate) Hz")
  }
  for rate in [8000, 44_100, 4001, 192_000] {
    let pcm = goldenClip(rate: rate, count: rate / 2)
    let resampler = try PCMResampler(inputRate: rate, outputRate: 16_000)
    let full = try resampler.resample(pcm)
    for limit in [0, 1, 1000, 7999, 100_000] {
      let prefix = try resampler.resample(pcm, maximumOutputCount: limit)
      #expect(prefix == Array(full.prefix(limit)), "\(rate) Hz, \(limit) outputs")
      // Only the first inputCount(forOutputCount:) samples matter: garbage after them changes nothing.
      let needed = resampler.inputCount(forOutputCount: limit)
      var spoiled = pcm
      for i in min(needed, spoiled.count)..<spoiled.count { spoiled[i] = .max }
      #expect(try resampler.resample(spoiled, maximumOutputCount: limit) == prefix, "\(rate) Hz, \(limit)")
    }
  }
  #expect(throws: AudioFeaturesError.self) { try PCMResampler(inputRate: 8000, outputRate: 16_000).resample([Float](), maximumOutputCount: -1) }
}

@Test func everySupportedRateIsTabulatedOnceAndShared() throws {
  for rate in [4000, 4001, 7999, 44_101, 96_001, 191_999, 192_000] {
    let a = try PCMResampler(inputRate: rate, outputRate: 16_000)
    let b = try PCMResampler(inputRate: rate, outputRate: 16_000)
    #expect(a.isTabulated, "\(rate) Hz")
    #expect(a.table != nil && a.table === b.table, "\(rate) Hz: the table must be built once and shared")
  }
  // Extreme ratios outside the front-end's range are still resampled, by direct evaluation.
  let extreme = try PCMResampler(inputRate: 1_000_000, outputRate: 1)
  #expect(!extreme.isTabulated)
  #expect(try extreme.resample([Float](repeating: 0.5, count: 3_000_000)).count == 3)
}

@Test func featuresRejectUnsupportedRatesWithTheRate() throws {
  let extractor = try MFCCExtractor()
  for rate in [1, 2, 3999, 192_001, 1_000_000] {
    do {
      _ = try extractor.features(pcm: [Int16](repeating: 100, count: 4000), sampleRate: rate)
      Issue.record("\(rate) Hz was accepted")
    } catch let error as AudioFeaturesError {
      #expect(error.field == "sampleRate")
      #expect(error.message.contains("\(rate) Hz") && error.message.contains("4000...192000"), "\(error)")
    }
  }
  for rate in [4000, 192_000] {
    let pcm = goldenClip(rate: rate, count: rate / 2)
    #expect(try extractor.features(pcm: pcm, sampleRate: rate).count == 490)
  }
}

@Test func clipsShorterThanOneWindowAreRejected() throws {
  let extractor = try MFCCExtractor()
  for rate in [4000, 8000, 16_000, 22_050, 44_100, 48_000, 191_999] {
    let minimum = extractor.minimumInputCount(sampleRate: rate)
    let resampler = try PCMResampler(inputRate: rate, outputRate: 16_000)
    #expect(try resampler.outputCount(forInputCount: minimum) >= 640, "\(rate) Hz")
    #expect(try resampler.outputCount(forInputCount: minimum - 1) < 640, "\(rate) Hz")
    #expect(try extractor.features(pcm: goldenClip(rate: rate, count: minimum), sampleRate: rate).count == 490)
    for count in [0, 1, minimum - 1] {
      do {
        _ = try extractor.features(pcm: goldenClip(rate: rate, count: count), sampleRate: rate)
        Issue.record("\(count) samples at \(rate) Hz were accepted")
      } catch let error as AudioFeaturesError {
        #expect(error.field == "samples")
        let found = count == 1 ? "1 sample at \(rate) Hz is" : "\(count) samples at \(rate) Hz are"
        #expect(error.message.contains(found) && error.message.contains("at least \(minimum)"),
                "\(error)")
      }
    }
  }
  #expect(extractor.minimumInputCount(sampleRate: 16_000) == 640)
}

@Test func featureWorkIsBoundedByTheClipLengthNotTheInput() throws {
  // 600 s at 4 kHz would be 9.6 million samples at 16 kHz; only the first second is needed.
  let extractor = try MFCCExtractor()
  let second = goldenClip(rate: 4000, count: 4000)
  let long = second + [Int16](repeating: 1234, count: 4000 * 599)
  _ = try extractor.features(pcm: second, sampleRate: 4000)  // the table is built and cached here
  let clock = ContinuousClock()
  let short = try clock.measure { _ = try extractor.features(pcm: second, sampleRate: 4000) }
  var features: [Float] = []
  let elapsed = try clock.measure { features = try extractor.features(pcm: long, sampleRate: 4000) }
  #expect(features == (try extractor.features(pcm: Array(long.prefix(4100)), sampleRate: 4000)))
  #expect(elapsed < short * 5 + .milliseconds(200), "1 s: \(short), 600 s: \(elapsed)")
}
