/// Which search drives the precision problem.
public enum PrecisionSearchAlgorithm: String, Hashable, Sendable, Codable, CaseIterable {
  /// Simulated-annealing runs at several energy budgets first, then NSGA-II seeded with everything they found
  /// and the uniform configurations (the default before issue #20).
  case hybrid
  /// NSGA-II alone, seeded with the uniform configurations.
  case nsga2
  /// Simulated annealing alone: several runs at several budgets, interleaved.
  case annealing
  /// Every configuration of the space, in order (`ExhaustiveEnumeration`): the exact front of a small space, for
  /// judging the other algorithms; at most `ExhaustiveEnumeration.maximumGenomeCount` configurations.
  case exhaustive
  /// The hybrid guided by a sensitivity phase first (``SensitivityGuidance``): single-gene accuracy losses around
  /// a good uniform configuration, a multiple-choice knapsack over them whose solutions seed the search, annealing
  /// runs started from the best measured configurations, and NSGA-II mutating insensitive, expensive genes more
  /// often. The default (``PrecisionSearchSettings/defaultAlgorithm``); every evaluation of the phase counts
  /// against the limit.
  case guided
}

/// What the user asked of the search besides the front.
public enum PrecisionConstraint: Hashable, Sendable, Codable {
  /// The whole front.
  case none
  /// The most accurate configuration whose energy per inference is at most this many pJ.
  case maximumEnergy(picojoules: Double)
  /// The least-energy configuration whose validation accuracy (0...1) is at least this.
  case minimumAccuracy(Double)

  /// How far a measurement is from feasibility: 0 when feasible; otherwise `(energy - budget) / uniform16`
  /// (a fraction of the uniform 16-bit energy) or `minimum - accuracy`.
  public func violation(of measurement: PrecisionMeasurement, uniform16BitPicojoules: Double) -> Double {
    switch self {
    case .none: return 0
    case .maximumEnergy(let budget):
      return max(0, (measurement.energyPicojoules - budget) / uniform16BitPicojoules)
    case .minimumAccuracy(let minimum):
      return max(0, minimum - measurement.accuracy)
    }
  }

  /// Whether a measurement meets the constraint.
  public func isMet(by measurement: PrecisionMeasurement) -> Bool {
    switch self {
    case .none: return true
    case .maximumEnergy(let budget): return measurement.energyPicojoules <= budget
    case .minimumAccuracy(let minimum): return measurement.accuracy >= minimum
    }
  }
}

/// Settings of a precision search. The defaults are the ones `precsearch optimize` uses.
public struct PrecisionSearchSettings: Hashable, Sendable, Codable {
  /// The default algorithm: ``PrecisionSearchAlgorithm/guided`` (measured against the hybrid in
  /// Results/search-quality/guided/ and Results/opt-in-combination/).
  public static let defaultAlgorithm = PrecisionSearchAlgorithm.guided
  /// The default evaluation limit: 1,000 (the percentage of the best-known front it reaches per task is in
  /// Results/reference-fronts/).
  public static let defaultMaximumEvaluations = 1000

  /// The algorithm. Default ``defaultAlgorithm``.
  public var algorithm: PrecisionSearchAlgorithm
  /// The seed every random stream derives from.
  public var seed: UInt64
  /// The largest number of evaluations (genomes told to the algorithms, memo hits included), >= 1. `nil`: no
  /// limit (the caller stops the search, for example by time); the annealing schedules then plan for
  /// ``plannedEvaluationsWithoutLimit``. Default ``defaultMaximumEvaluations``.
  public var maximumEvaluations: Int?
  /// The constraint; with one, the algorithms handle it as feasibility first.
  public var constraint: PrecisionConstraint
  /// NSGA-II's population size (>= 2). Default 40.
  public var populationSize: Int
  /// NSGA-II's largest mutation step, in positions of a gene's candidate list (>= 1). Default 2.
  public var mutationSteps: Int
  /// The number of simulated-annealing runs (1...64). Default 4.
  public var annealingRuns: Int
  /// In the hybrid and the guided search, the share of the evaluations given to annealing (the guided search's:
  /// of those left after its sensitivity phase), in (0, 1). Default 0.3.
  public var annealingShare: Double
  /// In the guided search, NSGA-II builds this many candidate offspring for each one it measures and measures
  /// those a surrogate predicts to add the most hypervolume (``HybridPrecisionSearch``, "pre-selection"); 1 turns
  /// pre-selection off, as in the other algorithms, which ignore it. 1...``maximumPreselectionCandidates``.
  /// Default 1 (off: it measures offspring nearer the front, which screening stops less often, so a run takes
  /// longer; Results/reference-fronts/preselection/ has what it gains and costs).
  public var preselectionCandidates: Int
  /// Annealing temperatures when maximizing accuracy: in accuracy units (0.02 accepts a 2-point drop with
  /// probability 1/e). Defaults 0.02 and 0.0005.
  public var accuracyTemperatures: ClosedRange<Double>
  /// Annealing temperatures when minimizing energy: relative changes (0.05 accepts a 5 % rise with probability
  /// 1/e). Defaults 0.05 and 0.001.
  public var energyTemperatures: ClosedRange<Double>
  /// The annealing cooling factor, in (0, 1). Default 0.85.
  public var coolingFactor: Double
  /// The hypervolume history gets an entry every this many evaluations (>= 1). Default 40.
  public var historyInterval: Int

