import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO

extension TrainingTaskDefinition {
  /// DS-CNN on the synthetic keyword-spotting clips of `Experiments/kws/synthesize.sh`: 8-bit MFCC features
  /// (docs/audio.md) of 1 s clips, 12 classes; the splits are the manifest's, by speaker (validation and test
  /// speakers are never trained on). The clips are augmented when synthesized (speed, tempo, pitch, filters, reverb,
  /// noise, time shift); training adds SpecAugment masking (it raised validation accuracy from 68.9 to 74.7%,
  /// docs/audio.md) but no image shift or flip (a shift would mix coefficients, a flip reverses time).
  static let kws = TrainingTaskDefinition(
    dataName: "kws-synthetic",
    dataDescription: "the synthetic keyword-spotting clips of Experiments/kws/synthesize.sh (manifest.csv and WAVs)",
    format: .idx, validation: .published, inputShape: KeywordSpotting.inputShape,
    classNames: KeywordSpotting.classNames,
    architectureName: "DS-CNN (ReferenceArchitectures.dsCNN)",
    modelDescription: "DS-CNN (MLPerf Tiny) keyword spotter on 49x10 MFCC features (12 classes: yes no up down left "
      + "right on off stop go, unknown, silence) trained on synthetic speech by precsearch train",
    makeNetwork: { try ReferenceArchitectures.dsCNN(classes: 12, using: &$0) },
    defaultEpochs: 100, learningRate: 0.05,
    // SpecAugment: 2 time masks of up to 8 frames (160 ms) and 1 frequency mask of up to 2 coefficients; no
    // shift (the clips are already placed at random in their window) and no flip (it would reverse time).
    augmentation: ImageAugmentation(masking: SpectrogramMasking(timeMasks: 2, maximumTimeWidth: 8, frequencyMasks: 1,
                                                                maximumFrequencyWidth: 2)),
    labelSmoothing: 0.1)
}

extension TrainingData {
  /// The `kws` task's data: the features of every clip listed in `DIRECTORY/manifest.csv`, split by the
  /// manifest's `split` column (train / validation / test, by speaker). Checksums: the manifest's.
  init(keywordSpotting path: String) throws {
    let data = try SyntheticKeywordData.load(directory: path, threads: 2)
    guard let train = data.sets["train"], let validation = data.sets["validation"], let test = data.sets["test"] else {
      throw CommandFailure("cannot read data '\(path)': the manifest lacks a train, validation or test split")
    }
    let manifest = URL(fileURLWithPath: path).appendingPathComponent("manifest.csv").path
    self.directory = path
    self.format = .idx
    self.train = train
    self.validation = validation
    self.test = test
    self.holdout = nil
    self.testFiles = [manifest, manifest]
    self.fileChecksums = [("manifest.csv", data.manifestSHA256)]
  }
}

/// The `kws` task's extra measurement: accuracy on real Speech Commands clips.
enum KeywordSpottingTraining {
  /// The environment variable naming a folder of real clips in Speech Commands' layout (default:
  /// `../shared/data/speech-commands-sample` beside the checkout).
  static let realClipsVariable = "PRECSEARCH_KWS_REAL_CLIPS"

  /// The real-clip folder to measure, when it exists.
  static var realClipsFolder: String? {
    let folder = ProcessInfo.processInfo.environment[realClipsVariable]
      ?? URL(fileURLWithPath: TrainingSourceRevision.root).deletingLastPathComponent()
        .appendingPathComponent("shared/data/speech-commands-sample").path
    return FileManager.default.fileExists(atPath: folder) ? folder : nil
  }

  /// `metrics` plus `realClips`: the float and uniform 16/8-bit accuracy on the real clips (all, the 10 command words
  /// only, the other words as "unknown" only), when the folder exists; prints one line on `errors` either way.
  static func addingRealClipMetrics(to metrics: JSONValue, model: ModelFile, ranges: ActivationRanges,
                                    errors: inout some TextOutputStream) throws -> JSONValue {
    guard let folder = realClipsFolder, case .object(var fields) = metrics else {
      errors.write("Real clips: none found (set \(realClipsVariable) or put speech-commands-sample in ../shared/data)\n")
      return metrics
    }
    let (_, set) = try SpeechCommandsFolder.load(directory: folder, threads: 2)
    let layerCount = model.network.weightedLayerNames.count
    let floatPlan = try FloatPlan(network: model.network)
    let floatPrediction = (0..<set.count).map { argmax(floatPlan.run(model.preprocessing.apply(set.image($0), channels: 1))) }
    var fixed: [String: JSONValue] = [:]
    let loaded = LoadedDataset(images: set, imagesPath: folder, labelsPath: folder, format: .idx)
    for bits in [16, 8] {
      let result = try FixedPointEvaluation.run(model: model, ranges: ranges, configuration: .uniform(bits, layerCount: layerCount),
                                      kernels: .optimized, data: loaded, limit: nil, dataDescription: folder)
      fixed["uniform\(bits)"] = .number(Double(result.fixedPointCorrect) / Double(max(result.evaluatedImages, 1)))
    }
    let all = accuracy(floatPrediction, set.labels, where: { _ in true })
    let commands = accuracy(floatPrediction, set.labels, where: { $0 < 10 })
    let unknown = accuracy(floatPrediction, set.labels, where: { $0 == KeywordSpotting.unknownLabel })
    errors.write("Real clips (\(folder), \(set.count) clips): float accuracy \(NumberFormatting.percent(all)) "
      + "(command words \(NumberFormatting.percent(commands)), other words as unknown \(NumberFormatting.percent(unknown))); "
      + "uniform 16 bits \(NumberFormatting.percent(fixed["uniform16"]?.doubleValue ?? 0)), "
      + "8 bits \(NumberFormatting.percent(fixed["uniform8"]?.doubleValue ?? 0))\n")
    fields["realClips"] = [
      "folder": .string(URL(fileURLWithPath: folder).lastPathComponent),
      "clips": .integer(set.count),
      "floatAccuracy": .number(all),
      "floatCommandWordAccuracy": .number(commands),
      "floatUnknownAccuracy": .number(unknown),
      "fixedPointAccuracy": .object(fixed),
    ]
    return .object(fields)
  }

