/// Per-node work and size figures for one inference (precision-independent).
public struct LayerStatistics: Hashable, Sendable, Codable {
  /// Node name.
  public var name: String
  /// Operator name (`Conv2D`, `Dense`, ...).
  public var kind: String
  /// Output shape.
  public var outputShape: TensorShape
  /// Input shapes, in operand order.
  public var inputShapes: [TensorShape]
  /// Number of parameters (weights + bias, or the four BatchNorm vectors).
  public var parameterCount: Int
  /// Multiply-accumulates per inference (Conv2D and Dense only; 0 elsewhere).
  public var macs: Int
  /// Accumulation length of one output (kernel height x kernel width x input channels per group); 0 for
  /// unweighted nodes.
  public var fanIn: Int
}

extension Network {
  /// Work and size figures for every node, in topological order.
  public var layerStatistics: [LayerStatistics] {
    nodes.indices.map { i in
      let node = nodes[i]
      let ins = inputIndices[i].map { shapes[$0] }
      let params = node.parameters.reduce(0) { $0 + $1.values.count }
      var fanIn = 0
      switch node.operation {
      case .conv2D(let a): fanIn = a.kernelHeight * a.kernelWidth * (ins[0].channels / a.groups)
      case .dense: fanIn = ins[0].channels
      default: break
      }
      let macs = node.operation.isWeighted ? shapes[i].elementCount * fanIn : 0
      return LayerStatistics(name: node.name, kind: node.operation.kind, outputShape: shapes[i], inputShapes: ins,
                             parameterCount: params, macs: macs, fanIn: fanIn)
    }
  }

  /// Total multiply-accumulates per inference.
  public var totalMACs: Int { layerStatistics.reduce(0) { $0 + $1.macs } }
  /// Total parameter count.
  public var totalParameters: Int { nodes.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.values.count } } }
}
