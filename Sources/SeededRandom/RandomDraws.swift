/// Random draws with a fixed algorithm (independent of the stdlib's, whose implementation may change).
public enum RandomDraws {
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
