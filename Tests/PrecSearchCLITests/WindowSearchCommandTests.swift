import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import PrecSearchTestSupport

/// `--window-search` on evaluate (and its default), and `precsearch recalibrate`.
@Suite struct WindowSearchCommandTests {
  /// The tiny fixture model without histograms (as model files written before they were recorded).
  static func modelWithoutHistograms() throws -> ModelFile {
    var model = try Fixtures.tinyModel()
    let ranges = model.activationRanges!
    model.activationRanges = ActivationRanges(ranges: ranges.ranges.map {
      ActivationRange(node: $0.node, maxMagnitude: $0.maxMagnitude, maxPositive: $0.maxPositive)
    }, sampleCount: ranges.sampleCount)
    return model
  }

  /// Writes the same 16 images as the training and the test split of an IDX directory and returns them: the tiny
  /// fixture was calibrated on exactly these (`images(count: 16, seed: 101)`).
  @discardableResult
  static func writeCalibrationSplits(in directory: TemporaryDirectory) throws -> LoadedDataset {
    let training = try Fixtures.images(count: 16, seed: 101)
    try Fixtures.writeIDX(training.images, images: directory.path("train-images-idx3-ubyte"),
                          labels: directory.path("train-labels-idx1-ubyte"))
    try Fixtures.writeIDX(training.images, images: directory.path("t10k-images-idx3-ubyte"),
                          labels: directory.path("t10k-labels-idx1-ubyte"))
    return training
  }

  @Test func resolveFallsBackToWeightsWithoutHistograms() throws {
    let bare = try Self.modelWithoutHistograms().activationRanges!
    let full = try Fixtures.tinyModel().activationRanges!
    #expect(full.hasHistograms && !bare.hasHistograms)
    let (fallback, note) = try WindowSearch.resolve(nil, ranges: bare, modelPath: "m.psmodel")
    #expect(fallback == .weights && note?.contains("precsearch recalibrate") == true)
    let (chosen, none) = try WindowSearch.resolve(nil, ranges: full, modelPath: "m.psmodel")
    #expect(chosen == WindowSearch.defaultValue && none == nil)
    // Histograms without the output-chosen shifts: the histogram criterion, with a note naming the fix.
    var histogramsOnly = full
    histogramsOnly.outputWindowShifts = nil
    let (histogramChosen, histogramNote) = try WindowSearch.resolve(nil, ranges: histogramsOnly, modelPath: "m.psmodel")
    #expect(WindowSearch.defaultValue == .allOutput)
    #expect(histogramChosen == .all && histogramNote?.contains("--activation-windows output") == true)
    #expect(throws: CommandFailure.self) { try WindowSearch.resolve(.allOutput, ranges: histogramsOnly, modelPath: "m") }
    #expect(throws: CommandFailure.self) { try WindowSearch.resolve(.activations, ranges: bare, modelPath: "m.psmodel") }
    #expect(try WindowSearch.resolve(.disabled, ranges: bare, modelPath: "m").0 == .disabled)
  }

  @Test func evaluateAppliesAndReportsTheSetting() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let modelPath = directory.path("tiny.psmodel")
    try Fixtures.tinyModel().write(to: modelPath)
    let data = try Fixtures.images(count: 12, seed: 3)
    try Fixtures.writeIDX(data.images, images: directory.path("t10k-images-idx3-ubyte"),
                          labels: directory.path("t10k-labels-idx1-ubyte"))
    var reports: [String: String] = [:]
    for mode in WindowSearch.allCases {
      let run = runTool(["evaluate", "--model", modelPath, "--data", directory.path(""), "--weight-bits", "3",
                         "--activation-bits", "3", "--window-search", mode.rawValue, "--json"])
      #expect(run.status == 0, "\(run.errors)")
      #expect(run.output.contains("\"windowSearch\" : \"\(mode.rawValue)\""), "\(run.output.prefix(400))")
      reports[mode.rawValue] = run.output
    }
    // Output modes need the output-chosen shifts: without them, refused, naming the option that adds them.
    var withoutShifts = try Fixtures.tinyModel()
    withoutShifts.activationRanges?.outputWindowShifts = nil
    let withoutShiftsPath = directory.path("histograms-only.psmodel")
    try withoutShifts.write(to: withoutShiftsPath)
    let refusedOutput = runTool(["evaluate", "--model", withoutShiftsPath, "--data", directory.path(""), "--weight-bits",
                                 "3", "--activation-bits", "3", "--window-search", "all-output"])
    #expect(refusedOutput.status == 1 && refusedOutput.errors.contains("--activation-windows output"), "\(refusedOutput.errors)")
    let bad = runTool(["evaluate", "--model", modelPath, "--data", directory.path(""), "--weight-bits", "8",
                       "--activation-bits", "8", "--window-search", "both"])
    #expect(bad.status == 64 && bad.errors.contains("window-search"))

