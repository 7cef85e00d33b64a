import Foundation
import Testing
@testable import AudioFeatures

/// Values of an independent numpy implementation of MLPerf Tiny's recipe, written from TensorFlow's `mel_ops.py`,
/// `mfcc_ops.py` and `spectral_ops.py`: `python3 Experiments/kws/mlperf_frontend_values.py` (numpy 2.4.6).
enum MLPerfNumpyValues {
  // mel matrix [257 bins x 40 bands]: first and last non-zero bin of bands 0, 1, 20, 39; weights of bin 10
  static let melRanges: [Int] = [1, 2, 2, 4, 36, 40, 115, 127]
  static let melBin10: [Double] = [0, 0, 0, 0, 0, 0, 0.549310218, 0.450689782] + Array(repeating: 0, count: 32)
  // tone: signed maximum 8896, largest magnitude 12913
  static let toneFrame0: [Double] = [-31.3438708, 14.7276276, -1.2198834, 0.17832853, 7.94831415, 1.41619822, -6.44415802, -6.30526979, 1.64638845, 4.58381024]
  static let toneCodes0: [Int] = [29, 108, 80, 83, 96, 85, 71, 72, 85, 90]
  static let toneFrame20: [Double] = [-25.2145274, 15.6831147, -3.16887565, 0.0224943528, 7.506677, 0.819573811, -7.25929682, -6.81380067, 1.34449396, 4.27398378]
  static let toneCodes20: [Int] = [39, 109, 77, 83, 95, 84, 70, 71, 85, 90]
  static let toneFrame36: [Double] = [-22.3861425, 15.828135, -3.64953514, -0.285825291, 7.45132456, 0.574174911, -7.72706559, -6.58208067, 0.747418138, 4.50194601]
  static let toneCodes36: [Int] = [44, 110, 76, 82, 95, 83, 69, 71, 84, 90]
  static let toneFrame48: [Double] = [-123.569683, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  static let toneCodes48: [Int] = [-128, 83, 83, 83, 83, 83, 83, 83, 83, 83]

  /// The test clip of the script: 0.75 s of 1 kHz and 300 Hz tones under a rising envelope, minus 2,000, rounded
  /// to 16 bits (its negative peak, -12,913, is larger than its positive one, 8,896).
  static var tone: [Int16] {
    (0..<12_000).map { n in
      let t = Double(n)
      let envelope = 0.2 + 0.8 * t / 12_000
      let value = envelope * (8000 * sin(2 * Double.pi * 1000 * t / 16_000) + 3000 * sin(2 * Double.pi * 300 * t / 16_000))
      return Int16((value - 2000).rounded(.toNearestOrEven))
    }
  }
}

@Suite struct MLPerfFrontEndTests {
  @Test func configurationIsMLPerfTinysRecipe() throws {
    let c = MFCCConfiguration.mlperfTiny
    #expect(c.windowLength == 480 && c.frameStep == 320 && c.fftLength == 512 && c.melBands == 40)
    #expect(c.lowerFrequency == 20 && c.upperFrequency == 4000 && c.coefficientCount == 10 && c.logOffset == 1e-6)
    #expect(c.peakNormalization && c.peakReference == .largestSample)
    #expect(c.frameCount == 49)
    // The 40 ms recipe is unchanged.
    let old = MFCCConfiguration.keywordSpotting
    #expect(old.windowLength == 640 && old.fftLength == 1024 && old.peakReference == .largestMagnitude)
    let extractor = try MFCCExtractor(configuration: c)
    #expect(extractor.featureCount == 490)
    #expect(extractor.minimumInputCount(sampleRate: 16_000) == 480)
    // The periodic Hann window of 480 samples: 0 at n = 0, 1 at n = 240, symmetric about 240.
    #expect(extractor.window.count == 480 && extractor.window[0] == 0 && abs(extractor.window[240] - 1) < 1e-15)
    #expect(abs(extractor.window[100] - extractor.window[380]) < 1e-15)
  }

  @Test func melMatrixMatchesNumpy() throws {
    let bank = try MFCCExtractor(configuration: .mlperfTiny).filterbank
    #expect(bank.binCount == 257 && bank.bands == 40)
    var ranges: [Int] = []
    for band in [0, 1, 20, 39] {
      let nonZero = (0..<257).filter { bank.weights[band * 257 + $0] != 0 }
      ranges += [nonZero.first ?? -1, nonZero.last ?? -1]
    }
    #expect(ranges == MLPerfNumpyValues.melRanges)
    for band in 0..<40 {
      #expect(abs(bank.weights[band * 257 + 10] - MLPerfNumpyValues.melBin10[band]) < 1e-8, "band \(band)")
      #expect(bank.weights[band * 257] == 0, "the DC bin counts in no band")
    }
  }

