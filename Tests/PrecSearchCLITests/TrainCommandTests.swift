import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// A tiny Fashion-MNIST-shaped IDX data set written by the tests: 28x28x1 images, 10 classes, each class a bright
/// horizontal band at its own rows plus seeded noise (learnable, so accuracies are meaningful but not asserted).
enum TinyIDXData {
  /// Writes `train-*` (`perClassTrain` images per class) and `t10k-*` (`perClassTest` per class) into `directory`.
  static func write(to directory: String, perClassTrain: Int = 4, perClassTest: Int = 1, seed: UInt64 = 5) throws {
    func make(_ perClass: Int, _ seed: UInt64) throws -> ImageDataset {
      var generator = SplitMix64(seed: seed)
      var pixels: [UInt8] = [], labels: [UInt8] = []
      for i in 0..<(perClass * 10) {
        let label = i % 10
        for y in 0..<28 {
          for _ in 0..<28 {
            let band = y / 2 == label + 2
            pixels.append(band ? UInt8.random(in: 180...255, using: &generator) : UInt8.random(in: 0...60, using: &generator))
          }
        }
        labels.append(UInt8(label))
      }
      return try ImageDataset(height: 28, width: 28, channels: 1, pixels: pixels, labels: labels)
    }
    try IDXWriter.write(try make(perClassTrain, seed), directory: directory, prefix: "train")
    try IDXWriter.write(try make(perClassTest, seed &+ 1), directory: directory, prefix: "t10k")
  }
}

@Suite struct TrainCommandTests {
  /// `precsearch train` on the tiny data set: 30 training images after holding out 1 per class, batches of 10.
  func train(_ directory: TemporaryDirectory, output: String, seed: Int = 7, threads: Int = 1,
             extra: [String] = []) -> ToolRun {
    runTool(["train", "--task", "fashion", "--data", directory.path("data"), "--output", directory.path(output),
             "--epochs", "2", "--seed", String(seed), "--threads", String(threads), "--batch-size", "10",
             "--validation-per-class", "1"] + extra)
  }

  func makeData(_ directory: TemporaryDirectory) throws {
    try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
    try TinyIDXData.write(to: directory.path("data"))
  }

  @Test func writesModelWithProvenanceMetricsAndIsDeterministic() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    let first = train(directory, output: "a.psmodel")
    #expect(first.status == 0, "\(first.errors)")
    // Progress: one line per epoch with loss, accuracies, time and ETA.
    let epochLines = first.errorLines.filter { $0.hasPrefix("epoch ") }
    #expect(epochLines.count == 2)
    #expect(epochLines.first?.contains("epoch 1/2") == true && epochLines.first?.contains("loss ") == true)
    #expect(epochLines.allSatisfy { $0.contains("validation ") && $0.contains(" s  ETA ") })
    #expect(first.output.contains("Test accuracy, uniform 4 bits:"))

    let model = try ModelFile.read(from: directory.path("a.psmodel"))
    #expect(model.name == "fashion")
    #expect(model.labels.count == 10 && model.labels[0] == "T-shirt/top")
    #expect(model.network.inputShape == TensorShape(height: 28, width: 28, channels: 1))
    // Calibrated on the 30 training images left after the hold-out (never validation or test).
    #expect(model.activationRanges?.sampleCount == 30)

