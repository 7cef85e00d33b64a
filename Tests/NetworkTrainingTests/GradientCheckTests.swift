import Testing
@testable import NetworkTraining
import NetworkEngine
import SeededRandom

/// Finite-difference checks of every backward pass: each test builds a tiny network around the operation under test,
/// computes the analytic gradient of the mean cross-entropy of a batch of 4 with respect to every parameter and the
/// input, and compares it with central differences of the Float forward pass.
///
/// Tolerance: the loss is a Float computation (relative rounding ~1e-7 on values ~1, summed over a handful of
/// samples), so a central difference with step h = 1e-3 carries a rounding error of a few 1e-4 and a truncation
/// error of O(h^2); an element passes when |analytic - numeric| <= 2e-3 + 3e-2 * max(|analytic|, |numeric|). A
/// wrong backward (missing term, wrong index, transposition) is off by far more than that. The step is small
/// because ReLU and max-pool kinks inside +-h make the difference quotient meaningless (with h = 1e-2 a few
/// elements of the ReLU networks here cross a kink; with 1e-3 none do).
struct GradientCheckTests {
  struct Mismatch: CustomStringConvertible {
    var what: String
    var analytic: Double
    var numeric: Double
    var description: String { "\(what): analytic \(analytic), numeric \(numeric)" }
  }

  /// Checks up to `perTensor` elements (evenly spread) of every parameter tensor and of the input.
  static func check(_ network: Network, batch: Int = 4, labelSmoothing: Float = 0, perTensor: Int = 24,
                    step h: Float = 1e-3, seed: UInt64 = 1) throws -> (checked: Int, mismatches: [Mismatch]) {
    var generator = Xoshiro256StarStar(seed: seed)
    let inputCount = network.inputShape.elementCount
    var inputs = TestSupport.uniform(batch * inputCount, using: &generator)
    let classes = network.outputShape.channels
    let labels = (0..<batch).map { _ in RandomDraws.uniform(below: classes, using: &generator) }
    let program = try TrainingProgram(network: network, capacity: (batch + 1) / 2, inputGradient: true)
    program.updateRunningStatistics = false
    program.labelSmoothing = labelSmoothing

    func loss(_ x: [Float]) throws -> Double {
      program.setBatch(source: try LabeledImages(shape: network.inputShape, preprocessed: x, labels: labels),
                       samples: Array(0..<batch))
      return program.runTraining(backward: false).lossSum / Double(batch)
    }

    program.setBatch(source: try LabeledImages(shape: network.inputShape, preprocessed: inputs, labels: labels),
                     samples: Array(0..<batch))
    program.runTraining(backward: true)
    var mismatches: [Mismatch] = []
    var checked = 0
    func compare(_ what: String, _ analytic: Float, _ numeric: Double) {
      checked += 1
      let a = Double(analytic)
      if abs(a - numeric) > 2e-3 + 3e-2 * max(abs(a), abs(numeric)) {
        mismatches.append(Mismatch(what: what, analytic: a, numeric: numeric))
      }
    }
    func picks(_ count: Int) -> [Int] {
      count <= perTensor ? Array(0..<count) : (0..<perTensor).map { $0 * count / perTensor }
    }

    // Parameters.
    for (k, slot) in program.slots.enumerated() where slot.trainable {
      let analytic = program.gradients[k].array
      for j in picks(slot.count) {
        let p = program.values[k].pointer
        let original = p[j]
        p[j] = original + h; program.refreshDerivedWeights()
        let plus = try loss(inputs)
        p[j] = original - h; program.refreshDerivedWeights()
        let minus = try loss(inputs)
        p[j] = original; program.refreshDerivedWeights()
        compare("\(network.nodes[slot.node].name).\(slot.role.rawValue)[\(j)]", analytic[j], (plus - minus) / (2 * Double(h)))
      }
    }
    // Input (images are split into the two shards in order).
    var inputGradient: [Float] = []
    for shard in program.shards where shard.count > 0 {
      inputGradient += Array(UnsafeBufferPointer(start: shard.gradients[0]!.pointer, count: shard.count * inputCount))
    }
    for j in picks(inputs.count) {
      let original = inputs[j]
      inputs[j] = original + h
      let plus = try loss(inputs)
      inputs[j] = original - h
      let minus = try loss(inputs)
      inputs[j] = original
      compare("input[\(j)]", inputGradient[j], (plus - minus) / (2 * Double(h)))
    }
    return (checked, mismatches)
  }

