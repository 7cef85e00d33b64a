import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime
import PrecisionSearch
import PlatformSupport

/// `precsearch evaluate`: top-1 accuracy of one precision configuration on the integer engine, next to the float
/// reference accuracy on the same images, and the configuration's energy under an energy table.
struct EvaluateCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path",
    help: "A shipped model by name (fashion, cifar10, ...) or a model file with calibrated activation ranges.",
    isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "path",
    help: "The labeled images: a data set directory (its test split: IDX t10k-images-idx3-ubyte and "
      + "t10k-labels-idx1-ubyte, CIFAR-10 test_batch.bin, or FER2013's PrivateTest), an IDX images file whose "
      + "labels file has 'labels-idx1' in place of 'images-idx3', a CIFAR-10 .bin batch file, a FER2013 record file "
      + "(train.bin, publictest.bin, privatetest.bin), a FER2013 .csv (its PrivateTest rows), or, for a "
      + "keyword-spotting model, a folder of WAV clips in Speech Commands' layout (WORD/*.wav; words other than "
      + "the 10 commands count as unknown). Optional for a shipped model whose test split ships (fashion, kws): "
      + "that split is used.")
  static let weightBitsOption = OptionSpec.value(
    "weight-bits", valueName: "list",
    help: "Weight bit-widths in 2...16: one value for every weighted layer, or a comma-separated value per "
      + "weighted layer in the order 'precsearch inspect' lists them.",
    isRequired: true)
  static let activationBitsOption = OptionSpec.value(
    "activation-bits", valueName: "list",
    help: "Input-activation bit-widths in 2...16, given like --weight-bits.", isRequired: true)
  static let jsonOption = OptionSpec.flag("json", help: "Print one JSON document (keys sorted) instead of the summary.")
  static let limitOption = OptionSpec.value(
    "limit", valueName: "count", help: "Evaluate only the first <count> images (all images when omitted).")
  static let kernelsOption = OptionSpec.value(
    "kernels", valueName: "variant",
    help: "The integer kernels that run Conv2D and Dense; both give bit-identical results, 'reference' is the slow oracle.",
    defaultValue: KernelVariant.optimized.rawValue, allowedValues: KernelVariant.allCases.map(\.rawValue))
  static let energyModelOption = EnergyModelSelection.option
  static let predictionsOption = OptionSpec.value(
    "predictions", valueName: "file",
    help: "Also write one CSV row per input: index, label, the fixed-point and float predicted classes and their "
      + "logits (to compare with another runtime input by input; written atomically).")

  static let configuration = CommandConfiguration(
    name: "evaluate",
    abstract: "Measure the accuracy and energy of one per-layer precision configuration on the fixed-point engine.",
    discussion: """
      Runs every image through the bit-exact integer engine at the given weight and activation bit-widths and \
      through the float reference, and reports both top-1 accuracies and how often the two agree. The \
      weighted layers are the Conv2D and Dense layers, in the order 'precsearch inspect' lists them.

      It also prices one inference at the configuration with the energy table of --energy-model: the total, its \
      compute, memory (weight reads, activation reads, activation writes) and leakage parts, each layer's share, \
      the energy relative to uniform 16 bits, and the cycles with the latency they take at the table's clock \
      (docs/energy-model.md).
      """,
    options: [modelOption, dataOption, weightBitsOption, activationBitsOption, jsonOption, limitOption, kernelsOption,
              WindowSearch.option, WeightGranularity.option, BiasCorrection.option,
              energyModelOption, predictionsOption] + DataOptions.options,
    examples: [
      "precsearch evaluate --model lenet.psmodel --data mnist/ --weight-bits 8 --activation-bits 8",
      "precsearch evaluate --model lenet.psmodel --data mnist/ --weight-bits 8,4,4,8 --activation-bits 8 --json",
      "precsearch evaluate --model lenet.psmodel --data mnist/ --weight-bits 8 --activation-bits 8 "
        + "--energy-model horowitz45-bitwise",
    ])

  var modelPath: String
  var dataPath: String
  /// One value (uniform) or one per weighted layer; matched against the model in `run`.
  var weightBits: [Int]
  var activationBits: [Int]
  var json: Bool
  var limit: Int?
  var kernels: KernelVariant
  /// `--window-search` (nil: the default for the model).
  var windowSearch: WindowSearch?
  /// `--weight-granularity`.
  var weightGranularity: WeightGranularity = .defaultValue
  /// `--bias-correction` (nil: the default for the model).
  var biasCorrection: BiasCorrection?
  /// A preset name or an energy table file, resolved in `run`.
  var energyModel: String
  /// `--predictions`: where to write the per-input CSV.
  var predictionsPath: String?
  /// `--tensor-column`, `--resize`.
  var dataOptions: DataOptions

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    let bitRange = LayerPrecision.minimumBits...LayerPrecision.maximumBits
    let modelValue = try arguments.requiredValue(Self.modelOption)
    // An unknown name is reported when the file is read (or, without --data, as the missing option below).
    let resolved = try? ModelLoading.resolve(modelValue)
    let shipped = resolved?.shipped
    modelPath = resolved?.path ?? modelValue
    if let data = arguments.value(Self.dataOption) {
      dataPath = data
    } else if let test = shipped?.test {
      dataPath = test.images
    } else if let shipped {
      throw UsageError("Missing expected argument '\(Self.dataOption.synopsis)' for model '\(modelValue)': \(shipped.dataHint).")
    } else {
      throw UsageError("Missing expected argument '\(Self.dataOption.synopsis)' (the labeled images to evaluate on).")
    }
    weightBits = try ValueParsing.bitWidthList(try arguments.requiredValue(Self.weightBitsOption), in: bitRange,
                                               for: Self.weightBitsOption)
    activationBits = try ValueParsing.bitWidthList(try arguments.requiredValue(Self.activationBitsOption),
                                                   in: bitRange, for: Self.activationBitsOption)
    json = arguments.flag(Self.jsonOption)
    limit = try arguments.integer(Self.limitOption, in: 1...Int.max)
    kernels = try arguments.choice(Self.kernelsOption, as: KernelVariant.self) ?? .optimized
    windowSearch = try WindowSearch.parse(arguments)
    weightGranularity = try WeightGranularity.parse(arguments)
    biasCorrection = try BiasCorrection.parse(arguments)
    energyModel = try arguments.requiredValue(Self.energyModelOption)
    predictionsPath = arguments.value(Self.predictionsOption)
    dataOptions = try DataOptions(parsing: arguments)
  }

  /// Expands the bit lists to one pair per weighted layer; a usage error naming the layers when a list has neither
  /// one value nor one per layer.
  static func precisionConfiguration(weightBits: [Int], activationBits: [Int],
                                     layerNames: [String]) throws(UsageError) -> PrecisionConfiguration {
    func expand(_ list: [Int], _ option: OptionSpec) throws(UsageError) -> [Int] {
      if list.count == 1 { return Array(repeating: list[0], count: layerNames.count) }
      guard list.count == layerNames.count else {
        throw UsageError("'\(option.longSpelling)' has \(list.count) values but the model has \(layerNames.count) "
          + "weighted layers (\(layerNames.joined(separator: ", "))); give one value for all layers or one per layer.")
      }
      return list
    }
    let weights = try expand(weightBits, weightBitsOption)
    let activations = try expand(activationBits, activationBitsOption)
    return PrecisionConfiguration(layers: zip(weights, activations).map {
      LayerPrecision(weightBits: $0, activationBits: $1)
    })
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    // The table first: a mistyped name fails before any file is read.
    let energyTable = try EnergyModelSelection.resolve(energyModel, for: Self.energyModelOption)
    let estimator = try EnergyEstimator(table: energyTable.table)
    if let predictionsPath {
      var files = FileRoles()
      files.read(modelPath, option: Self.modelOption.synopsis)
      files.read(dataPath, option: Self.dataOption.synopsis)
      files.write(predictionsPath, option: Self.predictionsOption)
      try files.check()
    }
    let model = try ModelLoading.load(path: modelPath)
    let ranges = try ModelLoading.requireRanges(model, path: modelPath)
    let network = model.network
    let configuration = try Self.precisionConfiguration(weightBits: weightBits, activationBits: activationBits,
                                                        layerNames: network.weightedLayerNames)
    let data = try DatasetLoading.load(path: dataPath, model: model, options: dataOptions)
    // Priced as soon as the plan exists, so that a table that cannot run the configuration fails before the images.
    var energy: EnergySummary?
    let arithmetic = try ResolvedArithmetic(windowSearch: windowSearch, weightGranularity: weightGranularity,
                                            biasCorrection: biasCorrection, ranges: ranges, network: network,
                                            modelPath: modelPath)
    for note in arithmetic.notes { errors.write("Note: \(note)\n") }
    let evaluation = try FixedPointEvaluation.run(model: model, ranges: ranges, configuration: configuration, kernels: kernels,
                                        windowSearch: arithmetic.windowSearch, weightGranularity: weightGranularity,
                                        biasCorrection: arithmetic.biasCorrection, data: data, limit: limit, dataDescription: dataPath,
                                        recordPredictions: predictionsPath != nil) { plan in
      energy = try EnergySummary(plan: plan, table: energyTable, estimator: estimator)
    }
    if let predictionsPath, let predictions = evaluation.predictions {
      try FileIO.writeAtomically(Data(Self.predictionsCSV(predictions, classes: network.outputShape.elementCount).utf8),
                                 to: predictionsPath)
    }
    var report = EvaluationReport(modelPath: modelPath, model: model, evaluation: evaluation)
    report.energy = energy
    output.write(json ? try JSONOutput.encode(report) : report.text)
  }

  /// The `--predictions` CSV: a header, then per input `index,label,predicted,float_predicted`, the fixed-point
  /// logits `logit_0...` and the float reference's `float_logit_0...` (shortest decimal that reads back exactly).
  static func predictionsCSV(_ predictions: [FixedPointEvaluation.Prediction], classes: Int) -> String {
    var text = "index,label,predicted,float_predicted"
    for c in 0..<classes { text += ",logit_\(c)" }
    for c in 0..<classes { text += ",float_logit_\(c)" }
    text += "\n"
    for p in predictions {
      text += "\(p.index),\(p.label),\(p.predicted),\(p.floatPredicted)"
      for v in p.logits { text += ",\(v)" }
      for v in p.floatLogits { text += ",\(v)" }
      text += "\n"
    }
    return text
  }
}

