/// Builds networks layer by layer with randomly initialized parameters (He-uniform weights, zero biases,
/// identity BatchNorm statistics). Used by the reference architectures, tests and benchmarks.
///
/// Each method appends a node that reads the previous one (or the given inputs) and returns its name.
public struct NetworkBuilder {
  /// Nodes so far, in order.
  public private(set) var nodes: [Node] = []
  /// Output shape of every node so far, by position.
  private var shapes: [String: TensorShape] = [:]
  /// Name of the last node appended.
  public private(set) var last: String

  /// Starts a network with an `Input` node named `input`.
  public init(input shape: TensorShape) {
    nodes = [Node(name: "input", operation: .input(shape))]
    shapes["input"] = shape
    last = "input"
  }

  private mutating func append(_ node: Node, shape: TensorShape) -> String {
    nodes.append(node)
    shapes[node.name] = shape
    last = node.name
    return node.name
  }

  /// The shape of node `name` (as inferred when it was added).
  public func shape(of name: String) -> TensorShape { shapes[name]! }

  private static func heUniform(count: Int, fanIn: Int, using generator: inout some RandomNumberGenerator) -> [Float] {
    let limit = (6.0 / Double(max(fanIn, 1))).squareRoot()
    return (0..<count).map { _ in Float(Double.random(in: -limit...limit, using: &generator)) }
  }

  /// Appends a Conv2D (with bias) reading `input` (default: the last node).
  @discardableResult
  public mutating func conv(_ name: String, _ attributes: Conv2DAttributes, input: String? = nil, bias: Bool = true,
                            using generator: inout some RandomNumberGenerator) throws -> String {
    let source = input ?? last
    let x = shapes[source]!
    let node0 = Node(name: name, operation: .conv2D(attributes), inputs: [source])
    let out = try ShapeInference.outputShape(of: node0, inputShapes: [x])
    let cin = x.channels / attributes.groups
    let fanIn = attributes.kernelHeight * attributes.kernelWidth * cin
    var params = [ParameterTensor(role: .weight,
      shape: [attributes.outputChannels, attributes.kernelHeight, attributes.kernelWidth, cin],
      values: Self.heUniform(count: attributes.outputChannels * fanIn, fanIn: fanIn, using: &generator))]
    if bias {
      params.append(ParameterTensor(role: .bias, shape: [attributes.outputChannels],
                                    values: Array(repeating: 0, count: attributes.outputChannels)))
    }
    var node = node0
    node.parameters = params
    return append(node, shape: out)
  }

  /// Appends a Dense layer (with bias).
  @discardableResult
  public mutating func dense(_ name: String, outputs: Int, input: String? = nil,
                             using generator: inout some RandomNumberGenerator) throws -> String {
    let source = input ?? last
    let x = shapes[source]!
    let node0 = Node(name: name, operation: .dense(DenseAttributes(outputFeatures: outputs)), inputs: [source])
    let out = try ShapeInference.outputShape(of: node0, inputShapes: [x])
    var node = node0
    node.parameters = [
      ParameterTensor(role: .weight, shape: [outputs, x.channels],
                      values: Self.heUniform(count: outputs * x.channels, fanIn: x.channels, using: &generator)),
      ParameterTensor(role: .bias, shape: [outputs], values: Array(repeating: 0, count: outputs)),
    ]
    return append(node, shape: out)
  }

  /// Appends a BatchNorm with identity statistics (gamma 1, beta 0, mean 0, variance 1).
  @discardableResult
  public mutating func batchNorm(_ name: String, input: String? = nil, epsilon: Float = 1e-3) -> String {
    let source = input ?? last
    let c = shapes[source]!.channels
    let node = Node(name: name, operation: .batchNorm(epsilon: epsilon), inputs: [source], parameters: [
      ParameterTensor(role: .gamma, shape: [c], values: Array(repeating: 1, count: c)),
      ParameterTensor(role: .beta, shape: [c], values: Array(repeating: 0, count: c)),
      ParameterTensor(role: .mean, shape: [c], values: Array(repeating: 0, count: c)),
      ParameterTensor(role: .variance, shape: [c], values: Array(repeating: 1, count: c)),
    ])
    return append(node, shape: shapes[source]!)
  }

