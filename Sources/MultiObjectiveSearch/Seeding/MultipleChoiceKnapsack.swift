/// The multiple-choice knapsack: pick exactly one item from every group so that the summed cost stays within a
/// budget and the summed loss is least, solved exactly for every budget at once.
///
/// **Method.** Dynamic programming over the groups on the non-dominated set of partial sums (Pareto DP): after
/// group `g`, every state is a (cost, loss) sum of one item from each of the groups `0...g`, and a state is kept
/// only if no other state has a lower-or-equal cost and a lower-or-equal loss (one of them lower); equal states are
/// kept once. The states after the last group are exactly the Pareto-optimal solutions, so the least loss within
/// any budget is read off them (``solve(budget:)``). Optional bounds (``paretoSolutions(maximumCost:maximumLoss:)``)
/// drop partial states that cannot end inside the box (their sum plus the least cost or loss the remaining groups
/// can add exceeds it), which keeps the exact answer inside the box and bounds the work.
///
/// **Determinism.** Sums are accumulated group by group in group order (so a solution's cost and loss are the
/// same doubles a caller gets by adding its items in that order); ties are broken by the order in which states are
/// generated (previous state, then item), never by hashing.
///
/// **Cost.** O(G · S · I · log(S · I)) for G groups of at most I items and at most S states per group; S is bounded
/// by the number of distinct partial costs, and in practice by the bounds. ``maximumStates`` limits it: beyond it
/// the solver throws rather than run away.
public struct MultipleChoiceKnapsack: Hashable, Sendable, Codable {
  /// One choice of a group.
  public struct Item: Hashable, Sendable, Codable {
    /// What choosing it costs (any finite value; negative is a saving).
    public var cost: Double
    /// What choosing it loses (any finite value).
    public var loss: Double

    /// Creates an item.
    public init(cost: Double, loss: Double) {
      self.cost = cost
      self.loss = loss
    }
  }

  /// One item per group.
  public struct Solution: Hashable, Sendable, Codable {
    /// The chosen item's index in each group.
    public var choices: [Int]
    /// The summed cost, added in group order.
    public var cost: Double
    /// The summed loss, added in group order.
    public var loss: Double

    /// Creates a solution.
    public init(choices: [Int], cost: Double, loss: Double) {
      self.choices = choices
      self.cost = cost
      self.loss = loss
    }
  }

  /// The groups; each has at least one item.
  public let groups: [[Item]]
  /// The most states one group may leave; more throws ``SearchError/invalidParameter(name:expected:actual:)``.
  public var maximumStates: Int

