import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// The optimized kernels must match the Int64 reference bit for bit.
@Suite struct IntegerKernelTests {
  /// input -> convA (precision A), input -> convB (precision B), add(convA, convB) -> relu: covers input
  /// derivation (the input is stored at max(aA, aB) bits), all three accumulator kinds, Add and ReLU.
  func twoBranchNetwork(_ g: inout TestRandom) throws -> Network {
    while true {
      // Some random geometries do not fit (e.g. a dilated window over a tiny unpadded input): draw again.
      if let net = try? randomTwoBranchNetwork(&g) { return net }
    }
  }

  func randomTwoBranchNetwork(_ g: inout TestRandom) throws -> Network {
    let h = Int.random(in: 1...9, using: &g), w = Int.random(in: 1...9, using: &g)
    let groupsChoice = Int.random(in: 0...2, using: &g)
    let groups = [1, 2, 3][groupsChoice]
    let cin = groups * Int.random(in: 1...3, using: &g)
    let depthwise = Bool.random(using: &g)
    let kh = Int.random(in: 1...3, using: &g), kw = Int.random(in: 1...3, using: &g)
    let sh = Int.random(in: 1...2, using: &g), sw = Int.random(in: 1...2, using: &g)
    let dh = Int.random(in: 1...2, using: &g), dw = Int.random(in: 1...2, using: &g)
    let paddings: [Padding] = [.same, .valid, .explicit(top: 1, bottom: 0, left: 2, right: 1)]
    let padding = paddings[Int.random(in: 0...2, using: &g)]
    let attributes = depthwise
      ? Conv2DAttributes(outputChannels: cin, kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw,
                         dilationHeight: dh, dilationWidth: dw, padding: padding, groups: cin)
      : Conv2DAttributes(outputChannels: groups * Int.random(in: 1...20, using: &g), kernelHeight: kh, kernelWidth: kw,
                         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padding: padding,
                         groups: groups)
    var b = NetworkBuilder(input: TensorShape(height: h, width: w, channels: cin))
    let a = try b.conv("a", attributes, input: "input", using: &g)
    let c = try b.conv("b", attributes, input: "input", using: &g)
    try b.add("sum", .add, inputs: [a, c])
    try b.add("relu", .relu)
    return try b.build()
  }

  func randomPrecision(_ g: inout TestRandom) -> LayerPrecision {
    LayerPrecision(weightBits: Int.random(in: 2...16, using: &g), activationBits: Int.random(in: 2...16, using: &g))
  }

  func expectBitExact(_ model: FixedPointModel, _ config: PrecisionConfiguration, _ inputs: [[Float]],
                      _ label: String) throws {
    let reference = try IntegerPlan(model: model, configuration: config, kernels: .reference)
    let optimized = try IntegerPlan(model: model, configuration: config, kernels: .optimized)
    let rw = reference.makeWorkspace(), ow = optimized.makeWorkspace()
    for x in inputs {
      reference.runCodes(x, workspace: rw)
      optimized.runCodes(x, workspace: ow)
      for i in model.network.nodes.indices where rw.outputs[i] != ow.outputs[i] {
        Issue.record("\(label): node \(model.network.nodes[i].name) differs at \(config)")
        return
      }
    }
  }

