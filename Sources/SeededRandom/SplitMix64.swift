/// Sebastiano Vigna's SplitMix64 generator: 64 bits of state, one output per 64-bit add.
///
/// Used to expand a single `UInt64` seed into the state of ``Xoshiro256StarStar`` and, through
/// ``mix(_:)``, as the hash in ``SeedDerivation``. Reference outputs for `seed: 0` are
/// `0xE220A8397B1DCDAF`, `0x6E789E6AA1B965F4`, `0x06C45D188009454F` (checked in the tests).
///
/// All arithmetic is modulo 2^64 by definition of the algorithm, so the wrapping operators
/// (`&+`, `&*`) are intended here, not an overflow risk.
public struct SplitMix64: RandomNumberGenerator, Hashable, Sendable, Codable {
  /// The golden-ratio increment 0x9E3779B97F4A7C15 added to the state before each output.
  public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

  /// The current state; any value is valid (including 0). Saving and restoring it resumes the stream.
  public var state: UInt64

  /// Creates a generator whose next output is the first output for `seed`.
  public init(seed: UInt64) {
    state = seed
  }

  /// The SplitMix64 output finalizer (a bijection on `UInt64` with good avalanche).
  @inlinable
  public static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Advances the state and returns the next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    state &+= Self.increment
    return Self.mix(state)
  }
}
