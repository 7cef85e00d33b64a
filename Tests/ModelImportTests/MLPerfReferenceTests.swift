import Foundation
import Testing
import NetworkEngine
@testable import ModelImport

/// One row of a LiteRT reference file: label, logits (softmax input) and probabilities.
struct ReferenceRow {
  var label: Int
  var logits: [Float]
  var probabilities: [Float]
}

func readReference(_ name: String, classes: Int) throws -> [ReferenceRow] {
  let text = try String(contentsOf: referenceRoot.appendingPathComponent(name), encoding: .utf8)
  return try text.split(separator: "\n").map { line in
    let fields = line.split(separator: ",").map(String.init)
    guard fields.count == 2 + 2 * classes, let label = Int(fields[1]) else {
      throw ModelImportError(.malformed, "reference row '\(line.prefix(40))' has \(fields.count) fields")
    }
    let numbers = fields.dropFirst(2).compactMap { Double($0) }.map { Float($0) }
    return ReferenceRow(label: label, logits: Array(numbers[0..<classes]), probabilities: Array(numbers[classes...]))
  }
}

let mlperfModels = sharedRoot.appendingPathComponent("models/mlperf-tiny")
let haveMLPerfReference = FileManager.default.fileExists(atPath: mlperfModels.appendingPathComponent("kws_ref_model_float32.tflite").path)
  && FileManager.default.fileExists(atPath: referenceRoot.appendingPathComponent("kws_ref_model_float32.csv").path)