  @Test func dctScalingOnASilentClip() throws {
    // All-zero audio: every band is ln(1e-6), so c0 = sqrt(2/40) * 40 * ln(1e-6) = sqrt(80) * ln(1e-6) (the same
    // sqrt(2/N) factor as the other coefficients, not the orthonormal sqrt(1/N)) and c1...c9 are 0.
    let extractor = try MFCCExtractor(configuration: .mlperfTiny)
    let features = extractor.features([Float](repeating: 0, count: 16_000))
    let c0 = 80.0.squareRoot() * log(1e-6)
    for t in 0..<49 {
      #expect(abs(Double(features[t * 10]) - c0) < 1e-4)
      #expect((1..<10).allSatisfy { abs(features[t * 10 + $0]) < 1e-5 })
    }
    // trunc(-123.57 / 0.5847029 + 83) = trunc(-128.34) = -128; c1...c9 give the zero point.
    let codes = Int8FeatureQuantization.mlperfTiny.quantize(features)
    #expect(codes.prefix(10) == [-128, 83, 83, 83, 83, 83, 83, 83, 83, 83])
  }

  @Test func toneMatchesNumpy() throws {
    let extractor = try MFCCExtractor(configuration: .mlperfTiny)
    let pcm = MLPerfNumpyValues.tone
    #expect(pcm.max() == 8896 && pcm.map { abs(Int($0)) }.max() == 12_913)
    let features = try extractor.features(pcm: pcm, sampleRate: 16_000)
    let codes = Int8FeatureQuantization.mlperfTiny.quantize(features)
    let expected: [(Int, [Double], [Int])] = [
      (0, MLPerfNumpyValues.toneFrame0, MLPerfNumpyValues.toneCodes0),
      (20, MLPerfNumpyValues.toneFrame20, MLPerfNumpyValues.toneCodes20),
      (36, MLPerfNumpyValues.toneFrame36, MLPerfNumpyValues.toneCodes36),
      (48, MLPerfNumpyValues.toneFrame48, MLPerfNumpyValues.toneCodes48),
    ]
    for (frame, values, frameCodes) in expected {
      let got = (0..<10).map { Double(features[frame * 10 + $0]) }
      #expect(zip(got, values).allSatisfy { abs($0 - $1) < 1e-4 }, "frame \(frame): \(got)")
      #expect((0..<10).map { Int(codes[frame * 10 + $0]) } == frameCodes, "frame \(frame)")
    }
    // Dividing by the largest magnitude instead (the 40 ms recipe's rule) moves c0 by 40 * sqrt(2/40) *
    // ln(12913 / 8896), about 2.1: the signed maximum is what matches.
    var byMagnitude = MFCCConfiguration.mlperfTiny
    byMagnitude.peakReference = .largestMagnitude
    let other = try MFCCExtractor(configuration: byMagnitude).features(pcm: pcm, sampleRate: 16_000)
    #expect(abs(Double(other[0]) - MLPerfNumpyValues.toneFrame0[0]) > 1)
  }

  @Test func peakReferenceLargestSample() throws {
    let extractor = try MFCCExtractor(configuration: .mlperfTiny)
    let clip = extractor.preparedClip([0.25, -0.5, 0.125])
    #expect(Array(clip.prefix(3)) == [1, -2, 0.5] && clip.count == 16_000)
    // No positive sample: TensorFlow would divide by zero or flip the sign; the largest magnitude divides instead.
    #expect(Array(extractor.preparedClip([-0.25, -0.5]).prefix(2)) == [-0.5, -1])
    #expect(extractor.preparedClip([0, 0]).allSatisfy { $0 == 0 })
    let old = try MFCCExtractor(configuration: .keywordSpotting)
    #expect(Array(old.preparedClip([0.25, -0.5, 0.125]).prefix(3)) == [0.5, -1, 0.25])
  }

  @Test func int8QuantizationTruncatesAndWrapsLikeNumpy() throws {
    let q = Int8FeatureQuantization.mlperfTiny
    try q.validate()
    #expect(q.scale == Float(bitPattern: 0x3F15_AF17))
    // Truncation toward zero, not rounding: 10.9 steps above zero -> 93; 3.9 steps below -83 -> trunc(-3.9) = -3.
    #expect(q.code(10.9 * q.scale) == 93)
    #expect(q.code((-83 - 3.9) * q.scale) == -3)
    #expect(q.code(-0.9 * q.scale) == 82)  // 82.1 -> 82
    // Beyond 127: the low 8 bits of the truncated value (133 -> -123), as numpy's float32 -> int8 cast on x86-64.
    #expect(q.code(50.09 * q.scale) == -123)
    #expect(q.code(-212.5 * q.scale) == 127)  // -129.5 -> -129 -> 127
    #expect(q.code(.nan) == 0 && q.code(.infinity) == 0 && q.code(-.infinity) == 0 && q.code(1e30) == 0)
    var saturating = q
    saturating.overflow = .saturate
    #expect(saturating.code(50.09 * q.scale) == 127 && saturating.code(-212.5 * q.scale) == -128)
    #expect(saturating.code(.nan) == 83 && saturating.code(.infinity) == 127)
    #expect(q.dequantize(93) == 10 * q.scale)
    for code in Int8.min...Int8.max {
      #expect(Int8FeatureQuantization.code(ofStoredByte: Int8FeatureQuantization.storedByte(code)) == code)
    }
    #expect(Int8FeatureQuantization.storedByte(-128) == 0 && Int8FeatureQuantization.storedByte(83) == 211)
    #expect(throws: AudioFeaturesError.self) { try Int8FeatureQuantization(scale: 0, zeroPoint: 0, overflow: .wrap).validate() }
    #expect(throws: AudioFeaturesError.self) { try Int8FeatureQuantization(scale: 1, zeroPoint: 128, overflow: .wrap).validate() }
  }
}
