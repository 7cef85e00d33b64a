import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// `inspect` and `evaluate` on model and IDX files written by the tests, through `PrecSearchTool.run`.
@Suite struct FileCommandTests {
  /// A temporary directory with `tiny.psmodel`, an uncalibrated copy, and a 20-image IDX test split labeled with the
  /// float reference's predictions on even images (so float accuracy is exactly 50%).
  struct Workspace {
    let directory: TemporaryDirectory
    let model: ModelFile
    var modelPath: String { directory.path("tiny.psmodel") }
    var uncalibratedPath: String { directory.path("uncalibrated.psmodel") }
    var dataPath: String { directory.url.path }

    init() throws {
      directory = try TemporaryDirectory()
      model = try Fixtures.tinyModel(seed: 11)
      try model.write(to: directory.path("tiny.psmodel"))
      var uncalibrated = model
      uncalibrated.activationRanges = nil
      try uncalibrated.write(to: directory.path("uncalibrated.psmodel"))
      let data = try Fixtures.images(count: 20, seed: 12)
      let predictions = try EvaluateTests.floatPredictions(model, data)
      let labels = predictions.enumerated().map { i, c in i % 2 == 0 ? c : (c + 3) % 10 }
      try Fixtures.writeIDX(try Fixtures.relabeled(data, labels).images,
                            images: directory.path("t10k-images-idx3-ubyte"),
                            labels: directory.path("t10k-labels-idx1-ubyte"))
    }

    func evaluateArguments(_ extra: [String] = [], weightBits: String = "8", activationBits: String = "8") -> [String] {
      ["evaluate", "--model", modelPath, "--data", dataPath, "--weight-bits", weightBits,
       "--activation-bits", activationBits] + extra
    }
  }

