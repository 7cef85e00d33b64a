import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// A tiny FER2013-shaped data set written by the tests in the record layout: 48x48x1 images, 7 classes, each
/// class a bright horizontal band at its own rows plus seeded noise.
enum TinyFERData {
  static func make(perClass: Int, seed: UInt64) throws -> ImageDataset {
    var generator = SplitMix64(seed: seed)
    var pixels: [UInt8] = [], labels: [UInt8] = []
    for i in 0..<(perClass * 7) {
      let label = i % 7
      for y in 0..<48 {
        for _ in 0..<48 {
          let band = y / 6 == label
          pixels.append(band ? UInt8.random(in: 180...255, using: &generator) : UInt8.random(in: 0...60, using: &generator))
        }
      }
      labels.append(UInt8(label))
    }
    return try ImageDataset(height: 48, width: 48, channels: 1, pixels: pixels, labels: labels)
  }

  /// Writes `train.bin` (4 per class), `publictest.bin` and `privatetest.bin` (1 per class) into `directory`.
  static func write(to directory: String) throws {
    let base = URL(fileURLWithPath: directory)
    try FER2013Reader.writeRecords(try make(perClass: 4, seed: 11), to: base.appendingPathComponent("train.bin").path)
    try FER2013Reader.writeRecords(try make(perClass: 1, seed: 12), to: base.appendingPathComponent("publictest.bin").path)
    try FER2013Reader.writeRecords(try make(perClass: 1, seed: 13), to: base.appendingPathComponent("privatetest.bin").path)
  }
}

@Suite struct TrainFERTaskTests {
  func train(_ directory: TemporaryDirectory, output: String, extra: [String] = []) -> ToolRun {
    runTool(["train", "--task", "fer", "--data", directory.path("data"), "--output", directory.path(output),
             "--epochs", "2", "--seed", "5", "--threads", "1", "--batch-size", "14"] + extra)
  }

  func makeData(_ directory: TemporaryDirectory) throws {
    try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
    try TinyFERData.write(to: directory.path("data"))
  }

