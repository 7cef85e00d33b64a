/// The ordered set of values one integer gene may take, for example the bit widths `[2, 3, 4, 8, 16]`.
///
/// Values are strictly increasing. "One step" moves to the neighbouring allowed value: from 4 in
/// `[2, 3, 4, 8, 16]` one step up is 8 and one step down is 3. Mutation and simulated annealing move
/// genes by steps in this order, never by arithmetic on the values.
public struct GeneDomain: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The largest number of values a domain may hold (2^24); keeps memory bounded for range inputs.
  public static let maximumCount = 1 << 24

  /// The allowed values, strictly increasing, at least one.
  public let values: [Int]

  /// Creates a domain from explicit values.
  ///
  /// - Parameter values: at least one and at most ``maximumCount`` values, strictly increasing.
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` otherwise.
  public init(values: [Int]) throws {
    guard !values.isEmpty, values.count <= Self.maximumCount else {
      throw SearchError.invalidParameter(
        name: "GeneDomain.values", expected: "1...\(Self.maximumCount) values",
        actual: "\(values.count) values")
    }
    for position in values.indices.dropFirst() where values[position - 1] >= values[position] {
      throw SearchError.invalidParameter(
        name: "GeneDomain.values", expected: "strictly increasing values",
        actual: "\(values[position - 1]) followed by \(values[position]) at position \(position)")
    }
    self.values = values
  }

  /// Creates a domain holding every integer of `range`.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` if the range holds more than
  ///   ``maximumCount`` values.
  public init(_ range: ClosedRange<Int>) throws {
    // upperBound - lowerBound can overflow for very wide ranges: measure with overflow reporting.
    let (width, overflow) = range.upperBound.subtractingReportingOverflow(range.lowerBound)
    guard !overflow, width < Self.maximumCount else {
      throw SearchError.invalidParameter(
        name: "GeneDomain range", expected: "at most \(Self.maximumCount) values",
        actual: "\(range.lowerBound)...\(range.upperBound)")
    }
    self.values = Array(range)
  }

  /// The number of allowed values (at least 1).
  public var count: Int { values.count }

  /// The position of `value` in ``values``, or `nil` if it is not allowed. O(log count).
  public func index(of value: Int) -> Int? {
    var low = 0
    var high = values.count
    while low < high {
      let middle = low + (high - low) / 2
      if values[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < values.count && values[low] == value ? low : nil
  }

  /// Whether `value` is one of the allowed values.
  public func contains(_ value: Int) -> Bool { index(of: value) != nil }

  /// The value `steps` positions away from `value` (negative = down), clamped to the domain's ends;
  /// `nil` if `value` is not allowed.
  public func value(movedFrom value: Int, by steps: Int) -> Int? {
    guard let position = index(of: value) else { return nil }
    // position is in 0..<count <= 2^24, so clamping `steps` first keeps the sum far from overflow.
    let clampedSteps = max(-values.count, min(values.count, steps))
    return values[max(0, min(values.count - 1, position + clampedSteps))]
  }

  /// A uniformly chosen allowed value.
  public func randomValue(using generator: inout some RandomNumberGenerator) -> Int {
    values[Int.random(in: 0..<values.count, using: &generator)]
  }

  /// The values, compactly: `2...16` for a contiguous run, otherwise `[2, 4, 8]`.
  public var description: String {
    let first = values[0]
    let last = values[values.count - 1]
    if last - first == values.count - 1 && values.count > 2 { return "\(first)...\(last)" }
    return "\(values)"
  }

  private enum CodingKeys: String, CodingKey {
    case values
  }

  /// Decodes `{"values": [...]}` and validates it as ``init(values:)`` does.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(values: container.decode([Int].self, forKey: .values))
  }

  /// Encodes `{"values": [...]}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(values, forKey: .values)
  }
}
