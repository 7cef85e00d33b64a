import SeededRandom

/// A problem over integer genes with minimized objectives and an optional constraint.
///
/// The algorithms never call ``evaluate(_:)`` themselves when used in ask/tell style; the driver
/// ``SearchAlgorithm/minimize(_:until:elapsedTime:)`` does. Evaluation is batched so that an
/// implementation may evaluate the genomes in parallel; it must return the evaluations in the
/// order of the genomes. A stochastic evaluator should derive its randomness per genome (for
/// example with ``SeedDerivation``) so the batch result does not depend on scheduling.
public protocol SearchProblem {
  /// The genes and their allowed values.
  var searchSpace: SearchSpace { get }
  /// The number of objectives every evaluation reports (at least 1).
  var objectiveCount: Int { get }
  /// Evaluates `genomes` and returns one evaluation per genome, in the same order.
  ///
  /// `mutating` so that a value-type problem may keep a memo of evaluated genomes.
  mutating func evaluate(_ genomes: [[Int]]) throws -> [Evaluation]
}
