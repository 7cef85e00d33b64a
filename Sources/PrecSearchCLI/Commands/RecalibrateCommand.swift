import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO

/// `precsearch recalibrate --model PATH --data DIR --output PATH [--images N] [--activation-windows C]
/// [--window-images N]`: recomputes a model's activation ranges, with the magnitude histograms that activation window
/// shifts need, on training images, and writes the model with them; with `--activation-windows output` also the
/// activation window shifts chosen for the network's output (`OutputWindowShifts`).
///
/// The calibration images are the ones `precsearch train` used: the training split of `--data` minus the
/// validation hold-out recorded in the model's provenance, first `N` images (N from the provenance's
/// `calibration.images`, else 2,000). Validation and test images are never used.
struct RecalibrateCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path", help: "A shipped model by name (fashion) or a model file.", isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "directory",
    help: "The data set directory the model was trained on (IDX, CIFAR-10 binary or FER2013); its training split is "
      + "read. For a keyword-spotting model, also a folder of WAV clips in Speech Commands' layout.",
    isRequired: true)
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Where to write the recalibrated model (atomically; may be the input file).",
    isRequired: true)
  static let imagesOption = OptionSpec.value(
    "images", valueName: "count",
    help: "Calibration images (default: the number recorded in the model's provenance, else 2000).")
  static let activationWindowsOption = OptionSpec.value(
    "activation-windows", valueName: "criterion",
    help: "'output' also chooses every activation group's window shift per bit-width by its effect on the network's "
      + "output (mean KL divergence from the float reference on --window-images calibration images, evenly spaced) and "
      + "records them for --window-search activations-output|all-output; 'histogram' records only the histograms.",
    defaultValue: ActivationWindowCriterion.output.rawValue,
    allowedValues: ActivationWindowCriterion.allCases.map(\.rawValue))
  static let windowWeightsOption = OptionSpec.value(
    "window-weights", valueName: "bits",
    help: "With --activation-windows output: the weights of the uniform configuration each bit-width b is chosen at: "
      + "16 (W16Ab), 'matching' (WbAb, with weight window search) or 'both' (the divergences of the two added).",
    defaultValue: OutputWindowShifts.CalibrationWeights.sixteen.rawValue,
    allowedValues: OutputWindowShifts.CalibrationWeights.allCases.map(\.rawValue))
  static let windowImagesOption = OptionSpec.value(
    "window-images", valueName: "count",
    help: "With --activation-windows output: the calibration images the shifts are chosen on.",
    defaultValue: String(defaultWindowImages))
  /// `--window-images` when absent (also `import`'s).
  static let defaultWindowImages = 256

  static let configuration = CommandConfiguration(
    name: "recalibrate",
    abstract: "Recompute a model's activation ranges, histograms and output-chosen windows on its training images.",
    discussion: """
      The fixed-point engine chooses every activation format from ranges observed on training images; activation \
      window shifts (--window-search activations) also need a histogram of each tensor's magnitudes. This command \
      runs the float model on the calibration images precsearch train used (the training split minus the \
      validation hold-out recorded in the model's provenance) and writes the model with new ranges and \
      histograms. It reports whether the ranges changed (they do not when the images are the same).

      For a keyword-spotting model, --data may instead be a folder of WAV clips in Speech Commands' layout \
      (WORD/*.wav) that is not a split accuracy is reported on (e.g. speech-commands-mini/training); all its clips \
      are calibration inputs, through the model's audio front-end.

      With --activation-windows output (the default) it also chooses, on --window-images evenly spaced calibration \
      images, each activation group's window shift at every bit-width 2...15 by the network's output \
      (docs/arithmetic.md) and records them in the model (activationRanges.outputWindowShifts), which the default \
      --window-search all-output of optimize, evaluate and serve uses; 'histogram' records the histograms only.
      """,
    options: [modelOption, dataOption, outputOption, imagesOption, activationWindowsOption, windowWeightsOption,
              windowImagesOption],
    examples: ["precsearch recalibrate --model fashion --data ../shared/data/fashion-mnist --output fashion.psmodel",
               "precsearch recalibrate --model fashion --data ../shared/data/fashion-mnist --activation-windows output "
                 + "--output fashion.psmodel"])

  var modelName: String
  var dataPath: String
  var outputPath: String
  var images: Int?
  var activationWindows: ActivationWindowCriterion
  var windowImages: Int
  var windowWeights: OutputWindowShifts.CalibrationWeights

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelName = try arguments.requiredValue(Self.modelOption)
    dataPath = try arguments.requiredValue(Self.dataOption)
    outputPath = try arguments.requiredValue(Self.outputOption)
    images = try arguments.integer(Self.imagesOption, in: 1...1_000_000)
    activationWindows = try arguments.choice(Self.activationWindowsOption, as: ActivationWindowCriterion.self) ?? .output
    windowImages = try arguments.integer(Self.windowImagesOption, in: 1...1_000_000) ?? Self.defaultWindowImages
    windowWeights = try arguments.choice(Self.windowWeightsOption, as: OutputWindowShifts.CalibrationWeights.self) ?? .sixteen
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
    let channels = network.inputShape.channels
    try model.preprocessing.validate(channels: channels)
    let inputs: [[Float]]
    let source: String
    if case .speechCommands(let directory) = try? DatasetLoading.resolve(dataPath) {
      let clips = try DatasetLoading.load(path: dataPath, model: model, options: DataOptions()).images
      let count = min(images ?? clips.count, clips.count)
      inputs = (0..<count).map { model.preprocessing.apply(clips.image($0), channels: channels) }
      source = "Calibrated on \(count) WAV clips of '\(directory)' (Speech Commands layout, through the model's audio front-end).\n"
    } else {
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
      inputs = (0..<count).map { model.preprocessing.apply(training.image($0), channels: channels) }
      let what: String
      switch format {
      case .idx: what = "IDX"
      case .cifar10Binary: what = "CIFAR-10 binary"
      case .fer2013: what = "FER2013"
      }
      source = "Calibrated on \(count) training images of '\(directory)' (\(what)"
        + (holdout.map { ", hold-out: \($0.summary)" } ?? ", no hold-out recorded") + ").\n"
    }
    let plan = try FloatPlan(network: network)  // folds BatchNorm, as the ranges require
    var ranges = ActivationRanges(observing: plan, inputs: inputs)
    if activationWindows == .output {
      ranges.outputWindowShifts = try Self.outputWindowShifts(network: network, ranges: ranges, inputs: inputs,
                                                              images: windowImages, weights: windowWeights)
    }

    let changed = model.activationRanges.map { old in
      zip(old.ranges, ranges.ranges).filter { $0.maxMagnitude != $1.maxMagnitude || $0.maxPositive != $1.maxPositive }.count
    }
    model.activationRanges = ranges
    try model.write(to: outputPath)
    output.write(source)
    if let table = ranges.outputWindowShifts {
      output.write("Activation window shifts chosen for the network's output on \(table.sampleCount) images "
        + "(shifts 0...\(table.maximumShift), \(table.groups.count) groups x bit-widths 2...15).\n")
    }
    switch changed {
    case .some(0): output.write("Activation ranges unchanged; histograms added. Wrote \(outputPath)\n")
    case .some(let n): output.write("Activation ranges changed at \(n) of \(ranges.ranges.count) nodes. Wrote \(outputPath)\n")
    case .none: output.write("Activation ranges recorded (the model had none). Wrote \(outputPath)\n")
    }
  }

  /// The activation window shifts chosen for the network's output (`OutputWindowShifts.calibrate`) on `images` of
  /// `inputs`, evenly spaced (a WAV folder is ordered by word), on every core; shared with `import`.
  static func outputWindowShifts(network: Network, ranges: ActivationRanges, inputs: [[Float]], images: Int,
                                 weights: OutputWindowShifts.CalibrationWeights = .sixteen) throws -> OutputWindowShifts {
    let threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 256))
    let n = min(images, inputs.count)
    return try OutputWindowShifts.calibrate(network: network, ranges: ranges,
                                            inputs: (0..<n).map { inputs[$0 * inputs.count / n] },
                                            weights: weights, threads: threads)
  }
}
