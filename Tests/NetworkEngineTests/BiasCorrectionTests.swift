import Foundation
import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// Bias correction per (layer, weight bit-width) (`QuantizationOptions.biasCorrection`, docs/arithmetic.md "Bias
/// correction"): the table on a layer computed by hand, zero at 16 bits, the input channel each weight reads in
/// grouped layers, the calibration means, the plan's bias, the missing-means error, and the corrected plans equal
/// across the kernels and `MultiPrecisionPlan`.
@Suite struct BiasCorrectionTests {
  static let on = QuantizationOptions(biasCorrection: true)

  /// Dense 2 -> 2 with weights [[0.3, -0.7], [1.0, 0.05]], bias [0.25, -0.5], and the calibration means of its
  /// input overwritten to [0.5, 2.0].
  static func handLayer() throws -> (network: Network, ranges: ActivationRanges) {
    var g = TestRandom(seed: 1)
    var b = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 2))
    try b.dense("d", outputs: 2, using: &g)
    var nodes = try b.build().nodes
    nodes[1].parameters[0].values = [0.3, -0.7, 1.0, 0.05]
    nodes[1].parameters[1].values = [0.25, -0.5]
    let network = try Network(nodes: nodes)
    var ranges = ActivationRanges(observing: try FloatPlan(network: network), inputs: [[0.5, 2.0], [-1, 3]])
    #expect(ranges.ranges[0].channelMeans == [-0.25, 2.5])  // the observed means, before they are overwritten
    #expect(ranges.ranges[1].channelMeans == nil)  // the output: no weighted layer reads it
    ranges.ranges[0].channelMeans = [0.5, 2.0]
    return (network, ranges)
  }

  /// By hand: max |w| = 1 gives f = 14 and codes [4915, -11469, 16384, 819]. At 4 bits (shift 12, no window) the
  /// derived codes are [1, -3, 4, 0], errors `q4 * 4096 - q` = [-819, -819, 0, -819], so D = [-819 * 0.5 - 819 * 2,
  /// -819 * 2] = [-2047.5, -1638] (units 2^-14). The plan subtracts round(D * 2^(f_a - 12)) from the shifted bias,
  /// and on an input equal to the means the corrected output is the float output within rounding, where the
  /// uncorrected one is off by D * 2^-14 = -0.125 and -0.1.
  @Test func theCorrectionOfATinyLayerByHand() throws {
    let (network, ranges) = try Self.handLayer()
    let model = try FixedPointModel(network: network, ranges: ranges, options: Self.on)
    let master = model.layers[0]
    #expect(master.weightFractionalBits == 14 && master.weightCodes == [4915, -11469, 16384, 819])
    #expect(master.biasCorrections[4] == [-2047.5, -1638])
    #expect(master.biasCorrections[16] == [0, 0])
    let plain = try FixedPointModel(network: network, ranges: ranges)
    #expect(plain.layers[0].biasCorrections.isEmpty)
    let configuration = PrecisionConfiguration(layers: [LayerPrecision(weightBits: 4, activationBits: 16)])
    let fa = model.groups[model.groupOfNode[0]].fractionalBits(atBitWidth: 16)
    let uncorrected = try ResolvedIntegerPlan(model: plain, configuration: configuration)
    let corrected = try ResolvedIntegerPlan(model: model, configuration: configuration)
    guard case .weighted(let a) = uncorrected.steps[1], case .weighted(let c) = corrected.steps[1] else {
      Issue.record("expected a weighted step"); return
    }
    let expected = [-2047.5, -1638].map { Int64((Double($0) * pow(2, Double(fa - 12))).rounded(.toNearestOrEven)) }
    #expect(c.biasCorrection == expected && a.biasCorrection.isEmpty)
    #expect(c.bias == zip(a.bias, expected).map { $0 - $1 })
    let floatOutput = try FloatPlan(network: network).run([0.5, 2.0])
    let plainOutput = try IntegerPlan(model: plain, configuration: configuration).run([0.5, 2.0])
    let correctedOutput = try IntegerPlan(model: model, configuration: configuration).run([0.5, 2.0])
    let step = Float(pow(2, -Double(corrected.storageFractionalBits[1])))
    for j in 0..<2 {
      #expect(abs(correctedOutput[j] - floatOutput[j]) <= 2 * step, "output \(j)")
      #expect(abs(plainOutput[j] - floatOutput[j]) >= 0.09, "output \(j)")
    }
  }

  /// Grouped layers: output channel c of group g reads input channels g * perGroup ..< (g + 1) * perGroup, and the
  /// table sums each weight's exact error times that channel's mean times its tap's fraction, here computed weight
  /// by weight.
  @Test func groupedLayersReadTheirGroupsMeans() {
    var g = TestRandom(seed: 2)
    let outputs = 6, groups = 3, inputs = 6, taps = 4, perGroup = inputs / groups
    let codes = (0..<(outputs * taps * perGroup)).map { _ in Int16.random(in: -32768...32767, using: &g) }
    let means = (0..<inputs).map { Float($0 + 1) * 0.25 }
    let shifts = (0..<outputs).map { _ in Int.random(in: 0...3, using: &g) }
    let fractions = (0..<taps).map { Double($0 + 1) / 4 }
    let table = BiasCorrection.table(codes: codes, outputChannels: outputs, groups: groups, means: means,
                                     tapFractions: fractions, windowShift: { c, b in min(shifts[c], 16 - b) })
    for b in 2...16 {
      for c in 0..<outputs {
        let s = min(shifts[c], 16 - b), fanIn = taps * perGroup
        var expected = 0.0
        for k in 0..<fanIn {
          let q = codes[c * fanIn + k]
          let error = Int(MasterPrecision.derive(q, toBitWidth: b, windowShift: s)) << (16 - b - s) - Int(q)
          expected += Double(error) * (Double(means[(c / (outputs / groups)) * perGroup + k % perGroup])
            * fractions[k / perGroup])
        }
        #expect(abs(table[b][c] - expected) <= 1e-9 * max(1, abs(expected)), "b \(b) channel \(c)")
        if b == 16 { #expect(table[b][c] == 0) }
      }
    }
  }

  /// The means recorded by `ActivationRanges(observing:inputs:)` are the per-channel means over every position of
  /// every input (here a convolution's input, an HWC tensor with 3 channels).
  @Test func theRecordedMeansAreChannelMeans() throws {
    var g = TestRandom(seed: 3)
    var b = NetworkBuilder(input: TensorShape(height: 4, width: 5, channels: 3))
    try b.conv("c", Conv2DAttributes(outputChannels: 2, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
    try b.add("r", .relu)
    try b.add("f", .flatten)
    try b.dense("d", outputs: 3, using: &g)
    let network = try b.build()
    let inputs = (0..<3).map { _ in randomInput(network, using: &g) }
    let ranges = ActivationRanges(observing: try FloatPlan(network: network), inputs: inputs)
    let means = try #require(ranges.ranges[0].channelMeans)
    for c in 0..<3 {
      var sum = 0.0
      for x in inputs { for j in stride(from: c, to: x.count, by: 3) { sum += Double(x[j]) } }
      #expect(abs(Double(means[c]) - sum / 60) <= 1e-6, "channel \(c)")
    }
    #expect(ranges.ranges[3].channelMeans?.count == 4 * 5 * 2)  // the Flatten the Dense reads
    #expect(ranges.ranges[1].channelMeans == nil && ranges.ranges[2].channelMeans == nil)
    #expect(ranges.hasChannelMeans(for: try network.foldingBatchNorm()))
  }

  /// Without the means (files calibrated before they were recorded) the option is refused, naming the layer's
  /// input; with the option off nothing changes.
  @Test func missingMeansAreRefused() throws {
    var (network, ranges) = try Self.handLayer()
    ranges.ranges[0].channelMeans = nil
    #expect(!ranges.hasChannelMeans(for: network))
    #expect(throws: NetworkError.self) { try FixedPointModel(network: network, ranges: ranges, options: Self.on) }
    ranges.ranges[0].channelMeans = [1]
    #expect(throws: NetworkError.self) { try FixedPointModel(network: network, ranges: ranges, options: Self.on) }
    ranges.ranges[0].channelMeans = [1, .nan]
    #expect(throws: NetworkError.self) { try FixedPointModel(network: network, ranges: ranges, options: Self.on) }
    #expect(try FixedPointModel(network: network, ranges: ranges).layers[0].biasCorrections.isEmpty)
  }

  /// At 16-bit weights the correction is zero, so the corrected plan equals the uncorrected one; below 16 bits
  /// some bias changes. Random networks, per tensor and per channel, window search on.
  @Test func sixteenBitWeightsAreUncorrected() throws {
    let kernels = IntegerKernelTests()
    var g = TestRandom(seed: 4)
    var changed = 0
    for perChannel in [false, true] {
      let net = try MultiPrecisionPlanTests().withRandomBiases(try kernels.twoBranchNetwork(&g), &g)
      let inputs = (0..<3).map { _ in randomInput(net, using: &g) }
      let options = QuantizationOptions(weightWindowSearch: true, perChannelWeights: perChannel)
      var correctedOptions = options
      correctedOptions.biasCorrection = true
      let plain = try FixedPointModel(network: net, calibrationInputs: inputs, options: options)
      let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: correctedOptions)
      for layer in model.layers { #expect(layer.biasCorrections[16].allSatisfy { $0 == 0 }) }
      for activationBits in [4, 8, 16] {
        let sixteen = PrecisionConfiguration(layers: Array(repeating: LayerPrecision(weightBits: 16, activationBits: activationBits), count: 2))
        #expect(try ResolvedIntegerPlan(model: model, configuration: sixteen).steps
                == (try ResolvedIntegerPlan(model: plain, configuration: sixteen).steps).map(Self.withZeroCorrection))
        for x in inputs {
          #expect(try IntegerPlan(model: model, configuration: sixteen).run(x) == (try IntegerPlan(model: plain, configuration: sixteen).run(x)))
        }
        let four = PrecisionConfiguration.uniform(4, layerCount: 2)
        let a = try ResolvedIntegerPlan(model: model, configuration: four).steps
        let b = try ResolvedIntegerPlan(model: plain, configuration: four).steps
        for case (.weighted(let x), .weighted(let y)) in zip(a, b) where x.bias != y.bias { changed += 1 }
      }
    }
    #expect(changed > 0)
  }

  /// A step of an uncorrected plan as the corrected plan resolves it when every correction is zero.
  static func withZeroCorrection(_ step: ResolvedIntegerStep) -> ResolvedIntegerStep {
    guard case .weighted(let layer) = step else { return step }
    return .weighted(ResolvedWeightedLayer(layerIndex: layer.layerIndex, parameters: layer.parameters,
                                           geometry: layer.geometry, bias: layer.bias,
                                           biasCorrection: Array(repeating: 0, count: layer.bias.count),
                                           weightWindowShift: layer.weightWindowShift,
                                           channelWindowShifts: layer.channelWindowShifts))
  }

  /// The corrected bias saturates like the uncorrected one: within +-2^62 whatever the correction.
  @Test func theCorrectedBiasSaturates() {
    let limit = Int64(1) << 62
    #expect(BiasCorrection.corrected(bias: limit, correction: -limit) == limit)
    #expect(BiasCorrection.corrected(bias: -limit, correction: limit) == -limit)
    #expect(BiasCorrection.corrected(bias: 5, correction: 7) == -2)
    #expect(BiasCorrection.accumulatorCorrection(1e30, inputFractionalBits: 40, droppedWeightBits: 0) == limit)
    #expect(BiasCorrection.accumulatorCorrection(-2.5, inputFractionalBits: 0, droppedWeightBits: 0) == -2)
    #expect(BiasCorrection.accumulatorCorrection(3, inputFractionalBits: 2, droppedWeightBits: 4) == 1)  // 0.75
  }

  /// Corrected plans: optimized equals reference and `MultiPrecisionPlan` equals `IntegerPlan` on random networks
  /// (grouped, depthwise, residual), per tensor and per channel, at random and uniform configurations.
  @Test(arguments: 0..<3)
  func correctedPlansAreBitExact(seed: UInt64) throws {
    let kernels = IntegerKernelTests(), multi = MultiPrecisionPlanTests()
    var g = TestRandom(seed: 9_100 + seed)
    for trial in 0..<4 {
      let perChannel = trial % 2 == 1
      var net = try multi.withRandomBiases(try kernels.twoBranchNetwork(&g), &g)
      if perChannel { net = try PerChannelWeightTests.channelScaled(net, &g, huge: 64) }
      let inputs = (0..<3).map { _ in randomInput(net, range: -3...3, using: &g) }
      let options = QuantizationOptions(weightWindowSearch: true, perChannelWeights: perChannel, biasCorrection: true)
      let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: options)
      let configurations = (0..<3).map { _ in
        PrecisionConfiguration(layers: [kernels.randomPrecision(&g), kernels.randomPrecision(&g)])
      } + [2, 4, 8].map { PrecisionConfiguration.uniform($0, layerCount: 2) }
      for configuration in configurations {
        try kernels.expectBitExact(model, configuration, inputs, "bias-corrected seed \(seed) trial \(trial)")
      }
      try multi.expectSameAsFixedPlans(model, configurations, inputs, kernels: .optimized, &g,
                                       "bias-corrected seed \(seed) trial \(trial)")
    }
  }

  /// The options' coding: absent means off; off encodes without the key; on round-trips; the setting's names.
  @Test func optionsCodingAndNames() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    #expect(String(decoding: try encoder.encode(QuantizationOptions()), as: UTF8.self)
            == #"{"activationWindowSearch":false,"weightWindowSearch":false}"#)
    let on = QuantizationOptions(weightWindowSearch: true, biasCorrection: true)
    #expect(try JSONDecoder().decode(QuantizationOptions.self, from: try encoder.encode(on)) == on)
    #expect(BiasCorrection(on) == .on && BiasCorrection(QuantizationOptions()) == .off)
    #expect(BiasCorrection.off.applied(to: on) == QuantizationOptions(weightWindowSearch: true))
    #expect(BiasCorrection(rawValue: "on") == .on && BiasCorrection(rawValue: "yes") == nil)
  }
}

