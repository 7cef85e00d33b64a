/// A validated ConvNet: a DAG of nodes in topological order with inferred output shapes.
///
/// `init(nodes:)` checks everything once (names, arity, references, cycles, parameter shapes and finiteness,
/// shapes), so that every consumer (float reference, integer plans, energy counts) can run without re-checking.
public struct Network: Sendable {
  /// The largest element count of any tensor or parameter (2^28), far above any edge ConvNet, so that index
  /// arithmetic (and counts such as MACs, bounded by 2^28 * 2^28 < 2^63) can never overflow.
  public static let maximumElementCount = 1 << 28

  /// Nodes in a topological order (every node after the nodes it reads). The input node is first.
  public let nodes: [Node]
  /// Output shape of each node, parallel to `nodes`.
  public let shapes: [TensorShape]
  /// For each node, the indices of its input nodes (parallel to `nodes[i].inputs`).
  public let inputIndices: [[Int]]
  /// For each node, the indices of the nodes that read it, ascending.
  public let consumerIndices: [[Int]]
  /// Index of the single node with no consumers: the network output.
  public let outputIndex: Int

  /// Validates `nodes` (given in any order) and builds the network.
  ///
  /// Rejects: duplicate or empty names, not exactly one `Input`, unknown input references, wrong arity, cycles,
  /// more or fewer than one output, `Softmax` anywhere but the output, missing / extra / misshaped / non-finite
  /// parameters, negative variances, impossible shapes (kernel larger than the padded input, channels not
  /// divisible by groups, non-flat input to `Dense`, mismatched `Add` operands), and sizes above
  /// `maximumElementCount`. Every error names the node.
  public init(nodes unordered: [Node]) throws {
    var indexByName: [String: Int] = [:]
    for (i, node) in unordered.enumerated() {
      if node.name.isEmpty { throw NetworkError(node: "", "node #\(i) has an empty name") }
      if indexByName[node.name] != nil { throw NetworkError(node: node.name, "duplicate node name") }
      indexByName[node.name] = i
    }
    let inputNodes = unordered.filter { if case .input = $0.operation { return true } else { return false } }
    guard inputNodes.count == 1 else {
      throw NetworkError(node: "", "a network needs exactly one Input node, found \(inputNodes.count)")
    }
    // Resolve references and arity.
    var rawInputs: [[Int]] = []
    for node in unordered {
      guard node.inputs.count == node.operation.arity else {
        throw NetworkError(node: node.name,
          "\(node.operation.kind) takes \(node.operation.arity) input(s), got \(node.inputs.count)")
      }
      var resolved: [Int] = []
      for name in node.inputs {
        guard let j = indexByName[name] else {
          throw NetworkError(node: node.name, "input '\(name)' is not a node of this network")
        }
        resolved.append(j)
      }
      rawInputs.append(resolved)
    }
    // Kahn's algorithm; ties broken by file order, so the result is deterministic.
    var pending = rawInputs.map { Set($0).count }
    var readers = Array(repeating: [Int](), count: unordered.count)
    for (i, ins) in rawInputs.enumerated() { for j in Set(ins).sorted() { readers[j].append(i) } }
    var ready = (0..<unordered.count).filter { pending[$0] == 0 }
    var order: [Int] = []
    var cursor = 0
    while cursor < ready.count {
      let i = ready[cursor]; cursor += 1
      order.append(i)
      for r in readers[i] {
        pending[r] -= 1
        if pending[r] == 0 { ready.append(r) }
      }
    }
    if order.count != unordered.count {
      let stuck = (0..<unordered.count).first { pending[$0] > 0 }!
      throw NetworkError(node: unordered[stuck].name, "the graph has a cycle through this node")
    }
    // Put the input first; keep the rest in Kahn order (input has no inputs so it is among the first ready).
    let inputOld = indexByName[inputNodes[0].name]!
    order.removeAll { $0 == inputOld }
    order.insert(inputOld, at: 0)
    var newIndex = Array(repeating: 0, count: unordered.count)
    for (n, old) in order.enumerated() { newIndex[old] = n }
    let sorted = order.map { unordered[$0] }
    let inputIdx = order.map { rawInputs[$0].map { newIndex[$0] } }
    var consumers = Array(repeating: [Int](), count: sorted.count)
    for (i, ins) in inputIdx.enumerated() { for j in Set(ins).sorted() { consumers[j].append(i) } }
    let outputs = (0..<sorted.count).filter { consumers[$0].isEmpty }
    guard outputs.count == 1 else {
      let names = outputs.map { "'\(sorted[$0].name)'" }.joined(separator: ", ")
      throw NetworkError(node: "", "a network needs exactly one output (a node nobody reads), found \(outputs.count): \(names)")
    }
    // Shapes and parameters.
    var shapes: [TensorShape] = []
    for (i, node) in sorted.enumerated() {
      let ins = inputIdx[i].map { shapes[$0] }
      let shape = try ShapeInference.outputShape(of: node, inputShapes: ins)
      try ShapeInference.validateParameters(of: node, inputShapes: ins)
      if case .softmax = node.operation, !consumers[i].isEmpty {
        throw NetworkError(node: node.name, "Softmax is allowed only at the network output")
      }
      shapes.append(shape)
    }
    self.nodes = sorted
    self.shapes = shapes
    self.inputIndices = inputIdx
    self.consumerIndices = consumers
    self.outputIndex = outputs[0]
  }

  /// The input shape.
  public var inputShape: TensorShape { shapes[0] }
  /// The output shape (`1 x 1 x classes` for a classifier).
  public var outputShape: TensorShape { shapes[outputIndex] }
  /// Index of the node named `name`.
  public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }
  /// Indices of the weighted layers (Conv2D, Dense) in topological order: the layers a precision configuration
  /// assigns bits to.
  public var weightedLayerIndices: [Int] { nodes.indices.filter { nodes[$0].operation.isWeighted } }
  /// Names of the weighted layers, in the order of `weightedLayerIndices`.
  public var weightedLayerNames: [String] { weightedLayerIndices.map { nodes[$0].name } }
}
