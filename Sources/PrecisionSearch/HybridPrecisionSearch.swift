import SeededRandom
import PlatformSupport

public import MultiObjectiveSearch
public import NetworkEngine

/// The precision search: per-layer weight and activation bit-widths minimizing energy and maximizing validation
/// accuracy, as a resumable state machine driven one batch at a time.
///
/// **Objectives.** `[energy in pJ, -accuracy]`, both minimized; a ``PrecisionConstraint`` (energy budget or
/// minimum accuracy) is handled as feasibility first.
///
/// **Hybrid** (the default before issue #20; see ``PrecisionSearchAlgorithm``):
/// 1. ``PrecisionSearchSettings/annealingRuns`` simulated-annealing runs, interleaved batch by batch, share
///    ``PrecisionSearchSettings/annealingShare`` of the evaluations. Without a constraint, run `i` maximizes
///    accuracy under the budget `Emin * (Emax / Emin)^((i + 1) / (runs + 1))`, geometrically spaced between the
///    least and the most energy the space allows; with an energy budget every run uses it; with an accuracy floor
///    every run minimizes energy above it. Each run starts from the most energetic uniform configuration that
///    fits its budget (the widest one with an accuracy floor) and cools geometrically over its share, restarting
///    from its best point when cold.
/// 2. NSGA-II then starts from a population seeded with every non-dominated point measured so far and the best
///    point of every run, plus the uniform configurations, and refines for the remaining evaluations.
/// 3. The result is the non-dominated union of everything measured: ``front``.
///
/// **Guided** (``PrecisionSearchAlgorithm/guided``, the default): a sensitivity phase first
/// (``SensitivityGuidance``: probes around a good uniform configuration and the multiple-choice knapsack's seeds,
/// all counted as evaluations); the annealing runs then share ``PrecisionSearchSettings/annealingShare`` of the
/// evaluations left, each starting from the most accurate measured configuration within its budget (the least
/// energetic one above an accuracy floor); NSGA-II is seeded as in the hybrid plus the knapsack's seeds, and
/// mutates genes with the phase's per-gene chances. With ``PrecisionSearchSettings/preselectionCandidates`` above 1,
/// each NSGA-II generation is chosen from that many times as many candidate offspring by `OffspringPreselection`
/// (a surrogate refitted on the memo before every generation; opt-in).
///
/// **Measurements** go through a ``PrecisionEvaluator``: each genome is measured once (``memo``), a batch is
/// screened against the front of complete measurements, and only complete measurements enter ``front``.
///
/// **Determinism.** Every random stream derives from ``PrecisionSearchSettings/seed``; batches are measured in
/// a fixed order and screening depends only on counts, so the same settings and data give the same front, the
/// same history and the same memo, whatever the number of workers. The whole state is `Codable`: saved between
/// two ``step(evaluator:shouldCancel:)`` calls (or after a cancelled one) and decoded later, it continues exactly
/// as an uninterrupted search would.
public struct HybridPrecisionSearch: Sendable, Codable {
  /// Where the search is.
  public enum Phase: String, Hashable, Sendable, Codable {
    /// The sensitivity phase of ``PrecisionSearchAlgorithm/guided``.
    case sensitivity
    /// Simulated-annealing runs.
    case annealing
    /// NSGA-II.
    case evolution
    /// Every configuration of the space in order (``PrecisionSearchAlgorithm/exhaustive``).
    case enumeration
    /// Done: the evaluation limit was reached or no algorithm has anything left to propose.
    case finished
  }

  /// One entry of the hypervolume history.
  public struct HypervolumeRecord: Hashable, Sendable, Codable {
    /// Evaluations told when the entry was made.
    public var evaluations: Int
    /// Hypervolume of ``PrecisionSearch/front`` then, under ``PrecisionSearch/hypervolumeIndicator``.
    public var hypervolume: Double
  }