/// The outcome of running one configuration and the float reference over a data set.
struct FixedPointEvaluation {
  var configuration: PrecisionConfiguration
  var kernels: KernelVariant
  var windowSearch: WindowSearch
  var weightGranularity: WeightGranularity
  var biasCorrection: BiasCorrection = .off
  var layerNames: [String]
  var layerMACs: [Int]
  var imagesPath: String
  var labelsPath: String
  var dataFormat: ImageDatasetFormat
  var dataDescription: String
  var availableImages: Int
  var evaluatedImages: Int
  var fixedPointCorrect: Int
  var floatCorrect: Int
  /// Images on which the integer engine and the float reference pick the same class.
  var agreeing: Int
  var seconds: Double
  /// Per-input results in input order, when asked for (`recordPredictions`).
  var predictions: [Prediction]?

  /// One input's result.
  struct Prediction: Hashable {
    var index: Int
    var label: Int
    /// The integer engine's class and logits.
    var predicted: Int
    var logits: [Float]
    /// The float reference's class and logits.
    var floatPredicted: Int
    var floatLogits: [Float]
  }

  /// Runs `configuration` (integer engine) and the float reference over the first `limit` images of `data`,
  /// split over the available cores; the counts do not depend on the split. `prepared` is called with the integer
  /// plan before any image runs (the command prices the configuration there).
  static func run(model: ModelFile, ranges: ActivationRanges, configuration: PrecisionConfiguration,
                  kernels: KernelVariant, windowSearch: WindowSearch = .disabled,
                  weightGranularity: WeightGranularity = .perTensor, biasCorrection: BiasCorrection = .off,
                  data loaded: LoadedDataset, limit: Int?, dataDescription: String, recordPredictions: Bool = false,
                  prepared: (IntegerPlan) throws -> Void = { _ in }) throws -> FixedPointEvaluation {
    let network = model.network
    let data = loaded.images
    guard data.shape == network.inputShape else {
      throw CommandFailure("the images in '\(dataDescription)' are \(data.shape) but the model's input is "
        + "\(network.inputShape) (height x width x channels)")
    }
    let classes = network.outputShape.elementCount
    if let bad = data.labels.firstIndex(where: { Int($0) >= classes }) {
      throw CommandFailure("label \(data.labels[bad]) of image \(bad) in '\(loaded.labelsPath)' is outside the "
        + "model's \(classes) classes (0...\(classes - 1))")
    }
    try model.preprocessing.validate(channels: network.inputShape.channels)
    let fixedPointModel = try FixedPointModel(network: network, ranges: ranges,
                                              options: biasCorrection.applied(
                                                to: weightGranularity.applied(to: windowSearch.quantizationOptions)))
    let plan = try IntegerPlan(model: fixedPointModel, configuration: configuration, kernels: kernels)
    try prepared(plan)
    let floatPlan = try FloatPlan(network: network)
    let count = min(limit ?? data.count, data.count)
    let preprocessing = model.preprocessing
    let channels = network.inputShape.channels

    let start = ContinuousClock.now
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, count))
    let tallies = ParallelMap.map(count: workers, threads: workers) { worker -> Tally in
      let begin = count * worker / workers, end = count * (worker + 1) / workers
      let integerWorkspace = plan.makeWorkspace(), floatWorkspace = floatPlan.makeWorkspace()
      var tally = Tally()
      for i in begin..<end {
        let input = preprocessing.apply(data.image(i), channels: channels)
        let fixedLogits = plan.run(input, workspace: integerWorkspace)
        let floatLogits = floatPlan.run(input, workspace: floatWorkspace)
        let fixedClass = argmax(fixedLogits)
        let floatClass = argmax(floatLogits)
        let label = Int(data.labels[i])
        if recordPredictions {
          tally.predictions.append(Prediction(index: i, label: label, predicted: fixedClass, logits: fixedLogits,
                                              floatPredicted: floatClass, floatLogits: floatLogits))
        }
        if fixedClass == label { tally.fixedPointCorrect += 1 }
        if floatClass == label { tally.floatCorrect += 1 }
        if fixedClass == floatClass { tally.agreeing += 1 }
      }
      return tally
    }
    let total = tallies.reduce(into: Tally()) {
      $0.fixedPointCorrect += $1.fixedPointCorrect
      $0.floatCorrect += $1.floatCorrect
      $0.agreeing += $1.agreeing
      $0.predictions += $1.predictions
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    let folded = plan.network
    return FixedPointEvaluation(
      configuration: configuration, kernels: kernels, windowSearch: windowSearch,
      weightGranularity: weightGranularity, biasCorrection: biasCorrection, layerNames: folded.weightedLayerNames,
      layerMACs: folded.weightedLayerIndices.map { folded.layerStatistics[$0].macs },
      imagesPath: loaded.imagesPath, labelsPath: loaded.labelsPath, dataFormat: loaded.format, dataDescription: dataDescription,
      availableImages: data.count, evaluatedImages: count, fixedPointCorrect: total.fixedPointCorrect,
      floatCorrect: total.floatCorrect, agreeing: total.agreeing, seconds: seconds,
      predictions: recordPredictions ? total.predictions : nil)
  }

  /// Index of the largest score; the first one on ties; NaN never wins (the runtime's rule).
  static func argmax(_ scores: [Float]) -> Int { Inference.argmax(scores) }

  struct Tally {
    var fixedPointCorrect = 0
    var floatCorrect = 0
    var agreeing = 0
    var predictions: [Prediction] = []
  }
}

