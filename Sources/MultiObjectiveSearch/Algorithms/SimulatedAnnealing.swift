import SeededRandom
import PlatformSupport

/// Simulated annealing over integer genes, minimizing one objective with the constraint handled as
/// feasibility first, in ask/tell style.
///
/// - Neighbourhood: move one gene one step along its domain. The moves of a genome are all
///   (gene, up/down) pairs that stay in the domain; a step draws ``Configuration/neighboursPerStep``
///   distinct moves uniformly and the best resulting neighbour is the proposal.
/// - Comparison ("better"): lower constraint violation always wins; at equal violation (in
///   particular among feasible points), the lower chosen objective wins.
/// - Acceptance: a proposal with lower violation is accepted; one with higher violation is
///   rejected; at equal violation a change Δ ≤ 0 is accepted and Δ > 0 with probability
///   `exp(−Δ / T)` (Metropolis, Δ scaled per ``TemperatureScale``).
/// - Schedule: geometric cooling and restarts, see ``Configuration``.
///
/// Every evaluated point also enters a ``ParetoArchive`` over all objectives, so the front found
/// on the way is available in ``result``. The state, including the random generator, is `Codable`.
public struct SimulatedAnnealing: SearchAlgorithm, Hashable, Sendable, Codable {
  /// The settings.
  public let configuration: Configuration
  /// The genes and their allowed values.
  public let searchSpace: SearchSpace
  /// The number of objectives of every evaluation.
  public let objectiveCount: Int
  /// The point the walk is at (`nil` before the start genome is told, and after a random restart).
  public private(set) var current: Candidate?
  /// The best candidate so far (lowest violation, then lowest chosen objective; earliest on ties).
  public private(set) var best: Candidate?
  /// The current temperature.
  public private(set) var temperature: Double
  /// Steps taken at the current temperature, in `0..<stepsPerTemperature`.
  public private(set) var stepsAtTemperature: Int
  /// Completed temperature levels (the "generations" of annealing).
  public private(set) var generation: Int
  /// Restarts performed.
  public private(set) var restarts: Int
  /// Evaluations told so far.
  public private(set) var evaluationCount: Int
  /// Every non-dominated point evaluated so far (all objectives).
  public private(set) var archive: ParetoArchive
  /// The archive's hypervolume after each temperature level.
  public private(set) var hypervolumeHistory: [Double]

  private var generator: Xoshiro256StarStar
  private var initialGenome: [Int]?
  private var initialCandidate: Candidate?
  private var pendingGenomes: [[Int]]?
  /// Whether the outstanding batch is a start point (initial or random restart) rather than neighbours.
  private var pendingIsStart: Bool

