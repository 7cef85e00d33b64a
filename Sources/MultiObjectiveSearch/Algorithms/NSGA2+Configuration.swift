import SeededRandom

extension NSGA2 {
  /// NSGA-II's settings; every component is visible and replaceable, with pymoo-like defaults.
  public struct Configuration: Hashable, Sendable, Codable {
    /// The number of survivors per generation and of offspring per generation (≥ 2). Default 100.
    public var populationSize: Int
    /// The recombination operator. Default: uniform, probability 0.9, gene swap 0.5.
    public var crossover: UniformCrossover
    /// The mutation operator. Default: each gene with probability 1/genes, one step.
    public var mutation: StepMutation
    /// The mating selection. Default: crowded binary tournament.
    public var selection: BinaryTournamentSelection
    /// How constraint violations take part in ranking and in the archive. Default: feasibility first.
    public var constraintHandling: ConstraintHandling
    /// How many extra attempts an offspring gets when it duplicates a population member or an
    /// earlier offspring of its generation (≥ 0). Default 32. When all attempts fail, that offspring
    /// is skipped, so a generation can be smaller than ``populationSize`` in tiny search spaces.
    public var maximumDuplicateRetries: Int
    /// The hypervolume setting for the per-generation history and stall termination; `nil` records none.
    public var hypervolume: HypervolumeIndicator?
    /// The search seed; every random stream derives from it via ``SeedDerivation``.
    public var seed: UInt64

    /// Creates a configuration; values are checked when an ``NSGA2`` is created.
    public init(
      populationSize: Int = 100, crossover: UniformCrossover = UniformCrossover(),
      mutation: StepMutation = StepMutation(), selection: BinaryTournamentSelection = BinaryTournamentSelection(),
      constraintHandling: ConstraintHandling = .feasibilityFirst, maximumDuplicateRetries: Int = 32,
      hypervolume: HypervolumeIndicator? = nil, seed: UInt64 = 0
    ) {
      self.populationSize = populationSize
      self.crossover = crossover
      self.mutation = mutation
      self.selection = selection
      self.constraintHandling = constraintHandling
      self.maximumDuplicateRetries = maximumDuplicateRetries
      self.hypervolume = hypervolume
      self.seed = seed
    }

    /// Checks every value against its range, and the indicator's dimension against `objectiveCount`.
    ///
    /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
    public func validate(objectiveCount: Int) throws {
      guard populationSize >= 2 else {
        throw SearchError.invalidParameter(
          name: "NSGA2.Configuration.populationSize", expected: "at least 2", actual: "\(populationSize)")
      }
      guard maximumDuplicateRetries >= 0 else {
        throw SearchError.invalidParameter(
          name: "NSGA2.Configuration.maximumDuplicateRetries", expected: "at least 0",
          actual: "\(maximumDuplicateRetries)")
      }
      try crossover.validate()
      try mutation.validate()
      if let hypervolume, hypervolume.objectiveCount != objectiveCount {
        throw SearchError.invalidParameter(
          name: "NSGA2.Configuration.hypervolume", expected: "a reference point with \(objectiveCount) objectives",
          actual: "\(hypervolume.objectiveCount) objectives")
      }
    }
  }
}
