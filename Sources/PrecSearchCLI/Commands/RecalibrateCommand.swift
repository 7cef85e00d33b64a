import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO

/// `precsearch recalibrate --model PATH --data DIR --output PATH [--images N]`: recomputes a model's activation
/// ranges, with the magnitude histograms that activation window shifts need, on training images, and writes the
/// model with them.
///
/// The calibration images are the ones `precsearch train` used: the training split of `--data` minus the
/// validation hold-out recorded in the model's provenance, first `N` images (N from the provenance's
/// `calibration.images`, else 2,000). Validation and test images are never used.
struct RecalibrateCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path", help: "A shipped model by name (fashion) or a model file.", isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "directory",
    help: "The data set directory the model was trained on (IDX, CIFAR-10 binary or FER2013); its training split is read.",
    isRequired: true)
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Where to write the recalibrated model (atomically; may be the input file).",
    isRequired: true)
  static let imagesOption = OptionSpec.value(
    "images", valueName: "count",
    help: "Calibration images (default: the number recorded in the model's provenance, else 2000).")

  static let configuration = CommandConfiguration(
    name: "recalibrate",
    abstract: "Recompute a model's activation ranges and histograms on its training images.",
    discussion: """
      The fixed-point engine chooses every activation format from ranges observed on training images; activation \
      window shifts (--window-search activations) also need a histogram of each tensor's magnitudes. This command \
      runs the float model on the calibration images precsearch train used (the training split minus the \
      validation hold-out recorded in the model's provenance) and writes the model with new ranges and \
      histograms. It reports whether the ranges changed (they do not when the images are the same).
      """,
    options: [modelOption, dataOption, outputOption, imagesOption],
    examples: ["precsearch recalibrate --model fashion --data ../shared/data/fashion-mnist --output fashion.psmodel"])

  var modelName: String
  var dataPath: String
  var outputPath: String
  var images: Int?

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelName = try arguments.requiredValue(Self.modelOption)
    dataPath = try arguments.requiredValue(Self.dataOption)
    outputPath = try arguments.requiredValue(Self.outputOption)
    images = try arguments.integer(Self.imagesOption, in: 1...1_000_000)
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let modelPath = try ModelLoading.resolve(modelName).path
    var files = FileRoles()
    files.read(modelPath, option: Self.modelOption.synopsis)
    files.read(dataPath, option: Self.dataOption.synopsis)
    files.write(outputPath, option: Self.outputOption)
    try files.check()
    var model = try ModelLoading.load(path: modelPath)
    let network = model.network
    let (format, directory) = try ImageDatasetLoader.detect(directory: dataPath)
    let published = try ImageDatasetLoader.read(directory: directory, split: .train,
                                                classCount: network.outputShape.elementCount)
    guard published.shape == network.inputShape else {
      throw CommandFailure("the training images in '\(dataPath)' are \(published.shape) but the model's input is "
        + "\(network.inputShape) (height x width x channels)")
    }
    let provenance = model.provenance
    let holdout = provenance["validationHoldout"].flatMap { ValidationHoldout(provenance: $0) }
    let training = try holdout.map { try TrainValidationSplit(splitting: published, rule: $0).train } ?? published
    let recorded = provenance["calibration"]?["images"]?.integerValue
    let count = min(images ?? recorded ?? 2000, training.count)
    guard count > 0 else { throw CommandFailure("no training images in '\(dataPath)' to calibrate on") }
    let channels = network.inputShape.channels
    try model.preprocessing.validate(channels: channels)
    let inputs = (0..<count).map { model.preprocessing.apply(training.image($0), channels: channels) }
    let plan = try FloatPlan(network: network)  // folds BatchNorm, as the ranges require
    let ranges = ActivationRanges(observing: plan, inputs: inputs)

    let changed = model.activationRanges.map { old in
      zip(old.ranges, ranges.ranges).filter { $0.maxMagnitude != $1.maxMagnitude || $0.maxPositive != $1.maxPositive }.count
    }
    model.activationRanges = ranges
    try model.write(to: outputPath)
    let what: String
    switch format {
    case .idx: what = "IDX"
    case .cifar10Binary: what = "CIFAR-10 binary"
    case .fer2013: what = "FER2013"
    }
    output.write("Calibrated on \(count) training images of '\(directory)' (\(what)"
      + (holdout.map { ", hold-out: \($0.summary)" } ?? ", no hold-out recorded") + ").\n")
    switch changed {
    case .some(0): output.write("Activation ranges unchanged; histograms added. Wrote \(outputPath)\n")
    case .some(let n): output.write("Activation ranges changed at \(n) of \(ranges.ranges.count) nodes. Wrote \(outputPath)\n")
    case .none: output.write("Activation ranges recorded (the model had none). Wrote \(outputPath)\n")
    }
  }
}