  static func argmax(_ values: [Float]) -> Int {
    var best = 0
    for i in values.indices where values[i] > values[best] { best = i }
    return best
  }

  static func accuracy(_ predictions: [Int], _ labels: [UInt8], where keep: (Int) -> Bool) -> Double {
    var n = 0, correct = 0
    for (p, l) in zip(predictions, labels) where keep(Int(l)) {
      n += 1
      if p == Int(l) { correct += 1 }
    }
    return n == 0 ? 0 : Double(correct) / Double(n)
  }
}

extension TrainingTaskDefinition {
  /// DS-CNN on real speech in MLPerf Tiny's 12 classes with MLPerf's front-end (`RealKeywordData`, docs/audio.md):
  /// the real clips of `speech-commands-mini` and `speech-commands-sample` (training-partition speakers), synthetic
  /// "on", "off" and unknown words, silence and background noise from `speech-commands-noise`, MLPerf's training
  /// augmentation (time shift, background 0.1 on 80% of clips) in 4 seeded copies, plus SpecAugment and label
  /// smoothing as `kws`. Test: MLPerf Tiny's 1,000 test clips (`mlperf-tiny-kws`), never used to choose anything.
  static let kwsReal = TrainingTaskDefinition(
    dataName: "kws-real",
    dataDescription: "a folder with speech-commands-mini, speech-commands-sample, kws-synthetic (synthesize.sh "
      + "output), speech-commands-noise and mlperf-tiny-kws (Experiments/kws/real_data.sh makes it)",
    format: .idx, validation: .published, inputShape: KeywordSpotting.inputShape,
    classNames: KeywordLabelSet.mlperfTiny.classNames,
    architectureName: "DS-CNN (ReferenceArchitectures.dsCNN)",
    modelDescription: "DS-CNN (MLPerf Tiny) keyword spotter on MLPerf Tiny's int8 MFCC features (12 classes in "
      + "MLPerf's order: down go left no off on right stop up yes, silence, unknown) trained on real Speech Commands "
      + "clips (on/off and unknown partly synthetic) by precsearch train",
    makeNetwork: { try ReferenceArchitectures.dsCNN(classes: 12, using: &$0) },
    defaultEpochs: 40, learningRate: 0.05,
    augmentation: ImageAugmentation(masking: SpectrogramMasking(timeMasks: 2, maximumTimeWidth: 8, frequencyMasks: 1,
                                                                maximumFrequencyWidth: 2)),
    labelSmoothing: 0.1, audioFrontEnd: .mlperfTiny)
}

extension TrainingData {
  /// The `kws-real` task's data (`RealKeywordData.load`): training and validation assembled by the recipe, test
  /// = MLPerf Tiny's 1,000 clips. Prints the recipe's counts per class and source on `errors`.
  init(realKeywordSpotting path: String, recipe: RealKeywordRecipe, errors: inout some TextOutputStream) throws {
    let data = try RealKeywordData.load(directory: path, recipe: recipe, threads: 2)
    for (name, clips) in [("training", data.trainClips), ("validation", data.validationClips)] {
      let table = RealKeywordData.counts(clips).map { "\($0.label)/\($0.source) \($0.count)" }
      errors.write("Recipe, \(name) clips (\(clips.count)\(name == "training" ? ", x\(max(1, recipe.copies)) copies" : "")): "
        + table.joined(separator: ", ") + "\n")
    }
    self.directory = path
    self.format = .idx
    self.train = data.train
    self.validation = data.validation
    self.test = data.test
    self.holdout = nil
    let labels = URL(fileURLWithPath: path).appendingPathComponent(RealKeywordData.testFolder).path
    self.testFiles = [labels, labels]
    self.fileChecksums = data.fileChecksums
  }
}

extension KeywordSpottingTraining {
  /// `metrics` plus `perClassTestAccuracy` (float, on the test split, by class name in label order), printed on
  /// `errors` as one line.
  static func addingPerClassAccuracy(to metrics: JSONValue, model: ModelFile, test: ImageDataset,
                                     errors: inout some TextOutputStream) throws -> JSONValue {
    guard case .object(var fields) = metrics else { return metrics }
    let plan = try FloatPlan(network: model.network)
    let predictions = (0..<test.count).map { argmax(plan.run(model.preprocessing.apply(test.image($0), channels: 1))) }
    var perClass: [JSONValue] = []
    var line: [String] = []
    for (label, name) in model.labels.enumerated() {
      let n = test.labels.filter { Int($0) == label }.count
      let value = accuracy(predictions, test.labels, where: { $0 == label })
      perClass.append(["class": .string(name), "clips": .integer(n), "floatAccuracy": .number(value)])
      line.append("\(name) \(NumberFormatting.percent(value)) (\(n))")
    }
    errors.write("Test accuracy per class (float): " + line.joined(separator: ", ") + "\n")
    fields["perClassTestAccuracy"] = .array(perClass)
    return .object(fields)
  }
}
