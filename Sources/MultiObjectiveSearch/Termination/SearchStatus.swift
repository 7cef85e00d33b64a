/// The counters a ``Termination`` reads: what a search has used so far.
public struct SearchStatus: Hashable, Sendable {
  /// Evaluations used (genomes told to the algorithm).
  public var evaluations: Int
  /// Completed generations (NSGA-II: offspring generations after the initial population;
  /// simulated annealing: completed temperature levels).
  public var generations: Int
  /// Wall time used, as measured by the caller's clock.
  public var elapsed: Duration
  /// The hypervolume after each generation (empty if none is recorded).
  public var hypervolumeHistory: [Double]

  /// Creates a status.
  public init(evaluations: Int, generations: Int, elapsed: Duration, hypervolumeHistory: [Double]) {
    self.evaluations = evaluations
    self.generations = generations
    self.elapsed = elapsed
    self.hypervolumeHistory = hypervolumeHistory
  }
}
