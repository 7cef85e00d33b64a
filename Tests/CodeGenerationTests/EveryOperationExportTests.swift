import CodeGeneration
import Foundation
import NetworkEngine
import PrecSearchTestSupport
import SeededRandom
import Testing

/// Random networks that use every operation of the IR (strided, padded, dilated, grouped and depthwise Conv2D,
/// Dense, ReLU, ReLU6, MaxPool, AvgPool with padding, GlobalAvgPool, Add, Flatten, BatchNorm folded, Softmax)
/// export to C that equals the reference kernels bit for bit, at points from 2 to 16 bits with window shifts.
@Suite struct EveryOperationExportTests {
  static let preprocessing = InputPreprocessing(scale: 1.0 / 64, mean: [2, 1.5, 2.5], standardDeviation: [1, 0.75, 1.25])

  /// The network: 10x10x3 input, two branches joined by an Add.
  static func network(seed: UInt64) throws -> Network {
    var generator = SplitMix64(seed: seed)
    var builder = NetworkBuilder(input: TensorShape(height: 10, width: 10, channels: 3))
    try builder.conv("stem", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3,
                                              padding: .explicit(top: 1, bottom: 0, left: 2, right: 1)), using: &generator)
    builder.batchNorm("stem.bn")
    let stem = try builder.add("stem.relu6", .relu6)
    try builder.conv("grouped", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                                                 strideWidth: 2, padding: .valid, groups: 2), input: stem, using: &generator)
    let grouped = try builder.add("grouped.relu", .relu)
    try builder.conv("depthwise", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3, dilationHeight: 2,
                                                   dilationWidth: 2, padding: .same, groups: 8), input: grouped, using: &generator)
    try builder.conv("pointwise", Conv2DAttributes(outputChannels: 8, kernelHeight: 1, kernelWidth: 1), using: &generator)
    try builder.add("residual", .add, inputs: ["pointwise", grouped])
    try builder.add("residual.relu", .relu)
    try builder.add("max", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2, strideHeight: 1, strideWidth: 1,
                                                  padding: .same)))
    try builder.add("average", .avgPool(PoolAttributes(kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2,
                                                      padding: .same)))
    let pooled = try builder.add("flatten", .flatten)
    try builder.dense("hidden", outputs: 12, input: pooled, using: &generator)
    let hidden = try builder.add("hidden.relu6", .relu6)
    try builder.add("gap", .globalAvgPool, inputs: ["residual.relu"])
    try builder.add("gap.flatten", .flatten)
    try builder.dense("gap.dense", outputs: 12, using: &generator)
    try builder.add("join", .add, inputs: [hidden, "gap.dense"])
    try builder.dense("classifier", outputs: 5, using: &generator)
    try builder.add("softmax", .softmax)
    // Random biases (the builder's are zero) so that the bias path is exercised.
    let nodes = try builder.build().nodes.map { node -> Node in
      var node = node
      node.parameters = node.parameters.map { tensor in
        guard tensor.role == .bias else { return tensor }
        var tensor = tensor
        tensor.values = tensor.values.map { _ in Float(Double.random(in: -0.5...0.5, using: &generator)) }
        return tensor
      }
      return node
    }
    return try Network(nodes: nodes)
  }

  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason), arguments: [UInt64(1), 2, 3])
  func everyOperationMatchesTheReferenceKernels(seed: UInt64) throws {
    try checkEveryOperation(network: try Self.network(seed: seed), seed: seed,
                            options: QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true))
  }

  /// The same with per-channel weight formats on a network whose output channels differ in magnitude by up to 2^12
  /// (one channel of each layer all zero, one tiny): the C code's per-channel weight, bias and output shifts.
  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason), arguments: [UInt64(4), 5])
  func perChannelWeightFormatsMatchTheReferenceKernels(seed: UInt64) throws {
    var nodes = try Self.network(seed: seed).nodes
    for i in nodes.indices where nodes[i].operation.isWeighted {
      let outputs = nodes[i].parameters.first { $0.role == .bias }!.values.count
      for j in nodes[i].parameters.indices {
        let values = nodes[i].parameters[j].values, length = values.count / outputs
        nodes[i].parameters[j].values = values.indices.map { k in
          let c = k / length
          let factor: Float = c == 1 ? 0 : c == 2 ? 1e-5 : Float(sign: .plus, exponent: 2 * (c % 7) - 6, significand: 1)
          return values[k] * factor
        }
      }
    }
    let options = QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true, perChannelWeights: true)
    try checkEveryOperation(network: try Network(nodes: nodes), seed: seed, options: options, perChannel: true)
  }

  /// The same with bias correction (per tensor, and per channel with channels of different magnitudes): the C code
  /// subtracts each point's correction tables from the derived bias and computes the engine's bits; the 16-bit
  /// point needs no correction table.
  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason), arguments: [UInt64(6), 7])
  func biasCorrectionMatchesTheReferenceKernels(seed: UInt64) throws {
    let perChannel = seed == 7
    var nodes = try Self.network(seed: seed).nodes
    var generator = SplitMix64(seed: seed)
    for i in nodes.indices where nodes[i].operation.isWeighted {
      for j in nodes[i].parameters.indices where nodes[i].parameters[j].role == .bias {
        nodes[i].parameters[j].values = nodes[i].parameters[j].values.map { _ in Float.random(in: -0.5...0.5, using: &generator) }
      }
    }
    let options = QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true, perChannelWeights: perChannel,
                                      biasCorrection: true)
    try checkEveryOperation(network: try Network(nodes: nodes), seed: seed, options: options, perChannel: perChannel,
                            biasCorrected: true)
  }

  func checkEveryOperation(network: Network, seed: UInt64, options: QuantizationOptions, perChannel: Bool = false,
                           biasCorrected: Bool = false) throws {
    var generator = SplitMix64(seed: seed &+ 1000)
    let count = 60
    let elements = network.inputShape.elementCount
    let raw = (0..<(count * elements)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let floats = Self.preprocessing.apply(raw, channels: 3)
    let inputs = (0..<count).map { Array(floats[($0 * elements)..<(($0 + 1) * elements)]) }
    let model = try FixedPointModel(network: network, calibrationInputs: Array(inputs.prefix(20)), options: options)
    let layers = model.network.weightedLayerIndices.count
    let random = PrecisionConfiguration(layers: (0..<layers).map { _ in
      LayerPrecision(weightBits: Int.random(in: 2...9, using: &generator), activationBits: Int.random(in: 2...9, using: &generator))
    })
    let configurations = [PrecisionConfiguration.uniform(16, layerCount: layers), random,
                          PrecisionConfiguration.uniform(weightBits: 3, activationBits: 5, layerCount: layers)]
    let points = configurations.enumerated().map {
      ExportedPoint(id: "q\($0.offset) ??/ \" */", configuration: $0.element, validationAccuracy: 0.5, testAccuracy: nil,
                    energyJoules: 1e-6 * Double($0.offset + 1))
    }
    // The premise: window shifts in play, and the 16-bit point needs int64 accumulation; per channel, channels
    // with different requantization shifts at every point.
    #expect(model.layers.contains { $0.windowShifts[3] > 0 } || model.groups.contains { $0.windowShifts[5] > 0 })
    if perChannel {
      for configuration in configurations {
        let parameters = try IntegerPlan(model: model, configuration: configuration).layerParameters
        let differ = parameters.contains { $0.hasChannelShifts }
        #expect(differ, "\(configuration)")
      }
    }
    if biasCorrected {
      // The premise: the corrections change biases at the low-bit points and none at 16 bits.
      let corrections = try configurations.map { configuration in
        try ResolvedIntegerPlan(model: model, configuration: configuration).steps.compactMap { step -> [Int64]? in
          if case .weighted(let layer) = step { return layer.biasCorrection }
          return nil
        }
      }
      #expect(corrections[0].allSatisfy { $0.allSatisfy { $0 == 0 } })
      #expect(corrections[2].contains { $0.contains { $0 != 0 } })
    }
    let expected: [[[Int32]]] = try configurations.map { configuration in
      let plan = try IntegerPlan(model: model, configuration: configuration, kernels: .reference)
      let workspace = plan.makeWorkspace()
      return inputs.map { plan.runCodes($0, workspace: workspace).map(Int32.init) }
    }
    let compiler = try #require(CCompilers.system)
    let sequence = [0, 1, 2, 1, 0, 2]
    for storage in WeightStorage.allCases {
      let request = CLibraryRequest(prefix: "every", weightStorage: storage, points: points,
                                    preprocessing: Self.preprocessing, modelName: "every-operation */ ??/", modelChecksum: "none",
                                    arithmeticReference: "docs/arithmetic.md (tests)", frontName: "none")
      let library = try CLibraryGenerator.generate(model: model, request: request)
      let harness = try CLibraryHarness(library: library, prefix: "every")
      defer { harness.directory.cleanup() }
      if let failure = try harness.build(compiler: compiler) {
        Issue.record("\(storage): \(failure)")
        continue
      }
      let result = try harness.run(raw: raw, floats: floats, count: count, sequence: sequence,
                                   outputs: network.outputShape.elementCount)
      #expect(result.status == 0, "\(storage): driver exited \(result.status): \(result.errors)")
      for (step, id) in sequence.enumerated() {
        #expect(result.logits[step] == expected[id], "\(storage), visit \(step) of point \(id)")
      }
    }
  }

  @Test func sameRequestGivesTheSameBytesAndBadRequestsAreRefused() throws {
    let network = try Self.network(seed: 4)
    var generator = SplitMix64(seed: 4)
    let inputs = (0..<8).map { _ in (0..<network.inputShape.elementCount).map { _ in Float.random(in: -2...2, using: &generator) } }
    let model = try FixedPointModel(network: network, calibrationInputs: inputs)
    let layers = model.network.weightedLayerIndices.count
    func request(prefix: String = "lib", points: [ExportedPoint]) -> CLibraryRequest {
      CLibraryRequest(prefix: prefix, weightStorage: .master16, points: points, preprocessing: Self.preprocessing,
                      modelName: "m", modelChecksum: "c", arithmeticReference: "r", frontName: "f")
    }
    let point = ExportedPoint(id: "a", configuration: .uniform(8, layerCount: layers), validationAccuracy: 0.9,
                              testAccuracy: 0.8, energyJoules: 1e-6)
    let first = try CLibraryGenerator.generate(model: model, request: request(points: [point]))
    let again = try CLibraryGenerator.generate(model: try FixedPointModel(network: network, calibrationInputs: inputs),
                                               request: request(points: [point]))
    #expect(first == again)
    #expect(first.files.map(\.name) == ["lib.h", "lib.c", "lib_weights.c", "README.md"])
    for bad in ["", "1x", "a-b", "_x", "static", String(repeating: "a", count: 33)] {
      #expect(throws: CodeGenerationError.self) { try CLibraryGenerator.generate(model: model, request: request(prefix: bad, points: [point])) }
    }
    #expect(throws: CodeGenerationError.noPoints) { try CLibraryGenerator.generate(model: model, request: request(points: [])) }
    #expect(throws: CodeGenerationError.duplicatePointID("a")) {
      try CLibraryGenerator.generate(model: model, request: request(points: [point, point]))
    }
    var unmeasured = point
    unmeasured.validationAccuracy = .nan
    #expect(throws: CodeGenerationError.self) { try CLibraryGenerator.generate(model: model, request: request(points: [unmeasured])) }
    var wrong = point
    wrong.configuration = .uniform(8, layerCount: layers + 1)
    #expect(throws: CodeGenerationError.self) { try CLibraryGenerator.generate(model: model, request: request(points: [wrong])) }
  }
}