  /// Creates the algorithm.
  ///
  /// - Parameters:
  ///   - configuration: the settings (validated here).
  ///   - searchSpace: the genes and their allowed values.
  ///   - objectiveCount: the number of objectives (≥ 1).
  ///   - initialGenome: where the walk starts; `nil` draws a uniformly random genome.
  /// - Throws: ``SearchError`` for an invalid configuration or initial genome.
  public init(
    configuration: Configuration, searchSpace: SearchSpace, objectiveCount: Int, initialGenome: [Int]? = nil
  ) throws {
    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(name: "objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    try configuration.validate(objectiveCount: objectiveCount)
    if let initialGenome { try searchSpace.validate(initialGenome) }
    self.configuration = configuration
    self.searchSpace = searchSpace
    self.objectiveCount = objectiveCount
    self.initialGenome = initialGenome
    self.temperature = configuration.initialTemperature
    self.stepsAtTemperature = 0
    self.generation = 0
    self.restarts = 0
    self.evaluationCount = 0
    self.archive = try ParetoArchive(
      objectiveCount: objectiveCount, constraintHandling: configuration.archiveConstraintHandling)
    self.hypervolumeHistory = []
    self.generator = Xoshiro256StarStar(seed: configuration.seed)
    self.pendingIsStart = false
  }

  /// The hypervolume setting of the configuration.
  public var hypervolumeIndicator: HypervolumeIndicator? { configuration.hypervolume }

  /// The result so far, with ``SearchResult/best`` set to the best candidate.
  public var result: SearchResult {
    SearchResult(
      archive: archive, evaluations: evaluationCount, generations: generation,
      hypervolumeHistory: hypervolumeHistory,
      hypervolume: configuration.hypervolume?.uncheckedValue(of: archive), best: best)
  }

  /// The next batch: the start genome (one), or up to `neighboursPerStep` distinct neighbours of
  /// the current point (at most `maximumCount`).
  ///
  /// Returns the outstanding batch again if called twice without ``tell(_:)``, and an empty batch
  /// if the current point has no neighbour (every domain holds a single value).
  public mutating func ask(maximumCount: Int) -> [[Int]] {
    if let pendingGenomes { return pendingGenomes }
    guard maximumCount > 0 else { return [] }
    guard let current else {
      let start = evaluationCount == 0 ? initialGenome : nil
      let genome = start ?? searchSpace.randomGenome(using: &generator)
      pendingGenomes = [genome]
      pendingIsStart = true
      return [genome]
    }
    var moves: [(gene: Int, steps: Int)] = []
    for (gene, value) in current.genome.enumerated() {
      guard let position = searchSpace.genes[gene].index(of: value) else { continue }
      if position > 0 { moves.append((gene, -1)) }
      if position < searchSpace.genes[gene].count - 1 { moves.append((gene, 1)) }
    }
    let count = min(configuration.neighboursPerStep, moves.count, maximumCount)
    guard count > 0 else { return [] }
    var batch: [[Int]] = []
    for slot in 0..<count {
      // Partial Fisher–Yates: moves[slot] becomes a uniform pick among the moves not yet used.
      moves.swapAt(slot, Int.random(in: slot..<moves.count, using: &generator))
      var neighbour = current.genome
      let move = moves[slot]
      neighbour[move.gene] =
        searchSpace.genes[move.gene].value(movedFrom: neighbour[move.gene], by: move.steps) ?? neighbour[move.gene]
      batch.append(neighbour)
    }
    pendingGenomes = batch
    pendingIsStart = false
    return batch
  }

  /// Takes the evaluations of the outstanding batch: updates the archive and the best point, then
  /// (for neighbours) applies the acceptance rule and advances the schedule.
  ///
  /// - Throws: ``SearchError/noPendingBatch``, ``SearchError/evaluationCountMismatch(expected:actual:)``
  ///   or ``SearchError/invalidEvaluation(index:reason:)``; the state is unchanged when it throws.
  public mutating func tell(_ evaluations: [Evaluation]) throws {
    guard let genomes = pendingGenomes else { throw SearchError.noPendingBatch }
    let told = try Candidate.batch(genomes: genomes, evaluations: evaluations, objectiveCount: objectiveCount)
    pendingGenomes = nil
    evaluationCount += told.count
    for candidate in told {
      _ = try? archive.insert(candidate)  // validated above: cannot throw
      if best.map({ isBetter(candidate, than: $0) }) ?? true { best = candidate }
    }
    if pendingIsStart {
      current = told[0]
      if initialCandidate == nil { initialCandidate = told[0] }
      return
    }
    guard let current else { return }
    var proposal = told[0]
    for candidate in told.dropFirst() where isBetter(candidate, than: proposal) { proposal = candidate }
    if accepts(proposal, over: current) { self.current = proposal }
    advanceSchedule()
  }

  /// Lower violation first; at equal violation, lower chosen objective.
  private func isBetter(_ a: Candidate, than b: Candidate) -> Bool {
    if a.constraintViolation != b.constraintViolation { return a.constraintViolation < b.constraintViolation }
    return a.objectives[configuration.objectiveIndex] < b.objectives[configuration.objectiveIndex]
  }

  /// Feasibility first, then Metropolis on the chosen objective. Draws a random number only when
  /// the proposal is worse at equal violation.
  private mutating func accepts(_ proposal: Candidate, over current: Candidate) -> Bool {
    if proposal.constraintViolation != current.constraintViolation {
      return proposal.constraintViolation < current.constraintViolation
    }
    let index = configuration.objectiveIndex
    var delta = proposal.objectives[index] - current.objectives[index]
    if configuration.temperatureScale == .relative {
      delta /= max(abs(current.objectives[index]), Double.leastNormalMagnitude)
    }
    guard delta > 0 else { return true }
    return generator.nextUnitInterval() < LibM.exp(-delta / temperature)
  }

  /// Counts the step; at the end of a level cools, records hypervolume and restarts if too cold.
  private mutating func advanceSchedule() {
    stepsAtTemperature += 1
    guard stepsAtTemperature >= configuration.stepsPerTemperature else { return }
    stepsAtTemperature = 0
    temperature *= configuration.coolingFactor
    generation += 1
    if let indicator = configuration.hypervolume {
      hypervolumeHistory.append(indicator.uncheckedValue(of: archive))
    }
    guard temperature < configuration.minimumTemperature else { return }
    temperature = configuration.initialTemperature
    restarts += 1
    switch configuration.restartPoint {
    case .best: current = best
    case .initial: current = initialCandidate ?? best
    case .random: current = nil
    }
  }

  private enum CodingKeys: String, CodingKey {
    case configuration, searchSpace, objectiveCount, current, best, temperature, stepsAtTemperature
    case generation, restarts, evaluationCount, archive, hypervolumeHistory, generator, initialGenome
    case initialCandidate, pendingGenomes, pendingIsStart
  }

  /// Decodes a saved state and validates it.
  ///
  /// - Throws: `DecodingError`, or ``SearchError`` when the decoded values are inconsistent.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    configuration = try container.decode(Configuration.self, forKey: .configuration)
    searchSpace = try container.decode(SearchSpace.self, forKey: .searchSpace)
    objectiveCount = try container.decode(Int.self, forKey: .objectiveCount)
    current = try container.decodeIfPresent(Candidate.self, forKey: .current)
    best = try container.decodeIfPresent(Candidate.self, forKey: .best)
    temperature = try container.decode(Double.self, forKey: .temperature)
    stepsAtTemperature = try container.decode(Int.self, forKey: .stepsAtTemperature)
    generation = try container.decode(Int.self, forKey: .generation)
    restarts = try container.decode(Int.self, forKey: .restarts)
    evaluationCount = try container.decode(Int.self, forKey: .evaluationCount)
    archive = try container.decode(ParetoArchive.self, forKey: .archive)
    hypervolumeHistory = try container.decode([Double].self, forKey: .hypervolumeHistory)
    generator = try container.decode(Xoshiro256StarStar.self, forKey: .generator)
    initialGenome = try container.decodeIfPresent([Int].self, forKey: .initialGenome)
    initialCandidate = try container.decodeIfPresent(Candidate.self, forKey: .initialCandidate)
    pendingGenomes = try container.decodeIfPresent([[Int]].self, forKey: .pendingGenomes)
    pendingIsStart = try container.decode(Bool.self, forKey: .pendingIsStart)

    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(name: "objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    try configuration.validate(objectiveCount: objectiveCount)
    guard archive.objectiveCount == objectiveCount,
      archive.constraintHandling == configuration.archiveConstraintHandling
    else {
      throw SearchError.invariantViolated("the archive's settings differ from the configuration's")
    }
    guard temperature.isFinite, temperature > 0, stepsAtTemperature >= 0, generation >= 0, restarts >= 0,
      evaluationCount >= 0
    else {
      throw SearchError.invariantViolated("a negative counter or a non-positive temperature")
    }
    for (index, candidate) in [current, best, initialCandidate].enumerated() {
      guard let candidate else { continue }
      try searchSpace.validate(candidate.genome)
      try candidate.evaluation.validate(objectiveCount: objectiveCount, index: index)
    }
    for genome in (pendingGenomes ?? []) + (initialGenome.map { [$0] } ?? []) { try searchSpace.validate(genome) }
  }

  /// Encodes the full state, including the random generator.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(configuration, forKey: .configuration)
    try container.encode(searchSpace, forKey: .searchSpace)
    try container.encode(objectiveCount, forKey: .objectiveCount)
    try container.encodeIfPresent(current, forKey: .current)
    try container.encodeIfPresent(best, forKey: .best)
    try container.encode(temperature, forKey: .temperature)
    try container.encode(stepsAtTemperature, forKey: .stepsAtTemperature)
    try container.encode(generation, forKey: .generation)
    try container.encode(restarts, forKey: .restarts)
    try container.encode(evaluationCount, forKey: .evaluationCount)
    try container.encode(archive, forKey: .archive)
    try container.encode(hypervolumeHistory, forKey: .hypervolumeHistory)
    try container.encode(generator, forKey: .generator)
    try container.encodeIfPresent(initialGenome, forKey: .initialGenome)
    try container.encodeIfPresent(initialCandidate, forKey: .initialCandidate)
    try container.encodeIfPresent(pendingGenomes, forKey: .pendingGenomes)
    try container.encode(pendingIsStart, forKey: .pendingIsStart)
  }
}