    let p = model.provenance
    #expect(p["task"]?.stringValue == "fashion")
    #expect(p["seed"]?.stringValue == "7")
    #expect(p["epochs"]?.integerValue == 2)
    #expect(p["hyperParameters"]?["batchSize"]?.integerValue == 10)
    #expect(p["hyperParameters"]?["learningRate"]?.doubleValue.map { abs($0 - 0.05) < 1e-6 } == true)
    #expect(p["commit"]?.stringValue?.isEmpty == false)
    #expect((p["wallSeconds"]?.doubleValue ?? -1) >= 0)
    #expect(p["dataset"]?["name"]?.stringValue == "fashion-mnist")
    #expect(p["dataset"]?["trainImages"]?.integerValue == 30)
    #expect(p["dataset"]?["validationImages"]?.integerValue == 10)
    #expect(p["dataset"]?["testImages"]?.integerValue == 10)
    let files = p["dataset"]?["files"]?.arrayValue ?? []
    #expect(files.count == 4)
    let trainImages = IDXReader.filePaths(directory: directory.path("data"), split: .train).images
    #expect(files.first?["file"]?.stringValue == "train-images-idx3-ubyte")
    #expect(files.first?["sha256"]?.stringValue == (try sha256Hex(ofFile: trainImages)))
    #expect(ValidationHoldout(provenance: p["validationHoldout"] ?? .null) == .seededStratified(perClass: 1, seed: 1))
    #expect(p["history"]?.arrayValue?.count == 2)
    #expect(p["finalValidationAccuracy"]?.doubleValue != nil)

    let m = try #require(model.metrics)
    #expect(m["testImages"]?.integerValue == 10)
    let float = try #require(m["testAccuracy"]?.doubleValue)
    #expect((0...1).contains(float))
    #expect(p["finalTestAccuracy"]?.doubleValue == float)
    for bits in [16, 8, 6, 4] {
      let a = m["fixedPointTestAccuracy"]?["uniform\(bits)"]?.doubleValue
      #expect(a.map { (0...1).contains($0) } == true, "uniform\(bits)")
      #expect(m["fixedPointTopOneAgreement"]?["uniform\(bits)"]?.doubleValue != nil)
    }

