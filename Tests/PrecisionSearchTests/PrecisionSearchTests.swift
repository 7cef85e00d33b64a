import Foundation
import MultiObjectiveSearch
import NetworkEngine
import Testing
@testable import PrecisionSearch

@Suite struct PrecisionSearchTests {
  static func settings(_ algorithm: PrecisionSearchAlgorithm = .hybrid, seed: UInt64 = 1, evaluations: Int = 60,
                       constraint: PrecisionConstraint = .none) -> PrecisionSearchSettings {
    PrecisionSearchSettings(algorithm: algorithm, seed: seed, maximumEvaluations: evaluations, constraint: constraint,
                            populationSize: 8, annealingRuns: 2, historyInterval: 10)
  }

  static func run(_ settings: PrecisionSearchSettings, space: PrecisionSearchSpace? = nil,
                  evaluator: PrecisionEvaluator? = nil) throws -> HybridPrecisionSearch {
    let evaluator = try evaluator ?? TinyProblem.evaluator()
    var search = try HybridPrecisionSearch(settings: settings, space: space ?? PrecisionSearchSpace(layerNames: TinyProblem.layerNames),
                                     evaluator: evaluator)
    while !search.isFinished { try search.step(evaluator: evaluator) }
    return search
  }

  @Test func hybridAnnealsThenEvolvesAndKeepsItsBookkeepingConsistent() throws {
    let evaluator = try TinyProblem.evaluator()
    var search = try HybridPrecisionSearch(settings: Self.settings(evaluations: 60),
                                     space: PrecisionSearchSpace(layerNames: TinyProblem.layerNames), evaluator: evaluator)
    #expect(search.phase == .annealing)
    #expect(search.annealers.count == 2)
    #expect(search.annealerLimits == [9, 9])  // 30 % of 60, split over two runs
    var phases: [HybridPrecisionSearch.Phase] = []
    while !search.isFinished {
      try search.step(evaluator: evaluator)
      if phases.last != search.phase { phases.append(search.phase) }
    }
    #expect(phases == [.annealing, .evolution, .finished])
    #expect(search.evaluations == 60)
    // Every evaluation was either measured or answered from the memo, and every measurement is in the memo.
    #expect(search.configurationsMeasured + search.memoHits == search.evaluations)
    #expect(search.memo.count == search.configurationsMeasured)
    #expect(search.memoHits > 0)  // annealing revisits configurations; NSGA-II is seeded with measured ones
    #expect(search.imagesRun == search.memo.sortedEntries.reduce(0) { $0 + $1.measurement.imagesRun })
    #expect(evaluator.statistics.configurationsMeasured == search.configurationsMeasured)
    // The front is the non-dominated set of the complete measurements.
    let complete = search.memo.sortedEntries.filter { $0.measurement.isComplete }
      .map { (search.space.configuration(of: $0.genome), $0.measurement) }
    #expect(Set(search.frontMeasurements.map(\.configuration)) == Set(nonDominated(complete)))
    let energies = search.frontMeasurements.map(\.measurement.energyPicojoules)
    #expect(energies == energies.sorted())
    // The history gets an entry once every 10 evaluations (at the first batch boundary past each multiple of 10)
    // and at the end, and never falls.
    let counts = search.hypervolumeHistory.map(\.evaluations)
    #expect(counts == counts.sorted() && Set(counts).count == counts.count)
    #expect(counts.map { $0 / 10 } == Array(Set(counts.map { $0 / 10 })).sorted())
    #expect(counts.count >= 5 && counts.first! >= 10)
    let volumes = search.hypervolumeHistory.map(\.hypervolume)
    #expect(volumes == volumes.sorted())
    #expect(search.hypervolumeHistory.last?.evaluations == 60)
    #expect(search.hypervolume == volumes.last)
  }