  @Test(arguments: 0..<6)
  func optimizedMatchesReferenceOnRandomLayers(seed: UInt64) throws {
    var g = TestRandom(seed: 1000 + seed)
    for trial in 0..<6 {
      let net = try twoBranchNetwork(&g)
      let inputs = (0..<3).map { _ in randomInput(net, range: -3...3, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs)
      for _ in 0..<4 {
        let config = PrecisionConfiguration(layers: [randomPrecision(&g), randomPrecision(&g)])
        try expectBitExact(model, config, inputs, "seed \(seed) trial \(trial)")
      }
      try expectBitExact(model, .uniform(16, layerCount: 2), inputs, "uniform 16")
      try expectBitExact(model, .uniform(2, layerCount: 2), inputs, "uniform 2")
    }
  }

  @Test func optimizedMatchesReferenceOnResNet8AndLeNet() throws {
    var g = TestRandom(seed: 42)
    for net in [try ReferenceArchitectures.resNet8(using: &g), try ReferenceArchitectures.leNet(using: &g)] {
      let inputs = (0..<1).map { _ in randomInput(net, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs)
      let n = net.weightedLayerNames.count
      for bits in [16, 6] { try expectBitExact(model, .uniform(bits, layerCount: n), inputs, "uniform \(bits)") }
      // The accumulator choice: 16 bits needs Int64 somewhere; 6 bits uses the 8-bit dot product where the CPU
      // has it (so the comparison above exercised it), else exact Float32.
      let p16 = try IntegerPlan(model: model, configuration: .uniform(16, layerCount: n))
      #expect(p16.layerParameters.contains { $0.accumulator == .int64 })
      // (KernelInstructionSetTests may cap the instruction set meanwhile, which turns the 8-bit dot product off for
      // plans made then: either kind is right, but all layers must get the same one.)
      let p6 = try IntegerPlan(model: model, configuration: .uniform(6, layerCount: n))
      let kinds = Set(p6.layerParameters.map(\.accumulator))
      #expect(kinds == [.int8DotProduct] || kinds == [.exactFloat32], "\(kinds)")
      try expectBitExact(model, PrecisionConfiguration(layers: (0..<n).map { _ in randomPrecision(&g) }), inputs, "mixed")
    }
  }

  /// Extreme values: every weight at +max or -max magnitude, inputs far beyond the calibrated range (saturating),
  /// biases huge, and all-zero tensors. Nothing may trap and both kernels must agree.
  @Test func extremeValuesNeverTrapAndStayBitExact() throws {
    var g = TestRandom(seed: 9)
    for pattern in 0..<4 {
      let net0 = try twoBranchNetwork(&g)
      var nodes = net0.nodes
      for i in nodes.indices where nodes[i].operation.isWeighted {
        for j in nodes[i].parameters.indices {
          let count = nodes[i].parameters[j].values.count
          nodes[i].parameters[j].values = (0..<count).map { k in
            switch pattern {
            case 0: return 1e30                       // all +max
            case 1: return k % 2 == 0 ? -1e-30 : 1e-30 // tiny, alternating sign
            case 2: return -3                         // all -max
            default: return 0                         // all zero
            }
          }
        }
      }
      let net = try Network(nodes: nodes)
      let calibration = [randomInput(net, range: -0.01...0.01, using: &g)]
      let model = try FixedPointModel(network: net, calibrationInputs: calibration)
      let inputs = [randomInput(net, range: -1e6...1e6, using: &g), randomInput(net, range: -1e-9...1e-9, using: &g)]
      for bits in [2, 3, 8, 15, 16] {
        try expectBitExact(model, .uniform(bits, layerCount: 2), inputs, "pattern \(pattern) bits \(bits)")
      }
      let scores = try IntegerPlan(model: model, configuration: .uniform(8, layerCount: 2)).run(inputs[0])
      let finite = scores.allSatisfy { $0.isFinite }
      #expect(finite)
    }
  }

  /// Every Int8 weight x every Int8 activation through multiply-accumulate-requantize (fan-in 1), for several
  /// output shifts and biases, in both kernels, against an oracle computed in Double.
  @Test func exhaustiveInt8MultiplyAccumulateRequantize() throws {
    let geometry = ConvGeometry(input: TensorShape(height: 1, width: 1, channels: 1),
                                output: TensorShape(height: 1, width: 1, channels: 1), kernelHeight: 1, kernelWidth: 1,
                                strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0,
                                padLeft: 0, groups: 1)
    let plan = try IntegerPlan(model: FixedPointModel(network: try Network(nodes: [
      Node(name: "input", operation: .input(geometry.input))]), ranges: ActivationRanges(ranges: [
        ActivationRange(node: "input", maxMagnitude: 1, maxPositive: 1)], sampleCount: 1)),
      configuration: PrecisionConfiguration(layers: []))
    let ws = plan.makeWorkspace()
    for (shift, bias, outBits) in [(0, Int64(0), 8), (1, 0, 8), (3, 5, 8), (7, -64, 8), (8, 0, 16), (14, 12345, 16), (-2, 0, 16)] {
      for w in Int16(-128)...127 {
        let parameters = WeightedLayerParameters(name: "mac", precision: LayerPrecision(weightBits: 8, activationBits: 8),
          storedInputBits: 8, inputShift: 0, weightFractionalBits: 0, inputFractionalBits: 0, outputShift: shift,
          outputBits: outBits, accumulator: .exactFloat32, fanIn: 1)
        let kernel = WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: [w], bias: [bias])
        for x in Int16(-128)...127 {
          var reference: [Int16] = [0], optimized: [Int16] = [0]
          ReferenceKernels.weighted([x], kernel, &reference)
          OptimizedKernels.weighted([x], kernel, &optimized, ws)
          // Oracle: (x*w + bias) / 2^shift rounded half to even (Double is exact here), then saturated.
          let exact = (Double(x) * Double(w) + Double(bias)) * Double(sign: .plus, exponent: -shift, significand: 1)
          let limit = Double(1 << (outBits - 1))
          let expected = Int16(min(max(exact.rounded(.toNearestOrEven), -limit), limit - 1))
          if reference[0] != expected || optimized[0] != expected {
            Issue.record("x=\(x) w=\(w) bias=\(bias) shift=\(shift): reference \(reference[0]), optimized \(optimized[0]), expected \(expected)")
            return
          }
        }
      }
    }
  }

  /// Both halves of the requantization ties: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4.
  @Test func requantizerTiesGoToEven() {
    let r = Requantizer(shift: 1, bits: 8)
    #expect([5, 7, -5, -7, 4, -4].map { r.apply($0) } == [2, 4, -2, -4, 2, -2])
    let wide = Requantizer(shift: 62, bits: 16)
    #expect(wide.apply(Int64.max) == 2 && wide.apply(Int64.min) == -2)
    for shift in [-3, 0, 1, 5, 31, 62, 63, 64, 100] {
      for v: Int64 in [0, 1, -1, 3, -3, 1 << 40 + 1, -(1 << 40) - 1, .max, .min, 12345678901] {
        let r = Requantizer(shift: shift, bits: 12)
        #expect(r.apply(v) == Int16(v.shifted(rightBy: shift, rounding: .toNearestOrEven).clamped(toSignedBitWidth: 12)),
                "v=\(v) shift=\(shift)")
      }
    }
  }
}