/// KWS inputs: the 1,000 int8 MLPerf MFCC features, in labels.csv order.
func kwsInputs() throws -> [[Int8]] {
  let root = sharedRoot.appendingPathComponent("data/mlperf-tiny-kws")
  let rows = try String(contentsOf: root.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
  return try rows.map { row in
    let file = String(row.split(separator: ",")[3])
    return try Data(contentsOf: root.appendingPathComponent(file)).map { Int8(bitPattern: $0) }
  }
}

/// IC inputs: the 200 uint8 HWC images, in labels.csv order.
func icInputs() throws -> [[UInt8]] {
  let root = sharedRoot.appendingPathComponent("data/mlperf-tiny-ic")
  let rows = try String(contentsOf: root.appendingPathComponent("labels.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
  return try rows.map { row in [UInt8](try Data(contentsOf: root.appendingPathComponent(String(row.split(separator: ",")[0])))) }
}

struct Comparison {
  var maxLogitDifference: Float = 0
  var maxProbabilityDifference: Float = 0
  var agreeing = 0
  var correct = 0
  var referenceCorrect = 0
  var count = 0

  var summary: String {
    let accuracy = 100 * Double(correct) / Double(count), reference = 100 * Double(referenceCorrect) / Double(count)
    return "max |logit diff| \(maxLogitDifference), max |probability diff| \(maxProbabilityDifference), top-1 agreement \(agreeing)/\(count), "
      + "accuracy precsearch \(String(format: "%.2f", accuracy))% vs reference \(String(format: "%.2f", reference))%"
  }
}

/// Imports `model`, runs every input through the float reference and compares with LiteRT's `reference` rows.
func compare(model: String, inputs: [[Float]], referenceFile: String, classes: Int) throws -> Comparison {
  let url = model.hasPrefix("/") ? URL(fileURLWithPath: model) : mlperfModels.appendingPathComponent(model)
  let bytes = [UInt8](try Data(contentsOf: url))
  let imported = try ModelImporter.importModel(bytes: bytes)
  let plan = try FloatPlan(network: imported.network)
  let workspace = plan.makeWorkspace()
  let reference = try readReference(referenceFile, classes: classes)
  #expect(reference.count == inputs.count)
  var c = Comparison()
  for (input, row) in zip(inputs, reference) {
    let (logits, probabilities) = logitsAndOutput(plan, input, workspace)
    for k in 0..<classes {
      c.maxLogitDifference = max(c.maxLogitDifference, abs(logits[k] - row.logits[k]))
      c.maxProbabilityDifference = max(c.maxProbabilityDifference, abs(probabilities[k] - row.probabilities[k]))
    }
    let predicted = argmax(probabilities)
    c.agreeing += predicted == argmax(row.probabilities) ? 1 : 0
    c.correct += predicted == row.label ? 1 : 0
    c.referenceCorrect += argmax(row.probabilities) == row.label ? 1 : 0
    c.count += 1
  }
  print("\((model as NSString).lastPathComponent) vs \(referenceFile): \(c.summary)")
  return c
}

/// Release builds only (`swift test -c release -Xswiftc -enable-testing --filter ModelImportTests`, seconds): in a
/// debug build the 2,400 float inferences take minutes.
@Suite(.enabled(if: isReleaseBuild && haveMLPerfReference,
                "needs a release build, ../shared/models/mlperf-tiny and Experiments/import-check/litert_reference.py's output"))
struct MLPerfReferenceTests {
  /// kws_ref_model_float32.tflite stores its CONV_2D filters int8 (dynamic-range "hybrid" quantization), which LiteRT
  /// runs by quantizing the conv inputs at run time; precsearch imports the same file as float math with the
  /// dequantized filters. The 1e-4 bound is checked against LiteRT on the script's dequantized copy (the same
  /// function in float); the hybrid original is compared by top-1 agreement and accuracy.
  @Test func dsCNNFloat32MatchesLiteRT() throws {
    let inputs = try kwsInputs().map { $0.map { (Float($0) - 83) * 0.5847029 } }
    let imported = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: mlperfModels.appendingPathComponent("kws_ref_model_float32.tflite"))))
    #expect(imported.provenance.hasQuantizedWeights)
    #expect(imported.inputQuantization == nil)
    let c = try compare(model: "kws_ref_model_float32.tflite", inputs: inputs, referenceFile: "kws_ref_model_float32.dequantized.csv", classes: 12)
    #expect(c.maxLogitDifference <= 1e-4)
    #expect(c.maxProbabilityDifference <= 1e-4)
    #expect(c.agreeing == c.count)
    #expect(c.correct == c.referenceCorrect)
    let hybrid = try compare(model: "kws_ref_model_float32.tflite", inputs: inputs, referenceFile: "kws_ref_model_float32.csv", classes: 12)
    #expect(Double(hybrid.agreeing) >= 0.99 * Double(hybrid.count))
  }

  @Test func resNet8Float32MatchesLiteRT() throws {
    let inputs = try icInputs().map { $0.map { Float($0) } }
    let c = try compare(model: "resnet8_float32.tflite", inputs: inputs, referenceFile: "resnet8_float32.csv", classes: 10)
    #expect(c.maxLogitDifference <= 1e-4)
    #expect(c.maxProbabilityDifference <= 1e-4)
    #expect(c.agreeing == c.count)
    #expect(c.correct == c.referenceCorrect)
  }

  /// The int8 models run float-derived (dequantized weights, float activations), so they are compared with LiteRT's
  /// integer kernels by accuracy and agreement only; the inputs go through the model's own input quantization.
  @Test func int8ModelsImportAndRunFloatDerived() throws {
    let kws = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: mlperfModels.appendingPathComponent("kws_ref_model_int8.tflite"))))
    #expect(kws.inputQuantization == InputQuantization(scale: 0.5847029, zeroPoint: 83, isSigned: true))
    #expect(kws.provenance.hasQuantizedWeights)
    let kwsInputs = try kwsInputs().map { kws.preprocessing.apply($0, channels: 1) }
    let k = try compare(model: "kws_ref_model_int8.tflite", inputs: kwsInputs, referenceFile: "kws_ref_model_int8.csv", classes: 12)
    #expect(Double(k.agreeing) >= 0.95 * Double(k.count))
    let ic = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: mlperfModels.appendingPathComponent("resnet8_int8.tflite"))))
    #expect(ic.inputQuantization == InputQuantization(scale: 1, zeroPoint: -128, isSigned: true))
    let icInputs = try icInputs().map { image in ic.preprocessing.apply(image.map { Int(Int16($0) - 128) }, channels: 3) }
    let r = try compare(model: "resnet8_int8.tflite", inputs: icInputs, referenceFile: "resnet8_int8.csv", classes: 10)
    #expect(Double(r.agreeing) >= 0.95 * Double(r.count))
  }
}