  /// `exhaustive` measures every configuration of a small space once (baselines recorded first are not measured
  /// again) and, with exact screening, ends with the exact front: the non-dominated set of all configurations
  /// measured on every image by a separate evaluator.
  @Test func exhaustiveMeasuresEveryConfigurationAndEndsWithTheExactFront() throws {
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames, weightCandidates: [2, 4, 8],
                                         activationCandidates: [4, 8])  // (3 x 2)^3 = 216 configurations
    let evaluator = try TinyProblem.evaluator()
    let settings = PrecisionSearchSettings(algorithm: .exhaustive, seed: 1, maximumEvaluations: nil, populationSize: 40)
    var search = try HybridPrecisionSearch(settings: settings, space: space, evaluator: evaluator)
    let uniform8 = PrecisionConfiguration.uniform(8, layerCount: 3)
    search.record(try evaluator.measure([uniform8])[0], for: uniform8)
    #expect(search.phase == .enumeration)
    var steps = 0
    while !search.isFinished { try search.step(evaluator: evaluator); steps += 1 }
    #expect(steps == 6)  // 216 in batches of 40
    #expect(search.evaluations == 216 && search.memo.count == 216)
    #expect(search.configurationsMeasured == 215 && search.memoHits == 1)
    let everything = space.searchSpace
    let all = (0..<216).map { space.configuration(of: try! ExhaustiveEnumeration(searchSpace: everything, objectiveCount: 2).genome(at: $0)) }
    #expect(Set(all).count == 216)
    let complete = try TinyProblem.evaluator(screening: .disabled).measure(all)
    #expect(Set(search.frontMeasurements.map(\.configuration)) == Set(nonDominated(Array(zip(all, complete)))))
    // A limit stops it early, like the other algorithms.
    let limited = try Self.run(PrecisionSearchSettings(algorithm: .exhaustive, maximumEvaluations: 50, populationSize: 40),
                               space: space)
    #expect(limited.evaluations == 50 && limited.isFinished)
  }

  @Test func candidateSetsAndPinsAreRespectedEverywhere() throws {
    let space = try PrecisionSearchSpace(
      layerNames: TinyProblem.layerNames, weightCandidates: [2, 3, 4, 8], activationCandidates: [4, 8, 16],
      pins: [LayerPin(layer: 0, weightBits: 16, activationBits: 16), LayerPin(layer: 2, weightBits: 8, activationBits: nil)])
    for algorithm in PrecisionSearchAlgorithm.allCases {
      let search = try Self.run(Self.settings(algorithm, evaluations: 24), space: space)
      #expect(!search.memo.sortedEntries.isEmpty)
      for (genome, _) in search.memo.sortedEntries {
        let configuration = space.configuration(of: genome)
        #expect(configuration.layers[0] == LayerPrecision(weightBits: 16, activationBits: 16))
        #expect([2, 3, 4, 8].contains(configuration.layers[1].weightBits))
        #expect([4, 8, 16].contains(configuration.layers[1].activationBits))
        #expect(configuration.layers[2].weightBits == 8)
        #expect([4, 8, 16].contains(configuration.layers[2].activationBits))
      }
    }
  }

  @Test func theSameSeedGivesTheSameStateAndAnotherSeedAnotherSearch() throws {
    for algorithm in PrecisionSearchAlgorithm.allCases {
      let first = try JSONCoding.data(Self.run(Self.settings(algorithm, seed: 5, evaluations: 24)))
      let second = try JSONCoding.data(Self.run(Self.settings(algorithm, seed: 5, evaluations: 24),
                                                evaluator: TinyProblem.evaluator(workers: ThreadedPool(workerCount: 3))))
      #expect(first == second, "\(algorithm): same seed, 1 vs 3 workers")
      if algorithm == .hybrid {
        let other = try Self.run(Self.settings(algorithm, seed: 6, evaluations: 24))
        let reference = try JSONDecoder().decode(HybridPrecisionSearch.self, from: first)
        #expect(other.memo != reference.memo, "seeds 5 and 6 measured the same configurations")
      }
    }
  }

  @Test func aResumedSearchEndsExactlyLikeAnUninterruptedOne() throws {
    for algorithm in PrecisionSearchAlgorithm.allCases {
      let settings = Self.settings(algorithm, seed: 9, evaluations: 30)
      let uninterrupted = try JSONCoding.data(Self.run(settings))
      for stopAfter in algorithm == .hybrid ? [2, 7] : algorithm == .guided ? [0, 1, 2, 5] : [4] {
        let evaluator = try TinyProblem.evaluator()
        var search = try HybridPrecisionSearch(settings: settings, space: PrecisionSearchSpace(layerNames: TinyProblem.layerNames),
                                         evaluator: evaluator)
        for _ in 0..<stopAfter where !search.isFinished { try search.step(evaluator: evaluator) }
        // Interrupt the next batch part-way (as SIGINT does), then save.
        var polls = 0
        do {
          try search.step(evaluator: evaluator, shouldCancel: { polls += 1; return polls > 1 })
        } catch PrecisionSearchError.cancelled {}
        let saved = try JSONCoding.data(search)
        // Resume in a "new process": fresh evaluator, decoded state.
        let freshEvaluator = try TinyProblem.evaluator(workers: ThreadedPool(workerCount: 2))
        var resumed = try JSONDecoder().decode(HybridPrecisionSearch.self, from: saved)
        while !resumed.isFinished { try resumed.step(evaluator: freshEvaluator) }
        #expect(try JSONCoding.data(resumed) == uninterrupted, "\(algorithm) resumed after \(stopAfter) steps")
      }
    }
  }

  @Test func baselinesRecordedBeforeTheSearchAreNeverMeasuredAgain() throws {
    let evaluator = try TinyProblem.evaluator()
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    var search = try HybridPrecisionSearch(settings: Self.settings(.nsga2, evaluations: 16), space: space, evaluator: evaluator)
    let uniform = (2...16).map { PrecisionConfiguration.uniform($0, layerCount: 3) }
    for (configuration, measurement) in zip(uniform, try evaluator.measure(uniform)) {
      search.record(measurement, for: configuration)
    }
    // A screened measurement or a configuration outside the space is ignored.
    search.record(PrecisionMeasurement(energyPicojoules: 1, correct: 1, imagesRun: 1, imageCount: 160),
                  for: try PrecisionConfiguration(weightBits: [2, 2, 2], activationBits: [2, 2, 3]))
    #expect(search.memo.count == 15)
    let before = evaluator.statistics.configurationsMeasured
    try search.step(evaluator: evaluator)  // generation 0: the 8 widest uniform genomes, all recorded
    #expect(search.evaluations == 8)
    #expect(search.memoHits == 8)
    #expect(search.configurationsMeasured == 0)
    #expect(evaluator.statistics.configurationsMeasured == before)
    try search.step(evaluator: evaluator)  // offspring: new configurations are measured
    #expect(search.evaluations == 16)
    #expect(search.configurationsMeasured > 0)
    #expect(evaluator.statistics.configurationsMeasured == before + search.configurationsMeasured)
  }

  @Test func constrainedSearchesChooseTheBestFeasiblePointOfTheFront() throws {
    let evaluator = try TinyProblem.evaluator()
    let uniform16 = try evaluator.uniform16BitPicojoules()
    let budget = PrecisionConstraint.maximumEnergy(picojoules: 0.3 * uniform16)
    let search = try Self.run(Self.settings(evaluations: 40, constraint: budget), evaluator: evaluator)
    let chosen = try #require(search.chosen)
    #expect(chosen.measurement.energyPicojoules <= 0.3 * uniform16)
    for (genome, measurement) in search.memo.sortedEntries where measurement.isComplete && budget.isMet(by: measurement) {
      #expect(measurement.correct <= chosen.measurement.correct, "\(genome) is feasible and more accurate")
    }
    // Annealing runs all work under the user's budget.
    #expect(search.annealerConstraints == [budget, budget])

    let floor = PrecisionConstraint.minimumAccuracy(0.9)
    let cheapest = try Self.run(Self.settings(evaluations: 40, constraint: floor), evaluator: evaluator)
    let answer = try #require(cheapest.chosen)
    #expect(answer.measurement.accuracy >= 0.9)
    for (_, measurement) in cheapest.memo.sortedEntries where measurement.isComplete && floor.isMet(by: measurement) {
      #expect(measurement.energyPicojoules >= answer.measurement.energyPicojoules)
    }
    // A floor no configuration can meet has no answer.
    let impossible = try Self.run(Self.settings(.nsga2, evaluations: 16, constraint: .minimumAccuracy(1.0)),
                                  evaluator: TinyProblem.evaluator(images: 400))
    let nobodyMeetsIt = impossible.frontMeasurements.allSatisfy { $0.measurement.correct < $0.measurement.imageCount }
    #expect((impossible.chosen == nil) == nobodyMeetsIt)
    #expect(try Self.run(Self.settings(.nsga2, evaluations: 8), evaluator: evaluator).chosen == nil)  // no constraint
    #expect(search.settings.constraint == budget)
  }

  @Test func wholeFrontAnnealingBudgetsAreSpreadGeometrically() throws {
    let evaluator = try TinyProblem.evaluator()
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    let search = try HybridPrecisionSearch(settings: Self.settings(.annealing, evaluations: 40), space: space, evaluator: evaluator)
    let minimum = try evaluator.energyPicojoules(of: space.configuration(of: space.narrowestGenome))
    let maximum = try evaluator.energyPicojoules(of: space.configuration(of: space.widestGenome))
    let budgets = search.annealerConstraints.map { constraint -> Double in
      if case .maximumEnergy(let picojoules) = constraint { return picojoules }
      return -1
    }
    #expect(budgets.count == 2)
    #expect(abs(budgets[0] - minimum * pow(maximum / minimum, 1.0 / 3)) < 1e-6 * maximum)
    #expect(abs(budgets[1] - minimum * pow(maximum / minimum, 2.0 / 3)) < 1e-6 * maximum)
    #expect(search.annealerLimits == [20, 20])
  }

  @Test func invalidSettingsAndDamagedStatesAreRejected() throws {
    let evaluator = try TinyProblem.evaluator()
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    var bad = Self.settings()
    bad.populationSize = 1
    #expect(throws: PrecisionSearchError.self) { try HybridPrecisionSearch(settings: bad, space: space, evaluator: evaluator) }
    bad = Self.settings(constraint: .minimumAccuracy(1.5))
    #expect(throws: PrecisionSearchError.self) { try HybridPrecisionSearch(settings: bad, space: space, evaluator: evaluator) }
    let wrongSpace = try PrecisionSearchSpace(layerNames: ["a", "b"])
    #expect(throws: PrecisionSearchError.self) {
      try HybridPrecisionSearch(settings: Self.settings(), space: wrongSpace, evaluator: evaluator)
    }
    // A checkpoint whose front member is missing from the memo fails to decode with a message.
    let search = try Self.run(Self.settings(.nsga2, evaluations: 20))
    var object = try #require(try JSONSerialization.jsonObject(with: JSONCoding.data(search)) as? [String: Any])
    object["memo"] = [Any]()
    let damaged = try JSONSerialization.data(withJSONObject: object)
    #expect(throws: PrecisionSearchError.self) { try JSONDecoder().decode(HybridPrecisionSearch.self, from: damaged) }
  }
}

