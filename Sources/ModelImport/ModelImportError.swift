/// Why a model file could not be imported. Every error says where: the byte offset in the file for a file that is
/// not what it claims to be, the node (and its op type) for a graph the engine cannot run.
public struct ModelImportError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The class of problem.
  public enum Kind: String, Hashable, Sendable {
    /// The bytes do not decode: truncated file, offset out of bounds, wrong magic, bad wire type.
    case malformed
    /// The file decodes but uses an operator, data type or attribute the importer does not support.
    case unsupported
    /// The graph is well formed but does not map onto the engine's IR (wrong shapes, dangling tensors).
    case invalidGraph
  }

  /// The class of problem.
  public var kind: Kind
  /// What is wrong, and what was expected.
  public var message: String
  /// Byte offset in the file where the problem was found (malformed files).
  public var byteOffset: Int?
  /// The source node (TFLite operator or ONNX node, by name and index) the problem concerns.
  public var node: String?

  /// Creates an error.
  public init(_ kind: Kind, _ message: String, byteOffset: Int? = nil, node: String? = nil) {
    self.kind = kind
    self.message = message
    self.byteOffset = byteOffset
    self.node = node
  }

  /// A malformed-file error at `offset`.
  static func malformed(_ message: String, at offset: Int) -> ModelImportError {
    ModelImportError(.malformed, message, byteOffset: offset)
  }

  /// `malformed at byte 1234: message`, `unsupported, node 'x': message`, ...
  public var description: String {
    var where_: [String] = []
    if let byteOffset { where_.append("at byte \(byteOffset)") }
    if let node { where_.append("node \(node)") }
    return "\(kind.rawValue)\(where_.isEmpty ? "" : " " + where_.joined(separator: ", ")): \(message)"
  }
}
