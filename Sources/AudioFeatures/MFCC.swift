import PlatformSupport

/// Which sample a clip is divided by when ``MFCCConfiguration/peakNormalization`` is on.
public enum PeakReference: String, Hashable, Sendable, Codable, CaseIterable {
  /// The largest absolute sample, `max |x[n]|` (the 40 ms recipe, ``MFCCConfiguration/keywordSpotting``).
  case largestMagnitude
  /// The largest signed sample, `max x[n]`, as MLPerf Tiny's `get_dataset.py` does (`wav / tf.reduce_max(wav)`), so
  /// a clip whose negative peak is the larger one reaches below -1 (``MFCCConfiguration/mlperfTiny``). Where that
  /// maximum is not positive (an all-zero clip, or one with no positive sample), where TensorFlow would divide by
  /// zero or flip the sign, the largest absolute sample is used instead (nothing, for an all-zero clip).
  case largestSample
}

/// The parameters of the MFCC front-end (docs/audio.md). The defaults (``keywordSpotting``) give the 49 x 10
/// features of the project's 40 ms recipe; ``mlperfTiny`` is MLPerf Tiny's own (30 ms windows, FFT 512).
public struct MFCCConfiguration: Hashable, Sendable, Codable {
  /// Sample rate of the audio the features are computed on, in Hz (16,000).
  public var sampleRate: Int
  /// Samples per clip (16,000 = 1 s): shorter clips are zero-padded at the end, longer ones cut to their start.
  public var clipLength: Int
  /// Samples per analysis window (640 = 40 ms).
  public var windowLength: Int
  /// Samples between window starts (320 = 20 ms).
  public var frameStep: Int
  /// FFT length; each windowed frame is zero-padded to it (1,024, the next power of two above 640).
  public var fftLength: Int
  /// Mel bands (40).
  public var melBands: Int
  /// Lower edge of the first mel band, in Hz (20).
  public var lowerFrequency: Double
  /// Upper edge of the last mel band, in Hz (4,000).
  public var upperFrequency: Double
  /// Cepstral coefficients kept, the first ones of the DCT-II (10).
  public var coefficientCount: Int
  /// Added to every mel band value before the natural log (1e-6).
  public var logOffset: Double
  /// Divide the clip by its largest absolute sample first (MLPerf Tiny divides by the largest sample); an all-zero
  /// clip stays zero.
  public var peakNormalization: Bool
  /// The sample peak normalization divides by (``PeakReference/largestMagnitude`` unless set).
  public var peakReference: PeakReference

  /// Creates a configuration; the defaults are ``keywordSpotting``.
  public init(sampleRate: Int = 16_000, clipLength: Int = 16_000, windowLength: Int = 640, frameStep: Int = 320,
              fftLength: Int = 1024, melBands: Int = 40, lowerFrequency: Double = 20, upperFrequency: Double = 4000,
              coefficientCount: Int = 10, logOffset: Double = 1e-6, peakNormalization: Bool = true,
              peakReference: PeakReference = .largestMagnitude) {
    self.sampleRate = sampleRate
    self.clipLength = clipLength
    self.windowLength = windowLength
    self.frameStep = frameStep
    self.fftLength = fftLength
    self.melBands = melBands
    self.lowerFrequency = lowerFrequency
    self.upperFrequency = upperFrequency
    self.coefficientCount = coefficientCount
    self.logOffset = logOffset
    self.peakNormalization = peakNormalization
    self.peakReference = peakReference
  }

  /// The keyword-spotting front-end: 16 kHz, 1 s, 40 ms windows every 20 ms, FFT 1,024, 40 mel bands 20..4,000 Hz,
  /// log offset 1e-6, 10 coefficients, peak normalization: 49 frames x 10 coefficients.
  public static let keywordSpotting = MFCCConfiguration()

  /// MLPerf Tiny's keyword-spotting front-end (mlcommons/tiny `benchmark/training/keyword_spotting/get_dataset.py`,
  /// `feature_type` `mfcc`, with `kws_util.py`'s defaults: `window_size_ms` 30, `window_stride_ms` 20, 40 mel bins,
  /// `dct_coefficient_count` 10): 16 kHz, 1 s, 30 ms (480-sample) periodic Hann windows every 20 ms, FFT 512
  /// (`fft_length=None`: the next power of two), 40 mel bands 20..4,000 Hz, log offset 1e-6, 10 coefficients, the
  /// clip divided by its largest *signed* sample (``PeakReference/largestSample``): 49 frames x 10 coefficients.
  /// Its 8-bit form is ``Int8FeatureQuantization/mlperfTiny``.
  public static let mlperfTiny = MFCCConfiguration(windowLength: 480, fftLength: 512, peakReference: .largestSample)

  /// Frames per clip: `1 + (clipLength - windowLength) / frameStep` (49 for the defaults).
  public var frameCount: Int { 1 + (clipLength - windowLength) / frameStep }

