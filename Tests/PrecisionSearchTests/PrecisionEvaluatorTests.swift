import EnergyModel
import NetworkEngine
import Testing
@testable import PrecisionSearch

@Suite struct PrecisionEvaluatorTests {
  /// The correct count of `configuration` by the obvious loop over the engine's public API.
  static func directCount(_ configuration: PrecisionConfiguration, evaluator: PrecisionEvaluator) throws -> Int {
    let plan = try IntegerPlan(model: evaluator.model, configuration: configuration)
    let workspace = plan.makeWorkspace()
    var correct = 0
    for (input, label) in zip(evaluator.split.inputs, evaluator.split.labels) {
      let scores = plan.run(input, workspace: workspace)
      if scores.indices.max(by: { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }) == label {
        correct += 1
      }
    }
    return correct
  }

  @Test func measuresExactCountsAndEnergiesOfEveryConfiguration() throws {
    let evaluator = try TinyProblem.evaluator(screening: .disabled)
    let configurations: [PrecisionConfiguration] = [
      .uniform(16, layerCount: 3), .uniform(4, layerCount: 3), .uniform(2, layerCount: 3),
      try PrecisionConfiguration(weightBits: [8, 3, 16], activationBits: [2, 6, 5]),
      .uniform(16, layerCount: 3),  // a duplicate is measured once and reported twice
    ]
    let measured = try evaluator.measure(configurations)
    #expect(measured.count == 5)
    #expect(measured[0] == measured[4])
    #expect(evaluator.statistics.configurationsMeasured == 4)
    #expect(evaluator.statistics.imagesRun == 4 * 160)
    for (configuration, measurement) in zip(configurations, measured) {
      #expect(measurement.isComplete)
      #expect(measurement.imageCount == 160)
      #expect(measurement.correct == (try Self.directCount(configuration, evaluator: evaluator)))
      let plan = try IntegerPlan(model: evaluator.model, configuration: configuration)
      let energy = try evaluator.estimator.totalPicojoules(workloads: evaluator.model.network.layerWorkloads,
                                                           precisions: plan.layerPrecisionBits)
      #expect(measurement.energyPicojoules == energy)
    }
    // The fixture's labels are the float network's predictions: 16 bits nearly always agree, 2 bits do not.
    #expect(measured[0].accuracy > 0.95)
    #expect(measured[2].accuracy < measured[0].accuracy)
    #expect(try evaluator.uniform16BitPicojoules() == measured[0].energyPicojoules)
  }

  @Test func resultsDoNotDependOnTheNumberOfWorkersOrChunks() throws {
    let configurations = Array(TinyProblem.grid([3, 8]).prefix(12))
    let serial = try TinyProblem.evaluator(screening: .disabled).measure(configurations)
    let threaded = try TinyProblem.evaluator(workers: ThreadedPool(workerCount: 3), screening: .disabled)
      .measure(configurations)
    let chunked = try TinyProblem.evaluator(workers: ThreadedPool(workerCount: 2),
                                            screening: ScreeningSettings(chunkCount: 7, rule: .exact))
      .measure(configurations)  // no reference: nothing is screened, only chunked
    #expect(serial == threaded)
    #expect(serial == chunked)
  }

  /// Prefix reuse (image-major, each run resumed at the first node that differs) gives the same measurements,
  /// with and without screening and threads; the grid shares long prefixes, so most runs resume mid-network.
  @Test func prefixReuseGivesTheSameMeasurements() throws {
    let configurations = TinyProblem.grid([3, 8, 16]).enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
    for (workers, screening) in [(1, ScreeningSettings.disabled), (2, ScreeningSettings(chunkCount: 4, rule: .exact))] {
      let pool: any WorkerPool = workers == 1 ? SerialWorkerPool() : ThreadedPool(workerCount: workers)
      let plain = try TinyProblem.evaluator(workers: pool, screening: screening)
      let reusing = try TinyProblem.evaluator(workers: pool, screening: screening)
      reusing.reusesPrefixes = true
      #expect(try plain.measure(configurations) == reusing.measure(configurations))
    }
  }

  /// The engine entry point on its own: resuming a plan after another plan of the same model that agrees on the
  /// first layer gives the full run's output codes.
  @Test func resumedRunsMatchFullRuns() throws {
    let model = TinyProblem.shared.model
    let a = try IntegerPlan(model: model, configuration: try PrecisionConfiguration(weightBits: [8, 4, 6], activationBits: [8, 5, 7]))
    let b = try IntegerPlan(model: model, configuration: try PrecisionConfiguration(weightBits: [8, 3, 16], activationBits: [8, 5, 4]))
    let signatures = [a, b].map { PrefixReuse.signature(of: $0) }
    let start = PrefixReuse.sharedNodeCount(signatures[0], signatures[1])
    #expect(start >= 2, "the plans should share the input and the first layer")
    let workspace = a.makeWorkspace(), fresh = b.makeWorkspace()
    for input in TinyProblem.shared.split.inputs.prefix(20) {
      _ = a.runCodes(input, workspace: workspace)
      #expect(b.runCodes(resumingAt: start, workspace: workspace) == b.runCodes(input, workspace: fresh))
    }
  }