  @Test func inspectReadsBothLayouts() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let split = workspace.directory.path("split.json")
    try workspace.model.write(to: split, layout: .headerAndBlob)
    let single = runTool(["inspect", "--model", workspace.modelPath])
    #expect(single.status == 0 && single.errors.isEmpty, "\(single.errors)")
    #expect(single.output.contains("Model: \(workspace.modelPath) (test-tiny)\n"))
    // conv1 4*9+4 = 40, bn1 4*4 = 16, conv2 8*36+8 = 296, fc 392*10+10 = 3,930 parameters.
    #expect(single.output.contains("Total: 4,282 parameters, 25,088 MACs, 3 weighted layers (conv1, conv2, fc), 9 nodes\n"),
            "\(single.output)")
    let pair = runTool(["inspect", "--model", split])
    #expect(pair.status == 0)
    #expect(pair.output == single.output.replacingOccurrences(of: workspace.modelPath, with: split))
    let json = runTool(["inspect", "--json", "--model", workspace.modelPath])
    #expect(json.status == 0)
    let report = try JSONDecoder().decode(InspectReport.self, from: Foundation.Data(json.output.utf8))
    #expect(report.totals.macs == 25_088 && report.weightedLayerNames == ["conv1", "conv2", "fc"])
  }

  @Test func inspectResolvesAShippedModelByName() throws {
    let shipped = try #require(ModelCatalog.shippedModel(named: "fashion"))
    let byName = runTool(["inspect", "--model", "fashion"])
    #expect(byName.status == 0 && byName.errors.isEmpty, "\(byName.errors)")
    #expect(byName.output.hasPrefix("Model: fashion (fashion)\n"), "\(byName.output)")
    // The same table as inspecting the shipped file by its path, which is shown without the build's internal
    // resource folder.
    let byPath = runTool(["inspect", "--model", shipped.modelPath])
    #expect(byPath.output.hasPrefix("Model: shipped:fashion/fashion.psmodel (fashion)\n"), "\(byPath.output)")
    #expect(!byPath.output.contains(".build"))
    #expect(byName.output == byPath.output.replacingOccurrences(of: "shipped:fashion/fashion.psmodel", with: "fashion"))
    let unknown = runTool(["inspect", "--model", "no-such-model"])
    #expect(unknown.status == 1)
    #expect(unknown.errors.contains("'no-such-model'"), "\(unknown.errors)")
  }

  @Test func evaluateOnIDXFiles() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let run = runTool(workspace.evaluateArguments())
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.errors.isEmpty)
    #expect(run.output.contains("Data:     \(workspace.dataPath): 20 of 20 images\n"))
    #expect(run.output.contains("Accuracy, float reference:  50.00% (10 / 20)\n"), "\(run.output)")
    // The images file form, per-layer lists, a limit and the reference kernels, as JSON.
    let json = runTool(["evaluate", "--model", workspace.modelPath, "--data",
                        workspace.directory.path("t10k-images-idx3-ubyte"), "--weight-bits", "8,4,6",
                        "--activation-bits", "6,8,4", "--limit", "10", "--kernels", "reference", "--json"])
    #expect(json.status == 0, "\(json.errors)")
    let report = try JSONDecoder().decode(EvaluationReport.self, from: Foundation.Data(json.output.utf8))
    #expect(report.configuration == "w8a6,w4a8,w6a4")
    #expect(report.kernels == "reference")
    #expect(report.data.evaluatedImages == 10 && report.data.availableImages == 20)
    #expect(report.data.labelsFile == workspace.directory.path("t10k-labels-idx1-ubyte"))
    #expect(report.accuracy.floatReferenceCorrect == 5)
    #expect(report.layers.map(\.name) == ["conv1", "conv2", "fc"])
    // Same configuration with the optimized kernels: bit-exact engine, same counts.
    let optimized = runTool(["evaluate", "--model", workspace.modelPath, "--data", workspace.dataPath,
                             "--weight-bits", "8,4,6", "--activation-bits", "6,8,4", "--limit", "10", "--json"])
    let other = try JSONDecoder().decode(EvaluationReport.self, from: Foundation.Data(optimized.output.utf8))
    #expect(other.accuracy == report.accuracy)
  }

  @Test func bitListLengthIsCheckedAgainstTheModel() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let run = runTool(workspace.evaluateArguments(weightBits: "8,8"))
    #expect(run.status == 64)
    #expect(run.errorLines.first == "Error: '--weight-bits' has 2 values but the model has 3 weighted layers (conv1, conv2, fc); give one value for all layers or one per layer.")
    #expect(run.errorLines.last == "  See 'precsearch evaluate --help' for more information.")
  }

  @Test func runtimeFailuresNameTheProblem() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    func failure(_ arguments: [String]) -> String {
      let run = runTool(arguments)
      #expect(run.status == 1, "\(arguments): \(run.errors)")
      #expect(run.output.isEmpty)
      #expect(run.errorLines.count == 1, "\(run.errors)")
      return run.errors
    }
    // A model without calibration ranges.
    var arguments = workspace.evaluateArguments()
    arguments[2] = workspace.uncalibratedPath
    let uncalibrated = failure(arguments)
    #expect(uncalibrated.hasPrefix("Error: model '\(workspace.uncalibratedPath)' has no calibration ranges"))
    #expect(uncalibrated.contains("precsearch recalibrate --model \(workspace.uncalibratedPath)"))
    // A corrupt model file.
    let corrupt = workspace.directory.path("corrupt.psmodel")
    try Foundation.Data("PSMODEL".utf8).write(to: URL(fileURLWithPath: corrupt))
    #expect(failure(["inspect", "--model", corrupt]).hasPrefix("Error: model file '\(corrupt)'"))
    // A truncated images file.
    let images = workspace.directory.path("t10k-images-idx3-ubyte")
    let bytes = try Foundation.Data(contentsOf: URL(fileURLWithPath: images))
    try bytes.prefix(bytes.count - 5).write(to: URL(fileURLWithPath: images))
    #expect(failure(workspace.evaluateArguments()).hasPrefix("Error: data file '\(images)'"))
    // A data set whose images do not fit the model's input.
    let small = try ImageDataset(height: 8, width: 8, channels: 1, pixels: Array(repeating: 7, count: 128), labels: [1, 2])
    try Fixtures.writeIDX(small, images: images, labels: workspace.directory.path("t10k-labels-idx1-ubyte"))
    #expect(failure(workspace.evaluateArguments()).contains("are 8x8x1 but the model's input is 28x28x1"))
    // Labels outside the model's classes.
    let wrongLabels = try ImageDataset(height: 28, width: 28, channels: 1, pixels: Array(repeating: 7, count: 784),
                                       labels: [12])
    try Fixtures.writeIDX(wrongLabels, images: images, labels: workspace.directory.path("t10k-labels-idx1-ubyte"))
    #expect(failure(workspace.evaluateArguments()).contains("label 12"))
  }
}

