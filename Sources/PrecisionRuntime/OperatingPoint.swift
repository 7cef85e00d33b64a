public import NetworkEngine

/// One operating point of an adaptive network: a per-layer precision configuration with its expected accuracy and
/// its energy per inference (typically one point of the Pareto front that `precsearch optimize` writes).
public struct OperatingPoint: Hashable, Sendable, Codable {
  /// A unique name (`p01`, `p02`, ... in a Pareto JSON).
  public var id: String
  /// The weight and activation bit-widths of every weighted layer.
  public var configuration: PrecisionConfiguration
  /// Expected top-1 accuracy (0...1) measured on the validation split; what selection and the governor maximize.
  public var validationAccuracy: Double
  /// Top-1 accuracy (0...1) on the held-out test split, when measured; reported, never used to choose.
  public var testAccuracy: Double?
  /// Energy of one inference at this point, in joules (>= 0).
  public var energyJoules: Double

  /// Creates a point (validated when a table, network or governor is made from it).
  public init(id: String, configuration: PrecisionConfiguration, validationAccuracy: Double,
              testAccuracy: Double? = nil, energyJoules: Double) {
    self.id = id
    self.configuration = configuration
    self.validationAccuracy = validationAccuracy
    self.testAccuracy = testAccuracy
    self.energyJoules = energyJoules
  }
}

/// A validated set of operating points, by increasing energy, with the two selection rules.
///
/// Order: increasing `energyJoules`; equal energies by decreasing validation accuracy, then by `id`. Ids are unique,
/// energies finite and non-negative, accuracies in 0...1, and there is at least one point.
public struct OperatingPointTable: Hashable, Sendable {
  /// The points in table order.
  public let points: [OperatingPoint]
  private let indexByID: [String: Int]

  /// Validates and orders `points`.
  ///
  /// - Throws: ``RuntimeError/noPoints``, ``RuntimeError/duplicatePointID(_:)`` or
  ///   ``RuntimeError/invalidPoint(id:reason:)``.
  public init(_ points: [OperatingPoint]) throws(RuntimeError) {
    guard !points.isEmpty else { throw .noPoints }
    var seen: [String: Int] = [:]
    for point in points {
      if seen[point.id] != nil { throw .duplicatePointID(point.id) }
      seen[point.id] = 0
      guard point.energyJoules.isFinite, point.energyJoules >= 0 else {
        throw .invalidPoint(id: point.id, reason: "energy per inference \(point.energyJoules) J is not a finite number >= 0")
      }
      guard point.validationAccuracy.isFinite, (0...1).contains(point.validationAccuracy) else {
        throw .invalidPoint(id: point.id, reason: "validation accuracy \(point.validationAccuracy) is outside 0...1")
      }
      if let test = point.testAccuracy, !(test.isFinite && (0...1).contains(test)) {
        throw .invalidPoint(id: point.id, reason: "test accuracy \(test) is outside 0...1")
      }
    }
    let sorted = points.sorted {
      if $0.energyJoules != $1.energyJoules { return $0.energyJoules < $1.energyJoules }
      if $0.validationAccuracy != $1.validationAccuracy { return $0.validationAccuracy > $1.validationAccuracy }
      return $0.id < $1.id
    }
    self.points = sorted
    var index: [String: Int] = [:]
    for (k, point) in sorted.enumerated() { index[point.id] = k }
    indexByID = index
  }

  /// The position of the point called `id` in ``points``, or nil.
  public func index(of id: String) -> Int? { indexByID[id] }

  /// The point called `id`.
  ///
  /// - Throws: ``RuntimeError/unknownPoint(id:known:)`` listing the ids.
  public func point(id: String) throws(RuntimeError) -> OperatingPoint {
    guard let k = indexByID[id] else { throw .unknownPoint(id: id, known: points.map(\.id)) }
    return points[k]
  }

  /// The index of the most accurate point (validation) whose energy is at most `joules`; the cheaper on a tie.
  ///
  /// - Throws: ``RuntimeError/invalidBudget(_:)`` for a NaN or negative budget,
  ///   ``RuntimeError/noPointWithinEnergy(budgetJoules:cheapest:)`` when even the cheapest point costs more.
  public func indexOfMostAccurate(maximumEnergy joules: Double) throws(RuntimeError) -> Int {
    guard !joules.isNaN, joules >= 0 else { throw .invalidBudget(joules) }
    var best: Int?
    for (k, point) in points.enumerated() where point.energyJoules <= joules {
      // Table order is by increasing energy, so a strict improvement keeps the cheaper point on ties.
      if best == nil || point.validationAccuracy > points[best!].validationAccuracy { best = k }
    }
    guard let best else { throw .noPointWithinEnergy(budgetJoules: joules, cheapest: points[0]) }
    return best
  }