  /// The settings.
  public let settings: PrecisionSearchSettings
  /// The genes.
  public let space: PrecisionSearchSpace
  /// Energy of one inference at uniform 16 bits, in pJ (> 0): the unit of relative energies and of energy
  /// constraint violations.
  public let uniform16BitPicojoules: Double
  /// Hypervolume setting of the history: energy normalized by ``uniform16BitPicojoules``, accuracy as
  /// `1 - accuracy`, reference point (1.1, 1.1).
  public let hypervolumeIndicator: HypervolumeIndicator
  /// The current phase.
  public private(set) var phase: Phase
  /// The annealing runs (empty for NSGA-II alone).
  public private(set) var annealers: [SimulatedAnnealing]
  /// The constraint each annealing run works under.
  public private(set) var annealerConstraints: [PrecisionConstraint]
  /// The evaluations each annealing run may use.
  public private(set) var annealerLimits: [Int]
  /// NSGA-II, once started.
  public private(set) var evolution: NSGA2?
  /// The enumeration of ``PrecisionSearchAlgorithm/exhaustive``.
  public private(set) var enumeration: ExhaustiveEnumeration?
  /// The sensitivity phase of ``PrecisionSearchAlgorithm/guided`` (`nil` for the other algorithms).
  public private(set) var guidance: SensitivityGuidance?
  /// Evaluations the sensitivity phase used (0 for the other algorithms).
  public var guidanceEvaluations: Int { guidance?.evaluations ?? 0 }
  /// Every genome measured, with its measurement.
  public private(set) var memo: EvaluationMemo
  /// The non-dominated completely measured configurations (objectives `[energy, -accuracy]`, constraint
  /// ignored): the result.
  public private(set) var front: ParetoArchive
  /// Evaluations told to the algorithms (memo hits included).
  public private(set) var evaluations: Int
  /// Evaluations answered from the memo (or by another genome of the same batch).
  public private(set) var memoHits: Int
  /// Distinct configurations run on images (memo misses).
  public private(set) var configurationsMeasured: Int
  /// Of those, the ones screened out before the end of the split.
  public private(set) var configurationsScreenedOut: Int
  /// Image inferences run by the search.
  public private(set) var imagesRun: Int
  /// The hypervolume of ``front`` every ``PrecisionSearchSettings/historyInterval`` evaluations, and at the end.
  public private(set) var hypervolumeHistory: [HypervolumeRecord]
  /// The evaluation count at which the next history entry is due.
  private var nextHistoryMark: Int

  /// Prepares a search: validates the settings, prices the configurations the annealing runs start from.
  ///
  /// - Parameters:
  ///   - settings: the settings (validated).
  ///   - space: the genes; its layer count must match the evaluator's model.
  ///   - evaluator: prices configurations (no image is run here).
  /// - Throws: ``PrecisionSearchError``, `SearchError` or energy-model errors.
  public init(settings: PrecisionSearchSettings, space: PrecisionSearchSpace, evaluator: PrecisionEvaluator) throws {
    try settings.validate()
    guard space.layerCount == evaluator.layerCount else {
      throw PrecisionSearchError.invalidSetting(
        name: "search space", expected: "\(evaluator.layerCount) weighted layers (the model's)", actual: "\(space.layerCount)")
    }
    let uniform16 = try evaluator.uniform16BitPicojoules()
    guard uniform16.isFinite, uniform16 > 0 else {
      throw PrecisionSearchError.invalidSetting(
        name: "energy table", expected: "a positive uniform 16-bit energy", actual: "\(uniform16) pJ")
    }
    self.settings = settings
    self.space = space
    self.uniform16BitPicojoules = uniform16
    self.hypervolumeIndicator = try HypervolumeIndicator.energyAccuracy(uniform16BitPicojoules: uniform16)
    self.memo = EvaluationMemo()
    self.front = try ParetoArchive(objectiveCount: 2, constraintHandling: .ignored)
    self.evaluations = 0
    self.memoHits = 0
    self.configurationsMeasured = 0
    self.configurationsScreenedOut = 0
    self.imagesRun = 0
    self.hypervolumeHistory = []
    self.nextHistoryMark = settings.historyInterval
    self.evolution = nil
    self.enumeration = nil
    self.guidance = nil
    self.annealers = []
    self.annealerConstraints = []
    self.annealerLimits = []
    self.phase = .annealing

    switch settings.algorithm {
    case .nsga2:
      try startEvolution()
    case .exhaustive:
      enumeration = try ExhaustiveEnumeration(searchSpace: space.searchSpace, objectiveCount: 2,
                                              batchSize: settings.populationSize)
      phase = .enumeration
    case .guided:
      guidance = SensitivityGuidance()
      phase = .sensitivity
    case .hybrid, .annealing:
      let share = settings.algorithm == .hybrid ? settings.annealingShare : 1
      let total = max(settings.annealingRuns, Int(Double(settings.plannedEvaluations) * share))
      let runs = settings.annealingRuns
      annealerLimits = (0..<runs).map { total / runs + ($0 < total % runs ? 1 : 0) }
      try prepareAnnealers(evaluator: evaluator)
    }
  }