    // Same seed, one thread: the same model (weights, statistics, ranges, metrics).
    let second = train(directory, output: "b.psmodel")
    #expect(second.status == 0, "\(second.errors)")
    let again = try ModelFile.read(from: directory.path("b.psmodel"))
    #expect(again.network.nodes == model.network.nodes)
    #expect(again.activationRanges == model.activationRanges)
    #expect(again.metrics == model.metrics)
    #expect(again.preprocessing == model.preprocessing)
  }

  @Test func resumedRunGivesTheUninterruptedModel() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    let whole = train(directory, output: "whole.psmodel", seed: 3)
    #expect(whole.status == 0, "\(whole.errors)")
    let checkpoint = directory.path("run.ckpt")
    // Interrupted after epoch 1: no model, a checkpoint.
    let part = train(directory, output: "resumed.psmodel", seed: 3, extra: ["--checkpoint", checkpoint, "--stop-after", "1"])
    #expect(part.status == 0, "\(part.errors)")
    #expect(!FileManager.default.fileExists(atPath: directory.path("resumed.psmodel")))
    #expect(FileManager.default.fileExists(atPath: checkpoint))
    #expect(part.errors.contains("Stopped after epoch 1 of 2"))
    // Another seed refuses the checkpoint.
    let wrong = train(directory, output: "resumed.psmodel", seed: 4, extra: ["--checkpoint", checkpoint, "--resume"])
    #expect(wrong.status == 1)
    #expect(wrong.errors.contains("cannot resume from") && wrong.errors.contains("--seed 3"))
    // Resumed on two threads (the thread count does not change results).
    let rest = train(directory, output: "resumed.psmodel", seed: 3, threads: 2, extra: ["--checkpoint", checkpoint, "--resume"])
    #expect(rest.status == 0, "\(rest.errors)")
    #expect(rest.errors.contains("Resumed from"))
    let resumedEpochs = rest.errorLines.filter { $0.hasPrefix("epoch ") }
    #expect(resumedEpochs.count == 1 && resumedEpochs.first?.hasPrefix("epoch 2/2") == true)
    let a = try ModelFile.read(from: directory.path("whole.psmodel"))
    let b = try ModelFile.read(from: directory.path("resumed.psmodel"))
    #expect(a.network.nodes == b.network.nodes)
    #expect(a.activationRanges == b.activationRanges)
    #expect(a.metrics == b.metrics)
    #expect(a.provenance["history"]?.arrayValue?.count == b.provenance["history"]?.arrayValue?.count)
  }

  @Test func writesShippableSplits() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    try FileManager.default.createDirectory(atPath: directory.path("splits"), withIntermediateDirectories: true)
    let run = runTool(["train", "--task", "fashion", "--data", directory.path("data"), "--output", directory.path("m.psmodel"),
                       "--epochs", "1", "--batch-size", "25", "--validation-per-class", "1",
                       "--write-splits", directory.path("splits")])
    #expect(run.status == 0, "\(run.errors)")
    let validation = try IDXReader.read(directory: directory.path("splits"), prefix: "validation")
    let test = try IDXReader.read(directory: directory.path("splits"), split: .test)
    let published = try IDXReader.read(directory: directory.path("data"), split: .train)
    #expect(validation == (try TrainValidationSplit(splitting: published, rule: .seededStratified(perClass: 1, seed: 1))).validation)
    #expect(test == (try IDXReader.read(directory: directory.path("data"), split: .test)))
  }

  @Test func usageErrorsExit64() throws {
    let cases: [([String], String)] = [
      (["train", "--data", "d", "--output", "m"], "--task"),
      (["train", "--task", "mnist", "--data", "d", "--output", "m"], "'fashion'"),
      (["train", "--task", "fashion", "--output", "m"], "--data"),
      (["train", "--task", "fashion", "--data", "d"], "--output"),
      (["train", "--task", "fashion", "--data", "d", "--output", "m", "--resume"], "--checkpoint"),
      (["train", "--task", "fashion", "--data", "d", "--output", "m", "--epochs", "0"], "--epochs"),
      (["train", "--task", "fashion", "--data", "d", "--output", "m", "--threads", "3"], "--threads"),
      (["train", "--task", "fashion", "--data", "d", "--output", "m", "--seed", "-1"], "--seed"),
      (["train", "--task", "fashion", "--data", "d", "--output", "m", "--epochs", "3", "--stop-after", "3"], "--stop-after"),
      (["train", "--task", "cifar10", "--data", "d", "--output", "m", "--write-splits", "x"], "1-channel"),
      (["train", "--task", "kws", "--data", "d", "--output", "m", "--spec-augment", "2x8"], "--spec-augment"),
      (["train", "--task", "kws", "--data", "d", "--output", "m", "--spec-augment", "17x1,0x0"], "--spec-augment"),
      (["train", "--task", "kws", "--data", "d", "--output", "m", "--spec-augment", "2x8,1y2"], "--spec-augment"),
      (["train", "--task", "kws", "--data", "d", "--output", "m", "--real-clips-per-word", "75"], "kws-real only"),
      (["train", "--task", "kws-real", "--data", "d", "--output", "m", "--real-clips-per-word", "0"], "--real-clips-per-word"),
    ]
    for (arguments, mention) in cases {
      let run = runTool(arguments)
      #expect(run.status == 64, "\(arguments)")
      #expect(run.errors.hasPrefix("Error: ") && run.errors.contains(mention), "\(arguments): \(run.errors)")
      #expect(run.errors.contains("Usage: precsearch train"), "\(arguments)")
    }
  }

  @Test func specAugmentSpellingRoundTripsAndReachesTheConfiguration() throws {
    let masking = SpectrogramMasking(timeMasks: 2, maximumTimeWidth: 8, frequencyMasks: 1, maximumFrequencyWidth: 2)
    #expect(SpecAugmentSpelling.parse("2x8,1x2") == masking)
    #expect(SpecAugmentSpelling.text(masking) == "2x8,1x2")
    #expect(SpecAugmentSpelling.parse("none") == SpectrogramMasking.none && SpecAugmentSpelling.text(.none) == "none")
    for bad in ["", "2x8", "2x8,1x2,1x1", "x8,1x2", "2x1025,0x0", "-1x2,0x0", "2x8;1x2"] {
      #expect(SpecAugmentSpelling.parse(bad) == nil, "\(bad)")
    }
    let parsed = try TrainCommand(parsing: ArgumentScanner.parse(
      ["--task", "kws", "--data", "d", "--output", "m", "--spec-augment", "2x8,1x2"], options: TrainCommand.configuration.options))
    #expect(parsed.trainingConfiguration.augmentation.masking == masking)
    let defaults = try TrainCommand(parsing: ArgumentScanner.parse(
      ["--task", "fer", "--data", "d", "--output", "m"], options: TrainCommand.configuration.options))
    #expect(defaults.trainingConfiguration.augmentation == TrainingTask.fer.definition.augmentation)
  }

  @Test func badDataFailsWithExit1() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    let missing = runTool(["train", "--task", "fashion", "--data", directory.path("nothing"), "--output", directory.path("m")])
    #expect(missing.status == 1 && missing.errors.contains("no such directory"))
    let wrongTask = runTool(["train", "--task", "cifar10", "--data", directory.path("data"), "--output", directory.path("m")])
    #expect(wrongTask.status == 1 && wrongTask.errors.contains("CIFAR-10 binary batches"), "\(wrongTask.errors)")
    let noDirectory = runTool(["train", "--task", "fashion", "--data", directory.path("data"),
                               "--output", directory.path("none/m.psmodel")])
    #expect(noDirectory.status == 1 && noDirectory.errors.contains("does not exist"))
    // Batch larger than the training images left after the hold-out: a usage error naming the option.
    let big = runTool(["train", "--task", "fashion", "--data", directory.path("data"), "--output", directory.path("m"),
                       "--batch-size", "31", "--validation-per-class", "1"])
    #expect(big.status == 64 && big.errors.contains("--batch-size"), "\(big.errors)")
    // Truncated labels file: the reader's message names the file.
    let labels = IDXReader.filePaths(directory: directory.path("data"), split: .train).labels
    try Array(try Data(contentsOf: URL(fileURLWithPath: labels)).prefix(20)).write(to: labels)
    let truncated = runTool(["train", "--task", "fashion", "--data", directory.path("data"), "--output", directory.path("m")])
    #expect(truncated.status == 1 && truncated.errors.contains("train-labels-idx1-ubyte"), "\(truncated.errors)")
    // A file that is not a checkpoint.
    try makeData(directory)
    try Array("{}".utf8).write(to: directory.path("bad.ckpt"))
    let bad = train(directory, output: "m", extra: ["--checkpoint", directory.path("bad.ckpt"), "--resume"])
    #expect(bad.status == 1 && bad.errors.contains("not a training checkpoint"), "\(bad.errors)")
  }

  @Test func helpListsTrain() {
    #expect(PrecSearchTool.subcommandNames.contains("train"))
    let help = PrecSearchTool.helpText(for: "train") ?? ""
    #expect(help.contains("--task") && help.contains("--checkpoint") && help.contains("--resume"))
  }
}

