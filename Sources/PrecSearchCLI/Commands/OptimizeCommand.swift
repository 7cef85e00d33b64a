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

/// `precsearch optimize`: searches per-layer weight and activation bit-widths for the energy-accuracy front
/// (docs/cli.md, docs/pareto-json.md).
struct OptimizeCommand: Subcommand {
  static let modelOption = SearchSetupOptions.modelOption
  static let dataOption = SearchSetupOptions.dataOption
  static let energyModelOption = SearchSetupOptions.energyModelOption
  static let budgetOption = OptionSpec.value(
    "budget", valueName: "energy",
    help: "Find the most accurate configuration within this energy per inference: an energy with a unit "
      + "(2.5uJ, 800nJ, 1200pJ) or a percentage of the uniform 16-bit energy (40%).")
  static let minimumAccuracyOption = OptionSpec.value(
    "min-accuracy", valueName: "accuracy",
    help: "Find the least-energy configuration with at least this validation accuracy (0.9 or 90%).")
  static let maximumDropOption = OptionSpec.value(
    "max-accuracy-drop", valueName: "drop",
    help: "Find the least-energy configuration whose validation accuracy is at most this far below uniform "
      + "16-bit fixed point (0.01 or 1%, in accuracy points).")
  /// The algorithm used when `--algorithm` is absent: the library's default.
  static let defaultAlgorithm = PrecisionSearchSettings.defaultAlgorithm
  static let algorithmOption = OptionSpec.value(
    "algorithm", valueName: "name",
    help: "The search algorithm: hybrid (annealing at several energy budgets, then NSGA-II), nsga2, annealing, "
      + "exhaustive (every configuration of a small space) or guided (the hybrid after a sensitivity phase whose "
      + "probes count as evaluations; docs/search-algorithms.md).",
    defaultValue: defaultAlgorithm.rawValue,
    allowedValues: PrecisionSearchAlgorithm.allCases.map(\.rawValue))
  static let evaluationsOption = OptionSpec.value(
    "evaluations", valueName: "count",
    help: "Stop after this many evaluations (configurations proposed by the search; default \(defaultEvaluations) "
      + "unless --time-limit is given; with --algorithm exhaustive, every configuration of the space).")
  static let timeLimitOption = OptionSpec.value(
    "time-limit", valueName: "seconds", help: "Stop the search after this many seconds (results then depend on speed).")
  static let seedOption = OptionSpec.value(
    "seed", valueName: "seed", help: "The seed of every random choice (0...9223372036854775807).", defaultValue: "1")
  static let weightBitsOption = SearchSetupOptions.weightBitsOption
  static let activationBitsOption = SearchSetupOptions.activationBitsOption
  static let pinOption = SearchSetupOptions.pinOption
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Write the Pareto JSON (docs/pareto-json.md) to this file, atomically.")
  static let checkpointOption = OptionSpec.value(
    "checkpoint", valueName: "file",
    help: "Save the search state to this file periodically, at the end, and on Ctrl-C (SIGINT).")
  static let checkpointIntervalOption = OptionSpec.value(
    "checkpoint-interval", valueName: "seconds", help: "Seconds between periodic checkpoints.", defaultValue: "60")
  static let resumeOption = OptionSpec.flag(
    "resume", help: "Continue the search saved in --checkpoint (same inputs and settings); start anew if it is missing.")
  static let quietOption = SearchSetupOptions.quietOption
  static let threadsOption = SearchSetupOptions.threadsOption
  static let validationImagesOption = SearchSetupOptions.validationImagesOption
  static let testImagesOption = OptionSpec.value(
    "test-images", valueName: "count", help: "Use only the first <count> test images (all by default).")
  static let screeningOption = SearchSetupOptions.screeningOption
  static let populationOption = OptionSpec.value(
    "population-size", valueName: "count", help: "NSGA-II's population size.", defaultValue: "40")
  static let annealingShareOption = OptionSpec.value(
    "annealing-share", valueName: "share",
    help: "With --algorithm hybrid or guided, the share of the evaluations given to simulated annealing (guided: of "
      + "those left after its sensitivity phase), in 0.01...0.99.", defaultValue: "\(defaultSettings.annealingShare)")
  static let preselectionOption = OptionSpec.value(
    "preselection-candidates", valueName: "count",
    help: "With --algorithm guided, NSGA-II builds this many offspring for each one it measures and measures those "
      + "a surrogate of the measurements so far predicts to add the most hypervolume (1...16; 1: off). It measures "
      + "more images per evaluation, so a run takes longer (docs/search-algorithms.md).",
    defaultValue: "\(defaultSettings.preselectionCandidates)")
  /// The library's default settings, whose annealing share and pre-selection the options default to.
  static let defaultSettings = PrecisionSearchSettings()

