import Foundation
import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// Per-channel weight formats (`QuantizationOptions.perChannelWeights`, docs/arithmetic.md "Per-channel weight
/// formats"): the masters and one layer's output follow the definition computed here independently of the engine,
/// the optimized kernels match the reference bit for bit (random layers, extreme channels), and with the option off
/// nothing changes.
@Suite struct PerChannelWeightTests {
  static let perChannel = QuantizationOptions(weightWindowSearch: true, perChannelWeights: true)

  /// `net` with the weights and bias of every output channel of every weighted layer scaled by its own factor, so
  /// that the channels get different formats: among them an all-zero channel, a tiny one, a huge one and ordinary
  /// ones spread over 2^-8 ... 2^8. `huge` is the huge channel's factor (deep networks need a smaller one, or the
  /// float calibration overflows).
  static func channelScaled(_ net: Network, _ g: inout TestRandom, huge: Float = 3e4) throws -> Network {
    var nodes = net.nodes
    for i in nodes.indices where nodes[i].operation.isWeighted {
      let outputs = net.shapes[i].channels
      let factors: [Float] = (0..<outputs).map { c in
        switch (c + Int.random(in: 0..<6, using: &g)) % 6 {
        case 0: return 0
        case 1: return 1e-6
        case 2: return huge
        default: return Float(sign: .plus, exponent: Int.random(in: -8...8, using: &g), significand: 1)
          * Float.random(in: 0.6...1.4, using: &g)
        }
      }
      for j in nodes[i].parameters.indices {
        let values = nodes[i].parameters[j].values
        let perChannel = values.count / outputs
        nodes[i].parameters[j].values = values.indices.map { k in
          let bias = nodes[i].parameters[j].role == .bias ? Float.random(in: -0.5...0.5, using: &g) : values[k]
          return bias * factors[k / perChannel]
        }
      }
    }
    return try Network(nodes: nodes)
  }

