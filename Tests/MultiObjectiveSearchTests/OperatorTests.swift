import MultiObjectiveSearch
import Testing
import SeededRandom

@Suite struct OperatorTests {
  let space: SearchSpace

  init() throws {
    space = try SearchSpace(genes: [
      GeneDomain(values: [2, 4, 8, 16]), GeneDomain(values: [2, 4, 8, 16]), GeneDomain(values: [5]), GeneDomain(0...9),
    ])
  }

  @Test func uniformCrossoverTakesEveryGeneFromAParent() throws {
    var generator = Xoshiro256StarStar(seed: 1)
    let first = [2, 4, 5, 0]
    let second = [16, 8, 5, 9]
    #expect(UniformCrossover(probability: 0).child(of: first, and: second, using: &generator) == first)
    #expect(UniformCrossover(probability: 1, geneSwapProbability: 1).child(of: first, and: second, using: &generator) == second)
    var mixedSeen = false
    for _ in 0..<200 {
      let child = UniformCrossover(probability: 1).child(of: first, and: second, using: &generator)
      #expect(child.indices.allSatisfy { child[$0] == first[$0] || child[$0] == second[$0] })
      if child != first && child != second { mixedSeen = true }
    }
    #expect(mixedSeen)
    #expect(throws: SearchError.self) { try UniformCrossover(probability: 1.5).validate() }
    #expect(throws: SearchError.self) { try UniformCrossover(geneSwapProbability: -0.1).validate() }
  }

  @Test func stepMutationMovesOneStepAlongTheDomain() throws {
    var generator = Xoshiro256StarStar(seed: 2)
    for _ in 0..<200 {
      var genome = [4, 16, 5, 0]
      StepMutation(geneProbability: 1).mutate(&genome, in: space, using: &generator)
      #expect([2, 8].contains(genome[0]))  // neighbours of 4
      #expect(genome[1] == 8)  // 16 is the top: only down
      #expect(genome[2] == 5)  // single-value domain never changes
      #expect(genome[3] == 1)  // 0 is the bottom: only up
    }
    var unchanged = [4, 16, 5, 0]
    StepMutation(geneProbability: 0).mutate(&unchanged, in: space, using: &generator)
    #expect(unchanged == [4, 16, 5, 0])
  }

  @Test func multiStepMutationStaysInTheDomain() throws {
    var generator = Xoshiro256StarStar(seed: 3)
    var reachedFar = false
    for _ in 0..<300 {
      var genome = [2, 16, 5, 5]
      StepMutation(geneProbability: 1, maximumStep: 4).mutate(&genome, in: space, using: &generator)
      #expect(space.contains(genome))
      #expect(abs(genome[3] - 5) >= 1 && abs(genome[3] - 5) <= 4)
      if genome[0] == 16 { reachedFar = true }  // three steps up, clamped path
    }
    #expect(reachedFar)
    #expect(throws: SearchError.self) { try StepMutation(maximumStep: 0).validate() }
    #expect(throws: SearchError.self) { try StepMutation(geneProbability: 2).validate() }
  }

  @Test func tournamentPrefersLowerRankThenLargerCrowding() {
    var generator = Xoshiro256StarStar(seed: 4)
    let selection = BinaryTournamentSelection()
    // Two members: every tournament compares both.
    for _ in 0..<50 {
      #expect(selection.select(ranks: [1, 0], crowding: [.infinity, 0], using: &generator) == 1)
      #expect(selection.select(ranks: [0, 0], crowding: [0.5, 2], using: &generator) == 1)
    }
    var wins = [0, 0]
    for _ in 0..<400 { wins[selection.select(ranks: [0, 0], crowding: [1, 1], using: &generator)!] += 1 }
    #expect(wins[0] > 100 && wins[1] > 100)  // a fair coin on full ties
    #expect(selection.select(ranks: [], crowding: [], using: &generator) == nil)
    #expect(selection.select(ranks: [3], crowding: [], using: &generator) == 0)
  }
}

/// Step mutation with per-gene chances (the biased mutation of the guided search).
@Suite struct BiasedStepMutationTests {
  @Test func perGeneChancesDecideWhichGenesMove() throws {
    let space = try SearchSpace(geneCount: 6, domain: GeneDomain(2...16))
    let mutation = StepMutation(maximumStep: 2, geneProbabilities: [0, 1, 0, 0.5, 0, 0])
    try mutation.validate()
    var generator = SplitMix64(seed: 4)
    var moved = [Int](repeating: 0, count: 6)
    for _ in 0..<400 {
      var genome = [8, 8, 8, 8, 8, 8]
      mutation.mutate(&genome, in: space, using: &generator)
      for gene in 0..<6 where genome[gene] != 8 { moved[gene] += 1 }
    }
    #expect(moved[0] == 0 && moved[2] == 0 && moved[4] == 0 && moved[5] == 0)
    #expect(moved[1] == 400)
    #expect((150...250).contains(moved[3]), "\(moved[3]) of 400 at chance 0.5")
  }

  @Test func equalChancesDrawExactlyAsTheUniformMutation() throws {
    let space = try SearchSpace(geneCount: 5, domain: GeneDomain(2...16))
    let uniform = StepMutation(maximumStep: 2)
    let listed = StepMutation(maximumStep: 2, geneProbabilities: [Double](repeating: 1 / Double(5), count: 5))
    var a = SplitMix64(seed: 11), b = SplitMix64(seed: 11)
    for _ in 0..<200 {
      var x = [4, 8, 12, 16, 2], y = [4, 8, 12, 16, 2]
      uniform.mutate(&x, in: space, using: &a)
      listed.mutate(&y, in: space, using: &b)
      #expect(x == y)
    }
  }

