import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import SeededRandom

/// `precsearch train`: trains one of the reference models on its data set with fixed, recorded hyper-parameters,
/// calibrates its activation ranges on training images, measures it on the test split with the float reference
/// and the fixed-point engine at uniform 16, 8, 6 and 4 bits, and writes the model file with its provenance.
struct TrainCommand: Subcommand {
  static let taskOption = OptionSpec.value(
    "task", valueName: "name", help: "What to train: the architecture, its data set and its hyper-parameters.",
    allowedValues: TrainingTask.allCases.map(\.rawValue), isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "path",
    help: "The data set directory: " + TrainingTask.allCases.map { "\($0.definition.dataDescription) for '\($0.rawValue)'" }
      .joined(separator: ", ") + ".",
    isRequired: true)
  static let outputOption = OptionSpec.value(
    "output", valueName: "path", help: "The model file to write (atomically, single-file layout).", isRequired: true)
  static let epochsOption = OptionSpec.value(
    "epochs", valueName: "count", help: "Passes over the training images (default: the task's, "
      + TrainingTask.allCases.map { "\($0.defaultEpochs) for '\($0.rawValue)'" }.joined(separator: ", ") + ").")
  static let seedOption = OptionSpec.value(
    "seed", valueName: "integer", help: "Seed of the weight initialization, shuffle and augmentation.",
    defaultValue: "1")
  static let threadsOption = OptionSpec.value(
    "threads", valueName: "count", help: "Training threads, 1 or 2; the trained model is bit-identical for both.",
    defaultValue: "2", allowedValues: ["1", "2"])
  static let batchSizeOption = OptionSpec.value(
    "batch-size", valueName: "count", help: "Images per optimizer step.", defaultValue: "128")
  static let validationPerClassOption = OptionSpec.value(
    "validation-per-class", valueName: "count",
    help: "Training images per class held out as the validation split (never trained on); tasks whose data set "
      + "publishes a validation split ('fer': PublicTest) hold nothing out.", defaultValue: "500")
  static let checkpointOption = OptionSpec.value(
    "checkpoint", valueName: "path", help: "Save the complete training state to this file after every epoch (atomically).")
  static let resumeOption = OptionSpec.flag(
    "resume", help: "Continue the run saved in --checkpoint (same data and settings); start anew if it is missing.")
  static let writeSplitsOption = OptionSpec.value(
    "write-splits", valueName: "directory",
    help: "Also write the held-out validation split (validation-*-ubyte) and the test split (t10k-*-ubyte) there as "
      + "IDX files (1-channel data sets only), e.g. to ship them with the model.")
  static let specAugmentOption = OptionSpec.value(
    "spec-augment", valueName: "TxW,FxW",
    help: "SpecAugment masking of the training inputs: T time masks (bands of rows) up to W rows wide and F "
      + "frequency masks (bands of columns) up to W columns wide per sample, e.g. '2x8,1x2'; 'none' masks nothing "
      + "(default: the task's, " + TrainingTask.allCases.map { "'\(SpecAugmentSpelling.text($0.definition.augmentation.masking))' for '\($0.rawValue)'" }
      .joined(separator: ", ") + ").")
  static let realClipsPerWordOption = OptionSpec.value(
    "real-clips-per-word", valueName: "count",
    help: "'kws-real' only: train on the first COUNT real speech-commands-mini clips of each of its 8 words "
      + "(default: all 300), e.g. for a learning curve.")
  static let stopAfterOption = OptionSpec.value(
    "stop-after", valueName: "epoch",
    help: "Stop after this epoch without writing the model (with --checkpoint, to continue later with --resume).")

