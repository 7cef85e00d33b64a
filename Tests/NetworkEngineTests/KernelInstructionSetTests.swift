import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// Every instruction-set level of the C kernels (`KernelInstructionSet`) that this CPU supports runs the
/// bit-exactness checks of the optimized kernels, forced with `KernelInstructionSet.cap(at:)`; and the float
/// reference gives the same bits at every level (fused multiply-adds everywhere). The arguments are the levels this
/// CPU supports (`levelsToTest`), so the test output names each level that ran.
///
/// The cap is process-wide, so the suite is serialized and restores the cap after each test. Other suites running
/// meanwhile stay correct: every level computes the same bits.
@Suite(.serialized) struct KernelInstructionSetTests {
  static let levelsToTest = KernelInstructionSet.allCases.filter { $0 <= KernelInstructionSet.supported }

  /// Runs `body` with the kernels capped at `level`, then removes the cap.
  func withLevel(_ level: KernelInstructionSet, _ body: () throws -> Void) rethrows {
    KernelInstructionSet.cap(at: level)
    defer { KernelInstructionSet.cap(at: .avx512) }
    #expect(KernelInstructionSet.current == level)
    try body()
  }

  @Test func theCPUsLevelIsDetectedAndTheCapWorks() {
    #expect(Self.levelsToTest.contains(.portable))
    KernelInstructionSet.cap(at: .portable)
    #expect(KernelInstructionSet.current == .portable)
    KernelInstructionSet.cap(at: .avx512)
    #expect(KernelInstructionSet.current == KernelInstructionSet.supported)
  }

  @Test(arguments: levelsToTest)
  func randomLayersAreBitExactAtLevel(_ level: KernelInstructionSet) throws {
    try withLevel(level) {
      var g = TestRandom(seed: 31_000 + UInt64(level.rawValue))
      try randomTwoBranchTrials(level, trials: 8, uniformBits: [2, 8, 16], &g)
    }
  }