  /// Whether the search is over.
  public var isFinished: Bool { phase == .finished }

  /// The evaluations still allowed (`nil` without a limit).
  public var remainingEvaluations: Int? { settings.maximumEvaluations.map { max(0, $0 - evaluations) } }

  /// Progress in 0...1 by evaluations (1 when finished; 0 without a limit).
  public var progress: Double {
    if isFinished { return 1 }
    guard let limit = settings.maximumEvaluations else { return 0 }
    return min(1, Double(evaluations) / Double(limit))
  }

  /// The hypervolume of ``front`` now.
  public var hypervolume: Double { (try? hypervolumeIndicator.value(of: front)) ?? 0 }

  /// Records a configuration measured outside the search (for example a uniform baseline measured on the whole
  /// split) so that the search never runs it again and it can screen others. Ignored unless the configuration is
  /// in the space and the measurement is complete; not counted as an evaluation.
  public mutating func record(_ measurement: PrecisionMeasurement, for configuration: PrecisionConfiguration) {
    guard space.contains(configuration), measurement.isComplete, memo[space.genome(of: configuration)] == nil else { return }
    let genome = space.genome(of: configuration)
    memo.record(measurement, for: genome)
    _ = try? front.insert(Candidate(genome: genome, evaluation: Evaluation(objectives: measurement.objectives)))
  }

  /// Runs one batch: asks the current algorithm(s), measures the genomes, tells the results.
  ///
  /// - Parameters:
  ///   - evaluator: measures the batch (its split is the validation split).
  ///   - shouldCancel: passed to the evaluator; when it cancels, this throws ``PrecisionSearchError/cancelled``
  ///     and the state is still consistent (the batch stays outstanding and is asked again after a resume).
  /// - Throws: ``PrecisionSearchError/cancelled`` or an evaluation error.
  public mutating func step(evaluator: PrecisionEvaluator, shouldCancel: () -> Bool = { false }) throws {
    if let remaining = remainingEvaluations, remaining == 0 { return finish() }
    switch phase {
    case .finished:
      return
    case .sensitivity:
      guard var guidance else { return finish() }
      let batch = try guidance.nextBatch(space: space, memo: memo, evaluator: evaluator, settings: settings)
      if batch.isEmpty {
        self.guidance = guidance
        try startGuidedAnnealing(evaluator: evaluator)
        return try step(evaluator: evaluator, shouldCancel: shouldCancel)
      }
      let genomes = Array(batch.prefix(remainingEvaluations ?? Int.max))
      _ = try measure(genomes, evaluator: evaluator, shouldCancel: shouldCancel)
      guidance.evaluations += genomes.count
      self.guidance = guidance
      evaluations += genomes.count
    case .annealing:
      var budget = remainingEvaluations ?? Int.max
      var batches: [(run: Int, genomes: [[Int]])] = []
      for run in annealers.indices where annealers[run].evaluationCount < annealerLimits[run] && budget > 0 {
        let genomes = annealers[run].ask(maximumCount: min(budget, annealerLimits[run] - annealers[run].evaluationCount))
        if genomes.isEmpty { continue }
        batches.append((run, genomes))
        budget -= genomes.count
      }
      if batches.isEmpty {
        if settings.algorithm == .annealing { return finish() }
        try startEvolution()
        return try step(evaluator: evaluator, shouldCancel: shouldCancel)
      }
      let measurements = try measure(batches.flatMap(\.genomes), evaluator: evaluator, shouldCancel: shouldCancel)
      var offset = 0
      for (run, genomes) in batches {
        let constraint = annealerConstraints[run]
        try annealers[run].tell(measurements[offset..<offset + genomes.count].map { evaluation($0, under: constraint) })
        offset += genomes.count
      }
      evaluations += offset
    case .evolution:
      guard var evolution else { return finish() }
      let limit = remainingEvaluations ?? Int.max
      let genomes: [[Int]]
      if settings.algorithm == .guided, settings.preselectionCandidates > 1,
         let preselection = try OffspringPreselection(space: space, memo: memo) {
        let front = frontMeasurements.map {
          [$0.measurement.energyPicojoules / uniform16BitPicojoules, 1 - $0.measurement.accuracy]
        }
        let (space, memo, uniform16, constraint) = (self.space, self.memo, uniform16BitPicojoules, settings.constraint)
        genomes = try evolution.ask(maximumCount: limit, candidatesPerOffspring: settings.preselectionCandidates) {
          try preselection.choose($0, count: $1, space: space, memo: memo, front: front,
                                  uniform16BitPicojoules: uniform16, constraint: constraint, evaluator: evaluator)
        }
      } else {
        genomes = evolution.ask(maximumCount: limit)
      }
      if genomes.isEmpty { return finish() }
      let measurements = try measure(genomes, evaluator: evaluator, shouldCancel: shouldCancel)
      try evolution.tell(measurements.map { evaluation($0, under: settings.constraint) })
      self.evolution = evolution
      evaluations += genomes.count
    case .enumeration:
      guard var enumeration else { return finish() }
      let genomes = enumeration.ask(maximumCount: remainingEvaluations ?? Int.max)
      if genomes.isEmpty { return finish() }
      let measurements = try measure(genomes, evaluator: evaluator, shouldCancel: shouldCancel)
      try enumeration.tell(measurements.map { evaluation($0, under: settings.constraint) })
      self.enumeration = enumeration
      evaluations += genomes.count
      if enumeration.isComplete { return finish() }
    }
    recordHistory(force: false)
    if let remaining = remainingEvaluations, remaining == 0 { finish() }
  }