  static let configuration = CommandConfiguration(
    name: "train",
    abstract: "Train a reference model (LeNet on Fashion-MNIST, ResNet-8 on CIFAR-10, mini-Xception on FER2013, "
      + "DS-CNN on synthetic or real keyword clips) and write its model file.",
    discussion: """
      Holds a class-balanced validation split out of the training images (the same images for every seed; \
      never trained on) unless the data set publishes one (FER2013: PublicTest validates, PrivateTest tests), trains with the task's fixed hyper-parameters (docs/training.md), prints one progress \
      line per epoch on standard error (loss, training and validation accuracy, seconds, ETA), calibrates the \
      activation ranges on the first 2,000 training images, measures the test split with the float reference \
      and the fixed-point engine at uniform 16, 8, 6 and 4 bits, and writes the model file with its provenance \
      (data set files and checksums, split rule, seed, hyper-parameters, commit, wall time, accuracies).

      With --checkpoint the complete training state is saved after every epoch; --resume continues it and \
      gives the same model an uninterrupted run gives.
      """,
    options: [taskOption, dataOption, outputOption, epochsOption, seedOption, threadsOption, batchSizeOption,
              validationPerClassOption, checkpointOption, resumeOption, stopAfterOption, writeSplitsOption,
              specAugmentOption, realClipsPerWordOption],
    examples: [
      "precsearch train --task fashion --data ../shared/data/fashion-mnist --output fashion.psmodel",
      "precsearch train --task cifar10 --data /tmp/cifar10bin --output cifar10.psmodel --checkpoint c.ckpt --resume",
      "precsearch train --task fer --data ../shared/data/fer2013 --output fer.psmodel --checkpoint f.ckpt --resume",
    ])

  var task: TrainingTask
  var dataPath: String
  var outputPath: String
  var epochs: Int
  var seed: UInt64
  var threads: Int
  var batchSize: Int
  var validationPerClass: Int
  var checkpointPath: String?
  var resume: Bool
  var stopAfter: Int?
  var writeSplits: String?
  /// The masking of the training inputs (`--spec-augment`, default: the task's).
  var masking: SpectrogramMasking
  /// `--real-clips-per-word` (`kws-real` only).
  var realClipsPerWord: Int?

