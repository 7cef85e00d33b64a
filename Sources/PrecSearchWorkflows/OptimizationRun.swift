import EnergyModel
import NetworkEngine
import PrecSearchFormats
import PrecisionSearch

/// The steps of `precsearch optimize` as library calls, testable without a process (issue #17): the uniform
/// baselines, the search loop with its stop and cancel hooks, the test-split pass, and the Pareto document. The
/// command keeps option parsing, files, progress text and signals; it calls these in order.
public enum OptimizationRun {
  /// The uniform bit-widths measured as static fixed-point baselines, in the document's order.
  public static let baselineBits = Array(stride(from: 16, through: 2, by: -1))

  /// Why the search stopped (`effort.stopReason` in the Pareto JSON).
  public enum StopReason: String, Sendable {
    /// The evaluation budget was used up.
    case evaluationLimit
    /// The time limit was reached.
    case timeLimit
    /// The search ended before its budget (every configuration of a small space was seen).
    case exhausted
  }

  /// What the search loop asks its caller after every step.
  public enum StepEvent: Sendable {
    /// A step finished normally.
    case stepped
    /// A step was cancelled (`shouldCancel` became true while it ran); the caller must end the run (save and stop)
    /// by throwing from its handler.
    case cancelled
  }

  /// Measures the uniform configurations of `bits` on the evaluator's split (one batch, every image).
  public static func measureBaselines(bits: [Int] = baselineBits, layerCount: Int,
                                      evaluator: PrecisionEvaluator) throws -> [OptimizeCheckpoint.BaselineMeasurement] {
    let configurations = bits.map { PrecisionConfiguration.uniform($0, layerCount: layerCount) }
    let measured = try evaluator.measure(configurations)
    return zip(bits, measured).map { .init(bits: $0, measurement: $1) }
  }

  /// A new search state with the baselines recorded (they seed the memo and front, as measured configurations).
  public static func newSearch(settings: PrecisionSearchSettings, space: PrecisionSearchSpace,
                               evaluator: PrecisionEvaluator,
                               baselines: [OptimizeCheckpoint.BaselineMeasurement]) throws -> HybridPrecisionSearch {
    var state = try HybridPrecisionSearch(settings: settings, space: space, evaluator: evaluator)
    for baseline in baselines {
      state.record(baseline.measurement, for: .uniform(baseline.bits, layerCount: space.layerCount))
    }
    return state
  }

  /// Runs `state` until it finishes, the time limit passes (`elapsed()` seconds of search), or the caller stops it.
  /// With a time limit and no evaluation limit, the hybrid search leaves annealing after its share of the time.
  /// `afterStep` is called after every step (progress, checkpoints, the caller's own stop conditions); on
  /// `.cancelled` it must throw. Returns why the loop ended.
  public static func search(_ state: inout HybridPrecisionSearch, evaluator: PrecisionEvaluator,
                            evaluationLimit: Int?, timeLimit: Double?, elapsed: () -> Double,
                            shouldCancel: @escaping @Sendable () -> Bool,
                            afterStep: (HybridPrecisionSearch, StepEvent) throws -> Void) throws -> StopReason {
    var reason = StopReason.evaluationLimit
    while !state.isFinished {
      let seconds = elapsed()
      if let timeLimit, seconds >= timeLimit {
        state.finish()
        reason = .timeLimit
        break
      }
      if let timeLimit, state.phase == .annealing, [.hybrid, .guided].contains(state.settings.algorithm), evaluationLimit == nil,
         seconds >= timeLimit * state.settings.annealingShare {
        try state.endAnnealingPhase()
      }
      do {
        try state.step(evaluator: evaluator, shouldCancel: shouldCancel)
        try afterStep(state, .stepped)
      } catch PrecisionSearchError.cancelled {
        try afterStep(state, .cancelled)
      }
    }
    // Ended before its budget (or, without one, on its own: an enumeration that reached the end).
    if reason != .timeLimit, evaluationLimit.map({ state.evaluations < $0 }) ?? true { reason = .exhausted }
    return reason
  }

