/// "The hypervolume has not improved by more than `minimumImprovement` for `generations` generations."
///
/// Read from a hypervolume history (one value per generation): a running mark starts at the first
/// value; a value greater than `mark + minimumImprovement` moves the mark to it and resets the count,
/// any other value adds one stalled generation. The criterion is met when the count reaches
/// ``generations``. Small improvements therefore cannot reset the count by creeping up: they must
/// add up to more than `minimumImprovement` over the mark.
public struct StallCriterion: Hashable, Sendable, Codable {
  /// How many generations without sufficient improvement end the search (≥ 1).
  public var generations: Int
  /// The smallest hypervolume gain that counts as an improvement (≥ 0), in the units of the
  /// algorithm's ``HypervolumeIndicator`` (normalized units when it normalizes).
  public var minimumImprovement: Double

  /// Creates the criterion; values are checked by ``validate()``.
  public init(generations: Int, minimumImprovement: Double = 0) {
    self.generations = generations
    self.minimumImprovement = minimumImprovement
  }

  /// Checks `generations >= 1` and a finite `minimumImprovement >= 0`.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
  public func validate() throws {
    guard generations >= 1 else {
      throw SearchError.invalidParameter(
        name: "StallCriterion.generations", expected: "at least 1", actual: "\(generations)")
    }
    guard minimumImprovement.isFinite, minimumImprovement >= 0 else {
      throw SearchError.invalidParameter(
        name: "StallCriterion.minimumImprovement", expected: "a finite value >= 0",
        actual: "\(minimumImprovement)")
    }
  }

  /// The number of trailing generations of `history` without sufficient improvement.
  public func stalledGenerations(in history: [Double]) -> Int {
    guard var mark = history.first else { return 0 }
    var stalled = 0
    for value in history.dropFirst() {
      if value > mark + minimumImprovement {
        mark = value
        stalled = 0
      } else {
        stalled += 1
      }
    }
    return stalled
  }
}