  /// Ends the annealing phase now (the hybrid and the guided search then start NSGA-II; annealing alone finishes).
  /// Used by a caller that shares a time limit between the phases.
  public mutating func endAnnealingPhase() throws {
    guard phase == .annealing else { return }
    if settings.algorithm == .annealing { return finish() }
    try startEvolution()
  }

  /// Ends the search now (for example at a time limit) and records the final hypervolume.
  public mutating func finish() {
    guard phase != .finished else { return }
    phase = .finished
    recordHistory(force: true)
  }

  /// The front's configurations with their measurements, by increasing energy.
  public var frontMeasurements: [(configuration: PrecisionConfiguration, measurement: PrecisionMeasurement)] {
    front.members.compactMap { member in
      memo[member.genome].map { (space.configuration(of: member.genome), $0) }
    }
  }

  /// The answer to the constraint among the front: the most accurate configuration within the energy budget (the
  /// less energetic on a tie), or the least-energy configuration meeting the accuracy floor (the more accurate on
  /// a tie); `nil` without a constraint or when no measured configuration meets it.
  public var chosen: (configuration: PrecisionConfiguration, measurement: PrecisionMeasurement)? {
    let feasible = frontMeasurements.filter { settings.constraint.isMet(by: $0.measurement) }
    switch settings.constraint {
    case .none:
      return nil
    case .maximumEnergy:
      return feasible.min { a, b in
        a.measurement.correct != b.measurement.correct
          ? a.measurement.correct > b.measurement.correct
          : a.measurement.energyPicojoules < b.measurement.energyPicojoules
      }
    case .minimumAccuracy:
      return feasible.min { a, b in
        a.measurement.energyPicojoules != b.measurement.energyPicojoules
          ? a.measurement.energyPicojoules < b.measurement.energyPicojoules
          : a.measurement.correct > b.measurement.correct
      }
    }
  }

  /// The evaluation the algorithms see for a measurement under `constraint`.
  public func evaluation(_ measurement: PrecisionMeasurement, under constraint: PrecisionConstraint) -> Evaluation {
    Evaluation(objectives: measurement.objectives,
               constraintViolation: constraint.violation(of: measurement, uniform16BitPicojoules: uniform16BitPicojoules))
  }

  // MARK: - Phases

  /// The guided search's annealing phase: the runs share `annealingShare` of the evaluations left after the
  /// sensitivity phase.
  private mutating func startGuidedAnnealing(evaluator: PrecisionEvaluator) throws {
    let left = max(0, settings.plannedEvaluations - evaluations)
    let runs = settings.annealingRuns
    let total = max(runs, Int(Double(left) * settings.annealingShare))
    annealerLimits = (0..<runs).map { total / runs + ($0 < total % runs ? 1 : 0) }
    try prepareAnnealers(evaluator: evaluator)
    phase = .annealing
  }

