import SeededRandom

/// NSGA-II (Deb et al., 2002) over integer genes, in ask/tell style.
///
/// Generation 0 is the initial population: seeded candidates (already evaluated), then seeded
/// genomes, then uniformly random genomes, without duplicates. Each later generation asks for
/// ``Configuration/populationSize`` offspring, each made by two crowded binary tournaments,
/// uniform crossover and step mutation, retried while it duplicates a population member or an
/// earlier offspring; it then keeps the best `populationSize` of parents ∪ offspring by rank and
/// crowding distance. Every evaluated candidate also enters an external ``ParetoArchive``, whose
/// hypervolume is recorded after every generation.
///
/// Determinism: offspring `i` of generation `g` is built only from its own stream
/// `SeedDerivation.generator(seed: seed, generation: g, index: i)` (initial random genome `i`
/// uses generation 0), so batches are reproducible and a shortened batch is a prefix of the full
/// one. The state has no other randomness; rank and crowding are recomputed from the population
/// after decoding, so a decoded state behaves exactly like the original.
public struct NSGA2: SearchAlgorithm, Hashable, Sendable, Codable {
  /// The settings.
  public let configuration: Configuration
  /// The genes and their allowed values.
  public let searchSpace: SearchSpace
  /// The number of objectives of every evaluation.
  public let objectiveCount: Int
  /// The current population, in survival order (at most `populationSize` candidates).
  public private(set) var population: [Candidate]
  /// Completed offspring generations (0 until the first offspring batch is told).
  public private(set) var generation: Int
  /// Evaluations told so far (pre-evaluated seeds excluded).
  public private(set) var evaluationCount: Int
  /// Every non-dominated candidate evaluated so far (including pre-evaluated seeds).
  public private(set) var archive: ParetoArchive
  /// The archive's hypervolume after each generation, starting with the initial population.
  public private(set) var hypervolumeHistory: [Double]

  /// Seeded genomes still to be evaluated in the initial population.
  private var seedGenomes: [[Int]]
  /// Whether the initial population has been told (offspring generations follow).
  private var isInitialized: Bool
  /// The batch handed out by `ask` and not yet told.
  private var pendingGenomes: [[Int]]?
  /// Rank of each population member (derived; not encoded).
  private var ranks: [Int] = []
  /// Crowding distance of each population member within its front (derived; not encoded).
  private var crowding: [Double] = []

