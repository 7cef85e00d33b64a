import Foundation
import MultiObjectiveSearch
import Testing

/// The ZDT benchmark setting used throughout: 12 variables with 31 levels each (31^12 ≈ 7.9e17
/// genomes), population 40, mutation moves up to 5 steps (domains are long), 4000 evaluations.
func zdtConfiguration(seed: UInt64) throws -> NSGA2.Configuration {
  try NSGA2.Configuration(
    populationSize: 40, mutation: StepMutation(maximumStep: 5), hypervolume: zdtIndicator(), seed: seed)
}

func runNSGA2(_ variant: ZDTProblem.Variant, seed: UInt64, evaluations: Int = 4000) throws -> SearchResult {
  var problem = try ZDTProblem(variant)
  var nsga = try NSGA2(configuration: zdtConfiguration(seed: seed), searchSpace: problem.searchSpace, objectiveCount: 2)
  return try nsga.minimize(&problem, until: .evaluations(evaluations))
}

@Suite struct NSGA2Tests {
  /// Threshold: 99 % of the best hypervolume the discretized problem allows (its 31 optimal points),
  /// that is ≥ 0.970 × the analytic ZDT1 value 0.8767 and ≥ 0.960 × the analytic ZDT2 value 0.5433.
  static let fractionOfDiscreteOptimum = 0.99

  @Test(arguments: [ZDTProblem.Variant.zdt1, .zdt2], [UInt64(1), 2, 3])
  func reachesTheZDTFront(_ variant: ZDTProblem.Variant, seed: UInt64) throws {
    let problem = try ZDTProblem(variant)
    let result = try runNSGA2(variant, seed: seed)
    let hypervolume = try #require(result.hypervolume)
    let optimum = try problem.discreteOptimumHypervolume
    #expect(result.evaluations == 4000)
    #expect(hypervolume >= Self.fractionOfDiscreteOptimum * optimum, "HV \(hypervolume), optimum \(optimum)")
    #expect(hypervolume <= optimum + 1e-12)
    #expect(hypervolume / problem.analyticHypervolume >= (variant == .zdt1 ? 0.97 : 0.96))
    try result.archive.checkInvariants()
    // The history is the archive's hypervolume per generation: non-decreasing, ending at the final value.
    #expect(zip(result.hypervolumeHistory, result.hypervolumeHistory.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(result.hypervolumeHistory.last == hypervolume)
    #expect(result.hypervolumeHistory.count == result.generations + 1)
  }

  @Test(arguments: [ZDTProblem.Variant.zdt1, .zdt2])
  func randomSearchWithTenTimesTheEvaluationsMissesTheThreshold(_ variant: ZDTProblem.Variant) throws {
    var problem = try ZDTProblem(variant)
    let archive = try randomSearchArchive(&problem, evaluations: 40_000, seed: 1)
    let hypervolume = try zdtIndicator().value(of: archive)
    #expect(hypervolume < 0.1 * (try problem.discreteOptimumHypervolume), "random search HV \(hypervolume)")
  }

  @Test func sameSeedSameResultDifferentSeedDifferentResult() throws {
    let first = try runNSGA2(.zdt1, seed: 42, evaluations: 600)
    let second = try runNSGA2(.zdt1, seed: 42, evaluations: 600)
    let other = try runNSGA2(.zdt1, seed: 43, evaluations: 600)
    #expect(first == second)
    #expect(first.front != other.front)
    #expect(first.hypervolumeHistory != other.hypervolumeHistory)
  }