let haveONNXTwins = haveMLPerfReference
  && FileManager.default.fileExists(atPath: referenceRoot.appendingPathComponent("resnet8_float32.onnx.csv").path)

/// The ONNX twins written by Experiments/import-check/tflite_to_onnx.py: imported, they must compute what the
/// imported TFLite models compute (within 1e-4), and what onnxruntime computes.
@Suite(.enabled(if: isReleaseBuild && haveONNXTwins,
                "needs a release build, ../shared and the output of litert_reference.py and tflite_to_onnx.py"))
struct ONNXTwinTests {
  func twin(_ stem: String, inputs: [[Float]], classes: Int) throws {
    let tflite = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: mlperfModels.appendingPathComponent(stem + ".tflite"))))
    let onnx = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: referenceRoot.appendingPathComponent(stem + ".onnx"))))
    #expect(onnx.provenance.format == .onnx && onnx.provenance.inputLayout == "NCHW")
    #expect(onnx.network.inputShape == tflite.network.inputShape)
    #expect(onnx.network.weightedLayerNames.count == tflite.network.weightedLayerNames.count)
    let tflitePlan = try FloatPlan(network: tflite.network), onnxPlan = try FloatPlan(network: onnx.network)
    let tfliteWorkspace = tflitePlan.makeWorkspace(), onnxWorkspace = onnxPlan.makeWorkspace()
    var twinDifference: Float = 0
    var agreeing = 0
    for input in inputs {
      let a = logitsAndOutput(tflitePlan, input, tfliteWorkspace), b = logitsAndOutput(onnxPlan, input, onnxWorkspace)
      for k in 0..<classes {
        twinDifference = max(twinDifference, abs(a.logits[k] - b.logits[k]), abs(a.output[k] - b.output[k]))
      }
      agreeing += argmax(a.output) == argmax(b.output) ? 1 : 0
    }
    print("\(stem): imported ONNX twin vs imported TFLite: max |diff| (logits and probabilities) \(twinDifference), top-1 agreement \(agreeing)/\(inputs.count)")
    #expect(twinDifference <= 1e-4)
    #expect(agreeing == inputs.count)
    let c = try compare(model: referenceRoot.appendingPathComponent(stem + ".onnx").path, inputs: inputs,
                        referenceFile: stem + ".onnx.csv", classes: classes)
    #expect(c.maxLogitDifference <= 1e-4 && c.maxProbabilityDifference <= 1e-4)
  }

  @Test func dsCNNTwinsAgree() throws {
    try twin("kws_ref_model_float32", inputs: try kwsInputs().map { $0.map { (Float($0) - 83) * 0.5847029 } }, classes: 12)
  }

  @Test func resNet8TwinsAgree() throws {
    try twin("resnet8_float32", inputs: try icInputs().map { $0.map { Float($0) } }, classes: 10)
  }
}

/// Import time of each reference model (decode + mapping + BatchNorm folding), best of 5. Issue #18 asks for under
/// 1 s in a release build; the bound is checked in every configuration (debug is slower but still far below it).
@Test(.enabled(if: FileManager.default.fileExists(atPath: mlperfModels.appendingPathComponent("resnet8_int8.tflite").path),
               "needs ../shared/models/mlperf-tiny"))
func importTimeIsUnderOneSecond() throws {
  var files = ["kws_ref_model_float32.tflite", "kws_ref_model_int8.tflite", "resnet8_float32.tflite", "resnet8_int8.tflite"]
    .map { mlperfModels.appendingPathComponent($0) }
  files += ["kws_ref_model_float32.onnx", "resnet8_float32.onnx"].map { referenceRoot.appendingPathComponent($0) }
    .filter { FileManager.default.fileExists(atPath: $0.path) }
  let clock = ContinuousClock()
  for file in files {
    let bytes = [UInt8](try Data(contentsOf: file))
    var best = Duration.seconds(1000)
    for _ in 0..<5 {
      let time = try clock.measure { _ = try ModelImporter.importModel(bytes: bytes) }
      best = min(best, time)
    }
    #if DEBUG
    let configuration = "debug"
    #else
    let configuration = "release"
    #endif
    print("import \(file.lastPathComponent) (\(bytes.count) bytes): \(best) (best of 5, \(configuration) build)")
    #expect(best < .seconds(1))
  }
}
