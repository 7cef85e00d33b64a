import Dispatch
import EnergyModel
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import PrecisionSearch
import PlatformSupport

/// optimize's inputs: the model (shipped name or file), its validation and test splits, and where they came from
/// (shared with serve and import).
extension OptimizeCommand {
  /// The model, the two splits and where they came from.
  struct Inputs {
    var model: ModelFile
    var modelSource: String
    var modelSHA256: String
    var dataName: String
    var validation: ImageDataset
    var validationSource: String
    var test: ImageDataset
    var testSource: String
  }

  /// Resolves `--model` (a file, else a shipped name) and the splits (`--data`, else the shipped ones).
  func loadInputs(notes: inout [String]) throws -> Inputs {
    try Self.loadInputs(modelValue: modelValue, dataPath: dataPath, validationImages: validationImages,
                        testImages: testImages, dataOptions: dataOptions, notes: &notes)
  }

  /// Resolves a `--model` value (a file, else a shipped name) and the splits (`--data`, else the shipped ones),
  /// keeping the first `validationImages` and `testImages` images when given (shared with `serve`).
  static func loadInputs(modelValue: String, dataPath: String?, validationImages: Int?, testImages: Int?,
                         dataOptions: DataOptions = DataOptions(), notes: inout [String]) throws -> Inputs {
    let (modelFile, shipped) = try ModelLoading.resolve(
      modelValue, hint: "give a model file with --model PATH and its data with --data")
    let model = try ModelLoading.load(path: modelFile)
    _ = try ModelLoading.requireRanges(model, path: modelFile)
    let classes = model.network.outputShape.elementCount
    let checksum = sha256Hex(of: try model.singleFileData(file: modelFile))
    var inputs: Inputs
    if let dataPath {
      inputs = try Self.splits(directory: dataPath, model: model, classes: classes, dataOptions: dataOptions, notes: &notes)
    } else if let shipped, let validation = shipped.validation, let test = shipped.test {
      inputs = Inputs(
        model: model, modelSource: modelValue, modelSHA256: checksum, dataName: shipped.dataName,
        validation: try IDXReader.read(images: validation.images, labels: validation.labels, classCount: classes),
        validationSource: ModelCatalog.displayPath(validation.images),
        test: try IDXReader.read(images: test.images, labels: test.labels, classCount: classes),
        testSource: ModelCatalog.displayPath(test.images))
    } else if let shipped {
      throw CommandFailure("model '\(shipped.name)' needs --data: \(shipped.dataHint)")
    } else {
      throw UsageError("Missing expected argument '\(Self.dataOption.synopsis)': a model file needs its data set "
        + "directory (only shipped models carry their data).")
    }
    inputs.model = model
    inputs.modelSource = shipped?.name ?? modelValue
    inputs.modelSHA256 = checksum
    if let validationImages { inputs.validation = inputs.validation.prefix(validationImages) }
    if let testImages { inputs.test = inputs.test.prefix(testImages) }
    for (name, set) in [("validation", inputs.validation), ("test", inputs.test)] where set.shape != model.network.inputShape {
      throw CommandFailure("the \(name) images are \(set.shape) but the model's input is \(model.network.inputShape) "
        + "(height x width x channels)")
    }
    return inputs
  }

  /// The splits of a data set directory: validation from `validation-*-idx` files or held out of the training
  /// split by the model's recorded rule; test from the published test split.
  static func splits(directory: String, model: ModelFile, classes: Int, dataOptions: DataOptions = DataOptions(),
                     notes: inout [String]) throws -> Inputs {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read data '\(directory)': no such directory")
    }
    let name = URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
    if isDirectory.boolValue && LabelsCSVFolder.hasLayout(directory: directory) {
      // One labelled set: searched on one half of every class, reported on the other.
      let loaded = try DatasetLoading.load(path: directory, model: model, options: dataOptions)
      let halves = try StratifiedHalves(splitting: loaded.images, seed: labelsFolderSplitSeed)
      return Inputs(model: model, modelSource: "", modelSHA256: "", dataName: name, validation: halves.validation,
                    validationSource: "\(loaded.imagesPath), validation half of \(halves.summary)", test: halves.test,
                    testSource: "\(loaded.imagesPath), test half of \(halves.summary)")
    }
    guard isDirectory.boolValue else {
      throw CommandFailure("cannot read data '\(directory)': expected a data set directory (IDX files, CIFAR-10 "
        + "binary batches or FER2013) holding both a training or validation split and a test split")
    }
    let (format, root) = try ImageDatasetLoader.detect(directory: directory)
    var validation: ImageDataset
    let validationSource: String
    let shipped = IDXReader.filePaths(directory: root, prefix: "validation")
    if format == .idx && FileManager.default.fileExists(atPath: shipped.images) {
      validation = try IDXReader.read(images: shipped.images, labels: shipped.labels, classCount: classes)
      validationSource = ModelCatalog.displayPath(shipped.images)
    } else if let published = try ImageDatasetLoader.readPublishedValidation(directory: root) {
      validation = published  // FER2013: PublicTest (nothing was held out of its training split)
      validationSource = "\(root) published validation split"
    } else {
      let recorded = model.provenance["validationHoldout"].flatMap(ValidationHoldout.init(provenance:))
      let rule = recorded ?? .seededStratified(perClass: 500, seed: 1)
      if recorded == nil {
        notes.append("the model records no validation hold-out (provenance.validationHoldout); holding out "
          + "\(rule.summary), which the model may have been trained on")
      }
      let training = try ImageDatasetLoader.read(directory: root, split: .train, classCount: classes)
      validation = try TrainValidationSplit(splitting: training, rule: rule).validation
      validationSource = "\(root) training split, hold-out: \(rule.summary)"
    }
    var test = try ImageDatasetLoader.read(directory: root, split: .test, classCount: classes)
    if let size = dataOptions.resize {
      validation = try ImageResize.bilinear(validation, height: size.height, width: size.width)
      test = try ImageResize.bilinear(test, height: size.height, width: size.width)
    }
    return Inputs(model: model, modelSource: "", modelSHA256: "", dataName: name, validation: validation,
                  validationSource: validationSource + resizeNote(dataOptions), test: test,
                  testSource: "\(root) test split" + resizeNote(dataOptions))
  }

  /// The seed of the stratified halves a `labels.csv` folder is split into (recorded in each split's source).
  static let labelsFolderSplitSeed: UInt64 = 1

  /// `, resized to HxW (bilinear)` when `--resize` is given.
  static func resizeNote(_ options: DataOptions) -> String {
    options.resize.map { ", resized to \($0) (bilinear)" } ?? ""
  }
}