  /// Measures `configurations` on the test evaluator in chunks of `chunkSize` (each configuration on its own, so the
  /// chunking changes no result), calling `afterChunk` with the count measured so far and whether the chunk was
  /// cancelled (the caller throws to stop).
  public static func measureOnTest(_ configurations: [PrecisionConfiguration], evaluator: PrecisionEvaluator,
                                   chunkSize: Int = 8, shouldCancel: @escaping @Sendable () -> Bool,
                                   afterChunk: (_ measured: Int, _ cancelled: Bool) throws -> Void) throws -> [PrecisionMeasurement] {
    var measurements: [PrecisionMeasurement] = []
    while measurements.count < configurations.count {
      let chunk = measurements.count..<min(configurations.count, measurements.count + max(1, chunkSize))
      var cancelled = false
      do {
        measurements += try evaluator.measure(Array(configurations[chunk]), shouldCancel: shouldCancel)
      } catch PrecisionSearchError.cancelled {
        cancelled = true
      }
      try afterChunk(measurements.count, cancelled)
      if cancelled && measurements.count < chunk.upperBound {
        throw PrecisionSearchError.cancelled
      }
    }
    return measurements
  }

  /// `p01`, `p02`, ... (at least two digits, as many as the front needs).
  public static func pointID(index: Int, count: Int) -> String {
    let width = max(String(count).count, 2)
    let number = String(index + 1)
    return "p" + String(repeating: "0", count: max(0, width - number.count)) + number
  }

  /// The document's front points: each front configuration with its energy report, validation and test accuracy,
  /// relative energy and weight memory (`testMeasurements[i]` belongs to `front[i]`).
  public static func points(front: [(configuration: PrecisionConfiguration, measurement: PrecisionMeasurement)],
                            testMeasurements: [PrecisionMeasurement], evaluator: PrecisionEvaluator,
                            uniform16BitPicojoules: Double, biasBits: Int) throws -> [ParetoFrontDocument.Point] {
    try front.enumerated().map { index, entry in
      let report = try evaluator.energyReport(of: entry.configuration)
      let memory = WeightMemory(workloads: evaluator.workloads, configuration: entry.configuration, biasBitsPerValue: biasBits)
      return ParetoFrontDocument.Point(
        id: pointID(index: index, count: front.count),
        layers: report.layers.map {
          .init(name: $0.name, weightBits: $0.precision.weightBits, activationBits: $0.precision.activationBits,
                outputBits: $0.precision.outputBits, energyPicojoules: $0.energy.totalPicojoules)
        },
        validation: .init(correct: entry.measurement.correct, images: entry.measurement.imageCount),
        test: .init(correct: testMeasurements[index].correct, images: testMeasurements[index].imageCount),
        energy: energy(report.total), relativeEnergy: entry.measurement.energyPicojoules / uniform16BitPicojoules,
        weightMemory: .init(weightBits: memory.weightBits, biasBits: memory.biasBits))
    }
  }

  /// The document's uniform baselines (`testMeasurements[i]` belongs to `baselines[i]`).
  public static func baselines(_ baselines: [OptimizeCheckpoint.BaselineMeasurement], testMeasurements: [PrecisionMeasurement],
                               evaluator: PrecisionEvaluator, uniform16BitPicojoules: Double,
                               biasBits: Int) -> [ParetoFrontDocument.Baseline] {
    let layerCount = evaluator.workloads.count
    return zip(baselines, testMeasurements).map { baseline, test in
      let configuration = PrecisionConfiguration.uniform(baseline.bits, layerCount: layerCount)
      let memory = WeightMemory(workloads: evaluator.workloads, configuration: configuration, biasBitsPerValue: biasBits)
      return ParetoFrontDocument.Baseline(
        bits: baseline.bits, validation: .init(correct: baseline.measurement.correct, images: baseline.measurement.imageCount),
        test: .init(correct: test.correct, images: test.imageCount), energyPicojoules: baseline.measurement.energyPicojoules,
        relativeEnergy: baseline.measurement.energyPicojoules / uniform16BitPicojoules,
        weightMemory: .init(weightBits: memory.weightBits, biasBits: memory.biasBits))
    }
  }