/// What `evaluate` reports; encoded as-is for `--json`.
struct EvaluationReport: Codable, Hashable {
  struct Tool: Codable, Hashable {
    var name: String
    var version: String
  }

  struct DataSummary: Codable, Hashable {
    var path: String
    var imagesFile: String
    var labelsFile: String
    /// `idx` or `cifar10Binary`.
    var format: String
    var availableImages: Int
    var evaluatedImages: Int
  }

  struct Layer: Codable, Hashable {
    var name: String
    var weightBits: Int
    var activationBits: Int
    var macs: Int
  }

  struct Accuracy: Codable, Hashable {
    /// Top-1 accuracy of the integer engine at the configuration (0...1).
    var fixedPoint: Double
    /// Top-1 accuracy of the float reference (0...1).
    var floatReference: Double
    var fixedPointCorrect: Int
    var floatReferenceCorrect: Int
    /// Fraction of images on which both pick the same class (0...1).
    var top1Agreement: Double
  }

  /// Wall-clock figures; the only part that differs between identical runs.
  struct Timing: Codable, Hashable {
    var seconds: Double
    var imagesPerSecond: Double
  }

  var schemaVersion = 1
  var tool: Tool
  var model: String
  var modelName: String
  var data: DataSummary
  var kernels: String
  /// `--window-search` as applied (`none`, `weights`, `activations`, `all`).
  var windowSearch: String
  /// `--weight-granularity per-channel` when applied; nil (omitted) for `per-tensor`.
  var weightGranularity: String?
  /// `--bias-correction on` when applied; nil (omitted) for `off`.
  var biasCorrection: String?
  /// `w8a8,w4a8,...`.
  var configuration: String
  var layers: [Layer]
  var accuracy: Accuracy
  var timing: Timing
  /// The configuration's energy per inference; nil when the report was built without pricing (omitted in JSON).
  var energy: EnergySummary?