  /// Throws `AudioFeaturesError` naming the first parameter out of range.
  public func validate() throws {
    guard (1...1_000_000).contains(sampleRate) else {
      throw AudioFeaturesError("sampleRate", "must be in 1...1000000 Hz, got \(sampleRate)")
    }
    guard (1...(1 << 16)).contains(windowLength) else {
      throw AudioFeaturesError("windowLength", "must be in 1...65536 samples, got \(windowLength)")
    }
    guard (windowLength...(1 << 24)).contains(clipLength) else {
      throw AudioFeaturesError("clipLength", "must be in windowLength (\(windowLength))...16777216 samples, got \(clipLength)")
    }
    guard frameStep >= 1, frameStep <= clipLength else {
      throw AudioFeaturesError("frameStep", "must be in 1...clipLength, got \(frameStep)")
    }
    guard fftLength >= windowLength, fftLength >= 4, fftLength <= 65_536, fftLength & (fftLength - 1) == 0 else {
      throw AudioFeaturesError("fftLength", "must be a power of two in max(4, windowLength)...65536, got \(fftLength)")
    }
    guard (1...melBands).contains(coefficientCount) else {
      throw AudioFeaturesError("coefficientCount", "must be in 1...melBands (\(melBands)), got \(coefficientCount)")
    }
    guard logOffset.isFinite, logOffset > 0 else {
      throw AudioFeaturesError("logOffset", "must be finite and > 0, got \(logOffset)")
    }
  }
}

/// Computes MFCC features of 1 s clips exactly as documented in docs/audio.md (the MLPerf Tiny keyword-spotting
/// front-end built on `tf.signal`), in Double, returned as Float:
///
/// 1. clip to `clipLength` samples (zero-pad / cut), divide by the largest absolute sample (peak normalization);
/// 2. frame `t` = samples `t * frameStep ..< t * frameStep + windowLength`, times the periodic Hann window
///    `w[n] = 0.5 - 0.5 cos(2 pi n / windowLength)`, zero-padded to `fftLength`;
/// 3. magnitude spectrum `|X[k]|`, k in 0...fftLength/2 (``RealFFT``);
/// 4. mel band values with ``MelFilterbank`` (weights applied to magnitudes, not powers);
/// 5. `ln(band + logOffset)`;
/// 6. DCT-II scaled as `tf.signal.mfccs_from_log_mel_spectrograms`:
///    `c[i] = sqrt(2 / melBands) * sum_b logMel[b] * cos(pi * i * (b + 0.5) / melBands)` (the same factor for every
///    `i`, including 0), keeping `i < coefficientCount`.
///
/// The result is frame-major: `features[t * coefficientCount + i]`, i.e. a `frameCount x coefficientCount` image.
public struct MFCCExtractor: Sendable {
  /// The parameters.
  public let configuration: MFCCConfiguration
  /// The periodic Hann window, `windowLength` values.
  public let window: [Double]
  /// The mel filters.
  public let filterbank: MelFilterbank
  /// The transform.
  let fft: RealFFT
  /// `dct[i * melBands + b]`.
  let dct: [Double]

  /// Builds the window, filters and DCT table; throws `AudioFeaturesError` for an invalid configuration.
  public init(configuration: MFCCConfiguration = .keywordSpotting) throws {
    try configuration.validate()
    self.configuration = configuration
    let n = configuration.windowLength
    window = (0..<n).map { 0.5 - 0.5 * LibM.cos(2 * Double.pi * Double($0) / Double(n)) }
    fft = try RealFFT(length: configuration.fftLength)
    filterbank = try MelFilterbank(bands: configuration.melBands, binCount: configuration.fftLength / 2 + 1,
                                   sampleRate: Double(configuration.sampleRate),
                                   lowerFrequency: configuration.lowerFrequency,
                                   upperFrequency: configuration.upperFrequency)
    let bands = configuration.melBands
    let scale = (2.0 / Double(bands)).squareRoot()
    var table: [Double] = []
    for i in 0..<configuration.coefficientCount {
      for b in 0..<bands { table.append(scale * LibM.cos(Double.pi * Double(i) * (Double(b) + 0.5) / Double(bands))) }
    }
    dct = table
  }

  /// Number of feature values per clip, `frameCount * coefficientCount` (490).
  public var featureCount: Int { configuration.frameCount * configuration.coefficientCount }

  /// The clip as the front-end sees it: `clipLength` samples, peak-normalized when configured (by
  /// ``MFCCConfiguration/peakReference``; the peak of the first `clipLength` samples, after zero-padding).
  public func preparedClip(_ samples: [Float]) -> [Double] {
    let n = configuration.clipLength
    var clip = [Double](repeating: 0, count: n)
    for i in 0..<min(n, samples.count) { clip[i] = samples[i].isFinite ? Double(samples[i]) : 0 }
    if configuration.peakNormalization {
      let magnitude = clip.reduce(0) { max($0, abs($1)) }
      var peak = magnitude
      if configuration.peakReference == .largestSample, let largest = clip.max(), largest > 0 { peak = largest }
      if peak > 0 { for i in 0..<n { clip[i] /= peak } }
    }
    return clip
  }

