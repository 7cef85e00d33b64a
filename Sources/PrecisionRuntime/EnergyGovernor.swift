/// Chooses an operating point for every inference so that the average energy per inference meets a budget while
/// the expected accuracy is as high as the points allow.
///
/// **Hull.** Plot the points as (energy, validation accuracy). Running point A for a share `1 - t` of the inferences
/// and point B for a share `t` costs `(1 - t) e_A + t e_B` on average and is expected to reach
/// `(1 - t) a_A + t a_B`; so the best expected accuracy for an average budget E is the upper concave envelope
/// ("upper-left hull") of the points at E, reached by time-sharing the two hull vertices around E. A mix of two
/// points can beat every single point (it does whenever a point lies strictly below the hull). ``hull`` lists the
/// vertices: from the cheapest point (the most accurate among the cheapest) to the most accurate point (the cheapest
/// among the most accurate), with dominated and collinear points removed.
///
/// **Schedule.** For a budget E between hull vertices L and H (`e_L <= E < e_H`) the governor keeps a credit
/// `c` (joules saved so far, 0 at the start) and runs H when `c + E >= e_H`, else L; then `c += E - e_run`. The
/// credit stays in `[0, e_H - e_L)`, so after any N inferences at one budget the energy spent is at most `N E` and
/// more than `N E - (e_H - e_L)`: the realized average is within one inference's energy (divided by N) of the
/// budget, never above it, and H ran `floor`-close to `t N` times (within one). Deterministic: no randomness.
///
/// **Budget changes** (``setBudget(joulesPerInference:)``, ``setBattery(joulesLeft:inferencesLeft:)``) take effect
/// from the next ``next()``. The credit carries over, capped at the new pair's spread (energy not spent when the
/// budget exceeds the most accurate point is not banked). A budget below the cheapest point is infeasible: ``next()``
/// throws ``RuntimeError/budgetBelowCheapestPoint(budgetJoules:cheapest:)`` instead of silently overspending; the
/// caller decides (for example run the cheapest point and report the overrun).
///
/// A pure value type: no clocks, no I/O, no randomness.
public struct EnergyGovernor: Hashable, Sendable {
  /// The points, by increasing energy (see ``OperatingPointTable``).
  public let table: OperatingPointTable
  /// Indices into `table.points` of the hull vertices, by increasing energy (and strictly increasing accuracy).
  public let hull: [Int]
  /// The current average budget per inference, in joules; nil before the first one is set.
  public private(set) var budgetJoules: Double?
  /// Joules saved so far against the budget (in `[0, spread of the current pair]`).
  public private(set) var creditJoules: Double = 0

  /// A governor over `points`.
  ///
  /// - Throws: ``RuntimeError`` for an empty or invalid point list (see ``OperatingPointTable``).
  public init(points: [OperatingPoint]) throws(RuntimeError) {
    try self.init(table: OperatingPointTable(points))
  }

  /// A governor over a validated table.
  public init(table: OperatingPointTable) {
    self.table = table
    self.hull = Self.upperHull(table.points.map { ($0.energyJoules, $0.validationAccuracy) })
  }

  /// Indices of the upper-left concave hull of `(energy, accuracy)` pairs already sorted by increasing energy (equal
  /// energies by decreasing accuracy): the Pareto-optimal points that lie strictly above the segment joining their
  /// neighbours.
  public static func upperHull(_ points: [(energy: Double, accuracy: Double)]) -> [Int] {
    var hull: [Int] = []
    var bestAccuracy = -Double.infinity
    for (k, p) in points.enumerated() {
      // Dominated (no more accurate than a cheaper or equally cheap point): never on the hull.
      guard p.accuracy > bestAccuracy else { continue }
      bestAccuracy = p.accuracy
      while hull.count >= 2 {
        let a = points[hull[hull.count - 2]], b = points[hull[hull.count - 1]]
        // b stays only if it lies strictly above the segment a -> p (a left turn from a->b to b->p is concave down).
        let cross = (b.energy - a.energy) * (p.accuracy - a.accuracy) - (b.accuracy - a.accuracy) * (p.energy - a.energy)
        if cross >= 0 { hull.removeLast() } else { break }
      }
      hull.append(k)
    }
    return hull
  }

  /// The hull value at `joules`: which two vertices to time-share and in what proportion.
  ///
  /// - Throws: ``RuntimeError/invalidBudget(_:)`` for NaN or a negative budget,
  ///   ``RuntimeError/budgetBelowCheapestPoint(budgetJoules:cheapest:)`` below the cheapest point.
  public func mix(forBudget joules: Double) throws(RuntimeError) -> PointMix {
    guard !joules.isNaN, joules >= 0 else { throw .invalidBudget(joules) }
    let points = table.points
    let first = points[hull[0]]
    guard joules >= first.energyJoules else { throw .budgetBelowCheapestPoint(budgetJoules: joules, cheapest: first) }
    let last = points[hull[hull.count - 1]]
    if joules >= last.energyJoules {
      return PointMix(lower: hull[hull.count - 1], upper: hull[hull.count - 1], upperShare: 0, table: table)
    }
    // hull energies strictly increase: find the last vertex with energy <= joules.
    var k = 0
    while k + 1 < hull.count && points[hull[k + 1]].energyJoules <= joules { k += 1 }
    let low = points[hull[k]], high = points[hull[k + 1]]
    if joules == low.energyJoules { return PointMix(lower: hull[k], upper: hull[k], upperShare: 0, table: table) }
    let share = (joules - low.energyJoules) / (high.energyJoules - low.energyJoules)
    return PointMix(lower: hull[k], upper: hull[k + 1], upperShare: min(max(share, 0), 1), table: table)
  }

