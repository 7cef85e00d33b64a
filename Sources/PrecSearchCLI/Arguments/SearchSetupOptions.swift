import Foundation
import NetworkEngine
import PrecisionSearch

/// The option group of the commands that set up a precision search on a model and its validation data
/// (`optimize` and `serve`), as swift-argument-parser's `@OptionGroup`: declared and parsed once here.
struct SearchSetupOptions {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path",
    help: "A shipped model by name (fashion) or a model file with calibration ranges.", isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "directory",
    help: "A data set directory (Fashion-MNIST IDX, CIFAR-10 binary batches, FER2013 records or CSV, or a "
      + "folder of WAV clips in Speech Commands' WORD/*.wav layout). Validation: its validation-*-idx files, else the "
      + "model's recorded hold-out of the training split; test: its test split. Not needed for a shipped model "
      + "that ships its data.")
  static let energyModelOption = EnergyModelSelection.option
  static let weightBitsOption = OptionSpec.value(
    "weight-bits", valueName: "list",
    help: "Allowed weight bit-widths: values and ranges in 2...16, e.g. 2-8,16.", defaultValue: "2-16")
  static let activationBitsOption = OptionSpec.value(
    "activation-bits", valueName: "list", help: "Allowed activation bit-widths, given like --weight-bits.",
    defaultValue: "2-16")
  static let pinOption = OptionSpec.value(
    "pin", valueName: "list",
    help: "Fix layers: LAYER=BITS for weights and activations, or LAYER=wBaC, LAYER=wB, LAYER=aC; LAYER is "
      + "first, last or a layer name; comma-separated, e.g. first=16,last=8.")
  static let quietOption = OptionSpec.flag("quiet", help: "Print no progress on standard error.")
  static let threadsOption = OptionSpec.value(
    "threads", valueName: "count",
    help: "Threads the images are split over (default: all cores); results do not depend on it.")
  static let validationImagesOption = OptionSpec.value(
    "validation-images", valueName: "count", help: "Use only the first <count> validation images (all by default).")
  static let screeningOption = OptionSpec.value(
    "screening", valueName: "rule",
    help: "Stop measuring a configuration early once it cannot reach the front: by a 3-sigma confidence bound "
      + "(confidence), only when it provably cannot (exact), or never (off).",
    defaultValue: "confidence", allowedValues: ["confidence", "exact", "off"])

  /// The group's options (`--window-search` and the data options included), in help order.
  static let options: [OptionSpec] = [modelOption, dataOption, energyModelOption, weightBitsOption, activationBitsOption,
                                      pinOption, threadsOption, validationImagesOption, screeningOption,
                                      WindowSearch.option, WeightGranularity.option, BiasCorrection.option,
                                      quietOption] + DataOptions.options

  /// `--model` as given: a shipped model's name or a model file.
  var modelValue: String
  /// `--data`, when given.
  var dataPath: String?
  /// `--energy-model`: a preset name or a table file, resolved when the command runs.
  var energyModel: String
  /// `--weight-bits` and `--activation-bits`: the allowed widths.
  var weightCandidates: [Int]
  var activationCandidates: [Int]
  /// `--pin`, resolved against the model's layers when the command runs.
  var pins: [OptimizeCommand.PinRequest]
  /// `--threads` (default: every core).
  var threads: Int
  /// `--validation-images`.
  var validationImages: Int?
  /// `--screening` and the settings it stands for.
  var screeningName: String
  var screening: ScreeningSettings
  /// `--window-search` (nil: the default for the model).
  var windowSearch: WindowSearch?
  /// `--weight-granularity`.
  var weightGranularity: WeightGranularity
  /// `--bias-correction` (nil: the default for the model).
  var biasCorrection: BiasCorrection?
  /// `--quiet`.
  var quiet: Bool
  /// `--tensor-column`, `--resize`.
  var dataOptions: DataOptions

  /// Reads the group's options.
  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelValue = try arguments.requiredValue(Self.modelOption)
    dataPath = arguments.value(Self.dataOption)
    dataOptions = try DataOptions(parsing: arguments)
    energyModel = try arguments.requiredValue(Self.energyModelOption)
    weightCandidates = try OptimizeCommand.bitList(try arguments.requiredValue(Self.weightBitsOption), for: Self.weightBitsOption)
    activationCandidates = try OptimizeCommand.bitList(try arguments.requiredValue(Self.activationBitsOption),
                                                       for: Self.activationBitsOption)
    if let text = arguments.value(Self.pinOption) { pins = try OptimizeCommand.pinList(text) } else { pins = [] }
    quiet = arguments.flag(Self.quietOption)
    threads = try arguments.integer(Self.threadsOption, in: 1...256)
      ?? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 256))
    validationImages = try arguments.integer(Self.validationImagesOption, in: 1...Int.max)
    screeningName = try arguments.requiredValue(Self.screeningOption)
    screening = OptimizeCommand.screeningSettings(named: screeningName)
    windowSearch = try WindowSearch.parse(arguments)
    weightGranularity = try WeightGranularity.parse(arguments)
    biasCorrection = try BiasCorrection.parse(arguments)
  }
}
