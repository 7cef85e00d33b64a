/// The seeded pseudo-random generator of training: xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
///
/// Its whole state is four `UInt64` words (`stateWords`), so a checkpoint can store it and a resumed run continues
/// the exact same stream. The algorithm is fixed here (not the stdlib's), so streams never change between
/// toolchains.
public struct TrainingRandomGenerator: RandomNumberGenerator, Hashable, Sendable, Codable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// Creates a generator whose state is derived from `seed` by SplitMix64 (any seed, including 0, is valid).
  public init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
  }

  /// Restores a generator from `stateWords` (exactly 4 words, not all zero).
  public init(stateWords: [UInt64]) throws {
    guard stateWords.count == 4 else {
      throw TrainingError("randomState", "expected 4 state words, got \(stateWords.count)")
    }
    guard stateWords.contains(where: { $0 != 0 }) else {
      throw TrainingError("randomState", "the all-zero state is not a valid xoshiro256** state")
    }
    s0 = stateWords[0]; s1 = stateWords[1]; s2 = stateWords[2]; s3 = stateWords[3]
  }

  /// The current state (4 words), for checkpoints.
  public var stateWords: [UInt64] { [s0, s1, s2, s3] }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3 << 45 | s3 >> 19
    return result
  }
}

/// Random draws with a fixed algorithm (independent of the stdlib's, whose implementation may change).
public enum TrainingRandom {
  /// A uniform integer in `0..<upperBound` by Lemire's multiply-and-reject method; 0 (without drawing) when
  /// `upperBound <= 1`.
  public static func uniform(below upperBound: Int, using generator: inout some RandomNumberGenerator) -> Int {
    guard upperBound > 1 else { return 0 }
    let bound = UInt64(upperBound)
    var product = generator.next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold { product = generator.next().multipliedFullWidth(by: bound) }
    }
    return Int(product.high)
  }

  /// A uniform integer in `range` (closed); the range must span fewer than `Int.max` values (else the lower bound).
  public static func uniform(in range: ClosedRange<Int>, using generator: inout some RandomNumberGenerator) -> Int {
    let (span, overflow) = range.upperBound.subtractingReportingOverflow(range.lowerBound)
    guard !overflow, span < Int.max else { return range.lowerBound }
    return range.lowerBound + uniform(below: span + 1, using: &generator)
  }

  /// A fair coin.
  public static func coin(using generator: inout some RandomNumberGenerator) -> Bool { generator.next() >> 63 == 1 }

  /// The indices `0..<count` in a uniformly random order (Fisher-Yates, drawing from the back).
  public static func shuffledIndices(count: Int, using generator: inout some RandomNumberGenerator) -> [Int] {
    var indices = Array(0..<max(count, 0))
    var i = indices.count - 1
    while i > 0 {
      let j = uniform(below: i + 1, using: &generator)
      indices.swapAt(i, j)
      i -= 1
    }
    return indices
  }
}