  /// The index of the least-energy point whose validation accuracy is at least `accuracy`; the more accurate on a
  /// tie.
  ///
  /// - Throws: ``RuntimeError/invalidAccuracy(_:)`` for a value outside 0...1,
  ///   ``RuntimeError/noPointMeetsAccuracy(minimum:mostAccurate:)`` when no point reaches it.
  public func indexOfLeastEnergy(minimumAccuracy accuracy: Double) throws(RuntimeError) -> Int {
    guard accuracy.isFinite, (0...1).contains(accuracy) else { throw .invalidAccuracy(accuracy) }
    // Table order: increasing energy, equal energies by decreasing accuracy; the first match is the answer.
    if let k = points.firstIndex(where: { $0.validationAccuracy >= accuracy }) { return k }
    let best = points.indices.max { points[$0].validationAccuracy < points[$1].validationAccuracy }!
    throw .noPointMeetsAccuracy(minimum: accuracy, mostAccurate: points[best])
  }
}

/// Why a runtime request could not be met. Every case says what was asked and what is available.
public enum RuntimeError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A network or governor needs at least one operating point.
  case noPoints
  /// Two points share an id.
  case duplicatePointID(String)
  /// A point's energy or accuracy is not a valid number.
  case invalidPoint(id: String, reason: String)
  /// A point's configuration does not fit the network (layer count or widths).
  case configurationDoesNotFit(id: String, reason: String)
  /// No point has this id.
  case unknownPoint(id: String, known: [String])
  /// An energy budget that is NaN, infinite where not allowed, or negative (joules).
  case invalidBudget(Double)
  /// An accuracy floor outside 0...1.
  case invalidAccuracy(Double)
  /// Every point costs more than the budget (joules per inference).
  case noPointWithinEnergy(budgetJoules: Double, cheapest: OperatingPoint)
  /// No point reaches the accuracy floor.
  case noPointMeetsAccuracy(minimum: Double, mostAccurate: OperatingPoint)
  /// The governor's average budget is below the cheapest point's energy: no schedule can meet it.
  case budgetBelowCheapestPoint(budgetJoules: Double, cheapest: OperatingPoint)
  /// The governor was asked for a point before any budget was set.
  case noBudget
  /// A battery reading that is not a finite number of joules >= 0 with at least one inference left.
  case invalidBattery(joulesLeft: Double, inferencesLeft: Int)
  /// An input with the wrong number of values.
  case inputSize(expected: Int, actual: Int)
  /// A workspace made by another `AdaptiveNetwork`.
  case foreignWorkspace

  /// One sentence naming what was asked and what is available.
  public var description: String {
    switch self {
    case .noPoints:
      return "no operating points: at least one is needed"
    case .duplicatePointID(let id):
      return "two operating points have the id '\(id)'; ids must be unique"
    case .invalidPoint(let id, let reason):
      return "operating point '\(id)': \(reason)"
    case .configurationDoesNotFit(let id, let reason):
      return "operating point '\(id)' does not fit the network: \(reason)"
    case .unknownPoint(let id, let known):
      return "no operating point has the id '\(id)'; the points are " + known.joined(separator: ", ")
    case .invalidBudget(let value):
      return "energy budget \(value) J is not a number >= 0"
    case .invalidAccuracy(let value):
      return "accuracy \(value) is outside 0...1"
    case .noPointWithinEnergy(let budget, let cheapest):
      return "no operating point fits \(Self.joules(budget)) per inference; the cheapest, '\(cheapest.id)', "
        + "needs \(Self.joules(cheapest.energyJoules))"
    case .noPointMeetsAccuracy(let minimum, let best):
      return "no operating point reaches accuracy \(minimum); the most accurate, '\(best.id)', has "
        + "\(best.validationAccuracy) (validation)"
    case .budgetBelowCheapestPoint(let budget, let cheapest):
      return "the average budget \(Self.joules(budget)) per inference is below the cheapest operating point "
        + "('\(cheapest.id)', \(Self.joules(cheapest.energyJoules))): no schedule can meet it"
    case .noBudget:
      return "the governor has no energy budget yet; call setBudget(joulesPerInference:) or "
        + "setBattery(joulesLeft:inferencesLeft:) first"
    case .invalidBattery(let joules, let inferences):
      return "battery reading \(joules) J for \(inferences) inferences: expected a finite energy >= 0 and at least "
        + "one inference left"
    case .inputSize(let expected, let actual):
      return "input has \(actual) values; the network expects \(expected)"
    case .foreignWorkspace:
      return "the workspace was made by another AdaptiveNetwork; use makeWorkspace() of this one"
    }
  }

  /// `2.5e-06 J`.
  static func joules(_ value: Double) -> String { "\(value) J" }
}
