/// Every configuration measured so far, by genome, so that a configuration is never run twice.
///
/// Part of the search state: it is saved with checkpoints (encoded as a list sorted by genome, so the encoding
/// does not depend on hashing) because a screened-out configuration's recorded estimate depends on the front at
/// the time it was measured, and a resumed search must see the very same values.
public struct EvaluationMemo: Hashable, Sendable, Codable {
  private var entries: [[Int]: PrecisionMeasurement] = [:]

  /// Creates an empty memo.
  public init() {}

  /// The number of configurations measured.
  public var count: Int { entries.count }

  /// The measurement of `genome`, if it was measured.
  public subscript(genome: [Int]) -> PrecisionMeasurement? { entries[genome] }

  /// Records (or replaces) the measurement of `genome`.
  public mutating func record(_ measurement: PrecisionMeasurement, for genome: [Int]) {
    entries[genome] = measurement
  }

  /// Every entry, sorted by genome lexicographically.
  public var sortedEntries: [(genome: [Int], measurement: PrecisionMeasurement)] {
    entries.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0, entries[$0]!) }
  }

  private struct Entry: Codable {
    var genome: [Int]
    var measurement: PrecisionMeasurement
  }

  /// Decodes the sorted list of entries.
  public init(from decoder: any Decoder) throws {
    var container = try decoder.unkeyedContainer()
    while !container.isAtEnd {
      let entry = try container.decode(Entry.self)
      entries[entry.genome] = entry.measurement
    }
  }

  /// Encodes the entries as a list sorted by genome.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.unkeyedContainer()
    for (genome, measurement) in sortedEntries { try container.encode(Entry(genome: genome, measurement: measurement)) }
  }
}
