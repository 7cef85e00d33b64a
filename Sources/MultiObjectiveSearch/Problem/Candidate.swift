/// An evaluated genome: the genome's gene values and its ``Evaluation``.
public struct Candidate: Hashable, Sendable, Codable {
  /// One allowed value per gene, in gene order.
  public var genome: [Int]
  /// The problem's evaluation of ``genome``.
  public var evaluation: Evaluation

  /// Creates a candidate from a genome and its evaluation.
  public init(genome: [Int], evaluation: Evaluation) {
    self.genome = genome
    self.evaluation = evaluation
  }

  /// Shorthand for `evaluation.objectives`.
  public var objectives: [Double] { evaluation.objectives }
  /// Shorthand for `evaluation.constraintViolation`.
  public var constraintViolation: Double { evaluation.constraintViolation }
}