  init(modelPath: String, model: ModelFile, evaluation e: FixedPointEvaluation) {
    tool = Tool(name: PrecSearchTool.name, version: PrecSearchTool.version)
    self.model = modelPath
    modelName = model.name
    data = DataSummary(path: e.dataDescription, imagesFile: e.imagesPath, labelsFile: e.labelsPath,
                       format: e.dataFormat.rawValue,
                availableImages: e.availableImages, evaluatedImages: e.evaluatedImages)
    kernels = e.kernels.rawValue
    windowSearch = e.windowSearch.rawValue
    weightGranularity = e.weightGranularity.recorded
    biasCorrection = e.biasCorrection.recorded
    configuration = e.configuration.description
    layers = e.layerNames.indices.map {
      Layer(name: e.layerNames[$0], weightBits: e.configuration.layers[$0].weightBits,
            activationBits: e.configuration.layers[$0].activationBits, macs: e.layerMACs[$0])
    }
    let n = Double(max(e.evaluatedImages, 1))
    accuracy = Accuracy(fixedPoint: Double(e.fixedPointCorrect) / n, floatReference: Double(e.floatCorrect) / n,
                        fixedPointCorrect: e.fixedPointCorrect, floatReferenceCorrect: e.floatCorrect,
                        top1Agreement: Double(e.agreeing) / n)
    timing = Timing(seconds: e.seconds, imagesPerSecond: e.seconds > 0 ? Double(e.evaluatedImages) / e.seconds : 0)
  }

