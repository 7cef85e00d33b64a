import Testing
@testable import AudioFeatures
import PlatformSupport
import SeededRandom

@Test func realFFTMatchesANaiveDFT() throws {
  for length in [4, 8, 64, 1024] {
    let fft = try RealFFT(length: length)
    var g = SplitMix(seed: UInt64(length))
    let x = (0..<(length - length / 4)).map { _ in g.nextDouble() * 2 - 1 }  // zero-padded tail
    let (re, im) = try fft.transform(x)
    #expect(re.count == length / 2 + 1)
    var worst = 0.0
    for k in 0...(length / 2) {
      var sr = 0.0, si = 0.0
      for (n, v) in x.enumerated() {
        let angle = -2 * Double.pi * Double(k * n % length) / Double(length)
        sr += v * LibM.cos(angle)
        si += v * LibM.sin(angle)
      }
      worst = max(worst, abs(sr - re[k]), abs(si - im[k]))
    }
    #expect(worst < 1e-9, "length \(length): \(worst)")
  }
}

@Test func realFFTRejectsBadLengths() {
  for length in [0, 2, 3, 1000, 1 << 17] { #expect(throws: AudioFeaturesError.self) { try RealFFT(length: length) } }
  #expect(throws: AudioFeaturesError.self) { try RealFFT(length: 8).transform(Array(repeating: 0, count: 9)) }
}

@Test func melFilterbankFollowsTheDocumentedDefinition() throws {
  let bank = try MelFilterbank(bands: 40, binCount: 513, sampleRate: 16_000, lowerFrequency: 20, upperFrequency: 4000)
  #expect(abs(MelFilterbank.mel(700) - 1127 * LibM.log(2)) < 1e-9)
  // DC never counts; nothing above 4 kHz (bin 256) counts; every band has some weight; weights are in [0, 1].
  for b in 0..<40 {
    #expect(bank.weights[b * 513] == 0)
    #expect(bank.weights[(b * 513 + 257)..<(b * 513 + 513)].allSatisfy { $0 == 0 })
    #expect(bank.weights[(b * 513)..<(b * 513 + 513)].contains { $0 > 0 })
    #expect(bank.weights.allSatisfy { $0 >= 0 && $0 <= 1 })
  }
  // Between two band centres the rising and falling slopes of neighbours add up to 1.
  let k = 100  // 1562.5 Hz
  let total = (0..<40).reduce(0.0) { $0 + bank.weights[$1 * 513 + k] }
  #expect(abs(total - 1) < 1e-9)
  #expect(throws: AudioFeaturesError.self) {
    try MelFilterbank(bands: 40, binCount: 513, sampleRate: 16_000, lowerFrequency: 20, upperFrequency: 9000)
  }
}

@Test func mfccShapeAndInvariances() throws {
  let extractor = try MFCCExtractor()
  #expect(extractor.configuration.frameCount == 49)
  #expect(extractor.featureCount == 490)
  var g = SplitMix(seed: 3)
  let clip = (0..<16_000).map { i in Float(0.3 * LibM.sin(Double(i) * 0.2) + 0.05 * (g.nextDouble() - 0.5)) }
  let a = extractor.features(clip)
  // Peak normalization: the level does not matter.
  let b = extractor.features(clip.map { $0 * 0.01 })
  #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-3 })
  // Silence gives finite features: every band at ln(1e-6), so c0 = sqrt(2/40) * 40 * ln(1e-6), the rest ~0.
  let silent = extractor.features([Float](repeating: 0, count: 16_000))
  #expect(abs(Double(silent[0]) - (2.0 / 40).squareRoot() * 40 * LibM.log(1e-6)) < 1e-3)
  #expect(silent.allSatisfy { $0.isFinite })
  #expect(abs(silent[1]) < 1e-3)
  // Longer clips are cut to 1 s, short ones padded; non-finite samples count as 0.
  #expect(extractor.features(clip + [1, 1, 1]) == a)
  #expect(extractor.features([Float.nan, .infinity]) == silent)
}