  /// Appends a parameterless node (ReLU, ReLU6, pooling, GlobalAvgPool, Flatten, Softmax, Add).
  @discardableResult
  public mutating func add(_ name: String, _ operation: Operation, inputs: [String]? = nil) throws -> String {
    let sources = inputs ?? [last]
    let node = Node(name: name, operation: operation, inputs: sources)
    let out = try ShapeInference.outputShape(of: node, inputShapes: sources.map { shapes[$0]! })
    return append(node, shape: out)
  }

  /// Validates and returns the network.
  public func build() throws -> Network { try Network(nodes: nodes) }
}

/// The reference ConvNet architectures of precsearch (randomly initialized; training sets the weights).
public enum ReferenceArchitectures {
  /// ResNet-8 as in MLPerf Tiny image classification: 32x32x3 input, a 16-filter stem, three residual stacks of
  /// 16/32/64 filters (stride 2 and a 1x1 projection shortcut from the second on), BatchNorm after every 3x3 conv,
  /// 8x8 average pooling, Dense, Softmax. About 78 k parameters and 12.5 M MACs.
  public static func resNet8(classes: Int = 10, using generator: inout some RandomNumberGenerator) throws -> Network {
    var b = NetworkBuilder(input: TensorShape(height: 32, width: 32, channels: 3))
    try b.conv("stem.conv", Conv2DAttributes(outputChannels: 16, kernelHeight: 3, kernelWidth: 3), using: &generator)
    b.batchNorm("stem.bn")
    var x = try b.add("stem.relu", .relu)
    for (stage, filters) in [16, 32, 64].enumerated() {
      let stride = stage == 0 ? 1 : 2
      let p = "stack\(stage + 1)"
      try b.conv("\(p).conv1", Conv2DAttributes(outputChannels: filters, kernelHeight: 3, kernelWidth: 3,
                 strideHeight: stride, strideWidth: stride), input: x, using: &generator)
      b.batchNorm("\(p).bn1")
      try b.add("\(p).relu1", .relu)
      try b.conv("\(p).conv2", Conv2DAttributes(outputChannels: filters, kernelHeight: 3, kernelWidth: 3), using: &generator)
      let main = b.batchNorm("\(p).bn2")
      var shortcut = x
      if stage > 0 {
        shortcut = try b.conv("\(p).shortcut", Conv2DAttributes(outputChannels: filters, kernelHeight: 1, kernelWidth: 1,
                              strideHeight: 2, strideWidth: 2), input: x, using: &generator)
      }
      try b.add("\(p).add", .add, inputs: [main, shortcut])
      x = try b.add("\(p).relu2", .relu)
    }
    try b.add("pool", .avgPool(PoolAttributes(kernelHeight: 8, kernelWidth: 8)))
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: classes, using: &generator)
    try b.add("softmax", .softmax)
    return try b.build()
  }

  /// A small LeNet-style ConvNet for 28x28x1 images: conv 3x3x16 (same) + BN + ReLU, 2x2 max pool,
  /// conv 3x3x32 (valid) + BN + ReLU, 2x2 max pool, Dense 64 + ReLU, Dense `classes`, Softmax.
  /// About 0.85 M MACs per image.
  public static func leNet(classes: Int = 10, using generator: inout some RandomNumberGenerator) throws -> Network {
    var b = NetworkBuilder(input: TensorShape(height: 28, width: 28, channels: 1))
    try b.conv("conv1", Conv2DAttributes(outputChannels: 16, kernelHeight: 3, kernelWidth: 3), using: &generator)
    b.batchNorm("bn1")
    try b.add("relu1", .relu)
    try b.add("pool1", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try b.conv("conv2", Conv2DAttributes(outputChannels: 32, kernelHeight: 3, kernelWidth: 3, padding: .valid), using: &generator)
    b.batchNorm("bn2")
    try b.add("relu2", .relu)
    try b.add("pool2", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try b.add("flatten", .flatten)
    try b.dense("fc1", outputs: 64, using: &generator)
    try b.add("relu3", .relu)
    try b.dense("fc2", outputs: classes, using: &generator)
    try b.add("softmax", .softmax)
    return try b.build()
  }
}
