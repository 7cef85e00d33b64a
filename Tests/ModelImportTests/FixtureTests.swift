import Foundation
import Testing
import NetworkEngine
@testable import ModelImport

/// A fixture's recorded input and output (HWC), from Experiments/import-check/make_fixtures.py.
struct ExpectedRun {
  var inputShape: TensorShape
  var input: [Float]
  var outputShape: TensorShape
  var output: [Float]

  init(_ name: String) throws {
    let text = String(decoding: try fixtureBytes(name + ".expected"), as: UTF8.self)
    let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    guard lines.count == 4, lines[0].count == 4, lines[2].count == 4 else {
      throw ModelImportError(.malformed, "\(name).expected does not have 4 lines")
    }
    func shape(_ l: [String]) -> TensorShape { TensorShape(height: Int(l[1]) ?? 0, width: Int(l[2]) ?? 0, channels: Int(l[3]) ?? 0) }
    inputShape = shape(lines[0])
    outputShape = shape(lines[2])
    input = lines[1].compactMap { Double($0) }.map { Float($0) }
    output = lines[3].compactMap { Double($0) }.map { Float($0) }
  }
}

let tfliteFixtures = ["conv2d_same_stride2_relu", "conv2d_valid_dilated_relu6_legacy_code", "depthwise_same_stride2_relu6",
                      "fully_connected_softmax", "average_pool_same", "max_pool_valid_relu", "add_residual_relu",
                      "mean_hw_squeeze", "reshape_fully_connected_relu", "pad_conv_valid", "relu6_relu",
                      "dequantize_int8_per_axis_conv"]
let onnxFixtures = ["conv_group_pads_strides_dilations", "conv_same_lower_stride", "conv_same_upper_bn_relu", "depthwise_clip6",
                    "maxpool_pads", "averagepool_pads", "gap_flatten_gemm_softmax", "conv_flatten_nchw_gemm",
                    "conv_reshape_matmul_add_relu", "add_residual_identity_dropout", "dequantize_linear_weights_per_axis",
                    "quantize_dequantize_weights_gemm", "nhwc_input_transposes"]

/// Imports fixture `file`, runs its recorded input through the float reference and returns the largest
/// difference from the output LiteRT / onnxruntime recorded.
func fixtureDifference(_ file: String) throws -> (Float, ImportedModel) {
  let imported = try ModelImporter.importModel(bytes: try fixtureBytes(file))
  let expected = try ExpectedRun(file)
  #expect(imported.network.inputShape == expected.inputShape)
  #expect(imported.network.outputShape == expected.outputShape)
  #expect(expected.input.count == expected.inputShape.elementCount)
  let output = try FloatPlan(network: imported.network).run(expected.input)
  #expect(output.count == expected.output.count)
  var difference: Float = 0
  for (a, b) in zip(output, expected.output) { difference = max(difference, abs(a - b)) }
  return (difference, imported)
}

@Test(arguments: tfliteFixtures)
func tfliteFixtureMatchesLiteRT(_ name: String) throws {
  let (difference, imported) = try fixtureDifference(name + ".tflite")
  #expect(difference <= 1e-5, "max |difference| \(difference)")
  #expect(imported.provenance.format == .tflite)
  #expect(imported.provenance.producer == "precsearch import fixture")
  #expect(imported.nodeOrigins.count == imported.network.nodes.count - 1)
}

@Test(arguments: onnxFixtures)
func onnxFixtureMatchesOnnxruntime(_ name: String) throws {
  let (difference, imported) = try fixtureDifference(name + ".onnx")
  #expect(difference <= 1e-5, "max |difference| \(difference)")
  #expect(imported.provenance.format == .onnx)
  #expect(imported.provenance.opsetVersion == 13)
  #expect(imported.provenance.producer == "precsearch-fixtures")
}

@Test func tflitePaddingAndCodesAreReadAsWritten() throws {
  // SAME on 7x6 with stride 2 and a 3x3 kernel: the IR's .same puts the odd column at the right, as TFLite does.
  let same = try ModelImporter.importModel(bytes: try fixtureBytes("conv2d_same_stride2_relu.tflite"))
  guard case .conv2D(let a) = same.network.nodes[1].operation else { Issue.record("not a conv"); return }
  #expect(a.padding == .same && a.strideHeight == 2 && a.strideWidth == 2)
  #expect(same.nodeOrigins["conv_2d_0.relu"]?.note == "fused RELU")
  // Only deprecated_builtin_code set (builtin_code 0 = ADD) still decodes as CONV_2D.
  let legacy = try TFLiteModel(bytes: try fixtureBytes("conv2d_valid_dilated_relu6_legacy_code.tflite"))
  #expect(legacy.operatorCodes.map(\.name) == ["CONV_2D"])
  // PAD folds into explicit padding of the VALID conv.
  let padded = try ModelImporter.importModel(bytes: try fixtureBytes("pad_conv_valid.tflite"))
  guard case .conv2D(let p) = padded.network.nodes[1].operation else { Issue.record("not a conv"); return }
  #expect(p.padding == .explicit(top: 1, bottom: 2, left: 2, right: 1))
  #expect(padded.absorbedOperators.map(\.sourceOperator) == ["PAD"])
  #expect(padded.provenance.operatorCounts == ["PAD": 1, "CONV_2D": 1])
  let quantized = try ModelImporter.importModel(bytes: try fixtureBytes("dequantize_int8_per_axis_conv.tflite"))
  #expect(quantized.provenance.hasQuantizedWeights)
}

@Test func quantizedInputBecomesThePreprocessing() throws {
  let imported = try ModelImporter.importModel(bytes: try fixtureBytes("uint8_input_dequantize_conv.tflite"))
  #expect(imported.inputQuantization == InputQuantization(scale: 0.02, zeroPoint: 128, isSigned: false))
  #expect(imported.absorbedOperators.map(\.sourceOperator) == ["DEQUANTIZE"])
  let expected = try ExpectedRun("uint8_input_dequantize_conv.tflite")
  let input = imported.preprocessing.apply(expected.input.map { Int($0) }, channels: expected.inputShape.channels)
  let output = try FloatPlan(network: imported.network).run(input)
  var difference: Float = 0
  for (a, b) in zip(output, expected.output) { difference = max(difference, abs(a - b)) }
  #expect(output.count == expected.output.count)
  #expect(difference <= 1e-5, "max |difference| \(difference)")
}

@Test func onnxLayoutsAreConverted() throws {
  let bn = try ModelImporter.importModel(bytes: try fixtureBytes("conv_same_upper_bn_relu.onnx"))
  #expect(bn.network.isFolded)
  #expect(!bn.network.nodes.contains { if case .batchNorm = $0.operation { true } else { false } })
  let nhwc = try ModelImporter.importModel(bytes: try fixtureBytes("nhwc_input_transposes.onnx"))
  #expect(nhwc.provenance.inputLayout == "NHWC")
  let nchw = try ModelImporter.importModel(bytes: try fixtureBytes("conv_flatten_nchw_gemm.onnx"))
  #expect(nchw.provenance.inputLayout == "NCHW")
  #expect(nchw.nodeOrigins.values.contains { $0.sourceOperator == "Flatten" && $0.note.contains("NCHW order") })
}