  /// Random two-branch networks (`IntegerKernelTests.twoBranchNetwork`), each at 4 random and the `uniformBits`
  /// uniform configurations: optimized equals reference. `perChannel`: channels of different magnitudes
  /// (`PerChannelWeightTests.channelScaled`) and per-channel weight formats.
  func randomTwoBranchTrials(_ level: KernelInstructionSet, trials: Int, uniformBits: [Int], perChannel: Bool = false,
                             _ g: inout TestRandom) throws {
    let kernels = IntegerKernelTests()
    let label = perChannel ? "\(level) per-channel" : "\(level)"
    for trial in 0..<trials {
      var net = try kernels.twoBranchNetwork(&g)
      if perChannel { net = try PerChannelWeightTests.channelScaled(net, &g) }
      let inputs = (0..<2).map { _ in randomInput(net, range: -3...3, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs,
                                      options: perChannel ? PerChannelWeightTests.perChannel : QuantizationOptions())
      for _ in 0..<4 {
        let config = PrecisionConfiguration(layers: [kernels.randomPrecision(&g), kernels.randomPrecision(&g)])
        try kernels.expectBitExact(model, config, inputs, "\(label) trial \(trial)")
      }
      for bits in uniformBits {
        try kernels.expectBitExact(model, .uniform(bits, layerCount: 2), inputs, "\(label) uniform \(bits)")
      }
    }
  }

  @Test(arguments: levelsToTest)
  func depthwiseLayersAreBitExactAtLevel(_ level: KernelInstructionSet) throws {
    try withLevel(level) {
      let depthwise = DepthwiseKernelTests()
      var g = TestRandom(seed: 32_000 + UInt64(level.rawValue))
      let ws = IntegerPlan.Workspace(network: try Network(nodes: [
        Node(name: "input", operation: .input(TensorShape(height: 1, width: 1, channels: 1)))]))
      for trial in 0..<40 {
        let (kernel, x) = depthwise.randomDepthwiseLayer(&g)
        let count = kernel.geometry.output.elementCount
        var reference = [Int16](repeating: 0, count: count), optimized = [Int16](repeating: 0x5A5A, count: count)
        ReferenceKernels.weighted(x, kernel, &reference)
        OptimizedKernels.weighted(x, kernel, &optimized, ws)
        #expect(reference == optimized, "\(level) trial \(trial): \(kernel.parameters) \(kernel.geometry)")
      }
    }
  }

  /// Max pooling (`precsearch_max_pool_i16`) and average pooling at this level equal the definition.
  @Test(arguments: levelsToTest)
  func poolingIsBitExactAtLevel(_ level: KernelInstructionSet) {
    withLevel(level) { DepthwiseKernelTests().poolingTrials(seed: 35_000 + UInt64(level.rawValue), label: "\(level)") }
  }

  /// Per-channel weight formats (channels of different formats, extremes included) on random layers, ResNet-8 and
  /// the DS-CNN at this level: optimized equals reference bit for bit.
  @Test(arguments: levelsToTest)
  func perChannelLayersAreBitExactAtLevel(_ level: KernelInstructionSet) throws {
    try withLevel(level) {
      let kernels = IntegerKernelTests()
      var g = TestRandom(seed: 34_000 + UInt64(level.rawValue))
      try randomTwoBranchTrials(level, trials: 6, uniformBits: [2, 4, 8, 16], perChannel: true, &g)
      for net in [try ReferenceArchitectures.resNet8(using: &g), try ReferenceArchitectures.dsCNN(using: &g)] {
        let scaled = try PerChannelWeightTests.channelScaled(net, &g, huge: 64)
        let inputs = [randomInput(scaled, using: &g)]
        let model = try FixedPointModel(network: scaled, calibrationInputs: inputs, options: PerChannelWeightTests.perChannel)
        let n = model.network.weightedLayerNames.count
        let mixed = PrecisionConfiguration(layers: (0..<n).map {
          LayerPrecision(weightBits: [8, 4, 6, 16][$0 % 4], activationBits: [8, 6, 16, 4][$0 % 4])
        })
        for config in [PrecisionConfiguration.uniform(16, layerCount: n), .uniform(4, layerCount: n), mixed] {
          try kernels.expectBitExact(model, config, inputs, "\(level) per-channel \(net.nodes.count) nodes \(config)")
        }
      }
    }
  }

  /// Bias correction (`QuantizationOptions.biasCorrection`) on ResNet-8 (per tensor) and the DS-CNN (depthwise
  /// lanes, per channel) at a mixed configuration, at this level: the corrected bias reaches every kernel's choices (accumulator, floating
  /// lanes) and optimized equals reference bit for bit.
  @Test(arguments: levelsToTest)
  func biasCorrectedNetworksAreBitExactAtLevel(_ level: KernelInstructionSet) throws {
    try withLevel(level) {
      let kernels = IntegerKernelTests()
      var g = TestRandom(seed: 35_000 + UInt64(level.rawValue))
      for (k, net) in [try ReferenceArchitectures.resNet8(using: &g), try ReferenceArchitectures.dsCNN(using: &g)].enumerated() {
        let biased = try MultiPrecisionPlanTests().withRandomBiases(net, &g)
        let inputs = [randomInput(biased, using: &g)]
        do {
          let perChannel = k == 1  // ResNet-8 per tensor, the DS-CNN per channel (debug builds are slow)
          let options = QuantizationOptions(weightWindowSearch: true, perChannelWeights: perChannel, biasCorrection: true)
          let model = try FixedPointModel(network: biased, calibrationInputs: inputs, options: options)
          let n = model.network.weightedLayerNames.count
          let mixed = PrecisionConfiguration(layers: (0..<n).map {
            LayerPrecision(weightBits: [3, 5, 8, 2][$0 % 4], activationBits: [8, 6, 16, 4][$0 % 4])
          })
          try kernels.expectBitExact(model, mixed, inputs, "\(level) bias-corrected network \(k) \(mixed)")
        }
      }
    }
  }

  /// ResNet-8 (GEMM in every lane type, residual additions) and the DS-CNN (depthwise) at uniform and mixed
  /// configurations; and the float reference's logits equal those at the highest level, bit for bit.
  @Test(arguments: levelsToTest)
  func referenceNetworksAreBitExactAtLevel(_ level: KernelInstructionSet) throws {
    var g = TestRandom(seed: 33_000)
    let networks = [try ReferenceArchitectures.resNet8(using: &g), try ReferenceArchitectures.dsCNN(using: &g)]
    let inputs = networks.map { net in [randomInput(net, using: &g)] }
    let floatAtHighest = try networks.indices.map { i in try FloatPlan(network: networks[i]).run(inputs[i][0]) }
    try withLevel(level) {
      let kernels = IntegerKernelTests()
      for (i, net) in networks.enumerated() {
        let model = try FixedPointModel(network: net, calibrationInputs: inputs[i])
        let n = model.network.weightedLayerNames.count
        let mixed = PrecisionConfiguration(layers: (0..<n).map {
          LayerPrecision(weightBits: [8, 4, 6, 16][$0 % 4], activationBits: [8, 6, 16, 4][$0 % 4])
        })
        for config in [PrecisionConfiguration.uniform(16, layerCount: n), mixed] {
          try kernels.expectBitExact(model, config, inputs[i], "\(level) \(net.nodes.count) nodes \(config)")
        }
        let logits = try FloatPlan(network: net).run(inputs[i][0])
        #expect(logits.map(\.bitPattern) == floatAtHighest[i].map(\.bitPattern), "\(level): float logits differ")
      }
    }
  }
}