  /// Images whose activation ranges calibrate the fixed-point engine: the first ones of the training split.
  static let calibrationImageCount = 2000
  /// The uniform bit-widths measured on the test split and recorded in `metrics`.
  static let measuredUniformBits = [16, 8, 6, 4]
  /// The seed of the validation hold-out: fixed, so that every training seed holds out the same images.
  static let holdoutSeed: UInt64 = 1

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    task = try arguments.choice(Self.taskOption, as: TrainingTask.self) ?? .fashion
    dataPath = try arguments.requiredValue(Self.dataOption)
    outputPath = try arguments.requiredValue(Self.outputOption)
    epochs = try arguments.integer(Self.epochsOption, in: 1...100_000) ?? task.defaultEpochs
    let seedText = try arguments.requiredValue(Self.seedOption)
    guard let seed = UInt64(seedText) else {
      throw UsageError("The value '\(seedText)' is invalid for '\(Self.seedOption.synopsis)'; expected an integer in 0...\(UInt64.max).")
    }
    self.seed = seed
    threads = try arguments.integer(Self.threadsOption, in: 1...2) ?? 2
    batchSize = try arguments.integer(Self.batchSizeOption, in: 2...65_536) ?? 128
    validationPerClass = try arguments.integer(Self.validationPerClassOption, in: 1...1_000_000) ?? 500
    checkpointPath = arguments.value(Self.checkpointOption)
    resume = arguments.flag(Self.resumeOption)
    stopAfter = try arguments.integer(Self.stopAfterOption, in: 1...100_000)
    writeSplits = arguments.value(Self.writeSplitsOption)
    realClipsPerWord = try arguments.integer(Self.realClipsPerWordOption, in: 1...100_000)
    if realClipsPerWord != nil && task != .kwsReal {
      throw UsageError("'\(Self.realClipsPerWordOption.synopsis)' applies to --task kws-real only.")
    }
    if let text = arguments.value(Self.specAugmentOption) {
      guard let parsed = SpecAugmentSpelling.parse(text) else {
        throw UsageError("The value '\(text)' is invalid for '\(Self.specAugmentOption.synopsis)'; expected 'none' or "
          + "TIMExWIDTH,FREQUENCYxWIDTH with masks in 0...16 and widths in 0...1024, e.g. '2x8,1x2'.")
      }
      masking = parsed
    } else {
      masking = task.definition.augmentation.masking
    }
    if writeSplits != nil && task.inputShape.channels != 1 {
      throw UsageError("'\(Self.writeSplitsOption.longSpelling)' writes IDX files, which hold 1-channel images; "
        + "--task \(task.rawValue) has \(task.inputShape.channels) channels.")
    }
    if resume && checkpointPath == nil {
      throw UsageError("'\(Self.resumeOption.longSpelling)' needs '\(Self.checkpointOption.synopsis)' (the file to resume from).")
    }
    if let stopAfter, stopAfter >= epochs {
      throw UsageError("'\(Self.stopAfterOption.synopsis)' is \(stopAfter) but the run has only \(epochs) epochs; "
        + "give an epoch below \(epochs), or leave it out.")
    }
  }

  /// The training configuration of this command line.
  var trainingConfiguration: TrainingConfiguration {
    var configuration = task.configuration(epochs: epochs, batchSize: batchSize, seed: seed, threads: threads)
    configuration.augmentation.masking = masking
    return configuration
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let clock = ContinuousClock()
    let started = clock.now
    // The source revision as training starts (a commit made while it runs must not be recorded).
    let revision = (commit: TrainingSourceRevision.commit, uncommitted: TrainingSourceRevision.uncommittedSourceFiles)
    var files = FileRoles()
    files.read(dataPath, option: Self.dataOption.synopsis)
    files.write(outputPath, option: Self.outputOption)
    files.write(checkpointPath, option: Self.checkpointOption, what: "checkpoint file")
    try files.check()

    // Data: published train and test splits, the validation hold-out, checksums.
    let data = task == .kwsReal
      ? try TrainingData(realKeywordSpotting: dataPath, recipe: RealKeywordRecipe(realClipsPerWord: realClipsPerWord),
                         errors: &errors)
      : try TrainingData(task: task, directory: dataPath, validationPerClass: validationPerClass,
                         holdoutSeed: Self.holdoutSeed)
    errors.write("Data: \(task.dataName) in \(data.directory): \(data.train.count) training, "
      + "\(data.validation.count) validation (\(data.validationSummary)), \(data.test.count) test images\n")
    if let writeSplits {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: writeSplits, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandFailure("cannot write the splits to '\(writeSplits)': no such directory")
      }
      try IDXWriter.write(data.validation, directory: writeSplits, prefix: "validation")
      try IDXWriter.write(data.test, directory: writeSplits, prefix: IDXReader.filePrefix(split: .test))
      errors.write("Wrote the validation and test splits (IDX) to \(writeSplits)\n")
    }
    guard data.train.count >= batchSize else {
      throw UsageError("'\(Self.batchSizeOption.synopsis)' is \(batchSize) but only \(data.train.count) training "
        + "images remain after the hold-out; give a smaller batch size.")
    }
    let preprocessing = try InputPreprocessing.fitted(to: data.train.pixels, channels: task.inputShape.channels)
    func labeled(_ set: ImageDataset) throws -> LabeledImages {
      try LabeledImages(shape: set.shape, raw: set.pixels, preprocessing: preprocessing, labels: set.labels.map(Int.init))
    }
    let training = try labeled(data.train)
    let validation = try labeled(data.validation)

    // Network and trainer, possibly resumed.
    let configuration = trainingConfiguration
    let run = try TrainingRun(recipe: task.definition.recipe, training: training, validation: validation,
                              configuration: configuration)
    let trainer = run.trainer
    var fingerprint = TrainingCheckpoint.Fingerprint(task: task.rawValue, seed: String(seed), configuration: configuration,
                                                     trainingImagesSHA256: data.train.contentSHA256,
                                                     validationHoldout: data.holdout,
                                                     validationImagesSHA256: data.holdout == nil
                                                       ? data.validation.contentSHA256 : nil)
    fingerprint.configuration.threads = 1  // the thread count does not change the results
    var secondsBefore = 0.0
    if resume, let checkpointPath, FileManager.default.fileExists(atPath: checkpointPath) {
      let checkpoint = try TrainingCheckpoint.read(from: checkpointPath)
      try checkpoint.check(against: fingerprint, file: checkpointPath)
      do { try run.resume(from: checkpoint.state) } catch {
        throw CommandFailure("cannot resume from checkpoint '\(checkpointPath)': \(error)")
      }
      secondsBefore = checkpoint.wallSeconds
      errors.write("Resumed from \(checkpointPath) after epoch \(trainer.completedEpochs) of \(epochs).\n")
    }
    let configurationText = "\(epochs) epochs, batch \(batchSize), SGD (Nesterov momentum 0.9) learning rate "
      + "\(configuration.learningRate) with 1 warm-up epoch and cosine decay, \(Self.describe(configuration.weightDecay)), "
      + "random crop padding \(configuration.augmentation.cropPadding)"
      + (configuration.augmentation.horizontalFlip ? ", horizontal flip" : "")
      + (configuration.augmentation.masking.isIdentity ? ""
           : ", SpecAugment masks \(SpecAugmentSpelling.text(configuration.augmentation.masking))")
      + (configuration.labelSmoothing > 0 ? ", label smoothing \(configuration.labelSmoothing)" : "")
      + ", seed \(seed), \(threads) thread(s)"
    errors.write("Training \(task.architectureName): \(configurationText)\n")

    func elapsedSeconds() -> Double { secondsBefore + OptimizeCommand.seconds(clock.now - started) }
    let outcome = try run.train(stopAfter: stopAfter) { report in
      errors.write(Self.progressLine(report) + "\n")
      if let checkpointPath {
        try TrainingCheckpoint(fingerprint: fingerprint, wallSeconds: elapsedSeconds(), state: trainer.exportState())
          .write(to: checkpointPath)
      }
    }
    if case .stopped(let epoch) = outcome {
      errors.write("Stopped after epoch \(epoch) of \(epochs) (--stop-after); "
        + (checkpointPath.map { "continue with --checkpoint \($0) --resume.\n" } ?? "no checkpoint was written.\n"))
      return
    }

    // Final figures: trainer-side float accuracy, calibration on training images, engine accuracies on test.
    let finalValidation = try trainer.evaluate(validation)
    let trainerTest = try trainer.evaluate(try labeled(data.test))
    let calibrationCount = min(Self.calibrationImageCount, data.train.count)
    let calibrationInputs = (0..<calibrationCount).map {
      preprocessing.apply(data.train.image($0), channels: task.inputShape.channels)
    }
    var model = try run.modelFile(name: task.rawValue, preprocessing: preprocessing, calibrationInputs: calibrationInputs)
    let network = model.network
    guard let ranges = model.activationRanges else { throw CommandFailure("the trained model has no activation ranges") }
    let testData = LoadedDataset(images: data.test, imagesPath: data.testFiles.first ?? data.directory,
                                 labelsPath: data.testFiles.last ?? data.directory, format: data.format)
    var fixedPoint: [String: JSONValue] = [:], agreement: [String: JSONValue] = [:]
    var floatTest = 0.0
    let layerCount = network.weightedLayerNames.count
    for bits in Self.measuredUniformBits {
      let result = try FixedPointEvaluation.run(model: model, ranges: ranges,
                                      configuration: .uniform(bits, layerCount: layerCount), kernels: .optimized,
                                      data: testData, limit: nil, dataDescription: data.directory)
      let n = Double(max(result.evaluatedImages, 1))
      fixedPoint["uniform\(bits)"] = .number(Double(result.fixedPointCorrect) / n)
      agreement["uniform\(bits)"] = .number(Double(result.agreeing) / n)
      floatTest = Double(result.floatCorrect) / n
    }
    let wallSeconds = elapsedSeconds()
    let metrics: JSONValue = [
      "testAccuracy": .number(floatTest),
      "testImages": .integer(data.test.count),
      "validationAccuracy": .number(finalValidation.accuracy),
      "validationImages": .integer(finalValidation.count),
      "fixedPointTestAccuracy": .object(fixedPoint),
      "fixedPointTopOneAgreement": .object(agreement),
      "trainerTestAccuracy": .number(trainerTest.accuracy),
      "trainerTestLoss": .number(trainerTest.loss),
    ]
    switch task {
    case .kws:
      model.metrics = try KeywordSpottingTraining.addingRealClipMetrics(to: metrics, model: model, ranges: ranges,
                                                                        errors: &errors)
    case .kwsReal:
      model.metrics = try KeywordSpottingTraining.addingPerClassAccuracy(to: metrics, model: model, test: data.test,
                                                                         errors: &errors)
    default:
      model.metrics = metrics
    }
    model.provenance = provenance(data: data, configuration: configuration, history: trainer.history,
                                  calibrationCount: calibrationCount, validation: finalValidation,
                                  test: floatTest, wallSeconds: wallSeconds, revision: revision)
    // A failed final write keeps the trained model beside the output (OUTPUT.recovered-PID.psmodel).
    try FileRoles.writeRecovering(to: outputPath, what: "the trained model", fileExtension: "psmodel") {
      try model.write(to: $0)
    }
    output.write(Self.summary(model: model, path: outputPath, wallSeconds: wallSeconds))
  }

  func provenance(data: TrainingData, configuration: TrainingConfiguration, history: [EpochReport],
                  calibrationCount: Int, validation: NetworkTraining.LossAndAccuracy, test: Double,
                  wallSeconds: Double, revision: (commit: String, uncommitted: Int)) -> JSONValue {
    var files: [JSONValue] = []
    for (name, sha) in data.fileChecksums { files.append(["file": .string(name), "sha256": .string(sha)]) }
    let augmentation = configuration.augmentation
    return [
      "tool": .string(PrecSearchTool.name),
      "toolVersion": .string(PrecSearchTool.version),
      "commit": .string(revision.commit),
      "uncommittedSourceFiles": .integer(revision.uncommitted),
      "command": .string("precsearch train --task \(task.rawValue) --epochs \(epochs) --seed \(seed) "
        + "--batch-size \(batchSize)" + (data.holdout == nil ? "" : " --validation-per-class \(validationPerClass)")
        + (realClipsPerWord.map { " --real-clips-per-word \($0)" } ?? "")),
      "task": .string(task.rawValue),
      "architecture": .string(task.architectureName),
      "dataset": [
        "name": .string(task.dataName),
        "files": .array(files),
        "trainImages": .integer(data.train.count),
        "trainImagesSHA256": .string(data.train.contentSHA256),
        "validationImages": .integer(data.validation.count),
        "validationImagesSHA256": .string(data.validation.contentSHA256),
        "validationSplit": .string(data.validationSummary),
        "testImages": .integer(data.test.count),
        "testImagesSHA256": .string(data.test.contentSHA256),
      ],
      "validationHoldout": data.holdout?.provenance ?? .null,
      "seed": .string(String(seed)),
      "epochs": .integer(epochs),
      "hyperParameters": [
        "batchSize": .integer(configuration.batchSize),
        "optimizer": "sgd, Nesterov momentum 0.9",
        "learningRate": .number(Double(configuration.learningRate)),
        "schedule": "cosine to 0 after 1 linear warm-up epoch",
        "weightDecay": .string(Self.describe(configuration.weightDecay) + " on Conv2D and Dense weights"),
        "cropPadding": .integer(augmentation.cropPadding),
        "horizontalFlip": .bool(augmentation.horizontalFlip),
        "specAugment": .string(SpecAugmentSpelling.text(augmentation.masking)),
        "labelSmoothing": .number(Double(configuration.labelSmoothing)),
        "batchNormMomentum": .number(Double(configuration.batchNormMomentum)),
        "weightInitialization": "He-uniform from Xoshiro256StarStar(seed: seed)",
        "preprocessing": .string("mean and standard deviation of the training split"
          + (data.holdout == nil ? "" : " (after hold-out)")),
      ],
      "threads": .integer(threads),
      "calibration": ["images": .integer(calibrationCount),
                      "source": .string("the first training images" + (data.holdout == nil ? "" : " (after hold-out)"))],
      "history": .array(history.map { r in
        ["epoch": .integer(r.epoch), "trainingLoss": .number(r.trainingLoss),
         "trainingAccuracy": .number(r.trainingAccuracy),
         "validationAccuracy": r.validationAccuracy.map(JSONValue.number) ?? .null,
         "seconds": .number((r.seconds * 10).rounded() / 10)]
      }),
      "finalValidationAccuracy": .number(validation.accuracy),
      "finalTestAccuracy": .number(test),
      "wallSeconds": .number((wallSeconds * 10).rounded() / 10),
    ]
  }

  /// `L2 5e-4`.
  static func describe(_ decay: WeightDecay) -> String {
    switch decay {
    case .none: return "no weight decay"
    case .l2(let r): return "L2 \(r)"
    case .decoupled(let r): return "decoupled weight decay \(r)"
    }
  }

  /// `epoch 3/30  loss 0.4257  train 84.24%  validation 88.20%  lr 0.04990  25.6 s  ETA 11m 48s`.
  static func progressLine(_ r: EpochReport) -> String {
    typealias N = NumberFormatting
    var line = "epoch \(r.epoch)/\(r.epochs)  loss \(N.fixed(r.trainingLoss, decimals: 4))  train \(N.percent(r.trainingAccuracy))"
    if let v = r.validationAccuracy { line += "  validation \(N.percent(v))" }
    line += "  lr \(N.fixed(r.learningRate, decimals: 5))  \(N.fixed(r.seconds, decimals: 1)) s"
    line += "  ETA \(duration(r.estimatedSecondsRemaining))"
    return line
  }

  /// `1h 02m`, `11m 48s`, `42s`.
  static func duration(_ seconds: Double) -> String {
    let s = Int(max(0, min(seconds, 1e9)).rounded())
    if s >= 3600 { return "\(s / 3600)h \(String(format: "%02d", s % 3600 / 60))m" }
    if s >= 60 { return "\(s / 60)m \(String(format: "%02d", s % 60))s" }
    return "\(s)s"
  }

  static func summary(model: ModelFile, path: String, wallSeconds: Double) -> String {
    typealias N = NumberFormatting
    func value(_ key: String) -> Double { model.metrics?[key]?.doubleValue ?? 0 }
    var text = "Wrote \(path) (\(model.name)): \(model.network.weightedLayerNames.count) weighted layers, "
      + "wall time \(duration(wallSeconds))\n"
    text += "Validation accuracy (float):      \(N.percent(value("validationAccuracy")))\n"
    text += "Test accuracy (float):            \(N.percent(value("testAccuracy")))\n"
    for bits in measuredUniformBits {
      let a = model.metrics?["fixedPointTestAccuracy"]?["uniform\(bits)"]?.doubleValue ?? 0
      let label = "Test accuracy, uniform \(bits) bits:"
      text += label.padding(toLength: 34, withPad: " ", startingAt: 0) + N.percent(a) + "\n"
    }
    return text
  }
}