  private mutating func prepareAnnealers(evaluator: PrecisionEvaluator) throws {
    let runs = settings.annealingRuns
    let uniform = space.uniformGenomes
    let uniformEnergies = try uniform.map { try evaluator.energyPicojoules(of: space.configuration(of: $0)) }
    let minimum = try evaluator.energyPicojoules(of: space.configuration(of: space.narrowestGenome))
    let maximum = try evaluator.energyPicojoules(of: space.configuration(of: space.widestGenome))
    let measuredFront = frontMeasurements
    let guided = settings.algorithm == .guided
    /// Guided: the most accurate front configuration within `budget` (the less energetic on a tie).
    func measuredStart(within budget: Double) -> [Int]? {
      measuredFront.filter { $0.measurement.energyPicojoules <= budget }.min { a, b in
        a.measurement.correct != b.measurement.correct
          ? a.measurement.correct > b.measurement.correct
          : a.measurement.energyPicojoules < b.measurement.energyPicojoules
      }.map { space.genome(of: $0.configuration) }
    }
    /// Guided: the least energetic front configuration meeting the accuracy floor `minimum`.
    func measuredStart(above minimum: Double) -> [Int]? {
      measuredFront.first { $0.measurement.accuracy >= minimum }.map { space.genome(of: $0.configuration) }
    }
    /// The most energetic uniform genome within `budget`, else the narrowest genome (guided: the best measured
    /// configuration within it first).
    func start(within budget: Double) -> [Int] {
      if guided, let measured = measuredStart(within: budget) { return measured }
      var best: (genome: [Int], energy: Double)?
      for (genome, energy) in zip(uniform, uniformEnergies) where energy <= budget {
        if best.map({ energy > $0.energy }) ?? true { best = (genome, energy) }
      }
      return best?.genome ?? space.narrowestGenome
    }
    for run in 0..<runs {
      let constraint: PrecisionConstraint
      let initial: [Int]
      let objective: Int
      let scale: SimulatedAnnealing.TemperatureScale
      let temperatures: ClosedRange<Double>
      switch settings.constraint {
      case .none:
        let budget = maximum > minimum
          ? minimum * LibM.pow(maximum / minimum, Double(run + 1) / Double(runs + 1)) : maximum
        constraint = .maximumEnergy(picojoules: budget)
        initial = start(within: budget)
        (objective, scale, temperatures) = (1, .absolute, settings.accuracyTemperatures)
      case .maximumEnergy(let budget):
        constraint = settings.constraint
        initial = start(within: budget)
        (objective, scale, temperatures) = (1, .absolute, settings.accuracyTemperatures)
      case .minimumAccuracy(let floor):
        constraint = settings.constraint
        initial = guided ? measuredStart(above: floor) ?? space.widestGenome : space.widestGenome
        (objective, scale, temperatures) = (0, .relative, settings.energyTemperatures)
      }
      // Levels in one schedule: the smallest n with T0 * alpha^n < Tmin (the annealer restarts there).
      var levels = 0
      var temperature = temperatures.upperBound
      while temperature >= temperatures.lowerBound && levels < 10_000 {
        temperature *= settings.coolingFactor
        levels += 1
      }
      let configuration = SimulatedAnnealing.Configuration(
        objectiveIndex: objective, initialTemperature: temperatures.upperBound,
        minimumTemperature: temperatures.lowerBound, coolingFactor: settings.coolingFactor,
        stepsPerTemperature: max(1, annealerLimits[run] / max(levels, 1)), neighboursPerStep: 1,
        temperatureScale: scale, restartPoint: .best, archiveConstraintHandling: .ignored, hypervolume: nil,
        seed: SeedDerivation.seed(settings.seed, generation: -2, index: run))
      annealers.append(try SimulatedAnnealing(
        configuration: configuration, searchSpace: space.searchSpace, objectiveCount: 2, initialGenome: initial))
      annealerConstraints.append(constraint)
    }
  }