extension BiasCorrectionTests {
  /// Tap fractions counted by hand: a 3x3 kernel, stride 1, padding 1 on a 4x5 input (output 4x5): the centre tap
  /// always meets the input, a corner tap (0, 0) at 3 of 4 rows and 4 of 5 columns; stride 2 without padding: 1.
  @Test func tapFractionsCountThePaddedPositions() throws {
    let node = Node(name: "c", operation: .conv2D(Conv2DAttributes(outputChannels: 1, kernelHeight: 3, kernelWidth: 3)),
                    inputs: ["input"])
    let same = ConvGeometry(input: TensorShape(height: 4, width: 5, channels: 1),
                            output: TensorShape(height: 4, width: 5, channels: 1), kernelHeight: 3, kernelWidth: 3,
                            strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1,
                            groups: 1)
    let fractions = BiasCorrection.tapFractions(same)
    #expect(fractions.count == 9 && fractions[4] == 1)
    #expect(fractions[0] == 12.0 / 20 && fractions[2] == 12.0 / 20 && fractions[8] == 12.0 / 20)
    #expect(fractions[1] == 15.0 / 20 && fractions[3] == 16.0 / 20)
    let valid = try ConvGeometry(conv: Conv2DAttributes(outputChannels: 1, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                                                        strideWidth: 2, padding: .valid), node: node,
                                 input: TensorShape(height: 7, width: 7, channels: 1),
                                 output: TensorShape(height: 3, width: 3, channels: 1))
    #expect(BiasCorrection.tapFractions(valid) == Array(repeating: 1, count: 9))
  }
}