  /// The point chosen under a constraint (nil without one): the search's chosen configuration among `points`, or
  /// a message that none meets `summary`.
  public static func selection(state: HybridPrecisionSearch, points: [ParetoFrontDocument.Point],
                               front: [(configuration: PrecisionConfiguration, measurement: PrecisionMeasurement)],
                               constraintKind: String, summary: String) -> ParetoFrontDocument.Selection? {
    guard state.settings.constraint != .none else { return nil }
    if let chosen = state.chosen, let index = front.firstIndex(where: { $0.configuration == chosen.configuration }) {
      return .init(constraint: constraintKind, pointId: points[index].id, message: "\(points[index].id) meets \(summary)")
    }
    return .init(constraint: constraintKind, pointId: nil, message: "no configuration measured meets \(summary)")
  }

  /// The document's model entry.
  public static func model(name: String, source: String, sha256: String, network: Network, workloads: [LayerWorkload],
                           windowSearch: WindowSearchMode,
                           weightGranularity: WeightGranularity = .perTensor,
                           biasCorrection: BiasCorrection = .off) -> ParetoFrontDocument.Model {
    let layers = workloads.map {
      ParetoFrontDocument.Model.Layer(name: $0.name, macs: $0.macs, weights: $0.weightCount, biases: $0.biasCount)
    }
    return .init(name: name, source: source, sha256: sha256,
                 inputShape: [network.inputShape.height, network.inputShape.width, network.inputShape.channels],
                 classes: network.outputShape.elementCount, layers: layers,
                 totalMACs: layers.reduce(0) { $0 + $1.macs },
                 totalParameters: layers.reduce(0) { $0 + $1.weights + $1.biases },
                 windowSearch: windowSearch.rawValue,
                 weightGranularity: weightGranularity == .perTensor ? nil : weightGranularity.rawValue,
                 biasCorrection: biasCorrection == .off ? nil : biasCorrection.rawValue)
  }

  /// The document's effort entry.
  public static func effort(state: HybridPrecisionSearch, stopReason: StopReason) -> ParetoFrontDocument.Effort {
    .init(evaluations: state.evaluations, memoHits: state.memoHits, configurationsMeasured: state.configurationsMeasured,
          configurationsScreenedOut: state.configurationsScreenedOut, imagesRun: state.imagesRun,
          stopReason: stopReason.rawValue)
  }

  /// The document's record of the guided search's sensitivity phase (nil for the other algorithms).
  public static func sensitivity(state: HybridPrecisionSearch) -> ParetoFrontDocument.Search.Sensitivity? {
    guard let guidance = state.guidance else { return nil }
    return .init(anchorBits: guidance.anchorBits, probes: guidance.probes.count, seeds: guidance.seeds.count,
                 evaluations: guidance.evaluations)
  }

  /// The document's hypervolume entry.
  public static func hypervolume(state: HybridPrecisionSearch) -> ParetoFrontDocument.HypervolumeInfo {
    .init(referencePoint: state.hypervolumeIndicator.referencePoint, final: state.hypervolume,
          history: state.hypervolumeHistory.map { .init(evaluations: $0.evaluations, hypervolume: $0.hypervolume) })
  }

  /// An energy breakdown as the document writes it.
  public static func energy(_ breakdown: EnergyBreakdown) -> ParetoFrontDocument.Energy {
    .init(totalPicojoules: breakdown.totalPicojoules, computePicojoules: breakdown.computePicojoules,
          weightReadPicojoules: breakdown.weightReadPicojoules, activationReadPicojoules: breakdown.activationReadPicojoules,
          activationWritePicojoules: breakdown.activationWritePicojoules, leakagePicojoules: breakdown.leakagePicojoules)
  }
}