/// The git commit of the checkout this tool was built from, found through the real path of this source file (so
/// that a private package whose `Sources` are symbolic links into the checkout still finds it), and how many files
/// under `Sources/` and `Package.swift` differed from it (`git status --porcelain`) when training ran.
enum TrainingSourceRevision {
  static let root: String = {
    // This file is Sources/PrecSearchCLI/Commands/TrainCommand.swift: the checkout is four levels up.
    URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
  }()

  /// The commit the tool was built from (recorded at build time, see `SourceRevision`).
  static let commit: String = BuildRevision.commit

  /// Tracked source files that differed from `commit` when the tool was built.
  static var uncommittedSourceFiles: Int { BuildRevision.modifiedSourceFiles }
}

/// The command-line spelling of `SpectrogramMasking`: `TxW,FxW` (time masks x widest time band, frequency masks x
/// widest frequency band) or `none`.
enum SpecAugmentSpelling {
  /// `masking` as `--spec-augment` spells it.
  static func text(_ masking: SpectrogramMasking) -> String {
    masking.isIdentity ? "none"
      : "\(masking.timeMasks)x\(masking.maximumTimeWidth),\(masking.frequencyMasks)x\(masking.maximumFrequencyWidth)"
  }

  /// Parses `none` or `TxW,FxW`; nil when malformed or out of range (masks 0...16, widths 0...1024).
  static func parse(_ text: String) -> SpectrogramMasking? {
    if text == "none" { return SpectrogramMasking.none }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == 2 else { return nil }
    var numbers: [Int] = []
    for part in parts {
      let pair = part.split(separator: "x", omittingEmptySubsequences: false)
      guard pair.count == 2, let count = Int(pair[0]), let width = Int(pair[1]),
            (0...16).contains(count), (0...1024).contains(width) else { return nil }
      numbers += [count, width]
    }
    return SpectrogramMasking(timeMasks: numbers[0], maximumTimeWidth: numbers[1], frequencyMasks: numbers[2],
                              maximumFrequencyWidth: numbers[3])
  }
}