  /// The best expected accuracy (validation) any schedule reaches at an average of `joules` per inference: the hull
  /// value.
  ///
  /// - Throws: as ``mix(forBudget:)``.
  public func expectedAccuracy(forBudget joules: Double) throws(RuntimeError) -> Double {
    try mix(forBudget: joules).expectedAccuracy
  }

  /// Sets the average budget per inference (joules), effective from the next ``next()``. A budget below the
  /// cheapest point is accepted here and reported by ``next()``.
  ///
  /// - Throws: ``RuntimeError/invalidBudget(_:)`` for NaN or a negative value (the budget is then unchanged).
  public mutating func setBudget(joulesPerInference joules: Double) throws(RuntimeError) {
    guard !joules.isNaN, joules >= 0 else { throw .invalidBudget(joules) }
    budgetJoules = joules
  }

  /// Sets the budget from a battery reading: `joulesLeft / inferencesLeft` per inference from the next ``next()``,
  /// with the credit reset to 0 (the reading already accounts for what was spent).
  ///
  /// - Throws: ``RuntimeError/invalidBattery(joulesLeft:inferencesLeft:)``.
  public mutating func setBattery(joulesLeft: Double, inferencesLeft: Int) throws(RuntimeError) {
    guard joulesLeft.isFinite, joulesLeft >= 0, inferencesLeft >= 1 else {
      throw .invalidBattery(joulesLeft: joulesLeft, inferencesLeft: inferencesLeft)
    }
    budgetJoules = joulesLeft / Double(inferencesLeft)
    creditJoules = 0
  }

  /// The point for the next inference (the caller runs it, e.g. `AdaptiveNetwork.infer(_:at:workspace:)`).
  ///
  /// - Throws: ``RuntimeError/noBudget`` before a budget is set;
  ///   ``RuntimeError/budgetBelowCheapestPoint(budgetJoules:cheapest:)`` while the budget is infeasible (the credit is
  ///   then unchanged).
  public mutating func next() throws(RuntimeError) -> GovernorDecision {
    guard let budget = budgetJoules else { throw .noBudget }
    let mix = try mix(forBudget: budget)
    let points = table.points
    let low = points[mix.lowerIndex], high = points[mix.upperIndex]
    let spread = high.energyJoules - low.energyJoules
    var credit = min(creditJoules, spread)
    let chosen = mix.upperShare > 0 && credit + budget >= high.energyJoules ? mix.upperIndex : mix.lowerIndex
    credit += budget - points[chosen].energyJoules
    // Kept in [0, spread]: >= 0 up to rounding by the rule above, <= spread by the cap (unspendable surplus).
    creditJoules = min(max(credit, 0), spread)
    return GovernorDecision(pointIndex: chosen, pointID: points[chosen].id, energyJoules: points[chosen].energyJoules,
                            mix: mix)
  }
}

/// Two hull vertices and the share of inferences the more expensive one runs.
public struct PointMix: Hashable, Sendable {
  /// Index (in the table's points) of the cheaper vertex.
  public var lowerIndex: Int
  /// Index of the more expensive vertex (equal to `lowerIndex` when one point suffices).
  public var upperIndex: Int
  /// Share of inferences at the upper vertex, in 0...1.
  public var upperShare: Double
  /// Expected accuracy of the mix (validation): the hull value.
  public var expectedAccuracy: Double
  /// Expected energy per inference of the mix, in joules (equals the budget inside the hull's range).
  public var expectedEnergyJoules: Double

  init(lower: Int, upper: Int, upperShare t: Double, table: OperatingPointTable) {
    lowerIndex = lower
    upperIndex = upper
    upperShare = t
    let l = table.points[lower], u = table.points[upper]
    expectedAccuracy = (1 - t) * l.validationAccuracy + t * u.validationAccuracy
    expectedEnergyJoules = (1 - t) * l.energyJoules + t * u.energyJoules
  }
}

/// One decision of the governor.
public struct GovernorDecision: Hashable, Sendable {
  /// Index of the point to run, in the governor's table.
  public var pointIndex: Int
  /// Its id.
  public var pointID: String
  /// Its energy per inference, in joules.
  public var energyJoules: Double
  /// The mix the decision comes from.
  public var mix: PointMix
}
