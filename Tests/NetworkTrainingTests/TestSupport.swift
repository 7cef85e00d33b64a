@testable import NetworkTraining
import NetworkEngine
import PrecSearchTestSupport
import SeededRandom

/// Small seeded helpers shared by the tests.
enum TestSupport {
  /// Uniform Floats in `range`.
  static func uniform(_ count: Int, in range: ClosedRange<Float> = -1...1,
                      using generator: inout Xoshiro256StarStar) -> [Float] {
    (0..<count).map { _ in
      let unit = Float(generator.next() >> 40) / Float(1 << 24)
      return range.lowerBound + (range.upperBound - range.lowerBound) * unit
    }
  }

  /// Replaces every parameter with seeded random values (variances positive), so that BatchNorm and biases are
  /// not at their identity initialization.
  static func randomized(_ network: Network, seed: UInt64, scale: Float = 0.5) throws -> Network {
    var generator = Xoshiro256StarStar(seed: seed)
    var nodes = network.nodes
    for i in nodes.indices {
      for p in nodes[i].parameters.indices {
        let count = nodes[i].parameters[p].values.count
        switch nodes[i].parameters[p].role {
        case .weight: nodes[i].parameters[p].values = uniform(count, in: -scale...scale, using: &generator)
        case .bias, .beta, .mean: nodes[i].parameters[p].values = uniform(count, in: -0.3...0.3, using: &generator)
        case .gamma: nodes[i].parameters[p].values = uniform(count, in: 0.5...1.5, using: &generator)
        case .variance: nodes[i].parameters[p].values = uniform(count, in: 0.5...2, using: &generator)
        }
      }
    }
    return try Network(nodes: nodes)
  }

  /// Four classes of noisy 8x8 single-channel patterns: horizontal bar, vertical bar, diagonal, centre square,
  /// each at a random position; `count` samples, labels cycling 0, 1, 2, 3.
  static func patternImages(count: Int, seed: UInt64) throws -> LabeledImages {
    let (pixels, labels) = PatternImages.pixels(count: count, seed: seed)
    return try LabeledImages(shape: TensorShape(height: 8, width: 8, channels: 1), preprocessed: pixels, labels: labels)
  }

  /// conv 3x3x8 + BN + ReLU, 2x2 max pool, flatten, dense 4, softmax (8x8x1 input).
  static func tinyNetwork(seed: UInt64) throws -> Network {
    var generator = Xoshiro256StarStar(seed: seed)
    var b = NetworkBuilder(input: TensorShape(height: 8, width: 8, channels: 1))
    try b.conv("conv", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3), using: &generator)
    b.batchNorm("bn")
    try b.add("relu", .relu)
    try b.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: 4, using: &generator)
    try b.add("softmax", .softmax)
    return try b.build()
  }

  /// All parameter values of a network, concatenated in node order.
  static func flatParameters(_ network: Network) -> [Float] {
    network.nodes.flatMap { node in node.parameters.sorted { $0.role.rawValue < $1.role.rawValue }.flatMap(\.values) }
  }
}
