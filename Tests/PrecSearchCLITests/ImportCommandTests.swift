import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
@testable import PrecSearchCLI
import PrecSearchTestSupport
import SeededRandom
import Testing

/// `precsearch import` end to end on the committed TFLite fixtures (Tests/ModelImportTests/Fixtures, made by
/// Experiments/import-check/make_fixtures.py with LiteRT's outputs recorded beside them), and the data paths an
/// imported model uses: labels.csv folders, int8 inputs, evaluate --predictions, inspect's origins.
@Suite("import command")
struct ImportCommandTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ModelImportTests/Fixtures")
  static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

  /// The `.expected` file of a fixture: input shape and values, output shape and values (LiteRT's).
  static func expected(_ name: String) throws -> (input: [Float], output: [Float]) {
    let lines = try String(contentsOfFile: fixture(name + ".expected"), encoding: .utf8).split(separator: "\n")
    func values(_ line: Substring) -> [Float] { line.split(separator: " ").compactMap { Float($0) } }
    return (values(lines[1]), values(lines[3]))
  }

  /// A labels.csv folder with one raw tensor file per entry of `tensors`, labels 0, 1, 0, 1, ...
  static func folder(_ tensors: [[UInt8]], in directory: TemporaryDirectory) throws -> String {
    let root = directory.path("data")
    try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
    var table = "file,label_index\n"
    for (i, bytes) in tensors.enumerated() {
      try Data(bytes).write(to: URL(fileURLWithPath: "\(root)/t/\(i).bin"))
      table += "t/\(i).bin,\(i % 2)\n"
    }
    try Data(table.utf8).write(to: URL(fileURLWithPath: root + "/labels.csv"))
    return root
  }

  /// The float logits of the `--predictions` CSV, per row.
  static func floatLogits(_ csv: String) throws -> [[Float]] {
    let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",")
    let first = header.firstIndex { $0.hasPrefix("float_logit_") }!
    return lines.dropFirst().map { $0.split(separator: ",")[first...].map { Float($0)! } }
  }

  @Test("a uint8-input model: imported, calibrated on a labels.csv folder, outputs as LiteRT's")
  func uint8Input() throws {
    let directory = try TemporaryDirectory("import")
    defer { directory.cleanup() }
    let (input, output) = try Self.expected("uint8_input_dequantize_conv.tflite")
    var generator = SplitMix64(seed: 3)
    let tensors = [input.map { UInt8($0) }] + (0..<5).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
    let data = try Self.folder(tensors, in: directory)
    let model = directory.path("m.psmodel")
    let run = runTool(["import", Self.fixture("uint8_input_dequantize_conv.tflite"), "--output", model,
                       "--calibration-data", data, "--name", "fixture"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("Imported") && run.output.contains("Wrote \(model)"))
    let file = try ModelFile.read(from: model)
    #expect(file.name == "fixture")
    #expect(file.inputEncoding == .uint8)
    #expect(file.preprocessing.scale == 0.02)
    #expect(file.activationRanges?.sampleCount == 2)  // the validation half: 1 of the 3 tensors of each class
    // By default the windows of --window-search all-output too, on the calibration inputs, as recalibrate chooses them.
    #expect(file.activationRanges?.outputWindowShifts?.sampleCount == 2)
    #expect(run.output.contains("windows chosen for the output on 2 of them"), "\(run.output)")
    let source = try #require(file.provenance["source"])
    #expect(source["sha256"]?.stringValue == (try sha256Hex(ofFile: Self.fixture("uint8_input_dequantize_conv.tflite"))))
    #expect(source["format"]?.stringValue == "TFLite")
    #expect(source["nodes"]?.arrayValue?.isEmpty == false)

    let predictions = directory.path("p.csv")
    let evaluate = runTool(["evaluate", "--model", model, "--data", data, "--weight-bits", "16", "--activation-bits", "16",
                            "--predictions", predictions])
    #expect(evaluate.status == 0, "\(evaluate.errors)")
    let logits = try Self.floatLogits(predictions)
    #expect(logits.count == 6)
    let difference = zip(logits[0], output).map { abs($0 - $1) }.max() ?? .infinity
    #expect(logits[0].count == output.count && difference <= 1e-4, "max difference \(difference)")

    let inspect = runTool(["inspect", "--model", model])
    #expect(inspect.status == 0)
    #expect(inspect.output.contains("Imported from uint8_input_dequantize_conv.tflite (TFLite"))
    #expect(inspect.output.contains("CONV_2D operator #"), "\(inspect.output)")
  }

  @Test("a float model fed int8 data: --input-type int8 --input-scale --input-zero-point")
  func int8Data() throws {
    let directory = try TemporaryDirectory("import-int8")
    defer { directory.cleanup() }
    var generator = SplitMix64(seed: 4)
    let count = 7 * 6 * 3
    let tensors = (0..<4).map { _ in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
    let data = try Self.folder(tensors, in: directory)
    let model = directory.path("m.psmodel")
    let run = runTool(["import", Self.fixture("conv2d_same_stride2_relu.tflite"), "--output", model, "--calibration-data", data,
                       "--input-type", "int8", "--input-scale", "0.5", "--input-zero-point", "3"])
    #expect(run.status == 0, "\(run.errors)")
    let file = try ModelFile.read(from: model)
    #expect(file.inputEncoding == .int8)
    let predictions = directory.path("p.csv")
    #expect(runTool(["evaluate", "--model", model, "--data", data, "--weight-bits", "8", "--activation-bits", "8",
                     "--predictions", predictions]).status == 0)
    // The file bytes are int8 values q; the network must see 0.5 * (q - 3).
    let plan = try FloatPlan(network: file.network)
    for (tensor, logits) in zip(tensors, try Self.floatLogits(predictions)) {
      let real = tensor.map { 0.5 * (Float(Int8(bitPattern: $0)) - 3) }
      let direct = plan.run(real, workspace: plan.makeWorkspace())
      let difference = zip(direct, logits).map { abs($0 - $1) }.max() ?? .infinity
      #expect(difference <= 1e-5, "max difference \(difference)")
    }
  }

  @Test("bad imports: usage errors exit 64, failures exit 1, each naming the problem")
  func errors() throws {
    let directory = try TemporaryDirectory("import-errors")
    defer { directory.cleanup() }
    let data = try Self.folder([[UInt8](repeating: 1, count: 32), [UInt8](repeating: 2, count: 32)], in: directory)
    let source = Self.fixture("uint8_input_dequantize_conv.tflite")
    let output = directory.path("out.psmodel")
    func check(_ arguments: [String], status: Int32, _ message: String) {
      let run = runTool(["import"] + arguments)
      #expect(run.status == status, "\(arguments): \(run.errors)")
      #expect(run.errors.contains(message), "\(arguments): \(run.errors)")
      #expect(!FileManager.default.fileExists(atPath: output))
    }
    check(["--output", output, "--calibration-data", data], status: 64, "Missing expected argument '<model>'")
    check([source, "--output", output, "--calibration-data", data, "--input-scale", "0.5"], status: 64, "go together")
    check([source, "--output", source, "--calibration-data", data], status: 64, "choose another output file")
    check([source, "--output", output, "--calibration-data", data, "--resize", "64"], status: 64, "expected HEIGHTxWIDTH")
    check([source, "--output", output, "--calibration-data", data, "--input-scale", "0.5", "--input-zero-point", "1"],
          status: 1, "are for float models fed quantized data")
    check([Self.fixture("unsupported_logistic.tflite"), "--output", output, "--calibration-data", data], status: 1,
          "LOGISTIC")
    let labels = directory.path("labels.txt")
    try Data("a\nb\n".utf8).write(to: URL(fileURLWithPath: labels))
    check([source, "--output", output, "--calibration-data", data, "--labels", labels], status: 1, "has 2 labels but the model has 48")
    let notAModel = directory.path("notes.tflite")
    try Data("hello, this is text".utf8).write(to: URL(fileURLWithPath: notAModel))
    check([notAModel, "--output", output, "--calibration-data", data], status: 1, "cannot import '\(notAModel)'")
    // Data of the wrong size names the sizes and the options that help.
    let small = try Self.folder([[1, 2, 3]], in: try TemporaryDirectory("import-small"))
    check([source, "--output", output, "--calibration-data", small], status: 1, "no column's first file holds one input tensor of 32 bytes")
  }

  @Test("MLPerf Tiny's DS-CNN imported and run on its int8 MFCC features",
        .enabled(if: SharedData.isAvailable("models/mlperf-tiny/kws_ref_model_float32.tflite", "data/mlperf-tiny-kws/labels.csv"),
                 SharedData.reason("MLPerf Tiny's DS-CNN and its test features")))
  func mlperfKeywordSpotting() throws {
    let directory = try TemporaryDirectory("import-mlperf")
    defer { directory.cleanup() }
    let model = directory.path("ds-cnn.psmodel")
    let data = SharedData.path("data/mlperf-tiny-kws")
    let run = runTool(["import", SharedData.path("models/mlperf-tiny/kws_ref_model_float32.tflite"), "--output", model,
                       "--calibration-data", data, "--calibration-samples", "50",
                       "--input-type", "int8", "--input-scale", "0.5847029", "--input-zero-point", "83",
                       "--activation-windows", "histogram"])  // ranges only: the output windows take minutes in debug
    #expect(run.status == 0, "\(run.errors)")
    let evaluate = runTool(["evaluate", "--model", model, "--data", data, "--weight-bits", "16", "--activation-bits", "16",
                            "--limit", "300", "--json"])
    #expect(evaluate.status == 0, "\(evaluate.errors)")
    // LiteRT scores 90.0 % on all 1,000 clips; a wrong input encoding gives chance level.
    let report = try JSONValue.parse(Array(evaluate.output.utf8))
    let accuracy = try #require(report["accuracy"]?["floatReference"]?.doubleValue)
    #expect(accuracy >= 0.85, "float accuracy \(accuracy) on the first 300 clips")
  }
}