  @Test func exactScreeningNeverDropsATrulyNonDominatedConfiguration() throws {
    // Ground truth: every configuration of a grid, measured on every image.
    let configurations = TinyProblem.grid([2, 3, 5, 16])  // 4^6 = 4096 would be slow: use a subset
      .enumerated().filter { $0.offset % 71 == 0 }.map(\.element)
    let truth = try TinyProblem.evaluator(screening: .disabled).measure(configurations)
    let truthPairs = Array(zip(configurations, truth))
    let trueFront = Set(nonDominated(truthPairs))
    // Screen the second half against the true front of the first half (what a search knows part-way through).
    let half = configurations.count / 2
    let known = Array(truthPairs.prefix(half))
    let reference = nonDominated(known).map { configuration in
      let measurement = known.first { $0.0 == configuration }!.1
      return ScreeningReference(energyPicojoules: measurement.energyPicojoules, correct: measurement.correct)
    }
    let screeningEvaluator = try TinyProblem.evaluator(screening: ScreeningSettings(chunkCount: 8, rule: .exact))
    let rest = Array(configurations.dropFirst(half))
    let screened = try screeningEvaluator.measure(rest, reference: reference)
    var screenedOut = 0
    for (configuration, measurement) in zip(rest, screened) {
      let exact = truthPairs.first { $0.0 == configuration }!.1
      if trueFront.contains(configuration) {
        #expect(measurement == exact, "non-dominated \(configuration) was screened out")
      }
      if measurement.isComplete {
        #expect(measurement == exact)
      } else {
        screenedOut += 1
        // Dropped only when a reference point beats even its best case, and its report stays dominated.
        #expect(exact.correct <= measurement.correctUpperBound)
        #expect(reference.contains { $0.dominates(energy: measurement.energyPicojoules,
                                                  correctBound: Double(measurement.correctUpperBound)) })
        #expect(measurement.correct <= measurement.imagesRun)
      }
    }
    // The fixture has configurations far behind the front (2-bit layers), so screening must have done work.
    #expect(screenedOut > 0)
    #expect(screeningEvaluator.statistics.imagesRun < rest.count * 160)
  }

  @Test func confidenceScreeningStopsClearlyDominatedConfigurationsAfterTheFirstChunk() throws {
    let evaluator = try TinyProblem.evaluator(screening: ScreeningSettings(chunkCount: 8, rule: .confidence(z: 3)))
    let good = try evaluator.measure([.uniform(8, layerCount: 3)])[0]
    #expect(good.correct >= 150)
    // 2-bit weights everywhere: near chance on this fixture. The reference costs as much and is nearly perfect.
    let bad = try PrecisionConfiguration(weightBits: [2, 2, 2], activationBits: [16, 16, 16])
    let reference = [ScreeningReference(energyPicojoules: try evaluator.energyPicojoules(of: bad), correct: good.correct)]
    let measurement = try evaluator.measure([bad], reference: reference)[0]
    #expect(measurement.imagesRun == 20)  // one chunk of 160 / 8
    #expect(!measurement.isComplete)
    // Without a reference nothing is screened.
    #expect(try evaluator.measure([bad])[0].isComplete)
  }

  @Test func cancellationThrowsBeforeAnythingIsRecorded() throws {
    let evaluator = try TinyProblem.evaluator()
    var calls = 0
    #expect(throws: PrecisionSearchError.cancelled) {
      try evaluator.measure([.uniform(8, layerCount: 3)], shouldCancel: {
        calls += 1
        return calls > 2
      })
    }
    #expect(calls == 3)
  }

  @Test func splitsThatDoNotFitTheModelAreRejected() throws {
    let model = try TinyProblem.model()
    #expect(throws: PrecisionSearchError.self) {
      try EvaluationSplit(inputs: [[0, 1]], labels: [0], inputShape: model.network.inputShape, classCount: 4)
    }
    #expect(throws: PrecisionSearchError.self) {
      try EvaluationSplit(inputs: [Array(repeating: 0, count: 36)], labels: [4], inputShape: model.network.inputShape,
                          classCount: 4)
    }
    #expect(throws: PrecisionSearchError.self) {
      try EvaluationSplit(inputs: [], labels: [], inputShape: model.network.inputShape, classCount: 4)
    }
  }

  @Test func prefixSignaturesShareExactlyTheNodesBeforeTheFirstChange() throws {
    let model = try TinyProblem.model()
    let network = model.network  // input, conv, relu1, pool, flatten, hidden, relu2, out, softmax
    func signature(_ weights: [Int], _ activations: [Int]) throws -> [Int] {
      try PrefixReuse.signature(of: IntegerPlan(model: model, configuration: PrecisionConfiguration(
        weightBits: weights, activationBits: activations)))
    }
    let base = try signature([8, 8, 8], [8, 8, 8])
    let hidden = network.index(of: "hidden")!, out = network.index(of: "out")!
    // Changing `out`'s weights changes `out` only.
    #expect(PrefixReuse.sharedNodeCount(base, try signature([8, 8, 4], [8, 8, 8])) == out)
    // Changing `out`'s input bits changes how its input group (hidden, relu2) is stored: from `hidden` on.
    #expect(PrefixReuse.sharedNodeCount(base, try signature([8, 8, 8], [8, 8, 4])) == hidden)
    // Changing `conv`'s input bits changes the stored input: nothing is shared.
    #expect(PrefixReuse.sharedNodeCount(base, try signature([8, 8, 8], [4, 8, 8])) == 0)
    #expect(PrefixReuse.sharedNodeCount(base, base) == network.nodes.count)
    #expect(PrefixReuse.precedes(try signature([8, 8, 4], [8, 8, 8]), base))
  }
}