@Suite struct ModelCatalogTests {
  @Test func unknownNamesListTheShippedOnes() {
    #expect(ModelCatalog.shippedModel(named: "no-such-model") == nil)
    let message = ModelCatalog.unknownModelMessage("no-such-model")
    #expect(message.contains("'no-such-model'") && message.contains("fashion") && message.contains("cifar10"))
    let run = runTool(["optimize", "--model", "no-such-model"])
    #expect(run.status != 0)
    #expect(run.errors.contains("fashion"), "\(run.errors)")
  }

  @Test func fashionShipsWithItsSplits() throws {
    let shipped = try #require(ModelCatalog.shippedModel(named: "fashion"))
    #expect(shipped.name == "fashion" && shipped.dataName == "fashion-mnist")
    #expect(ModelCatalog.installedNames.contains("fashion"))
    let model = try ModelFile.read(from: shipped.modelPath)
    #expect(model.name == "fashion" && model.activationRanges != nil)
    let validation = try #require(shipped.validation)
    let test = try #require(shipped.test)
    let v = try IDXReader.read(images: validation.images, labels: validation.labels, classCount: 10)
    let t = try IDXReader.read(images: test.images, labels: test.labels, classCount: 10)
    #expect(v.count == 5000 && v.classHistogram(classes: 10) == Array(repeating: 500, count: 10))
    #expect(t.count == 10000)
    // The splits are the ones the model was trained against.
    #expect(model.provenance["dataset"]?["validationImagesSHA256"]?.stringValue == v.contentSHA256)
    #expect(model.provenance["dataset"]?["testImagesSHA256"]?.stringValue == t.contentSHA256)
    let folder = URL(fileURLWithPath: shipped.modelPath).deletingLastPathComponent()
    #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("COPYRIGHT").path))
  }