    // A model without histograms: the default falls back with a note; asking for activations fails clearly.
    let barePath = directory.path("bare.psmodel")
    try Self.modelWithoutHistograms().write(to: barePath)
    let fallback = runTool(["evaluate", "--model", barePath, "--data", directory.path(""), "--weight-bits", "8",
                            "--activation-bits", "8"])
    #expect(fallback.status == 0 && fallback.errors.contains("only weight windows"))
    #expect(fallback.output.contains("window search: weights"))
    let refused = runTool(["evaluate", "--model", barePath, "--data", directory.path(""), "--weight-bits", "8",
                           "--activation-bits", "8", "--window-search", "all"])
    #expect(refused.status == 1 && refused.errors.contains("recalibrate"))
  }

  @Test func recalibrateRestoresTheHistogramsFromTheTrainingSplit() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try Self.writeCalibrationSplits(in: directory)
    let barePath = directory.path("bare.psmodel"), outputPath = directory.path("recalibrated.psmodel")
    try Self.modelWithoutHistograms().write(to: barePath)
    let run = runTool(["recalibrate", "--model", barePath, "--data", directory.path(""), "--output", outputPath,
                       "--images", "16"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("Activation ranges unchanged; histograms added"), "\(run.output)")
    let recalibrated = try ModelFile.read(from: outputPath)
    #expect(recalibrated.activationRanges == (try Fixtures.tinyModel().activationRanges))
    // Fewer images: the ranges may change, and the command says how many nodes changed or that none did.
    let fewer = runTool(["recalibrate", "--model", barePath, "--data", directory.path(""), "--output", outputPath,
                         "--images", "1"])
    #expect(fewer.status == 0 && fewer.output.contains("Activation ranges"))
    let missing = runTool(["recalibrate", "--model", barePath, "--data", directory.path("nowhere"), "--output", outputPath])
    #expect(missing.status == 1 && missing.errors.contains("nowhere"))
    let usage = runTool(["recalibrate", "--model", barePath, "--output", outputPath])
    #expect(usage.status == 64 && usage.errors.contains("--data"))
  }

  @Test func recalibrateChoosesActivationWindowsForTheOutput() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let training = try Self.writeCalibrationSplits(in: directory)
    let modelPath = directory.path("tiny.psmodel"), outputPath = directory.path("output.psmodel")
    try Fixtures.tinyModel().write(to: modelPath)
    let run = runTool(["recalibrate", "--model", modelPath, "--data", directory.path(""), "--output", outputPath,
                       "--images", "16", "--activation-windows", "output", "--window-images", "8"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("chosen for the network's output on 8 images"), "\(run.output)")
    let recalibrated = try ModelFile.read(from: outputPath)
    let table = try #require(recalibrated.activationRanges?.outputWindowShifts)
    // The same computation as the library's on the same 8 of the 16 calibration inputs (evenly spaced: every other).
    let fixture = try Fixtures.tinyModel()
    let inputs = (0..<16).map { Fixtures.preprocessing.apply(training.images.image($0), channels: 1) }
    var ranges = try #require(fixture.activationRanges)
    ranges.outputWindowShifts = nil
    #expect(table == (try OutputWindowShifts.calibrate(network: fixture.network, ranges: ranges,
                                                      inputs: (0..<8).map { inputs[$0 * 2] })))
    // With 'histogram' no table is written; the default writes one (on every calibration image here: 16 < 256).
    let plainPath = directory.path("plain.psmodel"), defaultPath = directory.path("default.psmodel")
    #expect(runTool(["recalibrate", "--model", modelPath, "--data", directory.path(""), "--output", plainPath,
                     "--images", "16", "--activation-windows", "histogram"]).status == 0)
    #expect(try ModelFile.read(from: plainPath).activationRanges?.outputWindowShifts == nil)
    #expect(runTool(["recalibrate", "--model", modelPath, "--data", directory.path(""), "--output", defaultPath,
                     "--images", "16"]).status == 0)
    #expect(try ModelFile.read(from: defaultPath).activationRanges?.outputWindowShifts
            == (try OutputWindowShifts.calibrate(network: fixture.network, ranges: ranges, inputs: inputs)))
    let evaluated = runTool(["evaluate", "--model", outputPath, "--data", directory.path(""), "--weight-bits", "3",
                             "--activation-bits", "3", "--window-search", "all-output", "--json"])
    #expect(evaluated.status == 0 && evaluated.output.contains("\"windowSearch\" : \"all-output\""), "\(evaluated.errors)")
    let bad = runTool(["recalibrate", "--model", modelPath, "--data", directory.path(""), "--output", outputPath,
                       "--activation-windows", "tensor"])
    #expect(bad.status == 64 && bad.errors.contains("activation-windows"))
  }
}