  @Test func invalidChancesAreRejected() {
    #expect(throws: SearchError.self) { try StepMutation(geneProbabilities: [0.5, 1.5]).validate() }
    #expect(throws: SearchError.self) { try StepMutation(geneProbabilities: [.nan]).validate() }
    #expect(throws: SearchError.self) { try StepMutation(geneProbabilities: [-0.1]).validate() }
  }
}

@Suite struct TerminationTests {
  @Test func stallCountsGenerationsWithoutSufficientImprovement() {
    let stall = StallCriterion(generations: 3, minimumImprovement: 0.01)
    #expect(stall.stalledGenerations(in: []) == 0)
    #expect(stall.stalledGenerations(in: [0, 0.5, 0.5, 0.5001, 0.6, 0.6, 0.6]) == 2)
    // Creeping improvements only count once they add up to more than the epsilon.
    #expect(stall.stalledGenerations(in: [0, 0.005, 0.01, 0.015, 0.02]) == 1)
    #expect(stall.stalledGenerations(in: [1, 1, 1, 1]) == 3)
  }

  @Test func progressIsTheLargestFraction() throws {
    let termination = Termination(
      maximumEvaluations: 1000, maximumGenerations: 10, timeLimit: .seconds(60),
      stall: StallCriterion(generations: 4))
    try termination.validate()
    var status = SearchStatus(evaluations: 250, generations: 1, elapsed: .seconds(6), hypervolumeHistory: [0.1, 0.2])
    #expect(termination.progress(status) == 0.25)
    status.elapsed = .seconds(30)
    #expect(termination.progress(status) == 0.5)
    status.hypervolumeHistory = [0.1, 0.2, 0.2, 0.2, 0.2]
    #expect(termination.progress(status) == 0.75)
    #expect(!termination.isSatisfied(by: status))
    status.generations = 10
    #expect(termination.progress(status) == 1)
    #expect(termination.isSatisfied(by: status))
    status.evaluations = 5000
    #expect(termination.progress(status) == 1)  // clamped
    #expect(termination.remainingEvaluations(after: 400) == 600)
    #expect(termination.remainingEvaluations(after: 4000) == 0)
    #expect(Termination.time(.seconds(1)).remainingEvaluations(after: 5) == nil)
  }

  @Test func rejectsInvalidCriteria() {
    #expect(throws: SearchError.self) { try Termination().validate() }
    #expect(throws: SearchError.self) { try Termination.evaluations(0).validate() }
    #expect(throws: SearchError.self) { try Termination.generations(-1).validate() }
    #expect(throws: SearchError.self) { try Termination.time(.zero).validate() }
    #expect(throws: SearchError.self) { try Termination(stall: StallCriterion(generations: 0)).validate() }
    #expect(throws: SearchError.self) { try Termination(stall: StallCriterion(generations: 2, minimumImprovement: -1)).validate() }
  }

  @Test func timeLimitUsesTheInjectedClock() throws {
    // Each clock reading advances one second: readings at 0, 1, 2, 3 s pass; the fourth batch is
    // followed by the reading at 4 s, which meets the 4-second limit.
    var problem = try ZDTProblem(.zdt1, variableCount: 4, levels: 10)
    var nsga = try NSGA2(configuration: .init(populationSize: 10, seed: 1), searchSpace: problem.searchSpace, objectiveCount: 2)
    let clock = FakeElapsedTime(tick: .seconds(1))
    let result = try nsga.minimize(&problem, until: .time(.seconds(4)), elapsedTime: clock.read)
    #expect(clock.readings == 5)
    #expect(result.evaluations == 40)
    #expect(result.generations == 3)
  }

  @Test func evaluationLimitIsMetExactly() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 6, levels: 10)
    var nsga = try NSGA2(configuration: .init(populationSize: 20, seed: 3), searchSpace: problem.searchSpace, objectiveCount: 2)
    let result = try nsga.minimize(&problem, until: .evaluations(95))
    #expect(result.evaluations == 95)
    #expect(problem.evaluatedCount == 95)
    #expect(result.generations == 4)  // 20 initial + 3 × 20 + a final generation of 15
  }

  @Test func stallEndsTheSearchAndNeedsAnIndicator() throws {
    var problem = try ZDTProblem(.zdt1, variableCount: 3, levels: 4)
    var nsga = try NSGA2(
      configuration: .init(populationSize: 10, hypervolume: zdtIndicator(), seed: 1),
      searchSpace: problem.searchSpace, objectiveCount: 2)
    let result = try nsga.minimize(&problem, until: Termination(maximumGenerations: 500, stall: StallCriterion(generations: 5)))
    #expect(result.generations < 500)
    #expect(StallCriterion(generations: 5).stalledGenerations(in: result.hypervolumeHistory) == 5)
    var silent = try NSGA2(configuration: .init(populationSize: 10), searchSpace: problem.searchSpace, objectiveCount: 2)
    #expect(throws: SearchError.self) {
      try silent.minimize(&problem, until: Termination(stall: StallCriterion(generations: 5)))
    }
  }
}