  private mutating func startEvolution() throws {
    var genomes: [[Int]] = front.members.map(\.genome)
    for annealer in annealers {
      if let best = annealer.best?.genome { genomes.append(best) }
    }
    genomes += guidance?.seeds ?? []
    var seen = Set<[Int]>()
    var candidates: [Candidate] = []
    for genome in genomes where seen.insert(genome).inserted {
      guard let measurement = memo[genome] else { continue }
      candidates.append(Candidate(genome: genome, evaluation: evaluation(measurement, under: settings.constraint)))
    }
    let configuration = NSGA2.Configuration(
      populationSize: settings.populationSize, crossover: UniformCrossover(),
      mutation: StepMutation(geneProbability: nil, maximumStep: settings.mutationSteps,
                             geneProbabilities: guidance?.geneProbabilities),
      selection: BinaryTournamentSelection(), constraintHandling: .feasibilityFirst, maximumDuplicateRetries: 32,
      hypervolume: nil, seed: SeedDerivation.seed(settings.seed, generation: -1, index: 0))
    evolution = try NSGA2(configuration: configuration, searchSpace: space.searchSpace, objectiveCount: 2,
                          initialCandidates: candidates, initialGenomes: space.uniformGenomes)
    phase = .evolution
  }

  // MARK: - Measuring

  /// Measures `genomes` (memo first), records new measurements, and returns one measurement per genome.
  private mutating func measure(_ genomes: [[Int]], evaluator: PrecisionEvaluator,
                                shouldCancel: () -> Bool) throws -> [PrecisionMeasurement] {
    var missing: [[Int]] = []
    var pending = Set<[Int]>()
    for genome in genomes where memo[genome] == nil && pending.insert(genome).inserted { missing.append(genome) }
    if !missing.isEmpty {
      let reference = front.members.compactMap { member in
        memo[member.genome].map { ScreeningReference(energyPicojoules: $0.energyPicojoules, correct: $0.correct) }
      }
      let measured = try evaluator.measure(missing.map(space.configuration(of:)), reference: reference,
                                           shouldCancel: shouldCancel)
      for (genome, measurement) in zip(missing, measured) {
        memo.record(measurement, for: genome)
        imagesRun += measurement.imagesRun
        if measurement.isComplete {
          _ = try? front.insert(Candidate(genome: genome, evaluation: Evaluation(objectives: measurement.objectives)))
        } else {
          configurationsScreenedOut += 1
        }
      }
      configurationsMeasured += missing.count
    }
    memoHits += genomes.count - missing.count
    return genomes.map { memo[$0]! }
  }

  private mutating func recordHistory(force: Bool) {
    guard force || evaluations >= nextHistoryMark else { return }
    if let last = hypervolumeHistory.last, last.evaluations == evaluations { return }
    hypervolumeHistory.append(HypervolumeRecord(evaluations: evaluations, hypervolume: hypervolume))
    while nextHistoryMark <= evaluations { nextHistoryMark += settings.historyInterval }
  }

  // MARK: - Codable

  private enum CodingKeys: String, CodingKey {
    case settings, space, uniform16BitPicojoules, hypervolumeIndicator, phase, annealers, annealerConstraints
    case annealerLimits, evolution, enumeration, guidance, memo, front, evaluations, memoHits
    case configurationsMeasured
    case configurationsScreenedOut, imagesRun, hypervolumeHistory, nextHistoryMark
  }

