import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import SeededRandom

/// The splits of a training run, with the checksums of the files they came from: train, validation (held out of
/// the published training split, or published) and the published test split.
struct TrainingData {
  var directory: String
  var format: ImageDatasetFormat
  /// The images trained on.
  var train: ImageDataset
  /// The validation images (never trained on).
  var validation: ImageDataset
  /// The test images.
  var test: ImageDataset
  /// The hold-out rule that made `validation`, or nil when the data set publishes its validation split.
  var holdout: ValidationHoldout?
  /// Paths of the test split's files (images then labels for IDX; one file for CIFAR-10 and FER2013).
  var testFiles: [String]
  /// (file name, SHA-256) of every file read, training files first.
  var fileChecksums: [(String, String)]

  /// How the validation split was made, for reports.
  var validationSummary: String {
    holdout.map { $0.summary } ?? "the published validation split"
  }

  init(task: TrainingTask, directory path: String, validationPerClass: Int, holdoutSeed: UInt64) throws {
    if task == .kws { self = try TrainingData(keywordSpotting: path); return }
    let definition = task.definition
    let (format, directory) = try ImageDatasetLoader.detect(directory: path)
    guard format == definition.format else {
      let found = [ImageDatasetFormat.idx: "IDX files", .cifar10Binary: "CIFAR-10 binary batches", .fer2013: "FER2013 files"]
      throw CommandFailure("--task \(task.rawValue) needs \(definition.dataDescription) but '\(path)' holds "
        + (found[format] ?? format.rawValue))
    }
    let base = URL(fileURLWithPath: directory)
    var trainFiles: [String], validationFiles: [String] = [], testFiles: [String]
    switch format {
    case .idx:
      let train = IDXReader.filePaths(directory: directory, split: .train)
      let test = IDXReader.filePaths(directory: directory, split: .test)
      trainFiles = [train.images, train.labels]
      testFiles = [test.images, test.labels]
    case .cifar10Binary:
      trainFiles = CIFAR10Reader.fileNames(split: .train).map { base.appendingPathComponent($0).path }
      testFiles = CIFAR10Reader.fileNames(split: .test).map { base.appendingPathComponent($0).path }
    case .fer2013:
      trainFiles = try FER2013Reader.files(directory: directory, split: .training)
      validationFiles = try FER2013Reader.files(directory: directory, split: .publicTest)
      testFiles = try FER2013Reader.files(directory: directory, split: .privateTest)
    }
    for file in trainFiles + validationFiles + testFiles where !FileManager.default.fileExists(atPath: file) {
      let hint = FileManager.default.fileExists(atPath: file + ".gz") ? " (found '\(file).gz'; decompress it with gunzip)" : ""
      throw CommandFailure("cannot read data '\(path)': '\(URL(fileURLWithPath: file).lastPathComponent)' is missing\(hint)")
    }
    let classCount = definition.classNames.count
    let published: ImageDataset
    var publishedValidation: ImageDataset?
    if format == .fer2013 {
      let splits = try FER2013Reader.read(directory: directory)
      (published, publishedValidation, test) = (splits.training, splits.publicTest, splits.privateTest)
    } else {
      published = try ImageDatasetLoader.read(directory: directory, split: .train, classCount: classCount)
      test = try ImageDatasetLoader.read(directory: directory, split: .test, classCount: classCount)
    }
    var sets = [("training", published), ("test", test)]
    if let publishedValidation { sets.insert(("validation", publishedValidation), at: 1) }
    for (name, set) in sets where set.shape != definition.inputShape {
      throw CommandFailure("the \(name) images in '\(path)' are \(set.shape) but --task \(task.rawValue) needs "
        + "\(definition.inputShape) (height x width x channels)")
    }
    for (name, set) in sets where set.count == 0 {
      throw CommandFailure("the \(name) split in '\(path)' has no images")
    }
    switch definition.validation {
    case .heldOut:
      let split = try TrainValidationSplit(splitting: published,
                                           rule: .seededStratified(perClass: validationPerClass, seed: holdoutSeed))
      (train, validation, holdout) = (split.train, split.validation, split.rule)
    case .published:
      guard let publishedValidation else {
        throw CommandFailure("--task \(task.rawValue) needs a published validation split, which '\(path)' lacks")
      }
      (train, validation, holdout) = (published, publishedValidation, nil)
    }
    self.directory = directory
    self.format = format
    self.testFiles = testFiles
    // Each file once, in reading order (the FER2013 CSV holds all three splits).
    var files: [String] = []
    for file in trainFiles + validationFiles + testFiles where !files.contains(file) { files.append(file) }
    fileChecksums = try files.map { (URL(fileURLWithPath: $0).lastPathComponent, try sha256Hex(ofFile: $0)) }
  }
}