  /// The masters follow the definition channel by channel: f_c from the channel's largest magnitude (15 for an
  /// all-zero channel), codes round(w * 2^f_c), window shifts by the squared-error rule on the channel's codes, bias
  /// at scale f_c + f_in.
  @Test func mastersFollowTheDefinitionPerChannel() throws {
    var g = TestRandom(seed: 71)
    var b = NetworkBuilder(input: TensorShape(height: 3, width: 3, channels: 4))
    try b.conv("c", Conv2DAttributes(outputChannels: 12, kernelHeight: 3, kernelWidth: 3, padding: .same),
               input: "input", using: &g)
    try b.add("r", .relu)
    try b.add("f", .flatten)
    try b.dense("d", outputs: 6, using: &g)
    let net = try Self.channelScaled(b.build(), &g)
    let inputs = (0..<3).map { _ in randomInput(net, using: &g) }
    let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: Self.perChannel)
    var sawZeroChannel = false
    for master in model.layers {
      let node = model.network.nodes[master.nodeIndex]
      let w = node.parameter(.weight)!.values, bias = node.parameter(.bias)!.values
      let outputs = model.network.shapes[master.nodeIndex].channels, length = w.count / outputs
      let fin = model.groups[model.groupOfNode[model.network.inputIndices[master.nodeIndex][0]]].fractionalBits
      #expect(master.isPerChannel && master.channelFractionalBits.count == outputs)
      for c in 0..<outputs {
        let slice = Array(w[(c * length)..<((c + 1) * length)])
        let maxW = slice.map(abs).max()!
        let f = DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: Double(maxW), bitWidth: 16)!
        if maxW == 0 { #expect(f == 15); sawZeroChannel = true }
        #expect(master.channelFractionalBits[c] == f, "\(node.name) channel \(c)")
        let codes = slice.map { Int16(DynamicFixedPointFormat(bitWidth: 16, fractionalBits: f).quantize(Double($0))) }
        #expect(Array(master.weightCodes[(c * length)..<((c + 1) * length)]) == codes)
        for bits in 2..<16 {
          #expect(master.channelWindowShifts[c][bits] == WindowSearch.bestShift(codes: codes, bitWidth: bits))
        }
        let scaled = Double(bias[c]) * Double(sign: .plus, exponent: f + fin, significand: 1)
        #expect(master.biasCodes[c] == Int64(saturating: scaled, rounding: .toNearestOrEven))
      }
    }
    #expect(sawZeroChannel)
    // Off (the default): one format per tensor, no per-channel data, and the same masters as before the option.
    let perTensor = try FixedPointModel(network: net, calibrationInputs: inputs,
                                        options: QuantizationOptions(weightWindowSearch: true))
    for master in perTensor.layers {
      #expect(!master.isPerChannel && master.channelWindowShifts.isEmpty)
      let w = model.network.nodes[master.nodeIndex].parameter(.weight)!.values
      let f = DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: Double(w.map(abs).max()!), bitWidth: 16)!
      #expect(master.weightFractionalBits == f)
    }
  }

  /// One Dense layer with extreme channels (all zero, tiny, huge, ordinary), computed from docs/arithmetic.md with
  /// `MasterPrecision` and `shifted(rightBy:rounding:)` only, against both kernels at many precisions.
  @Test func denseLayerFollowsTheDefinition() throws {
    var g = TestRandom(seed: 72)
    var b = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 9))
    try b.dense("d", outputs: 24, using: &g)
    let net = try Self.channelScaled(b.build(), &g)
    let calibration = (0..<3).map { _ in randomInput(net, using: &g) }
    let model = try FixedPointModel(network: net, calibrationInputs: calibration, options: Self.perChannel)
    let master = model.layers[0]
    let inputGroup = model.groups[model.groupOfNode[0]], outputGroup = model.groups[model.groupOfNode[1]]
    let inputs = calibration + [randomInput(net, range: -1e4...1e4, using: &g), randomInput(net, range: -1e-3...1e-3, using: &g)]
    var sawDifferentShifts = false
    for (bw, ba) in [(8, 8), (4, 4), (3, 3), (2, 5), (4, 8), (8, 4), (16, 16), (12, 6)] {
      let configuration = PrecisionConfiguration(layers: [LayerPrecision(weightBits: bw, activationBits: ba)])
      let plans = try KernelVariant.allCases.map { try IntegerPlan(model: model, configuration: configuration, kernels: $0) }
      sawDifferentShifts = sawDifferentShifts || plans[0].layerParameters[0].hasChannelShifts
      let fx = inputGroup.fractionalBits(atBitWidth: ba), fout = outputGroup.fractionalBits(atBitWidth: 16)
      for input in inputs {
        let x = input.map { Int64(DynamicFixedPointFormat(bitWidth: ba, fractionalBits: fx).quantize(Double($0))) }
        var expected: [Int16] = []
        for c in 0..<24 {
          let s = master.channelWindowShifts[c][bw], fc = master.channelFractionalBits[c]
          let fcb = fc - (16 - bw) + s
          var acc: Int64 = 0
          for j in 0..<9 {
            acc += Int64(MasterPrecision.derive(master.weightCodes[c * 9 + j], toBitWidth: bw, windowShift: s)) * x[j]
          }
          let limit = Int64(1) << 62
          let bias = min(max(master.biasCodes[c].shifted(rightBy: (fc + inputGroup.fractionalBits) - (fcb + fx),
                                                         rounding: .toNearestOrEven), -limit), limit)
          expected.append(Int16((acc + bias).shifted(rightBy: fcb + fx - fout, rounding: .toNearestOrEven)
            .clamped(toSignedBitWidth: 16)))
        }
        for plan in plans {
          #expect(plan.runCodes(input, workspace: plan.makeWorkspace()) == expected, "\(plan.kernels) w\(bw)a\(ba)")
        }
      }
    }
    #expect(sawDifferentShifts)
  }

  /// Random layers (grouped, depthwise, strided, dilated, padded; all accumulator kinds) with channels of
  /// different formats: optimized equals reference bit for bit at random and uniform precisions.
  @Test(arguments: 0..<4)
  func optimizedMatchesReferenceOnRandomPerChannelLayers(seed: UInt64) throws {
    let kernels = IntegerKernelTests()
    var g = TestRandom(seed: 7_100 + seed)
    var channelShifts = 0, doubleLanes = 0, integerPath = 0, depthwiseLanes = 0
    for trial in 0..<6 {
      let net = try Self.channelScaled(try kernels.twoBranchNetwork(&g), &g)
      let inputs = (0..<3).map { _ in randomInput(net, range: -3...3, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: Self.perChannel)
      var configurations = (0..<4).map { _ in
        PrecisionConfiguration(layers: [kernels.randomPrecision(&g), kernels.randomPrecision(&g)])
      }
      configurations += [2, 4, 8, 16].map { PrecisionConfiguration.uniform($0, layerCount: 2) }
      for configuration in configurations {
        let plan = try IntegerPlan(model: model, configuration: configuration)
        channelShifts += plan.layerParameters.filter(\.hasChannelShifts).count
        for case .weighted(let kernel) in plan.steps where kernel.parameters.hasChannelShifts {
          if kernel.geometry.isDepthwise {
            if case .integer = kernel.depthwiseLanes {} else { depthwiseLanes += 1 }
          } else if case .doubleChannels = kernel.floatingRequantization { doubleLanes += 1 } else { integerPath += 1 }
        }
        try kernels.expectBitExact(model, configuration, inputs, "per-channel seed \(seed) trial \(trial)")
      }
    }
    #expect(channelShifts > 0)
    // The per-channel GEMM requantization ran in Double lanes (left shifts included: every shift within +-100 and
    // sum within 2^51 goes there, so random layers no longer reach the integer fallback, kept for shifts beyond
    // +-100 or sums beyond 2^51), and the depthwise lanes with a scale per channel.
    #expect(doubleLanes > 0 && depthwiseLanes > 0, "\(doubleLanes) \(integerPath) \(depthwiseLanes)")
  }

  /// Extreme values with per-channel formats: saturating inputs, huge and tiny channels, all-zero layers; nothing
  /// traps and both kernels agree.
  @Test func extremeValuesStayBitExactPerChannel() throws {
    let kernels = IntegerKernelTests()
    var g = TestRandom(seed: 73)
    for pattern in 0..<3 {
      var net = try Self.channelScaled(try kernels.twoBranchNetwork(&g), &g)
      if pattern == 1 {  // every weight and bias zero
        var nodes = net.nodes
        for i in nodes.indices where nodes[i].operation.isWeighted {
          for j in nodes[i].parameters.indices {
            nodes[i].parameters[j].values = nodes[i].parameters[j].values.map { _ in 0 }
          }
        }
        net = try Network(nodes: nodes)
      }
      let calibration = [randomInput(net, range: pattern == 2 ? -1e-3...1e-3 : -1...1, using: &g)]
      let model = try FixedPointModel(network: net, calibrationInputs: calibration, options: Self.perChannel)
      let inputs = [randomInput(net, range: -1e6...1e6, using: &g), randomInput(net, range: -1e-9...1e-9, using: &g)]
      for bits in [2, 3, 5, 8, 15, 16] {
        try kernels.expectBitExact(model, .uniform(bits, layerCount: 2), inputs, "pattern \(pattern) bits \(bits)")
      }
      let scores = try IntegerPlan(model: model, configuration: .uniform(8, layerCount: 2)).run(inputs[0])
      let finite = scores.allSatisfy { $0.isFinite }
      #expect(finite)
    }
  }

  /// A layer whose output channels all share one format (here: one output channel) computes exactly what the
  /// per-tensor layer computes, through the per-tensor kernels.
  @Test func oneChannelLayersEqualPerTensor() throws {
    var g = TestRandom(seed: 74)
    var b = NetworkBuilder(input: TensorShape(height: 5, width: 5, channels: 3))
    try b.conv("c", Conv2DAttributes(outputChannels: 1, kernelHeight: 3, kernelWidth: 3, padding: .same),
               input: "input", using: &g)
    try b.add("f", .flatten)
    try b.dense("d", outputs: 1, using: &g)
    let net = try MultiPrecisionPlanTests().withRandomBiases(b.build(), &g)
    let inputs = (0..<3).map { _ in randomInput(net, using: &g) }
    let on = try FixedPointModel(network: net, calibrationInputs: inputs, options: Self.perChannel)
    let off = try FixedPointModel(network: net, calibrationInputs: inputs, options: QuantizationOptions(weightWindowSearch: true))
    for bits in [3, 5, 8, 16] {
      let configuration = PrecisionConfiguration.uniform(bits, layerCount: 2)
      let a = try IntegerPlan(model: on, configuration: configuration), c = try IntegerPlan(model: off, configuration: configuration)
      #expect(a.layerParameters == c.layerParameters)
      for x in inputs { #expect(a.run(x) == c.run(x)) }
    }
  }

  /// `MultiPrecisionPlan` with per-channel formats equals `IntegerPlan` at every point, in both kernel variants.
  @Test func multiPrecisionPlanMatchesIntegerPlanPerChannel() throws {
    let tests = MultiPrecisionPlanTests()
    var g = TestRandom(seed: 75)
    for trial in 0..<3 {
      let net = try Self.channelScaled(try tests.randomNetwork(&g), &g)
      let inputs = (0..<2).map { _ in randomInput(net, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: Self.perChannel)
      let n = model.network.weightedLayerNames.count
      let configurations = (0..<4).map { _ in PrecisionConfiguration(layers: (0..<n).map { _ in tests.randomPrecision(&g) }) }
        + [.uniform(4, layerCount: n), .uniform(8, layerCount: n)]
      for kernels in KernelVariant.allCases {
        try tests.expectSameAsFixedPlans(model, configurations, inputs, kernels: kernels, &g, "per-channel trial \(trial)")
      }
    }
  }

  /// The options' coding: a document without `perChannelWeights` decodes as per tensor; per-tensor options encode
  /// without the key (as before it existed); per-channel round-trips; the granularity names map both ways.
  @Test func optionsCodingAndGranularity() throws {
    func decode(_ json: String) throws -> QuantizationOptions { try JSONDecoder().decode(QuantizationOptions.self, from: Data(json.utf8)) }
    func encode(_ options: QuantizationOptions) throws -> String {
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      return String(decoding: try encoder.encode(options), as: UTF8.self)
    }
    #expect(try decode(#"{"weightWindowSearch":true,"activationWindowSearch":false}"#) == QuantizationOptions(weightWindowSearch: true))
    #expect(try encode(QuantizationOptions(weightWindowSearch: true)) == #"{"activationWindowSearch":false,"weightWindowSearch":true}"#)
    let on = QuantizationOptions(activationWindowSearch: true, perChannelWeights: true)
    #expect(try encode(on).contains(#""perChannelWeights":true"#))
    #expect(try decode(try encode(on)) == on)
    #expect(WeightGranularity(rawValue: "per-channel") == .perChannel && WeightGranularity(rawValue: "per-tensor") == .perTensor)
    #expect(WeightGranularity(WeightGranularity.perChannel.applied(to: WindowSearchMode.all.quantizationOptions)) == .perChannel)
    #expect(WeightGranularity.perTensor.applied(to: on) == QuantizationOptions(activationWindowSearch: true))
    #expect(WindowSearchMode(WeightGranularity.perChannel.applied(to: WindowSearchMode.weights.quantizationOptions)) == .weights)
  }
}