/// `evaluate` finds shipped models by name and, for one whose test split ships, needs no `--data`.
@Suite struct EvaluateShippedModelTests {
  @Test func shippedModelByNameWithoutData() throws {
    guard ModelCatalog.shippedModel(named: "fashion") != nil else {
      Issue.record("the shipped fashion model is not installed in this build")
      return
    }
    let run = runTool(["evaluate", "--model", "fashion", "--weight-bits", "8", "--activation-bits", "8",
                       "--limit", "20", "--json"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("t10k-images-idx3-ubyte") && run.output.contains("\"evaluatedImages\" : 20"))
    // cifar10 ships without its data: evaluating it needs --data.
    _ = try #require(ModelCatalog.shippedModel(named: "cifar10"), "the shipped cifar10 model is not installed")
    let needsData = runTool(["evaluate", "--model", "cifar10", "--weight-bits", "8", "--activation-bits", "8"])
    #expect(needsData.status == 64 && needsData.errors.contains("cifar10-to-bin"), "\(needsData.errors)")
    let unknown = runTool(["evaluate", "--model", "no-such-model", "--weight-bits", "8", "--activation-bits", "8"])
    #expect(unknown.status == 64 && unknown.errors.contains("--data"))
  }
}

/// `--weight-granularity` end to end: `optimize` records `per-channel` in the Pareto JSON and its command line, and
/// `evaluate` with the same setting reproduces a point's test measurement exactly; a bad value is a usage error.
@Suite struct WeightGranularityCommandTests {
  @Test func optimizeRecordsAndEvaluateReproducesPerChannel() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let front = fixture.path("front.json")
    // The other arithmetic settings pinned to the histogram criterion and no correction, so that only the
    // granularity differs from the per-tensor evaluation below.
    let others = ["--window-search", "all", "--bias-correction", "off"]
    let run = runTool(fixture.arguments(["--output", front, "--weight-bits", "2-8", "--activation-bits", "4-8",
                                         "--weight-granularity", "per-channel"] + others))
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: front)
    #expect(document.model.weightGranularity == "per-channel")
    #expect(document.provenance.commandLine.contains("--weight-granularity"))
    #expect(try ParetoFrontDocument.quantizationOptions(ofFront: JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: front))))
            == QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true, perChannelWeights: true))
    let point = try #require(document.points.first)
    let bits = ["--weight-bits", point.layers.map { String($0.weightBits) }.joined(separator: ","),
                "--activation-bits", point.layers.map { String($0.activationBits) }.joined(separator: ",")]
    let evaluated = runTool(["evaluate", "--model", fixture.model, "--data", fixture.data, "--json",
                             "--weight-granularity", "per-channel"] + others + bits)
    #expect(evaluated.status == 0, "\(evaluated.errors)")
    let report = try #require(JSONValue.parse(Data(evaluated.output.utf8)).objectValue)
    #expect(report["weightGranularity"]?.stringValue == "per-channel")
    #expect(report["accuracy"]?["fixedPointCorrect"]?.doubleValue == Double(point.test.correct))
    // Per tensor: written as before the option existed (no key in the front, none in evaluate's report).
    let perTensor = runTool(["evaluate", "--model", fixture.model, "--data", fixture.data, "--json",
                             "--weight-granularity", "per-tensor"] + others + bits)
    #expect(perTensor.status == 0 && !perTensor.output.contains("weightGranularity"))
    let bad = runTool(["evaluate", "--model", fixture.model, "--data", fixture.data, "--weight-granularity", "per-row"]
                      + bits)
    #expect(bad.status == 64 && bad.errors.contains("weight-granularity"))
  }
}