  @Test func cifar10ShipsNoData() throws {
    // The model ships, CIFAR-10's data never does: its entry says where to get it.
    let shipped = try #require(ModelCatalog.shippedModel(named: "cifar10"))
    #expect(shipped.validation == nil && shipped.test == nil)
    #expect(shipped.dataHint.contains("cifar10-to-bin"))
    #expect(ModelCatalog.cifar10DataHint.contains("cifar10-to-bin") && ModelCatalog.cifar10DataHint.contains("Pillow"))
  }
}

/// Float reference versus the 16-bit fixed-point engine on the shipped model and its shipped test split.
@Suite struct ShippedFashionAgreementTests {
  /// Test images compared: the first 500 of the 10,000 (the float reference is slow in debug builds: 2,000 images
  /// took about 60 CPU-seconds), all 10,000 with PRECSEARCH_LONG_TESTS set.
  static let imageCount = !LongTests.isEnabled ? 500 : 10_000
  /// Largest |float logit - 16-bit fixed-point logit| accepted: measured 0.0060 on the first 2,000 test images
  /// (output format with 10 fractional bits, so about 6 steps of 2^-10), tolerance 5x that (docs/arithmetic.md,
  /// last section).
  static let logitTolerance: Float = 0.03

  @Test func sixteenBitsAgreeWithFloat() throws {
    let shipped = try #require(ModelCatalog.shippedModel(named: "fashion"))
    let model = try ModelFile.read(from: shipped.modelPath)
    let ranges = try #require(model.activationRanges)
    let test = try #require(shipped.test)
    let data = try IDXReader.read(images: test.images, labels: test.labels, classCount: 10).prefix(Self.imageCount)
    let floatPlan = try FloatPlan(network: model.network)
    let layers = model.network.weightedLayerNames.count
    let plan = try IntegerPlan(model: try FixedPointModel(network: model.network, ranges: ranges),
                               configuration: .uniform(16, layerCount: layers))
    // Logits: the Softmax's input in the float plan; the dequantized output codes of the integer plan.
    let folded = floatPlan.network
    let logitsIndex = folded.inputIndices[folded.outputIndex][0]
    let scale = Float(sign: .plus, exponent: -plan.storageFractionalBits[plan.network.outputIndex], significand: 1)
    let floatWorkspace = floatPlan.makeWorkspace(), integerWorkspace = plan.makeWorkspace()
    var agreeing = 0
    var largest: Float = 0
    for i in 0..<data.count {
      let input = model.preprocessing.apply(data.image(i), channels: 1)
      _ = floatPlan.run(input, workspace: floatWorkspace)
      let floatLogits = floatWorkspace.outputs[logitsIndex]
      let fixedLogits = plan.runCodes(input, workspace: integerWorkspace).map { Float($0) * scale }
      if FixedPointEvaluation.argmax(floatLogits) == FixedPointEvaluation.argmax(fixedLogits) { agreeing += 1 }
      for (a, b) in zip(floatLogits, fixedLogits) { largest = max(largest, abs(a - b)) }
    }
    let agreement = Double(agreeing) / Double(data.count)
    print("shipped fashion, first \(data.count) test images: top-1 agreement float vs 16-bit \(agreement), "
      + "max |logit difference| \(largest), output fractional bits \(plan.storageFractionalBits[plan.network.outputIndex])")
    #expect(agreement >= 0.995)
    #expect(largest < Self.logitTolerance)
  }
}
