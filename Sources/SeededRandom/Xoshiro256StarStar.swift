/// Blackman and Vigna's xoshiro256** generator: 256 bits of state, period 2^256 - 1.
///
/// The project's seeded generator: search, training and benchmarks draw from it. `init(seed:)` expands the seed with ``SplitMix64``, as the
/// authors recommend. The state is `Codable` (as four `UInt64` words) so that a search can be
/// checkpointed and resumed bit-exactly. The all-zero state is invalid (the generator would only
/// output zeros); the throwing initializer and the decoder reject it.
///
/// Reference: with state words `[1, 2, 3, 4]` the first outputs are 11520, 0, 1509978240,
/// 1215971899390074240 (checked in the tests). All arithmetic is modulo 2^64 by definition.
public struct Xoshiro256StarStar: RandomNumberGenerator, Hashable, Sendable, Codable {
  @usableFromInline internal var s0: UInt64
  @usableFromInline internal var s1: UInt64
  @usableFromInline internal var s2: UInt64
  @usableFromInline internal var s3: UInt64

  /// Creates a generator whose state is four successive ``SplitMix64`` outputs for `seed`.
  ///
  /// Four successive SplitMix64 outputs are never all zero (the output map is a bijection of
  /// distinct states, so at most one of them can be zero), so every seed gives a valid state.
  public init(seed: UInt64) {
    var expander = SplitMix64(seed: seed)
    s0 = expander.next()
    s1 = expander.next()
    s2 = expander.next()
    s3 = expander.next()
  }

  /// Creates a generator with an explicit state of exactly four words, not all zero.
  ///
  /// - Throws: ``InvalidGeneratorState`` if `state` does not have four words or all of them are zero.
  public init(state: [UInt64]) throws {
    guard state.count == 4 else {
      throw InvalidGeneratorState(expected: "4 words", actual: "\(state.count) words")
    }
    guard state.contains(where: { $0 != 0 }) else {
      throw InvalidGeneratorState(expected: "at least one non-zero word", actual: "all zero")
    }
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
  }

  /// The four state words, in the order accepted by ``init(state:)``.
  public var state: [UInt64] { [s0, s1, s2, s3] }

  /// Advances the state and returns the next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotatedLeft(s1 &* 5, by: 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotatedLeft(s3, by: 45)
    return result
  }

  @usableFromInline
  internal func rotatedLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
  }

  private enum CodingKeys: String, CodingKey {
    case state
  }

  /// Decodes the four state words; rejects a wrong word count and the all-zero state.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(state: container.decode([UInt64].self, forKey: .state))
  }

  /// Encodes the state as `{"state": [s0, s1, s2, s3]}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(state, forKey: .state)
  }
}

/// A generator state that `Xoshiro256StarStar(state:)` or its decoder cannot accept.
public struct InvalidGeneratorState: Error, Hashable, Sendable, CustomStringConvertible {
  /// What a valid state looks like.
  public var expected: String
  /// What was given.
  public var actual: String

  /// Creates the error.
  public init(expected: String, actual: String) {
    self.expected = expected
    self.actual = actual
  }

  /// One line naming the field and what was expected.
  public var description: String { "invalid Xoshiro256StarStar.state: expected \(expected), got \(actual)" }
}