/// The arithmetic and search defaults of `optimize` (issue #20, measured in Results/opt-in-combination): on a model
/// that records histograms, channel means and output-chosen windows, per-channel weights, `all-output` windows,
/// bias correction and the guided search, each recorded in the Pareto JSON; on a model without them, the fallbacks,
/// each with a note.
@Suite struct OptimizeDefaultsTests {
  @Test func defaultsAreTheMeasuredCombinationAndFallBackWithNotes() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let front = fixture.path("front.json")
    let run = runTool(fixture.arguments(["--output", front], evaluations: 30).filter { $0 != "--quiet" })
    #expect(run.status == 0 && !run.errors.contains("Note:"), "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: front)
    #expect(document.model.weightGranularity == "per-channel" && document.model.biasCorrection == "on")
    #expect(document.model.windowSearch == "all-output" && document.search.algorithm == "guided")
    #expect(try ParetoFrontDocument.quantizationOptions(ofFront: JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: front))))
            == QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true,
                                   activationWindowCriterion: .output, perChannelWeights: true, biasCorrection: true))
    // The same model without histograms, means and shifts: weight windows only and no correction, with two notes.
    var bare = try ModelFile.read(from: fixture.model)
    let ranges = try #require(bare.activationRanges)
    bare.activationRanges = ActivationRanges(ranges: ranges.ranges.map {
      ActivationRange(node: $0.node, maxMagnitude: $0.maxMagnitude, maxPositive: $0.maxPositive)
    }, sampleCount: ranges.sampleCount)
    let barePath = fixture.path("bare.psmodel"), bareFront = fixture.path("bare.json")
    try bare.write(to: barePath)
    let fallback = runTool(["optimize", "--model", barePath, "--data", fixture.data, "--evaluations", "12",
                            "--population-size", "4", "--output", bareFront])
    #expect(fallback.status == 0, "\(fallback.errors)")
    #expect(fallback.errors.contains("only weight windows") && fallback.errors.contains("records no channel means"),
            "\(fallback.errors)")
    let fallbackDocument = try ParetoFrontDocument.read(from: bareFront)
    #expect(fallbackDocument.model.windowSearch == "weights" && fallbackDocument.model.biasCorrection == nil)
    #expect(fallbackDocument.model.weightGranularity == "per-channel")
  }
}