  /// Evaluations when neither `--evaluations` nor `--time-limit` is given: the library's default.
  static let defaultEvaluations = PrecisionSearchSettings.defaultMaximumEvaluations
  /// The uniform baselines, measured on both splits: every bit-width from 16 down to 2 (the static fixed-point
  /// configurations the front is compared with).
  static let baselineBits = OptimizationRun.baselineBits

  static let configuration = CommandConfiguration(
    name: "optimize",
    abstract: "Search per-layer weight and activation bit-widths for the energy-accuracy Pareto front.",
    discussion: """
      Searches the weight and input-activation bit-width of every Conv2D and Dense layer (2 to 16 bits) to \
      minimize the energy per inference (--energy-model) and maximize top-1 accuracy on the validation split, \
      measured with the bit-exact fixed-point engine. The default search (guided) first measures each layer's \
      sensitivity around a good uniform configuration, then runs simulated annealing at several energy budgets, \
      then NSGA-II seeded with what annealing found, the sensitivity phase's knapsack solutions and the uniform \
      configurations; the result is the non-dominated union of every configuration measured. Every point of the \
      final front and the uniform baselines (every bit-width from 16 down to 2) are then re-measured on the test \
      split, which the search never sees.

      With --budget the answer is the most accurate configuration within the budget; with --min-accuracy or \
      --max-accuracy-drop, the least-energy configuration meeting the floor; otherwise the whole front. The \
      same inputs and --seed give the same front and byte-identical --output apart from its "timing" object. \
      Progress goes to standard error: a live line on a terminal, a line every few seconds otherwise.
      """,
    options: [modelOption, dataOption, energyModelOption, budgetOption, minimumAccuracyOption, maximumDropOption,
              algorithmOption, evaluationsOption, timeLimitOption, seedOption, weightBitsOption, activationBitsOption,
              pinOption, outputOption, checkpointOption, checkpointIntervalOption, resumeOption, quietOption,
              threadsOption, validationImagesOption, testImagesOption, screeningOption, populationOption,
              annealingShareOption, preselectionOption, WindowSearch.option, WeightGranularity.option,
              BiasCorrection.option] + DataOptions.options,
    examples: [
      "precsearch optimize --model fashion --budget 40% --output front.json",
      "precsearch optimize --model fashion --max-accuracy-drop 1% --weight-bits 2-8,16 --pin first=16,last=8",
      "precsearch optimize --model lenet.psmodel --data fashion-mnist/ --evaluations 2000 --checkpoint run.ckpt --resume",
    ])

  /// What `--min-accuracy` or `--max-accuracy-drop` asked for.
  enum AccuracyRequirement: Hashable {
    case minimum(Double)
    case maximumDrop(Double)
  }

  /// A `--pin` item before the model is known.
  struct PinRequest: Hashable {
    enum Layer: Hashable {
      case first, last
      case named(String)
    }
    var layer: Layer
    var weightBits: Int?
    var activationBits: Int?
    var text: String
  }

  var modelValue: String
  var dataPath: String?
  var energyModel: String
  var budget: (text: String, budget: EnergyBudget)?
  var accuracyRequirement: (text: String, requirement: AccuracyRequirement)?
  var algorithm: PrecisionSearchAlgorithm
  var evaluations: Int?
  var timeLimit: Double?
  var seed: UInt64
  var weightCandidates: [Int]
  var activationCandidates: [Int]
  var pins: [PinRequest]
  var outputPath: String?
  var checkpointPath: String?
  var checkpointInterval: Double
  var resume: Bool
  var quiet: Bool
  var threads: Int
  var validationImages: Int?
  var testImages: Int?
  var screening: ScreeningSettings
  var screeningName: String
  var populationSize: Int
  /// `--annealing-share`.
  var annealingShare: Double
  /// `--preselection-candidates`.
  var preselectionCandidates: Int
  /// `--window-search` (nil: the default for the model).
  var windowSearch: WindowSearch?
  /// `--weight-granularity`.
  var weightGranularity: WeightGranularity
  /// `--bias-correction` (nil: the default for the model).
  var biasCorrection: BiasCorrection?
  /// The canonical command line (subcommand, then the given options in table order).
  var commandLine: [String]

  /// `--tensor-column`, `--resize`.
  var dataOptions = DataOptions()