  /// The log-mel spectrogram, `frameCount x melBands`, frame-major (steps 1 to 5).
  public func logMelSpectrogram(_ samples: [Float]) -> [Double] {
    let clip = preparedClip(samples)
    let c = configuration
    var out: [Double] = []
    out.reserveCapacity(c.frameCount * c.melBands)
    var frame = [Double](repeating: 0, count: c.windowLength)
    for t in 0..<c.frameCount {
      let start = t * c.frameStep
      for i in 0..<c.windowLength { frame[i] = clip[start + i] * window[i] }
      // The frame is windowLength <= fftLength samples (validated), so the transform cannot throw.
      let magnitudes = (try? fft.magnitudes(frame)) ?? []
      for value in filterbank.apply(magnitudes) { out.append(LibM.log(value + c.logOffset)) }
    }
    return out
  }

  /// The MFCC features of a clip of `sampleRate` audio scaled to [-1, 1] (any scale works with peak
  /// normalization): `frameCount * coefficientCount` values, frame-major. Non-finite samples count as 0.
  public func features(_ samples: [Float]) -> [Float] {
    let c = configuration
    let logMel = logMelSpectrogram(samples)
    var out = [Float](repeating: 0, count: featureCount)
    for t in 0..<c.frameCount {
      for i in 0..<c.coefficientCount {
        var sum = 0.0
        for b in 0..<c.melBands { sum += dct[i * c.melBands + b] * logMel[t * c.melBands + b] }
        out[t * c.coefficientCount + i] = Float(sum)
      }
    }
    return out
  }

  /// The input sample rates ``features(pcm:sampleRate:)`` accepts: 4 kHz to 192 kHz (the range of common audio
  /// rates). Bounding the rate bounds the resampler's work: at most 16,000 x 407 kernel values per rate.
  public static let supportedInputRates: ClosedRange<Int> = 4_000...192_000

  /// The fewest input samples ``features(pcm:sampleRate:)`` accepts at `sampleRate`: the fewest `n` whose resampled
  /// length `PCMResampler.outputCount(forInputCount: n)` is at least one analysis window (`windowLength` samples at
  /// the configured rate, 40 ms), i.e. `ceil((windowLength * sampleRate - sampleRate / 2) / configuration.sampleRate)`
  /// in integer arithmetic (640 at 16 kHz, 320 at 8 kHz).
  public func minimumInputCount(sampleRate: Int) -> Int {
    // outputCount(n) = floor((n * out + in / 2) / in) >= w  <=>  n * out >= w * in - in / 2.
    let c = configuration
    let needed = c.windowLength * sampleRate - sampleRate / 2
    return (needed + c.sampleRate - 1) / c.sampleRate
  }

  /// The features of 16-bit PCM at `sampleRate` Hz: resampled to the configured rate when it differs
  /// (``PCMResampler``, computing only the `clipLength` samples used), scaled by 1/32768, then ``features(_:)``.
  ///
  /// Throws `AudioFeaturesError` for a sample rate outside ``supportedInputRates`` (field `sampleRate`) and for a
  /// clip shorter than one analysis window, ``minimumInputCount(sampleRate:)`` samples (field `samples`; e.g. an
  /// empty or 1-sample clip, which would otherwise give the features of silence). Longer clips, up to and beyond
  /// `clipLength`, are zero-padded or cut as documented. Work and memory are bounded by `clipLength`, whatever the
  /// clip's length.
  public func features(pcm: [Int16], sampleRate: Int) throws -> [Float] {
    let rates = Self.supportedInputRates
    guard rates.contains(sampleRate) else {
      throw AudioFeaturesError("sampleRate", "\(sampleRate) Hz is not supported; expected a sample rate in "
        + "\(rates.lowerBound)...\(rates.upperBound) Hz")
    }
    let minimum = minimumInputCount(sampleRate: sampleRate)
    guard pcm.count >= minimum else {
      let c = configuration
      let milliseconds = 1000 * c.windowLength / c.sampleRate
      let found = pcm.count == 1 ? "1 sample at \(sampleRate) Hz is" : "\(pcm.count) samples at \(sampleRate) Hz are"
      throw AudioFeaturesError("samples", "\(found) shorter than one analysis window (\(milliseconds) ms); expected "
        + "at least \(minimum) samples")
    }
    let resampler = try PCMResampler(inputRate: sampleRate, outputRate: configuration.sampleRate)
    return features(try resampler.resample(pcm, maximumOutputCount: configuration.clipLength))
  }
}