/// `--bias-correction` end to end: `optimize` records `on` in the Pareto JSON and its command line, `evaluate` with
/// the same setting reproduces a point's test measurement exactly, `export` of that front writes the correction
/// tables, `run` reproduces it too; a model without channel means is refused naming `recalibrate`; a bad value is a
/// usage error.
@Suite struct BiasCorrectionCommandTests {
  @Test func optimizeRecordsAndEvaluateRunAndExportReproduce() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let front = fixture.path("front.json")
    // The other arithmetic settings pinned (per tensor, histogram criterion), so that only the correction differs.
    let others = ["--window-search", "all", "--weight-granularity", "per-tensor"]
    let run = runTool(fixture.arguments(["--output", front, "--weight-bits", "2-6", "--activation-bits", "4-8",
                                         "--bias-correction", "on"] + others))
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: front)
    #expect(document.model.biasCorrection == "on")
    #expect(document.provenance.commandLine.contains("--bias-correction"))
    #expect(try ParetoFrontDocument.quantizationOptions(ofFront: JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: front))))
            == QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true, biasCorrection: true))
    let point = try #require(document.points.first { $0.layers.contains { $0.weightBits < 16 } })
    let bits = ["--weight-bits", point.layers.map { String($0.weightBits) }.joined(separator: ","),
                "--activation-bits", point.layers.map { String($0.activationBits) }.joined(separator: ",")]
    var corrects: [String: Double] = [:]
    for setting in ["on", "off"] {
      let evaluated = runTool(["evaluate", "--model", fixture.model, "--data", fixture.data, "--json",
                               "--bias-correction", setting] + others + bits)
      #expect(evaluated.status == 0, "\(evaluated.errors)")
      let report = try #require(JSONValue.parse(Data(evaluated.output.utf8)).objectValue)
      #expect(report["biasCorrection"]?.stringValue == (setting == "on" ? "on" : nil))
      corrects[setting] = report["accuracy"]?["fixedPointCorrect"]?.doubleValue
    }
    #expect(corrects["on"] == Double(point.test.correct))
    // The front's points run through the runtime with the recorded setting: the same test count.
    let replay = runTool(["run", "--model", fixture.model, "--front", front, "--point", point.id, "--json",
                          fixture.path("t10k-images-idx3-ubyte")])
    #expect(replay.status == 0, "\(replay.errors)")
    let summary = try decodeJSON(RunReport.self, replay.output).summary
    #expect(summary.labeled == point.test.images && summary.correct == point.test.correct)
    let exported = runTool(["export", "--model", fixture.model, "--front", front, "--points", point.id,
                            "--output", fixture.path("c"), "--prefix", "tiny"])
    #expect(exported.status == 0, "\(exported.errors)")
    let source = try String(contentsOfFile: fixture.path("c/tiny.c"), encoding: .utf8)
    #expect(source.contains("tiny_bias_correction_0") && source.contains("tiny_correct_bias("))
    // serve with the same setting describes it and measures the point's validation count exactly.
    let session = try serve(["--model", fixture.model, "--data", fixture.data, "--quiet", "--bias-correction", "on"]
                              + others, requests: [#"{"describe": true}"#, try request(point)])
    #expect(session.answers.first?["model"]?["biasCorrection"] == "on")
    #expect(session.answers.last?["correct"] == .integer(point.validation.correct))
    let plain = try serve(["--model", fixture.model, "--data", fixture.data, "--quiet", "--bias-correction", "off"],
                          requests: [#"{"describe": true}"#])
    #expect(plain.answers.first?["model"]?["biasCorrection"] == nil)
  }

  @Test func modelsWithoutMeansAndBadValuesAreRefused() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let barePath = directory.path("bare.psmodel")
    try WindowSearchCommandTests.modelWithoutHistograms().write(to: barePath)
    let data = try Fixtures.images(count: 4, seed: 3)
    try Fixtures.writeIDX(data.images, images: directory.path("t10k-images-idx3-ubyte"),
                          labels: directory.path("t10k-labels-idx1-ubyte"))
    let common = ["evaluate", "--model", barePath, "--data", directory.path(""), "--weight-bits", "4",
                  "--activation-bits", "8", "--window-search", "weights"]
    let refused = runTool(common + ["--bias-correction", "on"])
    #expect(refused.status == 1 && refused.errors.contains("'--bias-correction on' needs the calibration means")
            && refused.errors.contains("precsearch recalibrate"), "\(refused.errors)")
    // Without the option the default (on) falls back to off, with a note naming the fix.
    let plain = runTool(common)
    #expect(plain.status == 0 && !plain.output.contains("bias correction"), "\(plain.errors)")
    #expect(plain.errors.contains("records no channel means") && plain.errors.contains("precsearch recalibrate"),
            "\(plain.errors)")
    let bad = runTool(common + ["--bias-correction", "maybe"])
    #expect(bad.status == 64 && bad.errors.contains("bias-correction"), "\(bad.errors)")
    // recalibrate adds the means, after which the option works.
    try WindowSearchCommandTests.writeCalibrationSplits(in: directory)
    let recalibrated = directory.path("recalibrated.psmodel")
    #expect(runTool(["recalibrate", "--model", barePath, "--data", directory.path(""), "--output", recalibrated,
                     "--images", "16"]).status == 0)
    let means = try #require(ModelFile.read(from: recalibrated).activationRanges)
    #expect(means.hasChannelMeans(for: try ModelFile.read(from: recalibrated).network.foldingBatchNorm()))
    let on = runTool(["evaluate", "--model", recalibrated, "--data", directory.path(""), "--weight-bits", "4",
                      "--activation-bits", "8", "--bias-correction", "on"])
    #expect(on.status == 0 && on.output.contains("bias correction: on"), "\(on.errors)")
  }
}
