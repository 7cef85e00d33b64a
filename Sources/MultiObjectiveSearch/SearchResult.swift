/// What a search returns: the front found, the effort spent and the hypervolume history.
public struct SearchResult: Hashable, Sendable, Codable {
  /// Every non-dominated candidate evaluated by the search (its external archive).
  public var archive: ParetoArchive
  /// Evaluations used (genomes told to the algorithm; seeded, pre-evaluated candidates excluded).
  public var evaluations: Int
  /// Completed generations (see ``SearchStatus/generations``).
  public var generations: Int
  /// The archive's hypervolume after each generation (empty without a ``HypervolumeIndicator``).
  public var hypervolumeHistory: [Double]
  /// The archive's hypervolume now, or `nil` without a ``HypervolumeIndicator``.
  public var hypervolume: Double?
  /// The best single candidate of a single-objective search (simulated annealing: lowest violation,
  /// then lowest chosen objective); `nil` for NSGA-II.
  public var best: Candidate?

  /// Creates a result.
  public init(
    archive: ParetoArchive, evaluations: Int, generations: Int, hypervolumeHistory: [Double],
    hypervolume: Double?, best: Candidate? = nil
  ) {
    self.archive = archive
    self.evaluations = evaluations
    self.generations = generations
    self.hypervolumeHistory = hypervolumeHistory
    self.hypervolume = hypervolume
    self.best = best
  }

  /// The final front: the archive's members in archive order.
  public var front: [Candidate] { archive.members }
}
