import NetworkEngine
import SeededRandom

/// SplitMix64 (SeededRandom) for repeatable test data.
typealias TestRandom = SplitMix64

/// Random float input for a network.
func randomInput(_ network: Network, range: ClosedRange<Float> = -1...1, using g: inout TestRandom) -> [Float] {
  (0..<network.inputShape.elementCount).map { _ in Float.random(in: range, using: &g) }
}

/// A small ConvNet with random weights and biases: conv -> relu -> conv -> add -> relu -> global pool -> dense.
func smallNetwork(_ g: inout TestRandom, classes: Int = 5) throws -> Network {
  var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
  try b.conv("c1", Conv2DAttributes(outputChannels: 6, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
  let r1 = try b.add("r1", .relu)
  try b.conv("c2", Conv2DAttributes(outputChannels: 6, kernelHeight: 3, kernelWidth: 3), input: r1, using: &g)
  try b.add("sum", .add, inputs: [r1, "c2"])
  try b.add("r2", .relu)
  try b.add("gap", .globalAvgPool)
  try b.add("flat", .flatten)
  try b.dense("fc", outputs: classes, using: &g)
  var nodes = try b.build().nodes
  for i in nodes.indices {
    for j in nodes[i].parameters.indices where nodes[i].parameters[j].role == .bias {
      nodes[i].parameters[j].values = nodes[i].parameters[j].values.map { _ in Float.random(in: -0.3...0.3, using: &g) }
    }
  }
  return try Network(nodes: nodes)
}

/// Random per-layer precisions for `layers` layers.
func randomConfiguration(_ layers: Int, _ g: inout TestRandom) -> PrecisionConfiguration {
  PrecisionConfiguration(layers: (0..<layers).map { _ in
    LayerPrecision(weightBits: Int.random(in: 2...16, using: &g), activationBits: Int.random(in: 2...16, using: &g))
  })
}
