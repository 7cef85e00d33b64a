import Foundation
import MultiObjectiveSearch
import Testing
import SeededRandom

/// Constrained ZDT1: minimize f2 subject to f1 ≤ 0.3 (12 variables, 31 levels). The optimum is
/// x1 = 9/30 = 0.3 with every other variable 0: f2 = 1 − √0.3 ≈ 0.4523. The next-best genomes are
/// f2 ≈ 0.4721 (one other variable one level up) and 0.4836 (x1 = 8/30).
func constrainedAnnealing(seed: UInt64) throws -> SimulatedAnnealing.Configuration {
  try SimulatedAnnealing.Configuration(
    objectiveIndex: 1, initialTemperature: 0.05, minimumTemperature: 5e-4, coolingFactor: 0.9,
    stepsPerTemperature: 20, hypervolume: zdtIndicator(), seed: seed)
}

@Suite struct SimulatedAnnealingTests {
  static let optimum = 1 - 0.3.squareRoot()
  /// Threshold: feasible with f2 ≤ 0.47, i.e. within 4 % of the optimum 0.4523.
  static let threshold = 0.47

  @Test(arguments: [UInt64(1), 2, 3])
  func findsAFeasibleNearOptimalPointFromAnInfeasibleStart(_ seed: UInt64) throws {
    var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
    let start = Array(repeating: 30, count: 12)  // x = 1 everywhere: violation 0.7
    var annealing = try SimulatedAnnealing(
      configuration: constrainedAnnealing(seed: seed), searchSpace: problem.searchSpace, objectiveCount: 2,
      initialGenome: start)
    let result = try annealing.minimize(&problem, until: .evaluations(3000))
    let best = try #require(result.best)
    #expect(best.evaluation.isFeasible)
    #expect(best.objectives[1] <= Self.threshold, "best f2 \(best.objectives[1]), optimum \(Self.optimum)")
    #expect(best.objectives[1] >= Self.optimum - 1e-12)
    #expect(result.evaluations == 3000)
    #expect(annealing.restarts >= 1)
    // The front found on the way is feasible and consistent.
    try result.archive.checkInvariants()
    #expect(result.front.allSatisfy { $0.evaluation.isFeasible })
    #expect(result.front.contains { $0.genome == best.genome })
  }

  @Test func randomSearchWithTheSameEvaluationsMissesTheThreshold() throws {
    var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
    var generator = Xoshiro256StarStar(seed: 1)
    let genomes = (0..<3000).map { _ in problem.searchSpace.randomGenome(using: &generator) }
    let feasible = zip(genomes, try problem.evaluate(genomes)).filter { $0.1.isFeasible }
    let bestF2 = try #require(feasible.map { $0.1.objectives[1] }.min())
    #expect(bestF2 > 2 * Self.threshold, "random search best f2 \(bestF2)")
  }

  @Test func sameSeedSameResultDifferentSeedDifferentResult() throws {
    func run(_ seed: UInt64) throws -> SearchResult {
      var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
      var annealing = try SimulatedAnnealing(configuration: constrainedAnnealing(seed: seed), searchSpace: problem.searchSpace, objectiveCount: 2)
      return try annealing.minimize(&problem, until: .evaluations(700))
    }
    let first = try run(11)
    #expect(first == (try run(11)))
    let other = try run(12)
    #expect(first.front != other.front)
  }

  @Test(arguments: [1, 137, 450, 901])
  func resumingFromACheckpointGivesTheUninterruptedResult(_ checkpointEvaluations: Int) throws {
    var configuration = try constrainedAnnealing(seed: 21)
    configuration.neighboursPerStep = 2
    configuration.stepsPerTemperature = 5  // 44 levels of 5 steps: a restart every 220 steps
    configuration.restartPoint = .random
    let termination = Termination.evaluations(1200)
    var referenceProblem = try ZDTProblem(.zdt1, maximumF1: 0.3)
    var reference = try SimulatedAnnealing(configuration: configuration, searchSpace: referenceProblem.searchSpace, objectiveCount: 2)
    let expected = try reference.minimize(&referenceProblem, until: termination)
    #expect(reference.restarts == 2)

    var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
    var annealing = try SimulatedAnnealing(configuration: configuration, searchSpace: problem.searchSpace, objectiveCount: 2)
    while annealing.evaluationCount < checkpointEvaluations {
      try annealing.tell(problem.evaluate(annealing.ask()))
    }
    var restored = try JSONDecoder().decode(SimulatedAnnealing.self, from: JSONEncoder().encode(annealing))
    #expect(restored == annealing)
    let resumed = try restored.minimize(&problem, until: termination)
    #expect(resumed == expected)
  }