  static func expectGradientsMatch(_ network: Network, labelSmoothing: Float = 0, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (checked, mismatches) = try check(network, labelSmoothing: labelSmoothing)
    #expect(checked > 20, sourceLocation: sourceLocation)
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))", sourceLocation: sourceLocation)
  }

  /// input -> body -> (flatten) -> dense(3) -> softmax, randomized parameters.
  static func network(input: TensorShape, seed: UInt64 = 7,
                      _ body: (inout NetworkBuilder, inout Xoshiro256StarStar) throws -> Void) throws -> Network {
    var generator = Xoshiro256StarStar(seed: seed)
    var b = NetworkBuilder(input: input)
    try body(&b, &generator)
    if b.shape(of: b.last).height != 1 || b.shape(of: b.last).width != 1 { try b.add("flatten", .flatten) }
    try b.dense("head", outputs: 3, using: &generator)
    try b.add("softmax", .softmax)
    return try TestSupport.randomized(try b.build(), seed: seed &+ 1)
  }

  @Test func convolutionSamePaddingWithBias() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 5, width: 5, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
    })
  }

  @Test func convolutionStrideExplicitPaddingDilation() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 7, width: 6, channels: 3)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1,
                 dilationHeight: 1, dilationWidth: 2, padding: .explicit(top: 1, bottom: 0, left: 2, right: 1)), using: &g)
    })
  }

  @Test func convolutionValidPaddingWithoutBias() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 6, width: 6, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 5, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                 padding: .valid), bias: false, using: &g)
    })
  }

  @Test func convolutionChainWithInputGradientThroughSecondLayer() throws {
    // 16+ channels exercise the vectorized im2col and the direct GEMM output path of the first conv.
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 4, width: 4, channels: 2)) { b, g in
      try b.conv("conv1", Conv2DAttributes(outputChannels: 16, kernelHeight: 3, kernelWidth: 3), using: &g)
      try b.conv("conv2", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: .same), using: &g)
    })
  }

  /// Stride-1, undilated, ungrouped convolutions whose padding is at most kernel - 1 take the implicit-GEMM path
  /// (zero-padded copies, input channels padded to a multiple of 4, instead of im2col/col2im); check same, valid and
  /// asymmetric explicit padding, a non-square kernel, and 3 input channels (padded to 4).
  @Test(arguments: [Padding.same, .valid, .explicit(top: 0, bottom: 2, left: 1, right: 0)])
  func implicitGEMMConvolution(padding: Padding) throws {
    let net = try Self.network(input: TensorShape(height: 5, width: 6, channels: 3)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 5, kernelHeight: 3, kernelWidth: 2, padding: padding), using: &g)
      try b.conv("conv2", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
    }
    let program = try TrainingProgram(network: net, capacity: 2)
    var implicitLayers = 0
    for step in program.steps { if case .conv(let layer) = step, layer.implicit { implicitLayers += 1 } }
    #expect(implicitLayers == 2)
    try Self.expectGradientsMatch(net)
  }

  /// Padding beyond kernel - 1 (rows of pure padding) falls back to im2col/col2im.
  @Test func stride1ConvolutionWithLargePaddingUsesIm2col() throws {
    let net = try Self.network(input: TensorShape(height: 4, width: 4, channels: 4)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 2, kernelWidth: 2,
                 padding: .explicit(top: 2, bottom: 0, left: 0, right: 1)), using: &g)
    }
    let program = try TrainingProgram(network: net, capacity: 2)
    for step in program.steps { if case .conv(let layer) = step { #expect(!layer.implicit) } }
    try Self.expectGradientsMatch(net)
  }

  @Test func groupedConvolution() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 5, width: 5, channels: 4)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 6, kernelHeight: 3, kernelWidth: 3, groups: 2), using: &g)
    })
  }

  @Test func depthwiseConvolution() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 5, width: 5, channels: 3)) { b, g in
      try b.conv("dw", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                 groups: 3), using: &g)
    })
  }

  @Test func depthwiseConvolutionWithChannelMultiplier() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 4, width: 4, channels: 2)) { b, g in
      try b.conv("dw", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, groups: 2), using: &g)
    })
  }

  @Test func denseLayers() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 1, width: 1, channels: 7)) { b, g in
      try b.dense("fc1", outputs: 5, using: &g)
      try b.dense("fc2", outputs: 18, using: &g)
    })
  }

  @Test func batchNormAfterConvolutionInTrainingMode() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 4, width: 4, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
      b.batchNorm("bn", epsilon: 1e-3)
    })
  }

  @Test func batchNormAfterDense() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 1, width: 1, channels: 5)) { b, g in
      try b.dense("fc", outputs: 4, using: &g)
      b.batchNorm("bn", epsilon: 1e-3)
    })
  }

  @Test func reluAndRelu6() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 3, width: 3, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &g)
      try b.add("relu", .relu)
      try b.conv("conv2", Conv2DAttributes(outputChannels: 4, kernelHeight: 1, kernelWidth: 1), using: &g)
      try b.add("relu6", .relu6)
    })
  }

  @Test func relu6ClipsAboveSix() throws {
    // Biases put two ReLU6 inputs above 6 (gradient 0), two inside (0, 6) and two below 0, each at least 1 away
    // from a kink (|w| <= 0.5 and |x| <= 1 over 4 inputs move them by at most 2).
    let net = try Self.network(input: TensorShape(height: 1, width: 1, channels: 4)) { b, g in
      try b.dense("fc", outputs: 6, using: &g)
      try b.add("relu6", .relu6)
    }
    var nodes = net.nodes
    let fc = nodes.firstIndex { $0.name == "fc" }!
    let bias = nodes[fc].parameters.firstIndex { $0.role == .bias }!
    nodes[fc].parameters[bias].values = [10, 10, 3, 3, -4, 12]
    let clipped = try Network(nodes: nodes)
    let (checked, mismatches) = try Self.check(clipped)
    #expect(checked > 20)
    #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    // And the clipped units really pass no gradient: the fc weights of units 0, 1, 4, 5 get exactly 0.
    let program = try TrainingProgram(network: clipped, capacity: 2)
    var generator = Xoshiro256StarStar(seed: 3)
    program.setBatch(source: try LabeledImages(shape: clipped.inputShape, preprocessed: TestSupport.uniform(16, using: &generator),
                                               labels: [0, 1, 2, 0]), samples: [0, 1, 2, 3])
    program.runTraining(backward: true)
    let k = program.slots.firstIndex { clipped.nodes[$0.node].name == "fc" && $0.role == .weight }!
    let grad = program.gradients[k].array
    for unit in [0, 1, 4, 5] { #expect(grad[(unit * 4)..<(unit * 4 + 4)].allSatisfy { $0 == 0 }) }
    #expect(grad[8..<16].contains { $0 != 0 })
  }

  @Test func maxPoolOverlappingSamePadding() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 5, width: 5, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 2, kernelHeight: 1, kernelWidth: 1), using: &g)
      try b.add("pool", .maxPool(PoolAttributes(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padding: .same)))
    })
  }

  @Test func averagePoolingAndGlobalAveragePooling() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 5, width: 4, channels: 2)) { b, g in
      try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 1, kernelWidth: 1), using: &g)
      try b.add("avg", .avgPool(PoolAttributes(kernelHeight: 2, kernelWidth: 3, strideHeight: 1, strideWidth: 2, padding: .same)))
      try b.add("gap", .globalAvgPool)
    })
  }

  @Test func residualAddWithSharedInput() throws {
    // x feeds both the conv branch and the Add (its gradient is the sum of both paths), as in ResNet.
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 4, width: 4, channels: 3)) { b, g in
      let x = try b.conv("stem", Conv2DAttributes(outputChannels: 3, kernelHeight: 1, kernelWidth: 1), using: &g)
      try b.conv("branch", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
      let y = b.batchNorm("bn")
      try b.add("add", .add, inputs: [y, x])
      try b.add("relu", .relu)
      try b.add("twice", .add, inputs: ["relu", "relu"])
    })
  }

  @Test func softmaxCrossEntropyWithLabelSmoothing() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 1, width: 1, channels: 6)) { b, g in
      try b.dense("fc", outputs: 4, using: &g)
    }, labelSmoothing: 0.2)
  }

  @Test func resNetStyleBlockWithStridedProjection() throws {
    try Self.expectGradientsMatch(try Self.network(input: TensorShape(height: 6, width: 6, channels: 2)) { b, g in
      let x = try b.conv("stem", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &g)
      try b.conv("c1", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2), using: &g)
      b.batchNorm("bn1")
      try b.add("r1", .relu)
      try b.conv("c2", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3), using: &g)
      let main = b.batchNorm("bn2")
      let short = try b.conv("proj", Conv2DAttributes(outputChannels: 8, kernelHeight: 1, kernelWidth: 1, strideHeight: 2,
                             strideWidth: 2), input: x, using: &g)
      try b.add("add", .add, inputs: [main, short])
      try b.add("r2", .relu)
      try b.add("pool", .avgPool(PoolAttributes(kernelHeight: 3, kernelWidth: 3)))
    })
  }

  /// The checker itself must catch a wrong gradient: corrupt one analytic value and expect a mismatch.
  @Test func checkerDetectsAWrongGradient() throws {
    let net = try Self.network(input: TensorShape(height: 1, width: 1, channels: 3)) { b, g in
      try b.dense("fc", outputs: 4, using: &g)
    }
    var generator = Xoshiro256StarStar(seed: 1)
    let inputs = TestSupport.uniform(4 * 3, using: &generator)
    let program = try TrainingProgram(network: net, capacity: 2)
    program.setBatch(source: try LabeledImages(shape: net.inputShape, preprocessed: inputs, labels: [0, 1, 2, 0]),
                     samples: [0, 1, 2, 3])
    program.runTraining(backward: true)
    let k = program.slots.firstIndex { $0.role == .weight }!
    let analytic = program.gradients[k].pointer[0]
    let p = program.values[k].pointer
    let original = p[0]
    p[0] = original + 1e-2; program.refreshDerivedWeights()
    let plus = program.runTraining(backward: false).lossSum / 4
    p[0] = original - 1e-2; program.refreshDerivedWeights()
    let minus = program.runTraining(backward: false).lossSum / 4
    let numeric = (plus - minus) / 2e-2
    #expect(abs(analytic) > 0.02)
    #expect(abs(Double(analytic) - numeric) < 2e-3 + 3e-2 * abs(numeric))
    #expect(abs(Double(analytic) * 1.5 - numeric) > 2e-3 + 3e-2 * abs(numeric))
  }
}