@Suite struct PrecisionProblemTests {
  @Test func genericAlgorithmsDriveTheProblemWithTheMemoAndScreening() throws {
    let evaluator = try TinyProblem.evaluator()
    var problem = try PrecisionProblem(space: PrecisionSearchSpace(layerNames: TinyProblem.layerNames,
                                                                    weightCandidates: [2, 4, 8], activationCandidates: [4, 8]),
                                       evaluator: evaluator, constraint: .minimumAccuracy(0.5))
    var nsga = try NSGA2(configuration: .init(populationSize: 6, seed: 2), searchSpace: problem.searchSpace,
                         objectiveCount: 2, initialGenomes: problem.space.uniformGenomes)
    let result = try nsga.minimize(&problem, until: .evaluations(30))
    #expect(result.evaluations == 30)
    #expect(problem.memo.count <= 30)
    #expect(problem.memo.count == evaluator.statistics.configurationsMeasured)
    // Told evaluations carry the accuracy floor's violation.
    for member in result.front {
      let measurement = try #require(problem.memo[member.genome])
      #expect(member.evaluation.constraintViolation == max(0, 0.5 - measurement.accuracy))
    }
    // Evaluating a measured genome again costs nothing.
    let before = evaluator.statistics.imagesRun
    _ = try problem.evaluate([problem.space.uniformGenomes[0]])
    #expect(evaluator.statistics.imagesRun == before)
    #expect(throws: SearchError.self) { try problem.evaluate([[3, 4, 8, 8, 8, 8]]) }
  }
}