  /// Creates the algorithm.
  ///
  /// - Parameters:
  ///   - configuration: the settings (validated here).
  ///   - searchSpace: the genes and their allowed values.
  ///   - objectiveCount: the number of objectives (≥ 1).
  ///   - initialCandidates: already evaluated candidates (for example results of simulated
  ///     annealing) placed in the initial population and the archive without being re-evaluated
  ///     or counted; duplicates by genome are dropped, and if there are more than `populationSize`
  ///     the best by rank and crowding are kept.
  ///   - initialGenomes: genomes (for example uniform configurations) to evaluate first; duplicates,
  ///     genomes of `initialCandidates` and those beyond the population size are dropped.
  /// - Throws: ``SearchError`` for an invalid configuration, genome or evaluation.
  public init(
    configuration: Configuration, searchSpace: SearchSpace, objectiveCount: Int,
    initialCandidates: [Candidate] = [], initialGenomes: [[Int]] = []
  ) throws {
    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(name: "objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    try configuration.validate(objectiveCount: objectiveCount)
    self.configuration = configuration
    self.searchSpace = searchSpace
    self.objectiveCount = objectiveCount
    self.generation = 0
    self.evaluationCount = 0
    self.archive = try ParetoArchive(
      objectiveCount: objectiveCount, constraintHandling: configuration.constraintHandling)
    self.hypervolumeHistory = []

    var seen = Set<[Int]>()
    var candidates: [Candidate] = []
    for (index, candidate) in initialCandidates.enumerated() {
      try searchSpace.validate(candidate.genome)
      try candidate.evaluation.validate(objectiveCount: objectiveCount, index: index)
      if seen.insert(candidate.genome).inserted { candidates.append(candidate) }
    }
    if candidates.count > configuration.populationSize {
      let survival = RankAndCrowdingSurvival(constraintHandling: configuration.constraintHandling)
      candidates = survival.select(candidates.map(\.evaluation), count: configuration.populationSize)
        .map { candidates[$0] }
    }
    try archive.insert(contentsOf: initialCandidates)
    self.population = candidates

    for genome in initialGenomes { try searchSpace.validate(genome) }
    var genomes: [[Int]] = []
    for genome in initialGenomes where candidates.count + genomes.count < configuration.populationSize {
      if seen.insert(genome).inserted { genomes.append(genome) }
    }
    self.seedGenomes = genomes
    self.isInitialized = false
    self.pendingGenomes = nil
    if candidates.count == configuration.populationSize {
      finishGeneration()  // the seeds fill the initial population: nothing to evaluate
    }
  }

  /// The hypervolume setting of the configuration.
  public var hypervolumeIndicator: HypervolumeIndicator? { configuration.hypervolume }

  /// The result so far: the archive, evaluations, generations and hypervolume history.
  public var result: SearchResult {
    SearchResult(
      archive: archive, evaluations: evaluationCount, generations: generation,
      hypervolumeHistory: hypervolumeHistory,
      hypervolume: configuration.hypervolume?.uncheckedValue(of: archive))
  }

  /// The next batch: the rest of the initial population first, then one generation of offspring.
  ///
  /// At most `maximumCount` genomes (a shortened batch is a prefix of the full one). Returns the
  /// outstanding batch again if called twice without ``tell(_:)``; returns an empty batch when no
  /// new genome can be produced.
  public mutating func ask(maximumCount: Int) -> [[Int]] {
    if let pendingGenomes { return pendingGenomes }
    let count = min(maximumCount, configuration.populationSize - (isInitialized ? 0 : population.count))
    guard count > 0 else { return [] }
    var batch = isInitialized ? offspring(count: count) : initialBatch(count: count)
    if batch.isEmpty && !isInitialized && !population.isEmpty {
      // Nothing new to add to the seeded candidates (tiny search space): start evolving them.
      finishGeneration()
      batch = offspring(count: min(maximumCount, configuration.populationSize))
    }
    if !batch.isEmpty { pendingGenomes = batch }
    return batch
  }

  /// Like ``ask(maximumCount:)``, but an offspring generation is chosen by `choose` from
  /// `candidatesPerOffspring` times as many candidates (pre-selection, for example by a surrogate:
  /// ``HypervolumePreselection``).
  ///
  /// The candidates are the offspring ``ask(maximumCount:)`` would build for a generation of
  /// `candidatesPerOffspring × count` (the same streams, so its first `count` are the ones it would
  /// ask); `choose(candidates, count)` returns the indices of the `count` to evaluate, in batch
  /// order. The initial population is asked as by ``ask(maximumCount:)``. With
  /// `candidatesPerOffspring` 1, or when there are no more candidates than `count`, `choose` is not
  /// called.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` when `candidatesPerOffspring`
  ///   is below 1 or `choose` returns other than `count` distinct indices of the candidates (the
  ///   state is then unchanged), or what `choose` throws.
  public mutating func ask(
    maximumCount: Int, candidatesPerOffspring: Int, choose: ([[Int]], Int) throws -> [Int]
  ) throws -> [[Int]] {
    guard candidatesPerOffspring >= 1 else {
      throw SearchError.invalidParameter(
        name: "candidatesPerOffspring", expected: "at least 1", actual: "\(candidatesPerOffspring)")
    }
    if let pendingGenomes { return pendingGenomes }
    guard isInitialized, candidatesPerOffspring > 1 else { return ask(maximumCount: maximumCount) }
    let count = min(maximumCount, configuration.populationSize)
    guard count > 0 else { return [] }
    let candidates = offspring(count: count * candidatesPerOffspring)
    var batch = candidates
    if candidates.count > count {
      let chosen = try choose(candidates, count)
      guard chosen.count == count, Set(chosen).count == count, chosen.allSatisfy(candidates.indices.contains) else {
        throw SearchError.invalidParameter(
          name: "pre-selection", expected: "\(count) distinct indices below \(candidates.count)",
          actual: "\(chosen)")
      }
      batch = chosen.map { candidates[$0] }
    }
    if !batch.isEmpty { pendingGenomes = batch }
    return batch
  }

  /// Takes the evaluations of the outstanding batch and completes the generation (survival,
  /// archive update, hypervolume record).
  ///
  /// - Throws: ``SearchError/noPendingBatch``, ``SearchError/evaluationCountMismatch(expected:actual:)``
  ///   or ``SearchError/invalidEvaluation(index:reason:)``; the state is unchanged when it throws.
  public mutating func tell(_ evaluations: [Evaluation]) throws {
    guard let genomes = pendingGenomes else { throw SearchError.noPendingBatch }
    let told = try Candidate.batch(genomes: genomes, evaluations: evaluations, objectiveCount: objectiveCount)
    pendingGenomes = nil
    evaluationCount += told.count
    // Validated above, so insertion cannot throw; `try?` keeps the state consistent regardless.
    for candidate in told { _ = try? archive.insert(candidate) }
    if isInitialized {
      let combined = population + told
      let survival = RankAndCrowdingSurvival(constraintHandling: configuration.constraintHandling)
      population = survival.select(combined.map(\.evaluation), count: configuration.populationSize)
        .map { combined[$0] }
      generation += 1
    } else {
      population += told
      seedGenomes = []
    }
    finishGeneration()
  }

  /// Marks the initial population complete (if needed), refreshes rank and crowding, records hypervolume.
  private mutating func finishGeneration() {
    isInitialized = true
    refreshRanking()
    if let indicator = configuration.hypervolume {
      hypervolumeHistory.append(indicator.uncheckedValue(of: archive))
    }
  }

  private mutating func refreshRanking() {
    let survival = RankAndCrowdingSurvival(constraintHandling: configuration.constraintHandling)
    (ranks, crowding) = survival.ranksAndCrowding(population.map(\.evaluation))
  }

  /// Seeded genomes, then random genomes from streams (seed, 0, slot), skipping duplicates.
  ///
  /// Slot `k` (counting the seeded genomes) draws up to `maximumDuplicateRetries + 1` genomes from
  /// its own stream; if all are duplicates the search space is nearly exhausted and filling stops.
  private func initialBatch(count: Int) -> [[Int]] {
    var seen = Set(population.map(\.genome))
    var batch = Array(seedGenomes.prefix(count))
    for genome in batch { seen.insert(genome) }
    while batch.count < count {
      var generator = SeedDerivation.generator(seed: configuration.seed, generation: 0, index: batch.count)
      var added = false
      for _ in 0...configuration.maximumDuplicateRetries {
        let genome = searchSpace.randomGenome(using: &generator)
        if seen.insert(genome).inserted {
          batch.append(genome)
          added = true
          break
        }
      }
      if !added { break }
    }
    return batch
  }

  /// `count` offspring for generation `generation + 1`, one stream per offspring index.
  private func offspring(count: Int) -> [[Int]] {
    guard !population.isEmpty else { return [] }
    let nextGeneration = generation + 1
    var seen = Set(population.map(\.genome))
    var batch: [[Int]] = []
    batch.reserveCapacity(count)
    for index in 0..<count {
      var generator = SeedDerivation.generator(seed: configuration.seed, generation: nextGeneration, index: index)
      for _ in 0...configuration.maximumDuplicateRetries {
        guard
          let first = configuration.selection.select(ranks: ranks, crowding: crowding, using: &generator),
          let second = configuration.selection.select(ranks: ranks, crowding: crowding, using: &generator)
        else { break }
        var child = configuration.crossover.child(
          of: population[first].genome, and: population[second].genome, using: &generator)
        configuration.mutation.mutate(&child, in: searchSpace, using: &generator)
        if seen.insert(child).inserted {
          batch.append(child)
          break
        }
      }
    }
    return batch
  }

  private enum CodingKeys: String, CodingKey {
    case configuration, searchSpace, objectiveCount, population, generation, evaluationCount, archive
    case hypervolumeHistory, seedGenomes, isInitialized, pendingGenomes
  }

  /// Decodes a saved state, validates it, and recomputes rank and crowding from the population.
  ///
  /// - Throws: `DecodingError`, or ``SearchError`` when the decoded values are inconsistent.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    configuration = try container.decode(Configuration.self, forKey: .configuration)
    searchSpace = try container.decode(SearchSpace.self, forKey: .searchSpace)
    objectiveCount = try container.decode(Int.self, forKey: .objectiveCount)
    population = try container.decode([Candidate].self, forKey: .population)
    generation = try container.decode(Int.self, forKey: .generation)
    evaluationCount = try container.decode(Int.self, forKey: .evaluationCount)
    archive = try container.decode(ParetoArchive.self, forKey: .archive)
    hypervolumeHistory = try container.decode([Double].self, forKey: .hypervolumeHistory)
    seedGenomes = try container.decode([[Int]].self, forKey: .seedGenomes)
    isInitialized = try container.decode(Bool.self, forKey: .isInitialized)
    pendingGenomes = try container.decodeIfPresent([[Int]].self, forKey: .pendingGenomes)

    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(name: "objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    try configuration.validate(objectiveCount: objectiveCount)
    guard archive.objectiveCount == objectiveCount,
      archive.constraintHandling == configuration.constraintHandling
    else {
      throw SearchError.invariantViolated("the archive's settings differ from the configuration's")
    }
    guard generation >= 0, evaluationCount >= 0, population.count <= configuration.populationSize else {
      throw SearchError.invariantViolated("negative counters or a population larger than populationSize")
    }
    for (index, candidate) in population.enumerated() {
      try searchSpace.validate(candidate.genome)
      try candidate.evaluation.validate(objectiveCount: objectiveCount, index: index)
    }
    for genome in seedGenomes + (pendingGenomes ?? []) { try searchSpace.validate(genome) }
    refreshRanking()
  }

  /// Encodes the full state (everything except the derived rank and crowding arrays).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(configuration, forKey: .configuration)
    try container.encode(searchSpace, forKey: .searchSpace)
    try container.encode(objectiveCount, forKey: .objectiveCount)
    try container.encode(population, forKey: .population)
    try container.encode(generation, forKey: .generation)
    try container.encode(evaluationCount, forKey: .evaluationCount)
    try container.encode(archive, forKey: .archive)
    try container.encode(hypervolumeHistory, forKey: .hypervolumeHistory)
    try container.encode(seedGenomes, forKey: .seedGenomes)
    try container.encode(isInitialized, forKey: .isInitialized)
    try container.encodeIfPresent(pendingGenomes, forKey: .pendingGenomes)
  }
}
