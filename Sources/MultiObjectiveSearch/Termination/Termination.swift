/// When a search stops: any of several criteria, with progress reported in [0, 1] (as in pymoo).
///
/// The search stops as soon as one set criterion is met. ``progress(_:)`` is the largest
/// per-criterion fraction (evaluations used / maximum, generations / maximum, elapsed / limit,
/// stalled generations / stall length), clamped to [0, 1]; the search is over at 1. Time is read
/// from a caller-supplied clock, so tests can use a fake one, and is checked between batches only.
public struct Termination: Hashable, Sendable, Codable {
  /// Stop once this many evaluations are used (≥ 1). Drivers shorten the last batch to fit.
  public var maximumEvaluations: Int?
  /// Stop after this many completed generations (≥ 1).
  public var maximumGenerations: Int?
  /// Stop once this much wall time has elapsed (> 0).
  public var timeLimit: Duration?
  /// Stop when the hypervolume history stalls.
  public var stall: StallCriterion?

  /// Creates a termination from any combination of criteria (at least one must be set).
  public init(
    maximumEvaluations: Int? = nil, maximumGenerations: Int? = nil, timeLimit: Duration? = nil,
    stall: StallCriterion? = nil
  ) {
    self.maximumEvaluations = maximumEvaluations
    self.maximumGenerations = maximumGenerations
    self.timeLimit = timeLimit
    self.stall = stall
  }

  /// Stop after `count` evaluations.
  public static func evaluations(_ count: Int) -> Termination { Termination(maximumEvaluations: count) }
  /// Stop after `count` generations.
  public static func generations(_ count: Int) -> Termination { Termination(maximumGenerations: count) }
  /// Stop after `limit` of wall time.
  public static func time(_ limit: Duration) -> Termination { Termination(timeLimit: limit) }

  /// Checks that at least one criterion is set and every set one is in range.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
  public func validate() throws {
    guard maximumEvaluations != nil || maximumGenerations != nil || timeLimit != nil || stall != nil else {
      throw SearchError.invalidParameter(
        name: "Termination", expected: "at least one criterion", actual: "none")
    }
    if let maximumEvaluations, maximumEvaluations < 1 {
      throw SearchError.invalidParameter(
        name: "Termination.maximumEvaluations", expected: "at least 1", actual: "\(maximumEvaluations)")
    }
    if let maximumGenerations, maximumGenerations < 1 {
      throw SearchError.invalidParameter(
        name: "Termination.maximumGenerations", expected: "at least 1", actual: "\(maximumGenerations)")
    }
    if let timeLimit, timeLimit <= .zero {
      throw SearchError.invalidParameter(
        name: "Termination.timeLimit", expected: "a positive duration", actual: "\(timeLimit)")
    }
    try stall?.validate()
  }

  /// Progress towards termination in [0, 1]: the largest fraction over the set criteria.
  public func progress(_ status: SearchStatus) -> Double {
    var fraction = 0.0
    if let maximumEvaluations, maximumEvaluations > 0 {
      fraction = max(fraction, Double(status.evaluations) / Double(maximumEvaluations))
    }
    if let maximumGenerations, maximumGenerations > 0 {
      fraction = max(fraction, Double(status.generations) / Double(maximumGenerations))
    }
    if let timeLimit, timeLimit > .zero {
      fraction = max(fraction, status.elapsed / timeLimit)
    }
    if let stall, stall.generations > 0 {
      fraction = max(
        fraction, Double(stall.stalledGenerations(in: status.hypervolumeHistory)) / Double(stall.generations))
    }
    return fraction.isNaN ? 0 : min(1, max(0, fraction))
  }

  /// Whether some criterion is met (``progress(_:)`` reached 1).
  public func isSatisfied(by status: SearchStatus) -> Bool {
    progress(status) >= 1
  }

  /// How many more evaluations the evaluation limit allows after `used` (0 at or past the limit),
  /// or `nil` without an evaluation limit.
  public func remainingEvaluations(after used: Int) -> Int? {
    maximumEvaluations.map { max(0, $0 - min($0, used)) }
  }
}