  @Test(arguments: [0, 1, 3, 7])
  func resumingFromACheckpointGivesTheUninterruptedResult(_ checkpointGeneration: Int) throws {
    let termination = Termination.evaluations(450)
    var uninterruptedProblem = try ZDTProblem(.zdt2)
    var uninterrupted = try NSGA2(configuration: zdtConfiguration(seed: 5), searchSpace: uninterruptedProblem.searchSpace, objectiveCount: 2)
    let expected = try uninterrupted.minimize(&uninterruptedProblem, until: termination)

    var problem = try ZDTProblem(.zdt2)
    var nsga = try NSGA2(configuration: zdtConfiguration(seed: 5), searchSpace: problem.searchSpace, objectiveCount: 2)
    while nsga.evaluationCount < 40 * (checkpointGeneration + 1) {
      try nsga.tell(problem.evaluate(nsga.ask()))
    }
    // Save (through JSON, as the CLI will) with an outstanding batch, restore, and continue.
    let outstanding = nsga.ask()
    let data = try JSONEncoder().encode(nsga)
    var restored = try JSONDecoder().decode(NSGA2.self, from: data)
    #expect(restored == nsga)
    #expect(restored.ask() == outstanding)
    try restored.tell(problem.evaluate(outstanding))
    let resumed = try restored.minimize(&problem, until: termination)
    #expect(resumed == expected)
    #expect(resumed.front.count > 0)
  }

