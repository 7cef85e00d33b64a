/// A problem with a network's structure, shapes or parameters. Every case names the node it concerns.
public struct NetworkError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The node the problem concerns (empty when it concerns the whole network).
  public var node: String
  /// What is wrong and what was expected.
  public var message: String

  /// Creates an error about `node`.
  public init(node: String, _ message: String) {
    self.node = node
    self.message = message
  }

  /// `node 'conv1': message`, or the bare message for whole-network problems.
  public var description: String { node.isEmpty ? message : "node '\(node)': \(message)" }
}
