import CodeGeneration
import Foundation
import ModelImport
import NetworkEngine
import PrecSearchTestSupport
import SeededRandom
import Testing

/// Models imported from TFLite and ONNX (the ModelImport fixtures) export to C that equals the engine bit for bit.
@Suite struct ImportedModelExportTests {
  static let fixtures = ShippedExportFixture.repositoryRoot.appendingPathComponent("Tests/ModelImportTests/Fixtures")

  /// The well-formed fixtures that Tests/ModelImportTests/FixtureTests.swift checks against LiteRT / onnxruntime
  /// (the directory also holds deliberately malformed ones).
  static let files: [String] = [
    "conv2d_same_stride2_relu", "conv2d_valid_dilated_relu6_legacy_code", "depthwise_same_stride2_relu6",
    "fully_connected_softmax", "average_pool_same", "max_pool_valid_relu", "add_residual_relu", "mean_hw_squeeze",
    "reshape_fully_connected_relu", "pad_conv_valid", "relu6_relu", "dequantize_int8_per_axis_conv",
  ].map { $0 + ".tflite" } + [
    "conv_group_pads_strides_dilations", "conv_same_lower_stride", "conv_same_upper_bn_relu", "depthwise_clip6",
    "maxpool_pads", "averagepool_pads", "gap_flatten_gemm_softmax", "conv_flatten_nchw_gemm",
    "conv_reshape_matmul_add_relu", "add_residual_identity_dropout", "dequantize_linear_weights_per_axis",
    "quantize_dequantize_weights_gemm", "nhwc_input_transposes",
  ].map { $0 + ".onnx" }

  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason))
  func importedModelsMatchTheEngine() throws {
    let compiler = try #require(CCompilers.system)
    var exported = 0
    for (index, file) in Self.files.enumerated() {
      let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(file)))
      let imported = try ModelImporter.importModel(bytes: bytes)
      let network = imported.network
      guard !network.weightedLayerIndices.isEmpty else { continue }  // the C export needs a Conv2D or Dense layer
      var generator = SplitMix64(seed: UInt64(index + 1))
      let elements = network.inputShape.elementCount
      let channels = network.inputShape.channels
      let count = 24
      let raw = (0..<(count * elements)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let floats = imported.preprocessing.apply(raw, channels: channels)
      let inputs = (0..<count).map { Array(floats[($0 * elements)..<(($0 + 1) * elements)]) }
      let model = try FixedPointModel(network: network, calibrationInputs: Array(inputs.prefix(12)),
                                      options: QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true))
      let layers = model.network.weightedLayerIndices.count
      let configurations = [
        PrecisionConfiguration.uniform(8, layerCount: layers),
        PrecisionConfiguration(layers: (0..<layers).map { _ in
          LayerPrecision(weightBits: Int.random(in: 2...12, using: &generator), activationBits: Int.random(in: 2...12, using: &generator))
        }),
      ]
      let expected: [[[Int32]]] = try configurations.map { configuration in
        let plan = try IntegerPlan(model: model, configuration: configuration)
        let workspace = plan.makeWorkspace()
        return inputs.map { plan.runCodes($0, workspace: workspace).map(Int32.init) }
      }
      let points = configurations.enumerated().map {
        ExportedPoint(id: "i\($0.offset)", configuration: $0.element, validationAccuracy: 0, testAccuracy: nil, energyJoules: 0)
      }
      let request = CLibraryRequest(prefix: "imported", weightStorage: .master16, points: points,
                                    preprocessing: imported.preprocessing, modelName: file, modelChecksum: "fixture",
                                    arithmeticReference: "docs/arithmetic.md (tests)", frontName: "none")
      let library = try CLibraryGenerator.generate(model: model, request: request)
      let harness = try CLibraryHarness(library: library, prefix: "imported")
      defer { harness.directory.cleanup() }
      if let failure = try harness.build(compiler: compiler) {
        Issue.record("\(file): \(failure)")
        continue
      }
      let sequence = [0, 1, 0]
      let result = try harness.run(raw: raw, floats: floats, count: count, sequence: sequence,
                                   outputs: network.outputShape.elementCount)
      #expect(result.status == 0, "\(file): driver exited \(result.status): \(result.errors)")
      for (step, id) in sequence.enumerated() {
        #expect(result.logits[step] == expected[id], "\(file), visit \(step) of point \(id)")
      }
      exported += 1
    }
    #expect(exported >= 10, "only \(exported) fixtures have a weighted layer")
  }
}
