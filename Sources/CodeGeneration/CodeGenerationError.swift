/// Why a C library could not be generated. Every case has a one-sentence `description` naming the field or node.
public enum CodeGenerationError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The prefix is not a usable C identifier.
  case invalidPrefix(String, reason: String)
  /// No operating point was given.
  case noPoints
  /// Two points share an id.
  case duplicatePointID(String)
  /// A point's configuration does not fit the network.
  case invalidConfiguration(point: String, reason: String)
  /// The network has a node the C generator does not support.
  case unsupportedNode(node: String, reason: String)
  /// The preprocessing rule cannot be written as C constants.
  case invalidPreprocessing(String)

  /// One sentence saying what is wrong.
  public var description: String {
    switch self {
    case .invalidPrefix(let prefix, let reason):
      return "'\(prefix)' cannot be the prefix of the C library: \(reason)"
    case .noPoints:
      return "no operating point to export; give at least one"
    case .duplicatePointID(let id):
      return "the point '\(id)' is given twice"
    case .invalidConfiguration(let point, let reason):
      return "point '\(point)': \(reason)"
    case .unsupportedNode(let node, let reason):
      return "node '\(node)' cannot be exported to C: \(reason)"
    case .invalidPreprocessing(let reason):
      return "the model's input preprocessing cannot be exported: \(reason)"
    }
  }
}