  // Test hooks (not options): stop as if interrupted once this many evaluations are done; progress line interval.
  var interruptAfterEvaluations: Int?
  var progressInterval: Double?

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    let setup = try SearchSetupOptions(parsing: arguments)
    (modelValue, dataPath, dataOptions, energyModel) = (setup.modelValue, setup.dataPath, setup.dataOptions, setup.energyModel)
    (weightCandidates, activationCandidates, pins) = (setup.weightCandidates, setup.activationCandidates, setup.pins)
    (quiet, threads, validationImages) = (setup.quiet, setup.threads, setup.validationImages)
    (screeningName, screening, windowSearch) = (setup.screeningName, setup.screening, setup.windowSearch)
    weightGranularity = setup.weightGranularity
    biasCorrection = setup.biasCorrection
    try arguments.requireAtMostOne(of: [Self.budgetOption, Self.minimumAccuracyOption, Self.maximumDropOption])
    if let text = arguments.value(Self.budgetOption) {
      budget = (text, try EnergyBudgetResolution.parse(text, for: Self.budgetOption))
    }
    if let text = arguments.value(Self.minimumAccuracyOption) {
      accuracyRequirement = (text, .minimum(try Self.fraction(text, for: Self.minimumAccuracyOption)))
    }
    if let text = arguments.value(Self.maximumDropOption) {
      accuracyRequirement = (text, .maximumDrop(try Self.fraction(text, for: Self.maximumDropOption)))
    }
    algorithm = try arguments.choice(Self.algorithmOption, as: PrecisionSearchAlgorithm.self) ?? Self.defaultAlgorithm
    evaluations = try arguments.integer(Self.evaluationsOption, in: 1...100_000_000)
    timeLimit = try arguments.number(Self.timeLimitOption, in: 0.001...1e9)
    if evaluations == nil && timeLimit == nil && algorithm != .exhaustive { evaluations = Self.defaultEvaluations }
    seed = UInt64(try arguments.integer(Self.seedOption, in: 0...Int.max) ?? 1)
    outputPath = arguments.value(Self.outputOption)
    checkpointPath = arguments.value(Self.checkpointOption)
    checkpointInterval = try arguments.number(Self.checkpointIntervalOption, in: 0...1e9) ?? 60
    resume = arguments.flag(Self.resumeOption)
    if resume && checkpointPath == nil {
      throw UsageError("'\(Self.resumeOption.longSpelling)' needs '\(Self.checkpointOption.synopsis)' (the file to resume from).")
    }
    testImages = try arguments.integer(Self.testImagesOption, in: 1...Int.max)
    populationSize = try arguments.integer(Self.populationOption, in: 2...10_000) ?? 40
    annealingShare = try arguments.number(Self.annealingShareOption, in: 0.01...0.99)
      ?? Self.defaultSettings.annealingShare
    if arguments.isPresent(Self.annealingShareOption) && ![.hybrid, .guided].contains(algorithm) {
      throw UsageError("'\(Self.annealingShareOption.longSpelling)' applies only to --algorithm hybrid or guided, "
        + "not \(algorithm.rawValue).")
    }
    preselectionCandidates = try arguments.integer(
      Self.preselectionOption, in: 1...PrecisionSearchSettings.maximumPreselectionCandidates)
      ?? Self.defaultSettings.preselectionCandidates
    if arguments.isPresent(Self.preselectionOption) && algorithm != .guided {
      throw UsageError("'\(Self.preselectionOption.longSpelling)' applies only to --algorithm guided, not \(algorithm.rawValue).")
    }
    var line = [Self.configuration.name]
    for option in Self.configuration.options where arguments.isPresent(option) {
      line.append(option.longSpelling)
      if option.kind == .value, let value = arguments.values[option.name] { line.append(value) }
    }
    commandLine = line
  }

  // MARK: - Option parsing

  /// The settings a `--screening` value (`confidence`, `exact`, `off`) stands for (shared with `serve`).
  static func screeningSettings(named name: String) -> ScreeningSettings {
    switch name {
    case "exact": return ScreeningSettings(chunkCount: 16, rule: .exact)
    case "off": return .disabled
    default: return ScreeningSettings(chunkCount: 16, rule: .confidence(z: 3))
    }
  }

  /// `0.9`, `90%`: a fraction in 0...1.
  static func fraction(_ text: String, for option: OptionSpec) throws(UsageError) -> Double {
    let trimmed = text.trimmingSpaces
    let isPercent = trimmed.hasSuffix("%")
    let number = Double(isPercent ? String(trimmed.dropLast()).trimmingSpaces : trimmed)
    guard let number, number.isFinite else {
      throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected a fraction in 0...1 (0.9) or a percentage (90%).")
    }
    let value = isPercent ? number / 100 : number
    guard (0...1).contains(value) else {
      throw UsageError("The value '\(text)' is out of range for '\(option.synopsis)'; expected a fraction in 0...1 (0.9) or a percentage in 0%...100%.")
    }
    return value
  }

  /// `2-8,16`: values and inclusive ranges in 2...16, comma-separated; returned ascending without duplicates.
  static func bitList(_ text: String, for option: OptionSpec) throws(UsageError) -> [Int] {
    let range = LayerPrecision.minimumBits...LayerPrecision.maximumBits
    var values = Set<Int>()
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let word = String(item).trimmingSpaces
      func fail(_ reason: String) -> UsageError {
        UsageError("The value '\(text)' is invalid for '\(option.synopsis)': \(reason); expected bit-widths and ranges in 2...16 such as 2-8,16.")
      }
      guard !word.isEmpty else { throw fail("empty item") }
      let bounds = word.split(separator: "-", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      guard bounds.count <= 2, let low = Int(bounds[0]), let high = Int(bounds[bounds.count - 1]) else {
        throw fail("'\(word)' is not a bit-width or a range")
      }
      guard range.contains(low), range.contains(high) else { throw fail("'\(word)' is outside 2...16") }
      guard low <= high else { throw fail("the range '\(word)' is empty") }
      for bits in low...high { values.insert(bits) }
    }
    return values.sorted()
  }

  /// `first=16,last=8,conv2=w8a16`.
  static func pinList(_ text: String) throws(UsageError) -> [PinRequest] {
    var pins: [PinRequest] = []
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      let word = String(item).trimmingSpaces
      func fail(_ reason: String) -> UsageError {
        UsageError("The value '\(text)' is invalid for '\(pinOption.synopsis)': \(reason); expected LAYER=BITS, "
          + "LAYER=wBaC, LAYER=wB or LAYER=aC with LAYER first, last or a layer name, e.g. first=16,last=8.")
      }
      let parts = word.split(separator: "=", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw fail("'\(word)' is not LAYER=BITS") }
      let layer: PinRequest.Layer = parts[0] == "first" ? .first : parts[0] == "last" ? .last : .named(parts[0])
      let spec = parts[1]
      var weight: Int?
      var activation: Int?
      if let bits = Int(spec) {
        (weight, activation) = (bits, bits)
      } else {
        // wB, aC or wBaC.
        var rest = Substring(spec)
        if rest.hasPrefix("w") {
          rest = rest.dropFirst()
          let digits = rest.prefix { $0.isASCII && $0.isNumber }
          guard let bits = Int(digits) else { throw fail("'\(spec)' has no weight bits after 'w'") }
          weight = bits
          rest = rest.dropFirst(digits.count)
        }
        if rest.hasPrefix("a") {
          rest = rest.dropFirst()
          let digits = rest.prefix { $0.isASCII && $0.isNumber }
          guard let bits = Int(digits) else { throw fail("'\(spec)' has no activation bits after 'a'") }
          activation = bits
          rest = rest.dropFirst(digits.count)
        }
        guard rest.isEmpty, weight != nil || activation != nil else { throw fail("'\(spec)' is not BITS, wBaC, wB or aC") }
      }
      for bits in [weight, activation].compactMap({ $0 }) where !(2...16).contains(bits) {
        throw fail("\(bits) in '\(word)' is outside 2...16")
      }
      pins.append(PinRequest(layer: layer, weightBits: weight, activationBits: activation, text: word))
    }
    return pins
  }

  /// The pins as layer indices; a usage error for an unknown layer name or two pins on one layer.
  func resolvedPins(layerNames: [String]) throws(UsageError) -> [LayerPin] {
    try Self.resolvedPins(pins, layerNames: layerNames)
  }

  /// `pins` as layer indices (shared with `serve`); a usage error for an unknown layer name or two pins on one layer.
  static func resolvedPins(_ pins: [PinRequest], layerNames: [String]) throws(UsageError) -> [LayerPin] {
    var result: [LayerPin] = []
    for pin in pins {
      let index: Int
      switch pin.layer {
      case .first: index = 0
      case .last: index = layerNames.count - 1
      case .named(let name):
        guard let found = layerNames.firstIndex(of: name) else {
          throw UsageError("The value '\(pin.text)' is invalid for '\(Self.pinOption.synopsis)': the model has no "
            + "weighted layer '\(name)'; expected first, last or one of: \(layerNames.joined(separator: ", ")).")
        }
        index = found
      }
      if let other = result.first(where: { $0.layer == index }) {
        throw UsageError("The value for '\(Self.pinOption.synopsis)' pins layer '\(layerNames[index])' twice "
          + "(\(other) and \(pin.text)); give one pin per layer.")
      }
      result.append(LayerPin(layer: index, weightBits: pin.weightBits, activationBits: pin.activationBits))
    }
    return result
  }

  // MARK: - Run

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let clock = ContinuousClock()
    let start = clock.now
    var files = FileRoles()
    files.read((try? ModelLoading.resolve(modelValue).path) ?? modelValue, option: Self.modelOption.synopsis)
    files.read(dataPath, option: Self.dataOption.synopsis)
    if FileManager.default.fileExists(atPath: energyModel) { files.read(energyModel, option: Self.energyModelOption.synopsis) }
    files.write(outputPath, option: Self.outputOption)
    files.write(checkpointPath, option: Self.checkpointOption, what: "checkpoint file")
    try files.check()
    // The table first, so that a mistyped name fails before any file is read.
    let table = try EnergyModelSelection.resolve(energyModel, for: Self.energyModelOption)
    let estimator = try EnergyEstimator(table: table.table)
    var notes: [String] = []
    let inputs = try loadInputs(notes: &notes)
    if !quiet { for note in notes { errors.write("Note: \(note)\n") } }
    try inputs.model.preprocessing.validate(channels: inputs.model.network.inputShape.channels)
    let ranges = inputs.model.activationRanges!
    let arithmetic = try ResolvedArithmetic(windowSearch: self.windowSearch, weightGranularity: weightGranularity,
                                            biasCorrection: self.biasCorrection, ranges: ranges,
                                            network: inputs.model.network, modelPath: modelValue)
    if !quiet { for note in arithmetic.notes { errors.write("Note: \(note)\n") } }
    let (windowSearch, biasCorrection) = (arithmetic.windowSearch, arithmetic.biasCorrection)
    let fixedPointModel = try FixedPointModel(network: inputs.model.network, ranges: ranges,
                                              options: arithmetic.quantizationOptions)
    let network = fixedPointModel.network
    let layerNames = network.weightedLayerNames
    let space: PrecisionSearchSpace
    do {
      space = try PrecisionSearchSpace(layerNames: layerNames, weightCandidates: weightCandidates,
                                       activationCandidates: activationCandidates,
                                       pins: try resolvedPins(layerNames: layerNames))
    } catch let error as PrecisionSearchError {
      throw UsageError("The options do not fit the model: \(error).")
    }
    if algorithm == .exhaustive {
      let limit = ExhaustiveEnumeration.maximumGenomeCount
      guard let count = space.searchSpace.genomeCount, count <= limit else {
        let size = space.searchSpace.genomeCount.map { NumberFormatting.grouped($0) } ?? "more than 2^63"
        throw UsageError("'\(Self.algorithmOption.longSpelling) exhaustive' measures every configuration, but the "
          + "space has \(size) (at most \(NumberFormatting.grouped(limit))); narrow it with "
          + "\(Self.weightBitsOption.longSpelling), \(Self.activationBitsOption.longSpelling) or \(Self.pinOption.longSpelling).")
      }
    }
    let workers = DispatchWorkerPool(workerCount: threads)
    let validationSplit = try Self.evaluationSplit(inputs.validation, model: inputs.model, network: network)
    let testSplit = try Self.evaluationSplit(inputs.test, model: inputs.model, network: network)
    let evaluator = try PrecisionEvaluator(model: fixedPointModel, split: validationSplit, estimator: estimator,
                                           workers: workers, screening: screening)
    let testEvaluator = try PrecisionEvaluator(model: fixedPointModel, split: testSplit, estimator: estimator,
                                               workers: workers, screening: .disabled)
    let identity = OptimizeCheckpoint.RunIdentity(
      modelSHA256: inputs.modelSHA256, validationSHA256: inputs.validation.contentSHA256,
      testSHA256: inputs.test.contentSHA256, energyTableSHA256: table.checksum, screening: screening,
      windowSearch: windowSearch.rawValue, weightGranularity: weightGranularity.recorded,
      biasCorrection: biasCorrection.recorded)

    // Resume, or measure the baselines and start anew.
    var checkpoint: OptimizeCheckpoint?
    if resume, let checkpointPath {
      if FileManager.default.fileExists(atPath: checkpointPath) {
        let saved = try OptimizeCheckpoint.read(from: checkpointPath)
        if let difference = saved.run.firstDifference(from: identity) {
          throw CommandFailure("cannot resume from checkpoint '\(checkpointPath)': \(difference) from the run that saved it")
        }
        checkpoint = saved
      } else if !quiet {
        errors.write("Note: no checkpoint '\(checkpointPath)' yet; starting a new search\n")
      }
    }
    var seconds = checkpoint?.seconds ?? [:]
    let baselineStart = clock.now
    let baselines: [OptimizeCheckpoint.BaselineMeasurement]
    if let checkpoint {
      baselines = checkpoint.baselines
    } else {
      baselines = try OptimizationRun.measureBaselines(layerCount: layerNames.count, evaluator: evaluator)
      seconds["baselines"] = Self.seconds(clock.now - baselineStart)
    }
    let uniform16 = try evaluator.uniform16BitPicojoules()
    let constraint = try resolvedConstraint(baselines: baselines, network: network, estimator: estimator)
    let settings = PrecisionSearchSettings(
      algorithm: algorithm, seed: seed, maximumEvaluations: evaluations, constraint: constraint.constraint,
      populationSize: populationSize, annealingShare: annealingShare, preselectionCandidates: preselectionCandidates)
    var state: HybridPrecisionSearch
    if let checkpoint {
      guard checkpoint.state.settings == settings, checkpoint.state.space == space else {
        throw CommandFailure("cannot resume from checkpoint '\(checkpointPath ?? "")': it was saved with other search "
          + "settings (algorithm, seed, evaluations, constraint, bit-width lists, pins, population size, annealing "
          + "share or pre-selection candidates); "
          + "use the same options or another checkpoint file")
      }
      state = checkpoint.state
    } else {
      state = try OptimizationRun.newSearch(settings: settings, space: space, evaluator: evaluator, baselines: baselines)
    }
    let sessions = (checkpoint?.sessions ?? 0) + 1
    // Evaluator time spent on the baselines is not search time.
    let baselineStatistics = evaluator.statistics
    let priorWall = seconds["wall"] ?? 0
    func searchStatistic(_ key: String, _ value: KeyPath<EvaluatorStatistics, Double>) -> Double {
      (seconds[key] ?? 0) + evaluator.statistics[keyPath: value] - baselineStatistics[keyPath: value]
    }

    // The search loop.
    let monitor = InterruptMonitor()
    if checkpointPath != nil { monitor.install() }
    defer { monitor.uninstall() }
    var progress = ProgressReporter(
      quiet: quiet, isTerminal: errors is StandardErrorStream && isatty(STDERR_FILENO) == 1,
      interval: progressInterval ?? 5)
    let priorSearch = seconds["search"] ?? 0
    let searchStart = clock.now
    func searchElapsed() -> Double { priorSearch + Self.seconds(clock.now - searchStart) }
    func saveCheckpoint(_ state: HybridPrecisionSearch) throws {
      guard let checkpointPath else { return }
      var current = seconds
      current["search"] = searchElapsed()
      current["plan"] = searchStatistic("plan", \.planSeconds)
      current["inference"] = searchStatistic("inference", \.inferenceSeconds)
      current["energy"] = searchStatistic("energy", \.energySeconds)
      current["wall"] = priorWall + Self.seconds(clock.now - start)
      try OptimizeCheckpoint(run: identity, state: state, baselines: baselines, sessions: sessions, seconds: current)
        .write(to: checkpointPath)
    }
    var lastCheckpoint = clock.now
    let stopReason = try OptimizationRun.search(
      &state, evaluator: evaluator, evaluationLimit: evaluations, timeLimit: timeLimit, elapsed: searchElapsed,
      shouldCancel: { monitor.isRaised }
    ) { state, event in
      if event == .cancelled || monitor.isRaised {
        try interrupted(state: state, save: { try saveCheckpoint(state) }, progress: &progress, errors: &errors, realSignal: true)
      }
      if let limit = interruptAfterEvaluations, state.evaluations >= limit, !state.isFinished {
        try interrupted(state: state, save: { try saveCheckpoint(state) }, progress: &progress, errors: &errors, realSignal: false)
      }
      if !state.isFinished { progress.report(state: state, elapsed: searchElapsed(), timeLimit: timeLimit, errors: &errors) }
      if checkpointPath != nil, Self.seconds(clock.now - lastCheckpoint) >= checkpointInterval {
        try saveCheckpoint(state)
        lastCheckpoint = clock.now
      }
    }
    progress.finish(state: state, elapsed: searchElapsed(), errors: &errors)
    try saveCheckpoint(state)
    let searchSeconds = searchElapsed()

    // Re-measure the front and the baselines on the test split.
    let testStart = clock.now
    let front = state.frontMeasurements
    let baselineConfigurations = baselines.map { PrecisionConfiguration.uniform($0.bits, layerCount: layerNames.count) }
    if !quiet {
      errors.write("Measuring the \(front.count) front points and \(baselines.count) baselines on the "
        + "\(NumberFormatting.grouped(inputs.test.count)) test images\n")
    }
    // In chunks, so that progress shows (a line per progress interval; live on a terminal) and Ctrl-C is honoured
    // between them (exit 130; the checkpoint written above keeps the finished search). Each configuration is
    // measured on its own, so the chunking changes no result.
    let testConfigurations = front.map(\.configuration) + baselineConfigurations
    var testProgress = ProgressReporter(quiet: quiet, isTerminal: progress.isTerminal, interval: progress.interval)
    let testMeasurements = try OptimizationRun.measureOnTest(
      testConfigurations, evaluator: testEvaluator, shouldCancel: { monitor.isRaised }
    ) { measured, _ in
      if monitor.isRaised {
        try interrupted(state: state, save: { try saveCheckpoint(state) }, progress: &testProgress, errors: &errors, realSignal: true)
      }
      testProgress.reportTestPass(measured: measured, of: testConfigurations.count,
                                  elapsed: Self.seconds(clock.now - testStart), errors: &errors)
    }
    let testSeconds = Self.seconds(clock.now - testStart)

    // The document.
    let biasBits = table.table.biasBits.value
    let points = try OptimizationRun.points(front: front, testMeasurements: Array(testMeasurements.prefix(front.count)),
                                            evaluator: evaluator, uniform16BitPicojoules: uniform16, biasBits: biasBits)
    let baselineEntries = OptimizationRun.baselines(baselines, testMeasurements: Array(testMeasurements.dropFirst(front.count)),
                                                    evaluator: evaluator, uniform16BitPicojoules: uniform16, biasBits: biasBits)
    let selection = OptimizationRun.selection(state: state, points: points, front: front,
                                              constraintKind: constraint.document.kind, summary: constraint.summary)
    let plan = searchStatistic("plan", \.planSeconds)
    let inference = searchStatistic("inference", \.inferenceSeconds)
    let energySeconds = searchStatistic("energy", \.energySeconds)
    let document = ParetoFrontDocument(
      provenance: .init(tool: PrecSearchTool.name, toolVersion: PrecSearchTool.version, commit: SourceRevision.commit,
                        commandLine: [PrecSearchTool.name] + commandLine),
      model: OptimizationRun.model(name: inputs.model.name, source: inputs.modelSource, sha256: inputs.modelSHA256,
                                   network: network, workloads: evaluator.workloads, windowSearch: windowSearch,
                                   weightGranularity: weightGranularity, biasCorrection: biasCorrection),
      data: .init(name: inputs.dataName,
                  validation: .init(source: inputs.validationSource, images: inputs.validation.count,
                                    sha256: identity.validationSHA256),
                  test: .init(source: inputs.testSource, images: inputs.test.count, sha256: identity.testSHA256)),
      energyModel: .init(name: table.table.name, source: table.sourceKind, path: table.path, sha256: table.checksum,
                         uniform16BitPicojoules: uniform16),
      search: .init(algorithm: algorithm.rawValue, seed: seed, maximumEvaluations: evaluations,
                    timeLimitSeconds: timeLimit, weightBits: space.weightCandidates,
                    activationBits: space.activationCandidates,
                    pins: space.pins.map { .init(layer: layerNames[$0.layer], weightBits: $0.weightBits, activationBits: $0.activationBits) },
                    constraint: constraint.document, populationSize: settings.populationSize,
                    mutationSteps: settings.mutationSteps, annealingRuns: settings.annealingRuns,
                    annealingShare: state.settings.annealingShare,
                    preselectionCandidates: state.settings.algorithm == .guided ? state.settings.preselectionCandidates : nil,
                    screening: Self.screeningEntry(screening, name: screeningName),
                    sensitivity: OptimizationRun.sensitivity(state: state)),
      effort: OptimizationRun.effort(state: state, stopReason: stopReason),
      hypervolume: OptimizationRun.hypervolume(state: state),
      baselines: baselineEntries, points: points, selection: selection,
      timing: .init(wallSeconds: priorWall + Self.seconds(clock.now - start),
                    baselineSeconds: seconds["baselines"] ?? 0, searchSeconds: searchSeconds, testSeconds: testSeconds,
                    evaluationsPerSecond: searchSeconds > 0 ? Double(state.evaluations) / searchSeconds : 0,
                    imagesPerSecond: inference > 0 ? Double(state.imagesRun) / inference : 0,
                    planSeconds: plan, inferenceSeconds: inference, energySeconds: energySeconds,
                    otherSeconds: max(0, searchSeconds - plan - inference - energySeconds), threads: threads,
                    sessions: sessions))
    if let outputPath { try FileRoles.writeRecovering(to: outputPath, what: "the Pareto front") { try document.write(to: $0) } }
    output.write(Self.summary(document, constraint: constraint, outputPath: outputPath))
  }

  // MARK: - Helpers

  /// The constraint in the search's terms and in the document's.
  struct ResolvedConstraint {
    var constraint: PrecisionConstraint
    var document: ParetoFrontDocument.Search.Constraint
    var summary: String
  }

  func resolvedConstraint(baselines: [OptimizeCheckpoint.BaselineMeasurement], network: Network,
                          estimator: EnergyEstimator) throws -> ResolvedConstraint {
    if let budget {
      let resolved = try EnergyBudgetResolution.resolve(budget.budget, text: budget.text, workloads: network.layerWorkloads,
                                                        estimator: estimator)
      return ResolvedConstraint(
        constraint: .maximumEnergy(picojoules: resolved.limitPicojoules),
        document: .init(kind: "maximumEnergy", given: "--budget \(budget.text)", picojoules: resolved.limitPicojoules,
                        relativeEnergy: resolved.fractionOfUniform16Bit),
        summary: "the budget \(EnergyFormatting.energy(resolved.limitPicojoules)) (--budget \(budget.text))")
    }
    if let accuracyRequirement {
      let floor: Double
      let given: String
      switch accuracyRequirement.requirement {
      case .minimum(let minimum):
        floor = minimum
        given = "--min-accuracy \(accuracyRequirement.text)"
      case .maximumDrop(let drop):
        let reference = baselines.first { $0.bits == 16 }?.measurement.accuracy ?? 0
        floor = max(0, reference - drop)
        given = "--max-accuracy-drop \(accuracyRequirement.text)"
      }
      return ResolvedConstraint(
        constraint: .minimumAccuracy(floor), document: .init(kind: "minimumAccuracy", given: given, accuracy: floor),
        summary: "the validation accuracy floor \(NumberFormatting.percent(floor)) (\(given))")
    }
    return ResolvedConstraint(constraint: .none, document: .init(kind: "none"), summary: "no constraint")
  }

  /// Saves the checkpoint, reports, and ends the run: a real SIGINT is re-raised with the default action (exit
  /// status 130 in shells); the test hook throws.
  func interrupted(state: HybridPrecisionSearch, save: () throws -> Void, progress: inout ProgressReporter,
                   errors: inout some TextOutputStream, realSignal: Bool) throws -> Never {
    try save()
    progress.finish(state: state, elapsed: nil, errors: &errors)
    let message = "interrupted after \(state.evaluations) evaluations; the search state is saved in '\(checkpointPath ?? "")': "
      + "run the same command with --resume to continue"
    if realSignal {
      errors.write("\(message)\n")
      signal(SIGINT, SIG_DFL)
      // A parent may have started us with SIGINT blocked (the mask is inherited): unblock it so that the re-raised
      // signal ends the process.
      var interruptOnly = sigset_t()
      sigemptyset(&interruptOnly)
      sigaddset(&interruptOnly, SIGINT)
      pthread_sigmask(SIG_UNBLOCK, &interruptOnly, nil)
      kill(getpid(), SIGINT)
    }
    throw CommandFailure(message)
  }

  static func evaluationSplit(_ images: ImageDataset, model: ModelFile, network: Network) throws -> EvaluationSplit {
    let channels = network.inputShape.channels
    let inputs = (0..<images.count).map { model.preprocessing.apply(images.image($0), channels: channels) }
    return try EvaluationSplit(inputs: inputs, labels: images.labels.map(Int.init), inputShape: network.inputShape,
                               classCount: network.outputShape.elementCount)
  }

  static func screeningEntry(_ screening: ScreeningSettings, name: String) -> ParetoFrontDocument.Search.Screening {
    switch screening.rule {
    case .exact: return .init(rule: name == "off" ? "off" : "exact", chunks: screening.chunkCount, z: nil)
    case .confidence(let z): return .init(rule: "confidence", chunks: screening.chunkCount, z: z)
    }
  }

  /// A usage-independent early check that a file can be written (its directory exists).
  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }

}