  /// The largest ``preselectionCandidates``.
  public static let maximumPreselectionCandidates = 16

  /// The evaluation count annealing schedules are planned for when ``maximumEvaluations`` is `nil`.
  public static let plannedEvaluationsWithoutLimit = 2000

  /// Creates settings.
  public init(
    algorithm: PrecisionSearchAlgorithm = defaultAlgorithm, seed: UInt64 = 1,
    maximumEvaluations: Int? = defaultMaximumEvaluations,
    constraint: PrecisionConstraint = .none, populationSize: Int = 40, mutationSteps: Int = 2, annealingRuns: Int = 4,
    annealingShare: Double = 0.3, preselectionCandidates: Int = 1,
    accuracyTemperatures: ClosedRange<Double> = 0.0005...0.02,
    energyTemperatures: ClosedRange<Double> = 0.001...0.05, coolingFactor: Double = 0.85, historyInterval: Int = 40
  ) {
    self.algorithm = algorithm
    self.seed = seed
    self.maximumEvaluations = maximumEvaluations
    self.constraint = constraint
    self.populationSize = populationSize
    self.mutationSteps = mutationSteps
    self.annealingRuns = annealingRuns
    self.annealingShare = annealingShare
    self.preselectionCandidates = preselectionCandidates
    self.accuracyTemperatures = accuracyTemperatures
    self.energyTemperatures = energyTemperatures
    self.coolingFactor = coolingFactor
    self.historyInterval = historyInterval
  }

  private enum CodingKeys: String, CodingKey {
    case algorithm, seed, maximumEvaluations, constraint, populationSize, mutationSteps, annealingRuns, annealingShare
    case preselectionCandidates, accuracyTemperatures, energyTemperatures, coolingFactor, historyInterval
  }

  /// Decodes settings; ``preselectionCandidates`` is 1 (off) when absent, as in a checkpoint written before it
  /// existed, so such a search resumes as it began.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    algorithm = try c.decode(PrecisionSearchAlgorithm.self, forKey: .algorithm)
    seed = try c.decode(UInt64.self, forKey: .seed)
    maximumEvaluations = try c.decodeIfPresent(Int.self, forKey: .maximumEvaluations)
    constraint = try c.decode(PrecisionConstraint.self, forKey: .constraint)
    populationSize = try c.decode(Int.self, forKey: .populationSize)
    mutationSteps = try c.decode(Int.self, forKey: .mutationSteps)
    annealingRuns = try c.decode(Int.self, forKey: .annealingRuns)
    annealingShare = try c.decode(Double.self, forKey: .annealingShare)
    preselectionCandidates = try c.decodeIfPresent(Int.self, forKey: .preselectionCandidates) ?? 1
    accuracyTemperatures = try c.decode(ClosedRange<Double>.self, forKey: .accuracyTemperatures)
    energyTemperatures = try c.decode(ClosedRange<Double>.self, forKey: .energyTemperatures)
    coolingFactor = try c.decode(Double.self, forKey: .coolingFactor)
    historyInterval = try c.decode(Int.self, forKey: .historyInterval)
  }

  /// The evaluation count the schedules are planned for.
  public var plannedEvaluations: Int { maximumEvaluations ?? Self.plannedEvaluationsWithoutLimit }

  /// Checks every value against its range.
  ///
  /// - Throws: ``PrecisionSearchError/invalidSetting(name:expected:actual:)``.
  public func validate() throws {
    func fail(_ name: String, _ expected: String, _ actual: Any) -> PrecisionSearchError {
      .invalidSetting(name: name, expected: expected, actual: "\(actual)")
    }
    if let maximumEvaluations, maximumEvaluations < 1 { throw fail("maximum evaluations", "at least 1", maximumEvaluations) }
    guard populationSize >= 2 else { throw fail("population size", "at least 2", populationSize) }
    guard mutationSteps >= 1 else { throw fail("mutation steps", "at least 1", mutationSteps) }
    guard (1...64).contains(annealingRuns) else { throw fail("annealing runs", "1...64", annealingRuns) }
    guard annealingShare > 0, annealingShare < 1 else { throw fail("annealing share", "a value in (0, 1)", annealingShare) }
    for (name, range) in [("accuracy temperatures", accuracyTemperatures), ("energy temperatures", energyTemperatures)] {
      guard range.lowerBound > 0, range.upperBound.isFinite, range.lowerBound < range.upperBound else {
        throw fail(name, "0 < minimum < initial < infinity", range)
      }
    }
    guard (1...Self.maximumPreselectionCandidates).contains(preselectionCandidates) else {
      throw fail("pre-selection candidates", "1...\(Self.maximumPreselectionCandidates)", preselectionCandidates)
    }
    guard coolingFactor > 0, coolingFactor < 1 else { throw fail("cooling factor", "a value in (0, 1)", coolingFactor) }
    guard historyInterval >= 1 else { throw fail("history interval", "at least 1", historyInterval) }
    switch constraint {
    case .none: break
    case .maximumEnergy(let budget):
      guard budget.isFinite, budget > 0 else { throw fail("energy budget", "a finite energy > 0 pJ", budget) }
    case .minimumAccuracy(let minimum):
      guard minimum.isFinite, (0...1).contains(minimum) else { throw fail("minimum accuracy", "a value in 0...1", minimum) }
    }
  }
}