@Suite struct InputQuantizationTests {
  /// The vectorized input quantizer equals DynamicFixedPointFormat.quantize on ordinary, tie, special and
  /// saturating values, at every stored width.
  @Test func quantizeInputMatchesTheFormat() throws {
    var g = TestRandom(seed: 5)
    var b = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 64))
    try b.dense("d", outputs: 2, using: &g)
    let net = try b.build()
    let model = try FixedPointModel(network: net, ranges: ActivationRanges(ranges: [
      ActivationRange(node: "input", maxMagnitude: 3, maxPositive: 3),
      ActivationRange(node: "d", maxMagnitude: 1, maxPositive: 1)], sampleCount: 1))
    var values: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                           .leastNonzeroMagnitude, 1.0 / 8192, 3.0 / 8192, -5.0 / 8192, 2.99, -3.01, 1e-30]
    while values.count < 64 { values.append(Float.random(in: -4...4, using: &g)) }
    for bits in 2...16 {
      let plan = try IntegerPlan(model: model, configuration: .uniform(weightBits: 8, activationBits: bits, layerCount: 1))
      let format = DynamicFixedPointFormat(bitWidth: plan.storageBits[0], fractionalBits: plan.storageFractionalBits[0])
      #expect(plan.quantizeInput(values) == values.map { Int16(format.quantize(Double($0))) }, "bits \(bits)")
    }
  }
}