  /// Creates the problem.
  ///
  /// - Parameters:
  ///   - groups: at least one group, each with at least one item of finite cost and loss.
  ///   - maximumStates: the work limit per group (default 200,000).
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` naming the group and item.
  public init(groups: [[Item]], maximumStates: Int = 200_000) throws {
    guard !groups.isEmpty else {
      throw SearchError.invalidParameter(name: "MultipleChoiceKnapsack.groups", expected: "at least one group", actual: "none")
    }
    for (g, items) in groups.enumerated() {
      guard !items.isEmpty else {
        throw SearchError.invalidParameter(name: "MultipleChoiceKnapsack.groups[\(g)]", expected: "at least one item", actual: "none")
      }
      for (i, item) in items.enumerated() where !item.cost.isFinite || !item.loss.isFinite {
        throw SearchError.invalidParameter(
          name: "MultipleChoiceKnapsack.groups[\(g)][\(i)]", expected: "a finite cost and loss",
          actual: "cost \(item.cost), loss \(item.loss)")
      }
    }
    guard maximumStates >= 1 else {
      throw SearchError.invalidParameter(name: "MultipleChoiceKnapsack.maximumStates", expected: "at least 1", actual: "\(maximumStates)")
    }
    self.groups = groups
    self.maximumStates = maximumStates
  }

  /// Every Pareto-optimal solution whose cost is at most `maximumCost` and whose loss is at most `maximumLoss`, by
  /// strictly increasing cost (hence strictly decreasing loss). Exact: a solution inside the box that no other
  /// solution dominates (lower-or-equal cost and loss, one lower) is in the list, once per distinct (cost, loss).
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` when a group leaves more than
  ///   ``maximumStates`` states, or a bound is NaN.
  public func paretoSolutions(maximumCost: Double = .infinity, maximumLoss: Double = .infinity) throws -> [Solution] {
    guard !maximumCost.isNaN, !maximumLoss.isNaN else {
      throw SearchError.invalidParameter(name: "MultipleChoiceKnapsack bounds", expected: "numbers", actual: "NaN")
    }
    // The least cost and loss the groups after `g` can still add (summed from the back: used only for pruning,
    // never in a reported sum).
    var restCost = [Double](repeating: 0, count: groups.count + 1)
    var restLoss = [Double](repeating: 0, count: groups.count + 1)
    for g in stride(from: groups.count - 1, through: 0, by: -1) {
      restCost[g] = restCost[g + 1] + groups[g].map(\.cost).min()!
      restLoss[g] = restLoss[g + 1] + groups[g].map(\.loss).min()!
    }
    // States of the last group processed, and for every group the (parent state, item) of each of its states.
    var costs: [Double] = [0]
    var losses: [Double] = [0]
    var trail: [[(parent: Int, item: Int)]] = []
    for (g, items) in groups.enumerated() {
      var candidates: [(cost: Double, loss: Double, parent: Int, item: Int)] = []
      candidates.reserveCapacity(costs.count * items.count)
      for state in costs.indices {
        for (i, item) in items.enumerated() {
          let cost = costs[state] + item.cost
          let loss = losses[state] + item.loss
          // Drop a state that cannot end inside the box. The remaining groups' least cost and loss are sums
          // computed in another order, so compare with a margin of rounding: never drop a state that might fit.
          if cost + restCost[g + 1] > maximumCost + Self.slack(cost, restCost[g + 1], maximumCost) { continue }
          if loss + restLoss[g + 1] > maximumLoss + Self.slack(loss, restLoss[g + 1], maximumLoss) { continue }
          candidates.append((cost, loss, state, i))
        }
      }
      // Sort by cost, then loss, then generation order; keep a state only if its loss is below every cheaper one's.
      let order = candidates.indices.sorted { a, b in
        let x = candidates[a], y = candidates[b]
        if x.cost != y.cost { return x.cost < y.cost }
        if x.loss != y.loss { return x.loss < y.loss }
        return a < b
      }
      var nextCosts: [Double] = []
      var nextLosses: [Double] = []
      var links: [(parent: Int, item: Int)] = []
      for index in order {
        let candidate = candidates[index]
        if let last = nextLosses.last, candidate.loss >= last { continue }
        nextCosts.append(candidate.cost)
        nextLosses.append(candidate.loss)
        links.append((candidate.parent, candidate.item))
        if links.count > maximumStates {
          throw SearchError.invalidParameter(
            name: "MultipleChoiceKnapsack.maximumStates", expected: "at least the \(links.count) states of group \(g)",
            actual: "\(maximumStates)")
        }
      }
      costs = nextCosts
      losses = nextLosses
      trail.append(links)
      if costs.isEmpty { return [] }
    }
    var solutions: [Solution] = []
    for state in costs.indices where costs[state] <= maximumCost && losses[state] <= maximumLoss {
      var choices = [Int](repeating: 0, count: groups.count)
      var current = state
      for g in stride(from: groups.count - 1, through: 0, by: -1) {
        choices[g] = trail[g][current].item
        current = trail[g][current].parent
      }
      solutions.append(Solution(choices: choices, cost: costs[state], loss: losses[state]))
    }
    return solutions
  }

  /// The least-loss solution whose cost is at most `budget` (the cheaper one on a tie); `nil` when even the
  /// cheapest solution costs more.
  ///
  /// - Throws: as ``paretoSolutions(maximumCost:maximumLoss:)``.
  public func solve(budget: Double) throws -> Solution? {
    try paretoSolutions(maximumCost: budget).last
  }

  /// The sum of the items `choices` picks, added in group order (the doubles ``paretoSolutions(maximumCost:maximumLoss:)``
  /// reports for it); `nil` if `choices` does not pick one valid item per group.
  public func evaluate(_ choices: [Int]) -> (cost: Double, loss: Double)? {
    guard choices.count == groups.count else { return nil }
    var cost = 0.0
    var loss = 0.0
    for (g, choice) in choices.enumerated() {
      guard groups[g].indices.contains(choice) else { return nil }
      cost += groups[g][choice].cost
      loss += groups[g][choice].loss
    }
    return (cost, loss)
  }

  /// A bound on the rounding difference between two summation orders of values of these magnitudes.
  private static func slack(_ a: Double, _ b: Double, _ c: Double) -> Double {
    guard c.isFinite else { return 0 }
    return 1e-9 * (abs(a) + abs(b) + abs(c) + 1)
  }
}