  @Test func neighboursAreDistinctSingleStepMoves() throws {
    let space = try SearchSpace(geneCount: 3, domain: GeneDomain(values: [2, 4, 8, 16]))
    var annealing = try SimulatedAnnealing(
      configuration: .init(neighboursPerStep: 10), searchSpace: space, objectiveCount: 1, initialGenome: [2, 8, 16])
    #expect(annealing.ask() == [[2, 8, 16]])
    try annealing.tell([Evaluation(objectives: [1])])
    let neighbours = annealing.ask()
    // Moves: gene 0 up; gene 1 down or up; gene 2 down -> exactly 4 distinct neighbours.
    #expect(Set(neighbours) == [[4, 8, 16], [2, 4, 16], [2, 16, 16], [2, 8, 8]])
    #expect(neighbours.count == 4)
  }

  @Test func acceptanceIsFeasibilityFirstThenMetropolis() throws {
    // One gene 0...20; objective = value; violation = max(0, 10 - value) (feasible from 10 up).
    struct Ramp: SearchProblem {
      let searchSpace: SearchSpace
      let objectiveCount = 1
      mutating func evaluate(_ genomes: [[Int]]) throws -> [Evaluation] {
        genomes.map { Evaluation(objectives: [Double($0[0])], constraintViolation: Double(max(0, 10 - $0[0]))) }
      }
    }
    var problem = Ramp(searchSpace: try SearchSpace(geneCount: 1, domain: GeneDomain(0...20)))
    // A tiny temperature: worsening moves are (almost) never accepted, so the walk must climb
    // to feasibility and then descend to exactly 10, the constrained optimum.
    var annealing = try SimulatedAnnealing(
      configuration: .init(initialTemperature: 1e-6, minimumTemperature: 1e-9, stepsPerTemperature: 5, seed: 3),
      searchSpace: problem.searchSpace, objectiveCount: 1, initialGenome: [0])
    let result = try annealing.minimize(&problem, until: .evaluations(200))
    #expect(result.best?.genome == [10])
    #expect(annealing.current?.genome == [10])
    // Relative scale with a high temperature wanders (accepts worse moves) but the best is kept.
    var wandering = try SimulatedAnnealing(
      configuration: .init(initialTemperature: 10, minimumTemperature: 1, temperatureScale: .relative, seed: 3),
      searchSpace: problem.searchSpace, objectiveCount: 1, initialGenome: [20])
    let wanderingResult = try wandering.minimize(&problem, until: .evaluations(300))
    #expect(wanderingResult.best?.genome == [10])
    #expect(wanderingResult.archive.members.map(\.genome) == [[10]])
  }

  @Test func coolingScheduleAndRestarts() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 4, levels: 10)
    // 0.9^k < 0.5 first at k = 7 levels of 3 steps: a restart every 21 steps.
    var annealing = try SimulatedAnnealing(
      configuration: .init(initialTemperature: 1, minimumTemperature: 0.5, coolingFactor: 0.9, stepsPerTemperature: 3, restartPoint: .initial),
      searchSpace: problem.searchSpace, objectiveCount: 2, initialGenome: [5, 5, 5, 5])
    _ = try annealing.minimize(&problem, until: .evaluations(1 + 21 * 3 + 4))
    #expect(annealing.restarts == 3)
    #expect(annealing.generation == 3 * 7 + 1)
    #expect(annealing.stepsAtTemperature == 1)
    #expect(abs(annealing.temperature - 0.9) < 1e-12)
  }

  @Test func rejectsInvalidConfigurations() throws {
    let space = try SearchSpace(geneCount: 2, domain: GeneDomain(1...3))
    let invalid: [SimulatedAnnealing.Configuration] = [
      .init(objectiveIndex: 2), .init(initialTemperature: 0), .init(initialTemperature: .infinity),
      .init(minimumTemperature: 2), .init(coolingFactor: 1), .init(stepsPerTemperature: 0), .init(neighboursPerStep: 0),
    ]
    for configuration in invalid {
      #expect(throws: SearchError.self) { try SimulatedAnnealing(configuration: configuration, searchSpace: space, objectiveCount: 2) }
    }
    #expect(throws: SearchError.self) {
      try SimulatedAnnealing(configuration: .init(), searchSpace: space, objectiveCount: 2, initialGenome: [0, 1])
    }
  }
}