@Test func mfccConfigurationRejectsBadParameters() {
  var c = MFCCConfiguration.keywordSpotting
  c.fftLength = 512
  #expect(throws: AudioFeaturesError.self) { try MFCCExtractor(configuration: c) }
  c = .keywordSpotting
  c.coefficientCount = 41
  #expect(throws: AudioFeaturesError.self) { try MFCCExtractor(configuration: c) }
  c = .keywordSpotting
  c.logOffset = 0
  #expect(throws: AudioFeaturesError.self) { try MFCCExtractor(configuration: c) }
  c = .keywordSpotting
  c.clipLength = 100
  #expect(throws: AudioFeaturesError.self) { try MFCCExtractor(configuration: c) }
}

@Test func resamplerKeepsToneAndLength() throws {
  #expect(throws: AudioFeaturesError.self) { try PCMResampler(inputRate: 0, outputRate: 16_000) }
  for rate in [8000, 11_025, 22_050, 44_100, 48_000] {
    let r = try PCMResampler(inputRate: rate, outputRate: 16_000)
    let n = rate / 2
    let tone = (0..<n).map { Float(0.5 * LibM.sin(2 * Double.pi * 1000 * Double($0) / Double(rate))) }
    let out = try r.resample(tone)
    #expect(out.count == (n * 16_000 + rate / 2) / rate)
    // Away from the edges the output is the same 1 kHz tone at 16 kHz.
    var worst: Float = 0
    for i in 200..<7800 {
      worst = max(worst, abs(out[i] - Float(0.5 * LibM.sin(2 * Double.pi * 1000 * Double(i) / 16_000))))
    }
    #expect(worst < 0.02, "\(rate) Hz: \(worst)")
  }
  // Downsampling removes a tone above the new Nyquist (7.9 kHz -> 0.95 * 4 kHz cutoff at 8 kHz output).
  let high = (0..<48_000).map { Float(LibM.sin(2 * Double.pi * 7900 * Double($0) / 48_000)) }
  let down = try PCMResampler(inputRate: 48_000, outputRate: 8000).resample(high)
  #expect(down[500..<7500].allSatisfy { abs($0) < 1e-3 })
  // Same rate: a copy.
  let same: [Float] = try PCMResampler(inputRate: 16_000, outputRate: 16_000).resample([Float]([1, 2, 3]))
  #expect(same == [1, 2, 3])
}

@Test func featureQuantizationRoundTrips() throws {
  let q = MFCCQuantization.keywordSpotting
  try q.validate()
  #expect(q.coefficientCount == 10)
  #expect(q.quantize([Float](repeating: 0, count: 10)).map(Int.init) == q.zeroPoints)
  // c0 of a silent frame (-123.6) fits; far out-of-range values clamp.
  #expect(q.quantize([-123.6])[0] == 1)
  #expect(q.quantize([-500, 500]) == [0, 255])
  var g = SplitMix(seed: 9)
  let values = (0..<490).map { i in Float((g.nextDouble() * 2 - 1) * (i % 10 == 0 ? 28 : i % 10 == 1 ? 25 : 12)) }
  let codes = q.quantize(values)
  for (index, (v, c)) in zip(values, codes).enumerated() {
    let i = index % 10
    #expect(abs(q.dequantize(c, coefficient: i) - v) <= q.steps[i] / 2 + 1e-4)
  }
  #expect(q.quantize([.nan]) == [207])
  #expect(throws: AudioFeaturesError.self) { try MFCCQuantization(steps: [1, 0], zeroPoints: [0, 0]).validate() }
  #expect(throws: AudioFeaturesError.self) { try MFCCQuantization(steps: [1], zeroPoints: [256]).validate() }
}

/// SplitMix64 (SeededRandom) for repeatable test data.
typealias SplitMix = SplitMix64

extension SplitMix64 {
  /// A uniform Double in [0, 1) from the top 53 bits.
  mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
