/// An optimizer driven in ask/tell style: `ask` for genomes, evaluate them anywhere (in parallel,
/// on another machine, from a memo), `tell` the evaluations back in the same order.
///
/// Conforming types are value types whose whole state (random streams included) is `Codable`, so
/// the state can be saved between a `tell` and the next `ask` and restored later; the restored
/// search continues exactly as an uninterrupted one would.
public protocol SearchAlgorithm: Sendable {
  /// The genes and their allowed values.
  var searchSpace: SearchSpace { get }
  /// The number of objectives of every evaluation.
  var objectiveCount: Int { get }
  /// Evaluations told so far.
  var evaluationCount: Int { get }
  /// Completed generations (see ``SearchStatus/generations``).
  var generation: Int { get }
  /// The hypervolume setting used for the history, if any.
  var hypervolumeIndicator: HypervolumeIndicator? { get }
  /// The archive's hypervolume after each generation (empty without an indicator).
  var hypervolumeHistory: [Double] { get }
  /// The result so far.
  var result: SearchResult { get }

  /// The next genomes to evaluate, at most `maximumCount` of them.
  ///
  /// Calling `ask` again before `tell` returns the same outstanding batch. An empty answer (with
  /// nothing outstanding) means the algorithm has nothing new to propose and the search is over.
  mutating func ask(maximumCount: Int) -> [[Int]]

  /// Takes the evaluations of the outstanding batch, in the order `ask` returned the genomes.
  ///
  /// - Throws: ``SearchError/noPendingBatch``, ``SearchError/evaluationCountMismatch(expected:actual:)``
  ///   or ``SearchError/invalidEvaluation(index:reason:)``; the state is unchanged when it throws.
  mutating func tell(_ evaluations: [Evaluation]) throws
}

extension SearchAlgorithm {
  /// The next batch, without a size limit.
  public mutating func ask() -> [[Int]] { ask(maximumCount: Int.max) }

  /// The counters ``Termination`` reads, with the caller's elapsed time.
  public func status(elapsed: Duration) -> SearchStatus {
    SearchStatus(
      evaluations: evaluationCount, generations: generation, elapsed: elapsed,
      hypervolumeHistory: hypervolumeHistory)
  }

  /// Runs ask → evaluate → tell until `termination` is met or the algorithm has nothing to propose.
  ///
  /// The last batch is shortened so that an evaluation limit is met exactly. The clock is read
  /// between batches, so a time limit can be overrun by at most one batch.
  ///
  /// - Parameters:
  ///   - problem: evaluates the batches; its search space and objective count must match.
  ///   - termination: when to stop (validated first).
  ///   - elapsedTime: wall time since the search started, read between batches; inject a fake
  ///     for deterministic tests.
  /// - Throws: validation errors, a stall criterion without a hypervolume indicator, or any error
  ///   of `problem.evaluate(_:)`, ``tell(_:)``.
  public mutating func minimize<Problem: SearchProblem>(
    _ problem: inout Problem, until termination: Termination, elapsedTime: () -> Duration
  ) throws -> SearchResult {
    try termination.validate()
    if termination.stall != nil && hypervolumeIndicator == nil {
      throw SearchError.invalidParameter(
        name: "Termination.stall", expected: "an algorithm configured with a HypervolumeIndicator",
        actual: "no indicator (the history would stay empty)")
    }
    guard problem.searchSpace == searchSpace else {
      throw SearchError.invalidParameter(
        name: "problem.searchSpace", expected: "the algorithm's search space", actual: "a different one")
    }
    guard problem.objectiveCount == objectiveCount else {
      throw SearchError.objectiveCountMismatch(expected: objectiveCount, actual: problem.objectiveCount)
    }
    while !termination.isSatisfied(by: status(elapsed: elapsedTime())) {
      let limit = termination.remainingEvaluations(after: evaluationCount) ?? Int.max
      let batch = ask(maximumCount: limit)
      if batch.isEmpty { break }
      try tell(problem.evaluate(batch))
    }
    return result
  }

  /// ``minimize(_:until:elapsedTime:)`` timed by the standard library's `ContinuousClock`.
  public mutating func minimize<Problem: SearchProblem>(
    _ problem: inout Problem, until termination: Termination
  ) throws -> SearchResult {
    let clock = ContinuousClock()
    let start = clock.now
    return try minimize(&problem, until: termination, elapsedTime: { clock.now - start })
  }
}