  /// The splits of `--task fer`: Training, PublicTest as validation (nothing held out), PrivateTest as test, and the
  /// checksums of the three files.
  @Test func ferDataUsesThePublishedSplits() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    let data = try TrainingData(task: .fer, directory: directory.path("data"), validationPerClass: 500, holdoutSeed: 1)
    #expect(data.holdout == nil && data.format == .fer2013)
    #expect(data.train == (try FER2013Reader.readRecords(file: directory.path("data/train.bin"))))
    #expect(data.validation == (try FER2013Reader.readRecords(file: directory.path("data/publictest.bin"))))
    #expect(data.test == (try FER2013Reader.readRecords(file: directory.path("data/privatetest.bin"))))
    #expect(data.fileChecksums.map(\.0) == ["train.bin", "publictest.bin", "privatetest.bin"])
    #expect(data.fileChecksums[1].1 == (try sha256Hex(ofFile: directory.path("data/publictest.bin"))))
    #expect(data.validationSummary == "the published validation split")
    // The same images from the Kaggle CSV layout: one file, read once, checksummed once.
    let csv = directory.path("csv")
    try FileManager.default.createDirectory(atPath: csv, withIntermediateDirectories: true)
    var text = "emotion,pixels,Usage\n"
    for (usage, set) in [("Training", data.train), ("PublicTest", data.validation), ("PrivateTest", data.test)] {
      for i in 0..<set.count {
        text += "\(set.labels[i]),\(set.image(i).map(String.init).joined(separator: " ")),\(usage)\n"
      }
    }
    try Data(text.utf8).write(to: URL(fileURLWithPath: csv + "/fer2013.csv"))
    let fromCSV = try TrainingData(task: .fer, directory: csv, validationPerClass: 500, holdoutSeed: 1)
    #expect(fromCSV.train == data.train && fromCSV.validation == data.validation && fromCSV.test == data.test)
    #expect(fromCSV.fileChecksums.map(\.0) == ["fer2013.csv"])
    // --data for evaluate: the directory and the CSV give PrivateTest, a record file itself.
    #expect(try DatasetLoading.load(path: directory.path("data"), classCount: 7).images == data.test)
    #expect(try DatasetLoading.load(path: csv, classCount: 7).images == data.test)
    #expect(try DatasetLoading.load(path: csv + "/fer2013.csv", classCount: 7).images == data.test)
    #expect(try DatasetLoading.load(path: directory.path("data/publictest.bin"), classCount: 7).images == data.validation)
    // optimize: validation is PublicTest.
    #expect(try ImageDatasetLoader.readPublishedValidation(directory: csv) == data.validation)
  }

  /// `--task fer` end to end: trains on Training, validates on PublicTest (no hold-out), tests on PrivateTest;
  /// resumes. Slow in debug builds (mini-Xception on 48x48 images): set PRECSEARCH_LONG_TESTS=1.
  @Test(.enabled(if: LongTests.isEnabled, LongTests.reason))
  func trainsOnPublishedSplitsAndResumes() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try makeData(directory)
    let whole = train(directory, output: "whole.psmodel")
    #expect(whole.status == 0, "\(whole.errors)")
    #expect(whole.errors.contains("28 training, 7 validation (the published validation split), 7 test images"),
            "\(whole.errors)")
    let model = try ModelFile.read(from: directory.path("whole.psmodel"))
    #expect(model.name == "fer")
    #expect(model.labels == ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"])
    #expect(model.network.inputShape == TensorShape(height: 48, width: 48, channels: 1))
    #expect(model.network.totalMACs == 5_520_448)
    #expect(model.activationRanges?.sampleCount == 28)
    let p = model.provenance
    #expect(p["task"]?.stringValue == "fer")
    #expect(p["validationHoldout"] == .null)
    #expect(p["command"]?.stringValue?.contains("--validation-per-class") == false)
    #expect(p["dataset"]?["name"]?.stringValue == "fer2013")
    #expect(p["dataset"]?["trainImages"]?.integerValue == 28)
    #expect(p["dataset"]?["validationImages"]?.integerValue == 7)
    #expect(p["dataset"]?["testImages"]?.integerValue == 7)
    let public7 = try FER2013Reader.readRecords(file: directory.path("data/publictest.bin"))
    let private7 = try FER2013Reader.readRecords(file: directory.path("data/privatetest.bin"))
    #expect(p["dataset"]?["validationImagesSHA256"]?.stringValue == public7.contentSHA256)
    #expect(p["dataset"]?["testImagesSHA256"]?.stringValue == private7.contentSHA256)
    let files = (p["dataset"]?["files"]?.arrayValue ?? []).compactMap { $0["file"]?.stringValue }
    #expect(files == ["train.bin", "publictest.bin", "privatetest.bin"])
    #expect(p["hyperParameters"]?["labelSmoothing"]?.doubleValue.map { abs($0 - 0.1) < 1e-6 } == true)
    #expect(p["hyperParameters"]?["cropPadding"]?.integerValue == 4)

    // Interrupted after epoch 1 and resumed: the same model.
    let checkpoint = directory.path("fer.ckpt")
    let part = train(directory, output: "resumed.psmodel", extra: ["--checkpoint", checkpoint, "--stop-after", "1"])
    #expect(part.status == 0, "\(part.errors)")
    let rest = train(directory, output: "resumed.psmodel", extra: ["--checkpoint", checkpoint, "--resume"])
    #expect(rest.status == 0, "\(rest.errors)")
    let resumed = try ModelFile.read(from: directory.path("resumed.psmodel"))
    #expect(resumed.network.nodes == model.network.nodes)
    #expect(resumed.metrics == model.metrics)
    // Another validation split refuses the checkpoint.
    try FER2013Reader.writeRecords(try TinyFERData.make(perClass: 1, seed: 99), to: directory.path("data/publictest.bin"))
    let other = train(directory, output: "other.psmodel", extra: ["--checkpoint", checkpoint, "--resume"])
    #expect(other.status == 1 && other.errors.contains("another validation"), "\(other.errors)")

    // evaluate reads FER2013 through --data: the directory (PrivateTest) or a record file.
    for data in [directory.path("data"), directory.path("data/privatetest.bin")] {
      let run = runTool(["evaluate", "--model", directory.path("whole.psmodel"), "--data", data,
                         "--weight-bits", "8", "--activation-bits", "8"])
      #expect(run.status == 0, "\(data): \(run.errors)")
      #expect(run.output.contains("7"), "\(run.output)")
    }
  }

  @Test func wrongDataNamesWhatTheTaskNeeds() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try FileManager.default.createDirectory(atPath: directory.path("data"), withIntermediateDirectories: true)
    try TinyIDXData.write(to: directory.path("data"))
    let run = runTool(["train", "--task", "fer", "--data", directory.path("data"), "--output", directory.path("m")])
    #expect(run.status == 1 && run.errors.contains("FER2013 record files") && run.errors.contains("IDX files"),
            "\(run.errors)")
    // FER2013 data for an IDX task.
    try makeData(directory)
    try FileManager.default.removeItem(atPath: directory.path("data/train-images-idx3-ubyte"))
    try FileManager.default.removeItem(atPath: directory.path("data/t10k-images-idx3-ubyte"))
    let fashion = runTool(["train", "--task", "fashion", "--data", directory.path("data"), "--output", directory.path("m")])
    #expect(fashion.status == 1 && fashion.errors.contains("Fashion-MNIST IDX files") && fashion.errors.contains("FER2013"),
            "\(fashion.errors)")
  }

  /// The task definitions: networks fit their input and classes; the hold-out tasks' hyper-parameters are the ones
  /// their checkpoints were made with.
  @Test func taskDefinitionsAreConsistent() throws {
    for task in TrainingTask.allCases {
      var generator = Xoshiro256StarStar(seed: 1)
      let network = try task.makeNetwork(using: &generator)
      #expect(network.inputShape == task.inputShape, "\(task)")
      #expect(network.outputShape.elementCount == task.classNames.count, "\(task)")
      #expect((PrecSearchTool.helpText(for: "train") ?? "").contains("'\(task.rawValue)'"), "\(task)")
    }
    #expect(TrainingTask.cifar10.configuration(epochs: 40, batchSize: 128, seed: 1, threads: 1) == TrainingConfiguration(
      epochs: 40, batchSize: 128, optimizer: .sgdNesterov, learningRate: 0.1,
      schedule: .cosine(warmupEpochs: 1, minimumFactor: 0), weightDecay: .l2(5e-4),
      augmentation: ImageAugmentation(cropPadding: 4, horizontalFlip: true), labelSmoothing: 0, batchNormMomentum: 0.1,
      seed: 1, threads: 1))
    #expect(TrainingTask.fashion.configuration(epochs: 30, batchSize: 128, seed: 1, threads: 1) == TrainingConfiguration(
      epochs: 30, batchSize: 128, optimizer: .sgdNesterov, learningRate: 0.05,
      schedule: .cosine(warmupEpochs: 1, minimumFactor: 0), weightDecay: .l2(5e-4),
      augmentation: ImageAugmentation(cropPadding: 2, horizontalFlip: true), labelSmoothing: 0, batchNormMomentum: 0.1,
      seed: 1, threads: 1))
    #expect(TrainingTask.fer.definition.validation == .published)
    #expect(TrainingTask.cifar10.definition.validation == .heldOut)
  }

  /// A hold-out task's checkpoint fingerprint encodes exactly the keys it always had (a CIFAR-10 run resumes from a
  /// checkpoint written before the published-validation tasks existed).
  @Test func holdOutFingerprintIsUnchanged() throws {
    let configuration = TrainingTask.cifar10.configuration(epochs: 40, batchSize: 128, seed: 1, threads: 1)
    let fingerprint = TrainingCheckpoint.Fingerprint(
      task: "cifar10", seed: "1", configuration: configuration, trainingImagesSHA256: "abc",
      validationHoldout: .seededStratified(perClass: 500, seed: 1))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let object = try JSONSerialization.jsonObject(with: try encoder.encode(fingerprint)) as? [String: Any]
    #expect(object.map { Array($0.keys).sorted() } == ["configuration", "seed", "task", "trainingImagesSHA256", "validationHoldout"])
    // A fingerprint as the earlier code wrote it decodes and matches.
    let old = #"{"configuration":\#(String(decoding: try encoder.encode(configuration), as: UTF8.self)),"seed":"1","task":"cifar10","trainingImagesSHA256":"abc","validationHoldout":{"seededStratified":{"perClass":500,"seed":1}}}"#
    let decoded = try JSONDecoder().decode(TrainingCheckpoint.Fingerprint.self, from: Data(old.utf8))
    #expect(decoded == fingerprint)
  }

  @Test func ferIsAPlannedModelWhoseDataDoesNotShip() throws {
    #expect(ModelCatalog.plannedNames.contains("fer"))
    let hint = ModelCatalog.fer2013DataHint
    #expect(hint.contains("train.bin") && hint.contains("privatetest.bin") && hint.contains("fer2013.csv"))
    let run = runTool(["optimize", "--model", "fer"])
    #expect(run.status == 1)
    let shipped = try #require(ModelCatalog.shippedModel(named: "fer"), "the shipped fer model is not installed")
    #expect(shipped.validation == nil && shipped.test == nil && shipped.dataName == "fer2013")
    #expect(run.errors.contains("model 'fer' needs --data") && run.errors.contains("fer2013.csv"), "\(run.errors)")
  }
}
