import MultiObjectiveSearch
import SeededRandom
import Testing

@Suite struct MultipleChoiceKnapsackTests {
  typealias Item = MultipleChoiceKnapsack.Item

  /// Random groups: `groupCount` groups of 1...`maximumItems` items; costs and losses on a coarse grid (so ties and
  /// equal sums occur) or continuous, some negative.
  static func instance(seed: UInt64, groupCount: Int, maximumItems: Int, coarse: Bool) -> [[Item]] {
    var generator = SplitMix64(seed: seed)
    func value() -> Double {
      coarse ? Double(Int.random(in: -2...6, using: &generator)) : generator.nextUnitInterval() * 10 - 2
    }
    return (0..<groupCount).map { _ in
      (0..<Int.random(in: 1...maximumItems, using: &generator)).map { _ in Item(cost: value(), loss: value()) }
    }
  }

  /// Every solution (one item per group), summed in group order, by brute force.
  static func everySolution(_ groups: [[Item]]) -> [(choices: [Int], cost: Double, loss: Double)] {
    var result: [[Int]] = [[]]
    for items in groups { result = result.flatMap { partial in items.indices.map { partial + [$0] } } }
    return result.map { choices in
      var cost = 0.0, loss = 0.0
      for (g, c) in choices.enumerated() { cost += groups[g][c].cost; loss += groups[g][c].loss }
      return (choices, cost, loss)
    }
  }

  /// The distinct non-dominated (cost, loss) pairs of `solutions` within the box, by increasing cost.
  static func paretoPairs(_ solutions: [(choices: [Int], cost: Double, loss: Double)], maximumCost: Double = .infinity,
                          maximumLoss: Double = .infinity) -> [[Double]] {
    let inside = solutions.filter { $0.cost <= maximumCost && $0.loss <= maximumLoss }
    var pairs: [[Double]] = []
    for s in inside where !inside.contains(where: { $0.cost <= s.cost && $0.loss <= s.loss && ($0.cost < s.cost || $0.loss < s.loss) }) {
      if !pairs.contains([s.cost, s.loss]) { pairs.append([s.cost, s.loss]) }
    }
    return pairs.sorted { $0[0] < $1[0] }
  }

  @Test(arguments: [false, true])
  func theParetoSetEqualsBruteForceOnSmallRandomInstances(coarse: Bool) throws {
    for seed: UInt64 in 1...60 {
      let groups = Self.instance(seed: seed, groupCount: 1 + Int(seed % 5), maximumItems: 4, coarse: coarse)
      let problem = try MultipleChoiceKnapsack(groups: groups)
      let all = Self.everySolution(groups)
      var generator = SplitMix64(seed: seed &+ 100)
      let bounds: [(Double, Double)] = [(.infinity, .infinity)] + (0..<3).map { _ in
        (Double(Int.random(in: -4...20, using: &generator)), Double(Int.random(in: -4...20, using: &generator)))
      }
      for (maximumCost, maximumLoss) in bounds {
        let solutions = try problem.paretoSolutions(maximumCost: maximumCost, maximumLoss: maximumLoss)
        #expect(solutions.map { [$0.cost, $0.loss] } == Self.paretoPairs(all, maximumCost: maximumCost, maximumLoss: maximumLoss),
                "seed \(seed), box (\(maximumCost), \(maximumLoss))")
        // Every reported solution is what its choices add up to.
        for solution in solutions {
          let sum = try #require(problem.evaluate(solution.choices))
          #expect(sum.cost == solution.cost && sum.loss == solution.loss)
        }
      }
      // The least loss within a budget, as brute force finds it.
      for budget in stride(from: -6.0, through: 30, by: 1.5) {
        let best = all.filter { $0.cost <= budget }.min { $0.loss != $1.loss ? $0.loss < $1.loss : $0.cost < $1.cost }
        let solved = try problem.solve(budget: budget)
        #expect(solved?.loss == best?.loss, "seed \(seed), budget \(budget)")
        if let solved { #expect(solved.cost <= budget) }
      }
    }
  }

  @Test func largerInstancesAgreeWithBruteForceToo() throws {
    // 7 groups of up to 5 items: up to 78,125 solutions, enumerated completely.
    for seed: UInt64 in 200...204 {
      let groups = Self.instance(seed: seed, groupCount: 7, maximumItems: 5, coarse: seed % 2 == 0)
      let solutions = try MultipleChoiceKnapsack(groups: groups).paretoSolutions()
      #expect(solutions.map { [$0.cost, $0.loss] } == Self.paretoPairs(Self.everySolution(groups)), "seed \(seed)")
    }
  }

  @Test func theSameInputGivesTheSameChoices() throws {
    let groups = Self.instance(seed: 9, groupCount: 6, maximumItems: 4, coarse: true)
    let first = try MultipleChoiceKnapsack(groups: groups).paretoSolutions()
    let second = try MultipleChoiceKnapsack(groups: groups).paretoSolutions()
    #expect(first == second)
    #expect(!first.isEmpty)
  }

  @Test func badInputThrowsInsteadOfTrapping() throws {
    #expect(throws: SearchError.self) { try MultipleChoiceKnapsack(groups: []) }
    #expect(throws: SearchError.self) { try MultipleChoiceKnapsack(groups: [[Item(cost: 1, loss: 0)], []]) }
    #expect(throws: SearchError.self) { try MultipleChoiceKnapsack(groups: [[Item(cost: .nan, loss: 0)]]) }
    #expect(throws: SearchError.self) { try MultipleChoiceKnapsack(groups: [[Item(cost: 0, loss: .infinity)]]) }
    #expect(throws: SearchError.self) { try MultipleChoiceKnapsack(groups: [[Item(cost: 0, loss: 0)]], maximumStates: 0) }
    let problem = try MultipleChoiceKnapsack(groups: [[Item(cost: 0, loss: 1)]])
    #expect(throws: SearchError.self) { try problem.paretoSolutions(maximumCost: .nan) }
    // Work beyond the state limit throws: 2 groups whose sums trade cost for loss give 3 Pareto states.
    let traded = try MultipleChoiceKnapsack(
      groups: [[Item(cost: 0, loss: 2), Item(cost: 1, loss: 1), Item(cost: 2, loss: 0)],
               [Item(cost: 0, loss: 1), Item(cost: 1, loss: 0)]], maximumStates: 2)
    #expect(throws: SearchError.self) { try traded.paretoSolutions() }
    #expect(problem.evaluate([1]) == nil && problem.evaluate([]) == nil)
    // No solution within a budget below the cheapest one.
    #expect(try problem.solve(budget: -1) == nil)
  }
}