  /// Decodes a saved state and checks that its parts fit together.
  ///
  /// - Throws: `DecodingError`, `SearchError`, or ``PrecisionSearchError/stateMismatch(_:)``.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    settings = try c.decode(PrecisionSearchSettings.self, forKey: .settings)
    space = try c.decode(PrecisionSearchSpace.self, forKey: .space)
    uniform16BitPicojoules = try c.decode(Double.self, forKey: .uniform16BitPicojoules)
    hypervolumeIndicator = try c.decode(HypervolumeIndicator.self, forKey: .hypervolumeIndicator)
    phase = try c.decode(Phase.self, forKey: .phase)
    annealers = try c.decode([SimulatedAnnealing].self, forKey: .annealers)
    annealerConstraints = try c.decode([PrecisionConstraint].self, forKey: .annealerConstraints)
    annealerLimits = try c.decode([Int].self, forKey: .annealerLimits)
    evolution = try c.decodeIfPresent(NSGA2.self, forKey: .evolution)
    enumeration = try c.decodeIfPresent(ExhaustiveEnumeration.self, forKey: .enumeration)
    guidance = try c.decodeIfPresent(SensitivityGuidance.self, forKey: .guidance)
    memo = try c.decode(EvaluationMemo.self, forKey: .memo)
    front = try c.decode(ParetoArchive.self, forKey: .front)
    evaluations = try c.decode(Int.self, forKey: .evaluations)
    memoHits = try c.decode(Int.self, forKey: .memoHits)
    configurationsMeasured = try c.decode(Int.self, forKey: .configurationsMeasured)
    configurationsScreenedOut = try c.decode(Int.self, forKey: .configurationsScreenedOut)
    imagesRun = try c.decode(Int.self, forKey: .imagesRun)
    hypervolumeHistory = try c.decode([HypervolumeRecord].self, forKey: .hypervolumeHistory)
    nextHistoryMark = try c.decode(Int.self, forKey: .nextHistoryMark)
    try validate()
  }

  /// Checks the invariants a decoded state must satisfy, so that a damaged checkpoint fails with a message
  /// rather than misbehaving later.
  private func validate() throws {
    func fail(_ message: String) -> PrecisionSearchError { .stateMismatch(message) }
    try settings.validate()
    let genes = space.searchSpace
    guard uniform16BitPicojoules.isFinite, uniform16BitPicojoules > 0 else { throw fail("uniform 16-bit energy is not positive") }
    guard annealers.count == annealerConstraints.count, annealers.count == annealerLimits.count else {
      throw fail("annealing runs, constraints and limits differ in number")
    }
    for annealer in annealers where annealer.searchSpace != genes || annealer.objectiveCount != 2 {
      throw fail("an annealing run has another search space")
    }
    if let evolution, evolution.searchSpace != genes || evolution.objectiveCount != 2 {
      throw fail("NSGA-II has another search space")
    }
    guard front.objectiveCount == 2, front.constraintHandling == .ignored else { throw fail("the front has another layout") }
    for member in front.members {
      guard let measurement = memo[member.genome], measurement.isComplete,
            member.evaluation.objectives == measurement.objectives else {
        throw fail("front member \(member.genome) is not a complete measurement of the memo")
      }
    }
    for (genome, measurement) in memo.sortedEntries {
      guard genes.contains(genome), measurement.imageCount >= 1, measurement.imagesRun >= 1,
            measurement.imagesRun <= measurement.imageCount, (0...measurement.imagesRun).contains(measurement.correct),
            measurement.energyPicojoules.isFinite, measurement.energyPicojoules >= 0 else {
        throw fail("memo entry \(genome) is invalid")
      }
    }
    guard evaluations >= 0, memoHits >= 0, memoHits <= evaluations, nextHistoryMark > 0 else {
      throw fail("negative or inconsistent counters")
    }
    if phase == .evolution && evolution == nil { throw fail("phase is evolution but NSGA-II is missing") }
    if let enumeration, enumeration.searchSpace != genes || enumeration.objectiveCount != 2 {
      throw fail("the enumeration has another search space")
    }
    if phase == .enumeration && enumeration == nil { throw fail("phase is enumeration but the enumeration is missing") }
    if phase == .sensitivity && guidance == nil { throw fail("phase is sensitivity but the guidance is missing") }
    if let guidance {
      for genome in [guidance.anchor].compactMap({ $0 }) + guidance.probes + guidance.seeds where !genes.contains(genome) {
        throw fail("the guidance's genome \(genome) is outside the search space")
      }
      if let chances = guidance.geneProbabilities,
         chances.count != genes.geneCount || !chances.allSatisfy({ (0...1).contains($0) }) {
        throw fail("the guidance's mutation chances do not fit the genes")
      }
    }
    guard (0...evaluations).contains(guidanceEvaluations) else { throw fail("sensitivity evaluations out of range") }
  }
}

extension HypervolumeIndicator {
  /// The indicator of an energy-accuracy front, the one `optimize` reports as `hypervolume.final` and `serve` answers:
  /// objectives (energy in pJ, -accuracy) normalized by the ideal (0, -1) and the nadir (uniform 16-bit energy, 0),
  /// so energy is relative to uniform 16 bits and accuracy is 1 - error, against the reference point (1.1, 1.1).
  /// Throws when `uniform16BitPicojoules` is not finite and positive.
  public static func energyAccuracy(uniform16BitPicojoules: Double) throws -> HypervolumeIndicator {
    try HypervolumeIndicator(referencePoint: [1.1, 1.1],
                             normalization: ObjectiveNormalization(ideal: [0, -1], nadir: [uniform16BitPicojoules, 0]))
  }
}
