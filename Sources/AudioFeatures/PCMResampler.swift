import PlatformSupport
import Synchronization

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
/// of the sinc on each side, Kaiser window `beta` 8.6 (stop-band about -85 dB).
///
/// The kernel is tabulated once per rate pair for each of the `outputRate / gcd(inputRate, outputRate)` distinct
/// fractional positions (the polyphase branches) when the table has at most ``maximumTableEntries`` values (64 MB;
/// every pair of a rate in 4...192 kHz with 16 kHz needs at most 16,000 x 407), and kept in a process-wide cache
/// (at most ``maximumCachedEntries`` values in all, 128 MB, oldest pair evicted first), so files at the same rate
/// share it.
/// Larger tables (only extreme ratios, e.g. 1 Hz to 1 MHz) are not built: the kernel is evaluated for each output
/// sample instead. Equal rates copy the input. Output length: `round(count * outputRate / inputRate)` samples
/// (halves round up); ``resample(_:maximumOutputCount:)`` computes only a prefix of it, reading only the input
/// samples that prefix needs, so work and memory are bounded by the output wanted, not by the input's length.
/// Computed in Double.
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
  /// Most values (phases x taps) of one kernel table: 2^23 Doubles (64 MB).
  public static let maximumTableEntries = 1 << 23
  /// Most values of all cached kernel tables together: 2^24 Doubles (128 MB).
  public static let maximumCachedEntries = 1 << 24
  /// `I0(kaiserBeta)`, the Kaiser window's normalization.
  static let besselI0OfBeta = besselI0(kaiserBeta)

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
  /// `table[phase * (2 * reach + 1) + (j + reach)] = h(fraction(phase) - j)`, or nil when not tabulated.
  let table: KernelTable?

  /// Creates a resampler; throws `AudioFeaturesError` unless both rates are in 1...1,000,000 Hz. Takes the kernel
  /// table of this rate pair from the cache, or builds it (up to ``maximumTableEntries`` kernel evaluations).
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
    let taps = 2 * reach + 1
    if inputRate != outputRate, taps <= Self.maximumTableEntries / phaseCount {
      table = KernelTable.cached(inputRate: inputRate, outputRate: outputRate) { [rho, halfWidth, reach, phaseCount, divisor] in
        var values = [Double](repeating: 0, count: phaseCount * taps)
        for phase in 0..<phaseCount {
          let fraction = Double(phase * divisor) / Double(outputRate)
          for j in -reach...reach {
            values[phase * taps + j + reach] = Self.kernel(fraction - Double(j), rho: rho, halfWidth: halfWidth)
          }
        }
        return values
      }
    } else {
      table = nil
    }
  }

  /// True when this rate pair's kernel is tabulated (see the type's documentation).
  public var isTabulated: Bool { table != nil }

  /// The interpolation kernel `h(u)` (see the type's documentation).
  static func kernel(_ u: Double, rho: Double, halfWidth: Double) -> Double {
    let z = u / halfWidth
    guard abs(z) <= 1 else { return 0 }
    let x = Double.pi * rho * u
    let sinc = abs(x) < 1e-12 ? 1 : LibM.sin(x) / x
    return rho * sinc * besselI0(kaiserBeta * (1 - z * z).squareRoot()) / besselI0OfBeta
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

  /// The number of leading input samples that the first `outputCount` output samples depend on (the others get
  /// zero weight): `(outputCount - 1) * inputRate / outputRate + reach + 1`, 0 for none, `Int.max` on overflow.
  public func inputCount(forOutputCount outputCount: Int) -> Int {
    guard outputCount > 0 else { return 0 }
    if inputRate == outputRate { return outputCount }
    let (product, overflow) = (outputCount - 1).multipliedReportingOverflow(by: inputRate)
    guard !overflow else { return .max }
    let (sum, overflow2) = (product / outputRate).addingReportingOverflow(reach + 1)
    return overflow2 ? .max : sum
  }

  /// Resamples `samples` (any scale, e.g. [-1, 1)). Throws only when the output length overflows.
  public func resample(_ samples: [Float]) throws -> [Float] {
    try resample(samples, maximumOutputCount: .max)
  }

  /// The first `min(maximumOutputCount, outputCount(forInputCount: samples.count))` samples of
  /// ``resample(_:)``, bit-identical to them; reads only the first ``inputCount(forOutputCount:)`` input samples,
  /// so the work is at most (output samples) x (2 * reach + 1) multiply-adds. Throws when `maximumOutputCount` is
  /// negative or the output length overflows.
  public func resample(_ samples: [Float], maximumOutputCount: Int) throws -> [Float] {
    guard maximumOutputCount >= 0 else {
      throw AudioFeaturesError("maximumOutputCount", "must be >= 0, got \(maximumOutputCount)")
    }
    if inputRate == outputRate { return Array(samples.prefix(maximumOutputCount)) }
    let count = min(maximumOutputCount, try outputCount(forInputCount: samples.count))
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
          table.values.withUnsafeBufferPointer { t in
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
    try resample(pcm, maximumOutputCount: .max)
  }

  /// The first `maximumOutputCount` samples of ``resample(_:)-([Int16])``; only the input samples they need are
  /// converted and read.
  public func resample(_ pcm: [Int16], maximumOutputCount: Int) throws -> [Float] {
    let needed = maximumOutputCount < 0 ? 0 : min(pcm.count, inputCount(forOutputCount: maximumOutputCount))
    return try resample(pcm[..<needed].map { Float($0) / 32768 }, maximumOutputCount: maximumOutputCount)
  }
}

/// One rate pair's tabulated kernel, shared (read-only) by every resampler of that pair.
final class KernelTable: Sendable {
  /// The kernel values, phase-major (see `PCMResampler.table`).
  let values: [Double]

  init(values: [Double]) { self.values = values }

  /// The cache: tables by rate pair, in insertion order, at most `PCMResampler.maximumCachedEntries` values in all.
  private struct Cache {
    var tables: [Key: KernelTable] = [:]
    var order: [Key] = []
    var entries = 0
  }

  /// A rate pair.
  private struct Key: Hashable {
    var inputRate: Int
    var outputRate: Int
  }

  private static let cache = Mutex(Cache())

  /// The table of `inputRate` to `outputRate`, from the cache or made by `build` (outside the lock, so two threads
  /// may both build a missing table; the first one stored is returned to both).
  static func cached(inputRate: Int, outputRate: Int, build: () -> [Double]) -> KernelTable {
    let key = Key(inputRate: inputRate, outputRate: outputRate)
    if let table = cache.withLock({ $0.tables[key] }) { return table }
    let built = KernelTable(values: build())
    return cache.withLock { cache in
      if let existing = cache.tables[key] { return existing }
      while cache.entries + built.values.count > PCMResampler.maximumCachedEntries, !cache.order.isEmpty {
        let oldest = cache.order.removeFirst()
        cache.entries -= cache.tables.removeValue(forKey: oldest)?.values.count ?? 0
      }
      cache.tables[key] = built
      cache.order.append(key)
      cache.entries += built.values.count
      return built
    }
  }
}
