/// Every genome of a (small) search space, in ask/tell style: the exact front of the space, against which a
/// heuristic search can be measured.
///
/// Genomes come in lexicographic order of their value indices (the first gene slowest, the last fastest), in
/// batches of ``batchSize``; genome `n` is the mixed-radix number `n` over the genes' value counts. Every told
/// candidate enters an external ``ParetoArchive``, so after the last batch ``result`` holds the space's exact
/// non-dominated set (under the archive's constraint handling). No randomness; the state is `Codable`, and a
/// decoded state continues where the original stopped.
public struct ExhaustiveEnumeration: SearchAlgorithm, Hashable, Sendable, Codable {
  /// The genes and their allowed values.
  public let searchSpace: SearchSpace
  /// The number of objectives of every evaluation.
  public let objectiveCount: Int
  /// Genomes per batch (>= 1).
  public let batchSize: Int
  /// The hypervolume setting of the history, if any.
  public let hypervolumeIndicator: HypervolumeIndicator?
  /// The number of genomes in the space.
  public let genomeCount: Int
  /// The index of the next genome to hand out.
  public private(set) var nextIndex: Int
  /// Evaluations told so far.
  public private(set) var evaluationCount: Int
  /// Batches told so far.
  public private(set) var generation: Int
  /// Every non-dominated candidate told so far.
  public private(set) var archive: ParetoArchive
  /// The archive's hypervolume after each batch (empty without an indicator).
  public private(set) var hypervolumeHistory: [Double]
  /// The batch handed out by `ask` and not yet told.
  private var pendingGenomes: [[Int]]?

  /// The largest space enumerated: 2^24 genomes.
  public static let maximumGenomeCount = 1 << 24

  /// Prepares the enumeration of `searchSpace`.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` when the space has more than
  ///   ``maximumGenomeCount`` genomes, or for an invalid objective count or batch size.
  public init(searchSpace: SearchSpace, objectiveCount: Int, batchSize: Int = 64,
              constraintHandling: ConstraintHandling = .feasibilityFirst,
              hypervolumeIndicator: HypervolumeIndicator? = nil) throws {
    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(name: "objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    guard batchSize >= 1 else {
      throw SearchError.invalidParameter(name: "batchSize", expected: "at least 1", actual: "\(batchSize)")
    }
    guard let count = searchSpace.genomeCount, count <= Self.maximumGenomeCount else {
      throw SearchError.invalidParameter(
        name: "searchSpace", expected: "at most \(Self.maximumGenomeCount) genomes to enumerate",
        actual: searchSpace.genomeCount.map { "\($0) genomes" } ?? "more than \(Int.max) genomes")
    }
    self.searchSpace = searchSpace
    self.objectiveCount = objectiveCount
    self.batchSize = batchSize
    self.hypervolumeIndicator = hypervolumeIndicator
    self.genomeCount = count
    self.nextIndex = 0
    self.evaluationCount = 0
    self.generation = 0
    self.archive = try ParetoArchive(objectiveCount: objectiveCount, constraintHandling: constraintHandling)
    self.hypervolumeHistory = []
  }

  /// Genome number `index` (0..<genomeCount): the mixed-radix digits of `index`, the last gene the least
  /// significant, each digit an index into its gene's values.
  public func genome(at index: Int) -> [Int] {
    var rest = index
    var genome = Array(repeating: 0, count: searchSpace.geneCount)
    for gene in stride(from: searchSpace.geneCount - 1, through: 0, by: -1) {
      let domain = searchSpace.genes[gene]
      genome[gene] = domain.values[rest % domain.count]
      rest /= domain.count
    }
    return genome
  }

  /// Whether every genome has been told.
  public var isComplete: Bool { nextIndex == genomeCount && pendingGenomes == nil }

  /// The next genomes in order, at most `min(maximumCount, batchSize)`; the outstanding batch again if one is
  /// pending; empty once every genome has been handed out.
  public mutating func ask(maximumCount: Int) -> [[Int]] {
    if let pendingGenomes { return pendingGenomes }
    let count = min(max(0, maximumCount), batchSize, genomeCount - nextIndex)
    guard count > 0 else { return [] }
    let genomes = (nextIndex..<(nextIndex + count)).map(genome(at:))
    pendingGenomes = genomes
    return genomes
  }

  /// Takes the evaluations of the outstanding batch and moves past it.
  public mutating func tell(_ evaluations: [Evaluation]) throws {
    guard let genomes = pendingGenomes else { throw SearchError.noPendingBatch }
    let told = try Candidate.batch(genomes: genomes, evaluations: evaluations, objectiveCount: objectiveCount)
    pendingGenomes = nil
    nextIndex += told.count
    evaluationCount += told.count
    generation += 1
    // Validated above, so insertion cannot throw; `try?` keeps the state consistent regardless.
    for candidate in told { _ = try? archive.insert(candidate) }
    if let indicator = hypervolumeIndicator { hypervolumeHistory.append(indicator.uncheckedValue(of: archive)) }
  }

  /// The archive so far (the exact front once ``isComplete``).
  public var result: SearchResult {
    SearchResult(archive: archive, evaluations: evaluationCount, generations: generation,
                 hypervolumeHistory: hypervolumeHistory,
                 hypervolume: hypervolumeIndicator.map { $0.uncheckedValue(of: archive) })
  }
}