  /// The human-readable summary.
  var text: String {
    typealias N = NumberFormatting
    var text = "Model:    \(ModelCatalog.displayPath(model)) (\(modelName)), \(layers.count) weighted layers\n"
    text += "Data:     \(ModelCatalog.displayPath(data.path)): \(N.grouped(data.evaluatedImages)) of "
      + "\(N.grouped(data.availableImages)) images\n"
    text += "Kernels:  \(kernels), window search: \(windowSearch)"
      + (weightGranularity.map { ", weight granularity: \($0)" } ?? "")
      + (biasCorrection.map { ", bias correction: \($0)" } ?? "") + "\n\n"
    var table = TextTable([("Layer", .left), ("Weight bits", .right), ("Activation bits", .right), ("MACs", .right)])
    for layer in layers {
      table.append([layer.name, String(layer.weightBits), String(layer.activationBits), N.grouped(layer.macs)])
    }
    text += table.rendered() + "\n"
    let evaluated = N.grouped(data.evaluatedImages)
    text += "Accuracy, fixed point:      \(N.percent(accuracy.fixedPoint)) (\(N.grouped(accuracy.fixedPointCorrect)) / \(evaluated))\n"
    text += "Accuracy, float reference:  \(N.percent(accuracy.floatReference)) (\(N.grouped(accuracy.floatReferenceCorrect)) / \(evaluated))\n"
    let difference = (accuracy.fixedPoint - accuracy.floatReference) * 100
    text += "Difference:                 \(difference >= 0 ? "+" : "")\(N.fixed(difference, decimals: 2)) percentage points; "
      + "the two agree on the top class for \(N.percent(accuracy.top1Agreement)) of the images\n"
    if let energy { text += "\n" + energy.text }
    return text
  }
}
