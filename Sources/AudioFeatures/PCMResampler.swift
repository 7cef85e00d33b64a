import PlatformSupport

/// Band-limited resampling of PCM audio from any sample rate to another (e.g. 8, 22.05 or 44.1 kHz to 16 kHz) by
/// windowed-sinc interpolation.
///
/// Output sample `n` sits at input time `t = n * inputRate / outputRate` (in input samples) and is
/// `y[n] = sum over k of x[k] * h(t - k)`, with input samples outside the signal taken as 0 and the kernel
///
///     h(u) = rho * sinc(rho * u) * kaiser(u / halfWidth),   sinc(v) = sin(pi v) / (pi v),
///     rho = cutoffFraction * min(1, outputRate / inputRate),   halfWidth = zeroCrossings / rho,
///     kaiser(z) = I0(beta * sqrt(1 - z^2)) / I0(beta) for |z| <= 1, else 0,
///
/// i.e. a low-pass filter whose cutoff is `cutoffFraction` (0.95) of the lower of the two Nyquist frequencies (so it
/// removes what would alias when downsampling and the images when upsampling), `zeroCrossings` (16) zero crossings
/// of the sinc on each side, Kaiser window `beta` 8.6 (stop-band about -85 dB). For each of the
/// `outputRate / gcd(inputRate, outputRate)` distinct fractional positions (the polyphase branches) the kernel is
/// tabulated once when there are at most 4,096 of them, and evaluated directly otherwise. Equal rates copy the input.
/// Output length: `round(count * outputRate / inputRate)` samples (halves round up). Computed in Double.
public struct PCMResampler: Sendable {
  /// The input sample rate, in Hz (1...1,000,000).
  public let inputRate: Int
  /// The output sample rate, in Hz (1...1,000,000).
  public let outputRate: Int
  /// Zero crossings of the sinc kept on each side of the kernel's centre.
  public static let zeroCrossings = 16
  /// The Kaiser window's shape parameter.
  public static let kaiserBeta = 8.6
  /// The cutoff as a fraction of the lower Nyquist frequency of the two rates.
  public static let cutoffFraction = 0.95
  /// Most polyphase branches tabulated; beyond this the kernel is evaluated for every output sample.
  static let maximumTabulatedPhases = 4096

  /// The kernel's cutoff in cycles per input sample times 2 (`rho` above).
  let rho: Double
  /// The kernel's half width in input samples.
  let halfWidth: Double
  /// Input samples on each side of the output position that may get a non-zero weight.
  let reach: Int
  /// `outputRate / gcd`: the number of distinct fractional positions.
  let phaseCount: Int
  /// `gcd(inputRate, outputRate)`.
  let divisor: Int
  /// `table[phase * (2 * reach + 1) + (j + reach)] = h(fraction(phase) - j)` when tabulated.
  let table: [Double]?

  /// Creates a resampler; throws `AudioFeaturesError` unless both rates are in 1...1,000,000 Hz.
  public init(inputRate: Int, outputRate: Int) throws {
    for (name, rate) in [("inputRate", inputRate), ("outputRate", outputRate)] where !(1...1_000_000).contains(rate) {
      throw AudioFeaturesError(name, "must be a sample rate in 1...1000000 Hz, got \(rate)")
    }
    self.inputRate = inputRate
    self.outputRate = outputRate
    var a = inputRate, b = outputRate
    while b != 0 { (a, b) = (b, a % b) }
    divisor = a
    phaseCount = outputRate / a
    rho = Self.cutoffFraction * min(1, Double(outputRate) / Double(inputRate))
    halfWidth = Double(Self.zeroCrossings) / rho
    reach = Int(halfWidth.rounded(.up))
    if inputRate != outputRate, phaseCount <= Self.maximumTabulatedPhases {
      let taps = 2 * reach + 1
      var values = [Double](repeating: 0, count: phaseCount * taps)
      for phase in 0..<phaseCount {
        let fraction = Double(phase * divisor) / Double(outputRate)
        for j in -reach...reach {
          values[phase * taps + j + reach] = Self.kernel(fraction - Double(j), rho: rho, halfWidth: halfWidth)
        }
      }
      table = values
    } else {
      table = nil
    }
  }

  /// The interpolation kernel `h(u)` (see the type's documentation).
  static func kernel(_ u: Double, rho: Double, halfWidth: Double) -> Double {
    let z = u / halfWidth
    guard abs(z) <= 1 else { return 0 }
    let x = Double.pi * rho * u
    let sinc = abs(x) < 1e-12 ? 1 : LibM.sin(x) / x
    return rho * sinc * besselI0(kaiserBeta * (1 - z * z).squareRoot()) / besselI0(kaiserBeta)
  }

  /// The modified Bessel function of the first kind, order 0, by its power series (converges for all x).
  static func besselI0(_ x: Double) -> Double {
    var sum = 1.0, term = 1.0, k = 1.0
    let quarter = x * x / 4
    while term > sum * 1e-17 {
      term *= quarter / (k * k)
      sum += term
      k += 1
    }
    return sum
  }

  /// Number of output samples for `inputCount` input samples: `round(inputCount * outputRate / inputRate)`.
  /// Throws when the product overflows.
  public func outputCount(forInputCount inputCount: Int) throws -> Int {
    guard inputCount >= 0 else { throw AudioFeaturesError("inputCount", "must be >= 0, got \(inputCount)") }
    let (product, overflow) = inputCount.multipliedReportingOverflow(by: outputRate)
    guard !overflow else {
      throw AudioFeaturesError("inputCount", "\(inputCount) samples are too many to resample at \(outputRate) Hz")
    }
    return (product + inputRate / 2) / inputRate
  }

  /// Resamples `samples` (any scale, e.g. [-1, 1)). Throws only when the output length overflows.
  public func resample(_ samples: [Float]) throws -> [Float] {
    if inputRate == outputRate { return samples }
    let count = try outputCount(forInputCount: samples.count)
    var output = [Float](repeating: 0, count: count)
    let taps = 2 * reach + 1
    samples.withUnsafeBufferPointer { x in
      for n in 0..<count {
        // n * inputRate <= count * inputRate <= samples.count * outputRate + inputRate: no overflow (checked above).
        let position = n * inputRate
        let q = position / outputRate
        let remainder = position % outputRate
        let first = max(0, q - reach), last = min(x.count - 1, q + reach)
        guard first <= last else { continue }
        var sum = 0.0
        if let table {
          let base = (remainder / divisor) * taps + reach - q
          table.withUnsafeBufferPointer { t in
            for k in first...last { sum += Double(x[k]) * t[base + k] }
          }
        } else {
          let t = Double(q) + Double(remainder) / Double(outputRate)
          for k in first...last { sum += Double(x[k]) * Self.kernel(t - Double(k), rho: rho, halfWidth: halfWidth) }
        }
        output[n] = Float(sum)
      }
    }
    return output
  }

  /// Resamples 16-bit PCM, scaled to [-1, 1) (`sample / 32768`) first.
  public func resample(_ pcm: [Int16]) throws -> [Float] {
    try resample(pcm.map { Float($0) / 32768 })
  }
}