  @Test func seededInitialPopulation() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 4, levels: 10)
    let optimal = [5, 0, 0, 0]
    let evaluated = Candidate(genome: optimal, evaluation: try problem.evaluate([optimal])[0])
    let seeds = [[10, 0, 0, 0], [10, 0, 0, 0], [0, 10, 10, 10], optimal]
    var nsga = try NSGA2(
      configuration: .init(populationSize: 6, seed: 9), searchSpace: problem.searchSpace, objectiveCount: 2,
      initialCandidates: [evaluated], initialGenomes: seeds)
    #expect(nsga.population == [evaluated])
    #expect(nsga.archive.members == [evaluated])
    let batch = nsga.ask()
    // Seeds first (duplicates and the pre-evaluated genome dropped), then random genomes.
    #expect(batch.count == 5)
    #expect(Array(batch.prefix(2)) == [[10, 0, 0, 0], [0, 10, 10, 10]])
    #expect(Set(batch).count == 5 && !batch.contains(optimal))
    #expect(nsga.ask(maximumCount: 1) == batch)  // outstanding batch returned again
    try nsga.tell(problem.evaluate(batch))
    #expect(nsga.evaluationCount == 5)  // the pre-evaluated candidate is not counted
    #expect(nsga.population.count == 6)
    #expect(nsga.archive.contains(genome: optimal))
    #expect(throws: SearchError.self) {
      try NSGA2(configuration: .init(populationSize: 6), searchSpace: problem.searchSpace, objectiveCount: 2, initialGenomes: [[11, 0, 0, 0]])
    }
  }

  @Test func moreSeededCandidatesThanThePopulationKeepsTheBest() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 4, levels: 10)
    // Four optimal genomes (x2..x4 = 0) and six dominated ones.
    let genomes = (0..<4).map { [3 * $0, 0, 0, 0] } + (1...6).map { [$0, $0, $0, $0] }
    let candidates = zip(genomes, try problem.evaluate(genomes)).map { Candidate(genome: $0, evaluation: $1) }
    var nsga = try NSGA2(
      configuration: .init(populationSize: 4, hypervolume: zdtIndicator(), seed: 1), searchSpace: problem.searchSpace,
      objectiveCount: 2, initialCandidates: candidates)
    #expect(Set(nsga.population.map(\.genome)) == Set(genomes.prefix(4)))
    #expect(nsga.archive.members.map(\.genome) == Array(genomes.prefix(4)))
    #expect(nsga.hypervolumeHistory.count == 1)  // generation 0 complete without evaluations
    #expect(nsga.evaluationCount == 0)
    let offspring = nsga.ask()
    #expect(offspring.count == 4)
    try nsga.tell(problem.evaluate(offspring))
    #expect(nsga.generation == 1 && nsga.evaluationCount == 4)
  }

  @Test func shortenedBatchesArePrefixesOfFullBatches() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 6, levels: 10)
    var nsga = try NSGA2(configuration: .init(populationSize: 12, seed: 2), searchSpace: problem.searchSpace, objectiveCount: 2)
    try nsga.tell(problem.evaluate(nsga.ask()))
    let snapshot = nsga
    let full = nsga.ask()
    var shortened = snapshot
    #expect(shortened.ask(maximumCount: 5) == Array(full.prefix(5)))
    #expect(Set(full).count == full.count)
    #expect(full.allSatisfy { genome in !snapshot.population.contains { $0.genome == genome } })
  }

  @Test func constrainedFrontIsFeasible() throws {
    var problem = try ZDTProblem(.zdt1, levels: 30, maximumF1: 0.5)
    var nsga = try NSGA2(configuration: zdtConfiguration(seed: 8), searchSpace: problem.searchSpace, objectiveCount: 2)
    let result = try nsga.minimize(&problem, until: .evaluations(2000))
    #expect(!result.front.isEmpty)
    #expect(result.front.allSatisfy { $0.evaluation.isFeasible && $0.objectives[0] <= 0.5 })
    #expect(result.front.contains { $0.objectives[0] == 0.5 })
  }

  @Test func tinySearchSpacesEndInsteadOfLooping() throws {
    let space = try SearchSpace(geneCount: 2, domain: GeneDomain(values: [4, 8]))
    struct Sum: SearchProblem {
      let searchSpace: SearchSpace
      let objectiveCount = 2
      mutating func evaluate(_ genomes: [[Int]]) throws -> [Evaluation] {
        genomes.map { Evaluation(objectives: [Double($0[0]), Double($0[1])]) }
      }
    }
    var problem = Sum(searchSpace: space)
    var nsga = try NSGA2(configuration: .init(populationSize: 10, maximumDuplicateRetries: 4), searchSpace: space, objectiveCount: 2)
    let result = try nsga.minimize(&problem, until: .evaluations(1000))
    #expect(result.evaluations == 4)  // all four genomes, then nothing new to propose
    #expect(result.front.map(\.genome) == [[4, 4]])
  }

  @Test func invalidTellsLeaveTheStateUnchanged() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 4, levels: 10)
    var nsga = try NSGA2(configuration: .init(populationSize: 4), searchSpace: problem.searchSpace, objectiveCount: 2)
    #expect(throws: SearchError.noPendingBatch) { try nsga.tell([]) }
    let batch = nsga.ask()
    let before = nsga
    #expect(throws: SearchError.evaluationCountMismatch(expected: 4, actual: 1)) {
      try nsga.tell([Evaluation(objectives: [0, 0])])
    }
    var evaluations = try problem.evaluate(batch)
    evaluations[2].objectives[1] = .infinity
    #expect(throws: SearchError.self) { try nsga.tell(evaluations) }
    evaluations[2].objectives[1] = 0
    evaluations[3].constraintViolation = -1
    #expect(throws: SearchError.self) { try nsga.tell(evaluations) }
    #expect(nsga == before)
    #expect(throws: SearchError.self) {
      try NSGA2(configuration: .init(populationSize: 1), searchSpace: problem.searchSpace, objectiveCount: 2)
    }
    var otherProblem = try ZDTProblem(.zdt1, variableCount: 5, levels: 10)
    var fresh = try NSGA2(configuration: .init(populationSize: 4), searchSpace: problem.searchSpace, objectiveCount: 2)
    #expect(throws: SearchError.self) { try fresh.minimize(&otherProblem, until: .evaluations(10)) }
    // A corrupted checkpoint is rejected, not trusted.
    let corrupted = String(decoding: try JSONEncoder().encode(nsga), as: UTF8.self)
      .replacingOccurrences(of: "\"populationSize\":4", with: "\"populationSize\":1")
    #expect(corrupted.contains("\"populationSize\":1"))
    #expect(throws: SearchError.self) { try JSONDecoder().decode(NSGA2.self, from: Data(corrupted.utf8)) }
    #expect(throws: SearchError.self) {
      try NSGA2(configuration: .init(hypervolume: HypervolumeIndicator(referencePoint: [1, 1, 1])), searchSpace: problem.searchSpace, objectiveCount: 2)
    }
  }
}