/// `evaluate` on CIFAR-10 binary batches written by the test (32x32x3 images).
@Suite struct CIFARCommandTests {
  @Test func evaluateReadsCIFARBatchesFromAFileOrADirectory() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    var generator = SplitMix64(seed: 21)
    var builder = NetworkBuilder(input: TensorShape(height: 32, width: 32, channels: 3))
    try builder.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 4,
                                              strideWidth: 4), using: &generator)
    try builder.add("relu", .relu)
    try builder.add("gap", .globalAvgPool)
    try builder.dense("fc", outputs: 10, using: &generator)
    let network = try builder.build()
    // Six records: label byte, then 1024 red, 1024 green, 1024 blue bytes.
    var bytes: [UInt8] = []
    for record in 0..<6 {
      bytes.append(UInt8(record % 10))
      for _ in 0..<3072 { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
    }
    let batches = directory.url.appendingPathComponent("cifar-10-batches-bin")
    try FileManager.default.createDirectory(at: batches, withIntermediateDirectories: true)
    let testBatch = batches.appendingPathComponent("test_batch.bin").path
    try bytes.write(to: testBatch)
    let data = try CIFAR10Reader.read(file: testBatch)
    let preprocessing = InputPreprocessing(scale: 1.0 / 255, mean: [0.5], standardDeviation: [0.25])
    let plan = try FloatPlan(network: network)
    let ranges = ActivationRanges(observing: plan, inputs: (0..<6).map { preprocessing.apply(data.image($0), channels: 3) })
    let modelPath = directory.path("cifar.psmodel")
    try ModelFile(name: "cifar-tiny", network: network, preprocessing: preprocessing, activationRanges: ranges)
      .write(to: modelPath)

    for dataPath in [directory.url.path, testBatch] {
      let run = runTool(["evaluate", "--model", modelPath, "--data", dataPath, "--weight-bits", "8",
                         "--activation-bits", "8", "--json"])
      #expect(run.status == 0, "\(run.errors)")
      let report = try JSONDecoder().decode(EvaluationReport.self, from: Foundation.Data(run.output.utf8))
      #expect(report.data.format == "cifar10Binary")
      #expect(report.data.imagesFile == testBatch && report.data.labelsFile == testBatch)
      #expect(report.data.evaluatedImages == 6)
    }
    // The same model on 28x28x1 IDX data is refused with both shapes named.
    let idx = try Fixtures.images(count: 2, seed: 3)
    try Fixtures.writeIDX(idx.images, images: directory.path("t10k-images-idx3-ubyte"),
                          labels: directory.path("t10k-labels-idx1-ubyte"))
    let mismatch = runTool(["evaluate", "--model", modelPath, "--data", directory.path("t10k-images-idx3-ubyte"),
                            "--weight-bits", "8", "--activation-bits", "8"])
    #expect(mismatch.status == 1)
    #expect(mismatch.errors.contains("are 28x28x1 but the model's input is 32x32x3"))
  }
}
