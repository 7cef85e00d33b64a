import PlatformSupport

/// Triangular mel-scale filters over the bins of a magnitude spectrum, as TensorFlow's
/// `tf.signal.linear_to_mel_weight_matrix` builds them (the MLPerf Tiny keyword-spotting front-end):
///
/// - mel scale (HTK): `mel(f) = 1127 * ln(1 + f / 700)`;
/// - bin `k` of `binCount` has frequency `k * (sampleRate / 2) / (binCount - 1)` (bins spread evenly up to Nyquist);
///   bin 0 (DC) gets weight 0 in every band;
/// - band edges: `bands + 2` points evenly spaced in mel from `mel(lowerFrequency)` to `mel(upperFrequency)`;
///   band `b` has lower edge point `b`, centre `b + 1`, upper edge `b + 2`;
/// - weight of bin `k` in band `b`: `max(0, min((m - lower) / (centre - lower), (upper - m) / (upper - centre)))` with
///   `m = mel(frequency of k)` (no area normalization).
public struct MelFilterbank: Sendable {
  /// Number of mel bands (1...1,024).
  public let bands: Int
  /// Number of spectrum bins, `fftLength / 2 + 1` (2...32,769).
  public let binCount: Int
  /// Sample rate of the audio, in Hz.
  public let sampleRate: Double
  /// Lower edge of the first band, in Hz.
  public let lowerFrequency: Double
  /// Upper edge of the last band, in Hz (at most sampleRate / 2).
  public let upperFrequency: Double
  /// `weights[b * binCount + k]`: the weight of bin `k` in band `b`.
  public let weights: [Double]
  /// For each band, the range of bins with non-zero weight (empty when none).
  let binRanges: [Range<Int>]

  /// Builds the filters; throws `AudioFeaturesError` unless `bands` is in 1...1024, `binCount` in 2...32769 and
  /// `0 <= lowerFrequency < upperFrequency <= sampleRate / 2`.
  public init(bands: Int, binCount: Int, sampleRate: Double, lowerFrequency: Double, upperFrequency: Double) throws {
    guard (1...1024).contains(bands) else { throw AudioFeaturesError("bands", "must be in 1...1024, got \(bands)") }
    guard (2...32_769).contains(binCount) else {
      throw AudioFeaturesError("binCount", "must be in 2...32769, got \(binCount)")
    }
    guard sampleRate.isFinite, sampleRate > 0 else {
      throw AudioFeaturesError("sampleRate", "must be finite and > 0 Hz, got \(sampleRate)")
    }
    guard lowerFrequency.isFinite, upperFrequency.isFinite, lowerFrequency >= 0, lowerFrequency < upperFrequency,
          upperFrequency <= sampleRate / 2 else {
      throw AudioFeaturesError("lowerFrequency, upperFrequency",
        "need 0 <= lower < upper <= \(sampleRate / 2) Hz (Nyquist), got \(lowerFrequency) and \(upperFrequency)")
    }
    self.bands = bands
    self.binCount = binCount
    self.sampleRate = sampleRate
    self.lowerFrequency = lowerFrequency
    self.upperFrequency = upperFrequency
    let low = Self.mel(lowerFrequency), high = Self.mel(upperFrequency)
    let edges = (0..<(bands + 2)).map { low + (high - low) * Double($0) / Double(bands + 1) }
    var w = [Double](repeating: 0, count: bands * binCount)
    var ranges: [Range<Int>] = []
    for b in 0..<bands {
      let lower = edges[b], centre = edges[b + 1], upper = edges[b + 2]
      var first = binCount, end = 0
      for k in 1..<binCount {
        let m = Self.mel(Double(k) * (sampleRate / 2) / Double(binCount - 1))
        let value = max(0, min((m - lower) / (centre - lower), (upper - m) / (upper - centre)))
        if value > 0 {
          w[b * binCount + k] = value
          first = min(first, k)
          end = max(end, k + 1)
        }
      }
      ranges.append(first < end ? first..<end : 0..<0)
    }
    weights = w
    binRanges = ranges
  }

  /// The HTK mel scale: `1127 * ln(1 + frequency / 700)`, frequency in Hz.
  public static func mel(_ frequency: Double) -> Double { 1127 * LibM.log1p(frequency / 700) }

  /// The `bands` band values `sum_k weights[b][k] * spectrum[k]` of a `binCount`-bin spectrum.
  public func apply(_ spectrum: [Double]) -> [Double] {
    (0..<bands).map { b in
      var sum = 0.0
      for k in binRanges[b] where k < spectrum.count { sum += weights[b * binCount + k] * spectrum[k] }
      return sum
    }
  }
}
