/// Errors thrown by the multi-objective search module.
///
/// Every case names the offending field or index and states what was expected, so that a caller
/// (typically the command-line tool) can print the message unchanged.
public enum SearchError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A configuration or argument value is outside its allowed range.
  case invalidParameter(name: String, expected: String, actual: String)
  /// A genome has the wrong number of genes.
  case genomeLengthMismatch(expected: Int, actual: Int)
  /// A gene value is not one of the values allowed by that gene's domain.
  case geneValueNotAllowed(gene: Int, value: Int, allowed: String)
  /// An objective vector has the wrong number of objectives.
  case objectiveCountMismatch(expected: Int, actual: Int)
  /// A batch of evaluations does not have one evaluation per asked genome.
  case evaluationCountMismatch(expected: Int, actual: Int)
  /// An evaluation holds a non-finite objective or an invalid constraint violation.
  case invalidEvaluation(index: Int, reason: String)
  /// `tell` was called while no batch was outstanding (call `ask` first).
  case noPendingBatch
  /// A decoded or constructed state breaks one of its invariants.
  case invariantViolated(String)

  /// A one-line, human-readable message naming the field and what was expected.
  public var description: String {
    switch self {
    case .invalidParameter(let name, let expected, let actual):
      return "invalid \(name): expected \(expected), got \(actual)"
    case .genomeLengthMismatch(let expected, let actual):
      return "genome has \(actual) genes, expected \(expected)"
    case .geneValueNotAllowed(let gene, let value, let allowed):
      return "gene \(gene) has value \(value), expected one of \(allowed)"
    case .objectiveCountMismatch(let expected, let actual):
      return "objective vector has \(actual) objectives, expected \(expected)"
    case .evaluationCountMismatch(let expected, let actual):
      return "received \(actual) evaluations, expected \(expected) (one per asked genome, in order)"
    case .invalidEvaluation(let index, let reason):
      return "evaluation \(index) is invalid: \(reason)"
    case .noPendingBatch:
      return "no batch is waiting for evaluations: call ask() before tell(_:)"
    case .invariantViolated(let message):
      return "invariant violated: \(message)"
    }
  }
}
