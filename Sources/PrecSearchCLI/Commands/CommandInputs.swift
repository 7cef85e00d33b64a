import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO

/// Reads model files for the commands. Every defect becomes a one-line error naming the file (PrecSearchIO's
/// `ModelFileError`), printed as `Error: ...` with exit status 1.
enum ModelLoading {
  static func load(path: String) throws -> ModelFile {
    try FileChecks.requireReadableFile(path, what: "model file")
    return try ModelFile.read(from: path)
  }

  /// The model's activation ranges, or an error naming the commands that record them.
  static func requireRanges(_ model: ModelFile, path: String) throws -> ActivationRanges {
    guard let ranges = model.activationRanges else {
      throw CommandFailure("model '\(path)' has no calibration ranges (activationRanges), which the fixed-point engine "
        + "needs to choose its formats; compute them with 'precsearch recalibrate --model \(path) --data DIR --output FILE' "
        + "(or import the model with 'precsearch import ... --calibration-data PATH')")
    }
    return ranges
  }

  /// What `--model VALUE` designates: an existing file, else a shipped model by name (with its entry). Throws a
  /// message that lists the shipped names when it is neither (`hint` is added for a planned but missing model).
  static func resolve(_ value: String, hint: String = "give a model file with --model PATH") throws -> (path: String, shipped: ShippedModel?) {
    if FileManager.default.fileExists(atPath: value) { return (value, nil) }
    if let found = ModelCatalog.shippedModel(named: value) { return (found.modelPath, found) }
    if ModelCatalog.plannedNames.contains(value) {
      throw CommandFailure("the shipped model '\(value)' is not installed in this build; \(hint)")
    }
    throw CommandFailure(ModelCatalog.unknownModelMessage(value))
  }
}

/// A labeled image set and the files it was read from.
struct LoadedDataset {
  /// The images (HWC, 8-bit) and their class indices.
  var images: ImageDataset
  /// Where the images came from (shown in reports).
  var imagesPath: String
  /// Where the labels came from (the same file for CIFAR-10 batches).
  var labelsPath: String
  /// The file format.
  var format: ImageDatasetFormat = .idx
}

/// Finds and reads data sets given with `--data`.
enum DatasetLoading {
  /// The files a `--data` path designates.
  enum Source: Hashable {
    /// An IDX images file and its labels file.
    case idx(images: String, labels: String)
    /// A CIFAR-10 binary batch file (labels inside).
    case cifar10(file: String)
    /// A FER2013 record file (`privatetest.bin`, ...), or the `split` rows of a Kaggle `fer2013.csv`.
    case fer2013(file: String, csvSplit: FER2013Split?)
    /// A folder of WAV clips in Speech Commands' layout (`WORD/*.wav`), classified by their keyword-spotting
    /// features (docs/audio.md).
    case speechCommands(directory: String)
    /// A folder with a `labels.csv` (a `label_index` column and columns of file paths; docs/cli.md).
    case labelsFolder(directory: String)
  }

  /// File names of the test split inside a data set directory.
  static let idxTestFiles = IDXReader.filePaths(directory: "", split: .test)
  static var idxTestImagesName: String { URL(fileURLWithPath: idxTestFiles.images).lastPathComponent }
  static var idxTestLabelsName: String { URL(fileURLWithPath: idxTestFiles.labels).lastPathComponent }
  static let cifarTestName = CIFAR10Reader.fileNames(split: .test)[0]

  /// What `path` designates:
  /// - a directory holding an IDX data set (MNIST, Fashion-MNIST) or CIFAR-10 binary batches (possibly in its
  ///   `cifar-10-batches-bin` subdirectory) or FER2013: its test split (`t10k-*-ubyte`, `test_batch.bin`,
  ///   FER2013's PrivateTest);
  /// - an IDX images file whose labels file has `labels-idx1` in place of `images-idx3` in its name;
  /// - a FER2013 record file (`train.bin`, `publictest.bin`, `privatetest.bin`) or a Kaggle `.csv` (its
  ///   PrivateTest rows);
  /// - a CIFAR-10 binary batch file (any other `.bin`);
  /// - a directory of WAV clips in Speech Commands' layout (`WORD/*.wav`, e.g. `speech-commands-sample`): the
  ///   command words are their classes, other words "unknown" (for a keyword-spotting model).
  static func resolve(_ path: String) throws -> Source {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read data '\(path)': no such file or directory")
    }
    if isDirectory.boolValue {
      if LabelsCSVFolder.hasLayout(directory: path) { return .labelsFolder(directory: path) }
      let detected: (format: ImageDatasetFormat, directory: String)
      do {
        detected = try ImageDatasetLoader.detect(directory: path)
      } catch let error as DatasetError {
        if SpeechCommandsFolder.hasLayout(directory: path) { return .speechCommands(directory: path) }
        throw DatasetError(file: error.file, message: error.message + ", or WAV clips in Speech Commands' layout (WORD/*.wav), "
          + "or a folder with a \(LabelsCSVFolder.tableFileName)")
      }
      let (format, directory) = detected
      switch format {
      case .idx:
        let (images, labels) = IDXReader.filePaths(directory: directory, split: .test)
        for file in [images, labels] where !FileManager.default.fileExists(atPath: file) {
          let hint = FileManager.default.fileExists(atPath: file + ".gz") ? " (found '\(file).gz'; decompress it with gunzip)" : ""
          throw CommandFailure("cannot read data '\(path)': the directory has no '\(URL(fileURLWithPath: file).lastPathComponent)'\(hint); "
            + "expected the IDX test split '\(idxTestImagesName)' and '\(idxTestLabelsName)'")
        }
        return .idx(images: images, labels: labels)
      case .cifar10Binary:
        let file = URL(fileURLWithPath: directory).appendingPathComponent(cifarTestName).path
        guard FileManager.default.fileExists(atPath: file) else {
          throw CommandFailure("cannot read data '\(path)': the CIFAR-10 directory has no test split '\(cifarTestName)'")
        }
        return .cifar10(file: file)
      case .fer2013:
        let files = try FER2013Reader.files(directory: directory, split: .privateTest)
        guard let file = files.first, FileManager.default.fileExists(atPath: file) else {
          throw CommandFailure("cannot read data '\(path)': the FER2013 directory has no test split "
            + "'\(FER2013Reader.recordFileName(split: .privateTest))'")
        }
        return .fer2013(file: file, csvSplit: file.hasSuffix(".csv") ? .privateTest : nil)
      }
    }
    let url = URL(fileURLWithPath: path)
    let name = url.lastPathComponent
    if FER2013Split.allCases.contains(where: { FER2013Reader.recordFileName(split: $0) == name }) {
      return .fer2013(file: path, csvSplit: nil)
    }
    if name.hasSuffix(".csv") { return .fer2013(file: path, csvSplit: .privateTest) }
    if name.hasSuffix(".bin") { return .cifar10(file: path) }
    guard name.contains("images-idx3") else {
      throw CommandFailure("cannot read data '\(path)': expected a data set directory (IDX, CIFAR-10 binary, FER2013 or WAV clips), an IDX "
        + "images file whose name contains 'images-idx3' (its labels file has 'labels-idx1' there instead), or a "
        + "CIFAR-10 '.bin' batch file, a FER2013 record file (privatetest.bin, ...) or a FER2013 '.csv'")
    }
    let labels = url.deletingLastPathComponent()
      .appendingPathComponent(name.replacingOccurrences(of: "images-idx3", with: "labels-idx1")).path
    guard FileManager.default.fileExists(atPath: labels) else {
      throw CommandFailure("cannot read data '\(path)': its labels file '\(labels)' does not exist")
    }
    return .idx(images: path, labels: labels)
  }

  /// Reads the labeled inputs that `path` designates for `model` (see `resolve`): every label must be below its
  /// class count; a `labels.csv` folder is read as the model needs (its WAV column through the model's audio
  /// front-end, else a column of raw input tensors, `options.tensorColumn` or the first whose files have the
  /// input's size); FER2013 records of the model's input size are read for a square grey model; images are
  /// resized by `options.resize`; and the result must have the model's input shape (the error suggests
  /// `--resize`).
  static func load(path: String, model: ModelFile, options: DataOptions) throws -> LoadedDataset {
    let shape = model.network.inputShape
    let classes = model.network.outputShape.elementCount
    var loaded: LoadedDataset
    switch try resolve(path) {
    case .labelsFolder(let directory):
      loaded = try loadLabelsFolder(directory: directory, model: model, options: options)
    case .speechCommands(let directory):
      // Checked before the clips are read: computing their features is the expensive part.
      guard let frontEnd = model.audioFrontEndForWAV else {
        throw CommandFailure("cannot use data '\(path)': WAV clips need a model with an audio front-end (its file names "
          + "none, and its input is \(shape))")
      }
      let labelSet = KeywordLabelSet.matching(labels: model.labels) ?? .precsearch
      guard classes == labelSet.classNames.count else {
        throw CommandFailure("cannot use data '\(path)': WAV clips are classified into \(labelSet.classNames.count) "
          + "keyword-spotting classes; this model has \(classes)")
      }
      let (_, images) = try SpeechCommandsFolder.load(directory: directory, threads: 2, frontEnd: frontEnd, labelSet: labelSet)
      loaded = LoadedDataset(images: images, imagesPath: directory, labelsPath: directory, format: .idx)
    case .fer2013(let file, nil) where shape.channels == 1 && shape.height == shape.width
        && shape.height != FER2013Reader.side && options.resize == nil:
      loaded = LoadedDataset(images: try FER2013Reader.readRecords(file: file, side: shape.height), imagesPath: file,
                             labelsPath: file, format: .fer2013)
    default:
      loaded = try loadAny(path: path, classCount: classes)
    }
    guard loaded.images.count > 0 else { throw CommandFailure("data '\(path)' holds no images; expected at least one") }
    if let size = options.resize {
      loaded.images = try ImageResize.bilinear(loaded.images, height: size.height, width: size.width)
    }
    if let bad = loaded.images.labels.first(where: { Int($0) >= classes }) {
      throw CommandFailure("data '\(path)' has label \(bad) but the model has \(classes) classes (labels 0...\(classes - 1))")
    }
    guard loaded.images.shape == shape else {
      let sizeOnly = loaded.images.channels == shape.channels
      throw CommandFailure("the inputs in '\(path)' are \(loaded.images.shape) but the model's input is \(shape) "
        + "(height x width x channels)" + (sizeOnly ? "; use --resize \(shape.height)x\(shape.width) to resize them" : ""))
    }
    return loaded
  }

  /// A `labels.csv` folder read for `model` (see `load(path:model:options:)`).
  static func loadLabelsFolder(directory: String, model: ModelFile, options: DataOptions) throws -> LoadedDataset {
    let folder = try LabelsCSVFolder(directory: directory)
    let shape = model.network.inputShape
    let byteCount = shape.elementCount
    let frontEnd = try AudioFrontEnds.extractor(for: model)
    let column: Int
    if let name = options.tensorColumn {
      column = try folder.column(named: name)
    } else if frontEnd != nil, let wav = folder.wavColumn {
      column = wav
    } else {
      let (found, sizes) = folder.tensorColumn(byteCount: byteCount)
      guard let found else {
        throw CommandFailure("cannot read '\(folder.tablePath)' for this model: no column's first file holds one input "
          + "tensor of \(byteCount) bytes (\(shape), \(model.inputEncoding.rawValue)); found \(sizes.joined(separator: ", "))"
          + "; name a column with --tensor-column, or resize images with --resize")
      }
      column = found
    }
    let columnName = folder.columns[column]
    if folder.rows.first.map({ $0.fields[column].lowercased().hasSuffix(".wav") }) == true {
      guard let frontEnd else {
        throw CommandFailure("column '\(columnName)' of '\(folder.tablePath)' holds WAV clips, but this model has no audio "
          + "front-end to compute its features; name a column of feature tensors with --tensor-column")
      }
      let paths = try folder.rows.map { try folder.file(row: $0, column: column) }
      let images = try ImageDataset(height: shape.height, width: shape.width, channels: shape.channels,
                                    pixels: try frontEnd.features(ofFiles: paths, threads: 2), labels: folder.labels)
      return LoadedDataset(images: images, imagesPath: folder.tablePath + " (column '\(columnName)')",
                           labelsPath: folder.tablePath, format: .idx)
    }
    // Raw tensor files carry no size: they are read at the model's input size (`--resize` does not apply).
    if options.resize != nil {
      throw CommandFailure("--resize does not apply to the raw tensor files of '\(folder.tablePath)' (they carry no image "
        + "size); they must hold the model's input, \(shape)")
    }
    let images = try folder.tensors(column: column, height: shape.height, width: shape.width, channels: shape.channels,
                                    encoding: model.inputEncoding)
    return LoadedDataset(images: images, imagesPath: folder.tablePath + " (column '\(columnName)')",
                         labelsPath: folder.tablePath, format: .idx)
  }

  /// Reads the labeled images that `path` designates (see `resolve`); with `classCount`, every label must be below
  /// it. Malformed files give PrecSearchIO's `DatasetError`, which names the file and byte offset.
  static func load(path: String, classCount: Int?) throws -> LoadedDataset {
    let loaded = try loadAny(path: path, classCount: classCount)
    // An empty set would give '0.00% (0 / 0)' or nothing to classify: say so instead.
    guard loaded.images.count > 0 else {
      throw CommandFailure("data '\(path)' holds no images; expected at least one")
    }
    return loaded
  }

  /// `load` without the emptiness check.
  private static func loadAny(path: String, classCount: Int?) throws -> LoadedDataset {
    switch try resolve(path) {
    case .idx(let images, let labels):
      return LoadedDataset(images: try IDXReader.read(images: images, labels: labels, classCount: classCount),
                           imagesPath: images, labelsPath: labels, format: .idx)
    case .cifar10(let file):
      return LoadedDataset(images: try CIFAR10Reader.read(file: file), imagesPath: file, labelsPath: file,
                           format: .cifar10Binary)
    case .fer2013(let file, let csvSplit):
      let images = try csvSplit.map { try FER2013Reader.readCSV(file: file)[$0] } ?? FER2013Reader.readRecords(file: file)
      return LoadedDataset(images: images, imagesPath: file, labelsPath: file, format: .fer2013)
    case .speechCommands(let directory):
      // Checked before the clips are read: computing their features is the expensive part.
      if let classCount, classCount != KeywordSpotting.classNames.count {
        throw CommandFailure("cannot use data '\(path)': WAV clips are classified by a keyword-spotting model with "
          + "\(KeywordSpotting.classNames.count) classes; this model has \(classCount)")
      }
      let (_, images) = try SpeechCommandsFolder.load(directory: directory, threads: 2)
      return LoadedDataset(images: images, imagesPath: directory, labelsPath: directory, format: .idx)
    case .labelsFolder(let directory):
      throw CommandFailure("cannot read '\(directory)' here: a \(LabelsCSVFolder.tableFileName) folder is read for a model "
        + "(its input size and front-end choose the column)")
    }
  }
}

/// The audio front-ends of models: which one computes a model's input from a WAV clip.
enum AudioFrontEnds {
  /// The front-end of `model` (`ModelFile.audioFrontEndForWAV`: the one its file names, else the 40 ms recipe for a
  /// 49x10x1 model that was not imported), or nil when its input is not computed from audio.
  static func extractor(for model: ModelFile) throws -> KeywordFeatureExtractor? {
    try model.audioFrontEndForWAV.map { try KeywordFeatureExtractor(frontEnd: $0) }
  }
}

/// Up-front checks that give clear messages before a reader sees a file.
enum FileChecks {
  static func requireReadableFile(_ path: String, what: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read \(what) '\(path)': no such file")
    }
    guard !isDirectory.boolValue else { throw CommandFailure("cannot read \(what) '\(path)': it is a directory") }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw CommandFailure("cannot read \(what) '\(path)': permission denied")
    }
  }
}

/// `--weight-granularity per-tensor|per-channel`: the engine's `WeightGranularity` (one master format per weight
/// tensor, or per output channel), with its option and default.
extension WeightGranularity {
  /// The value used when the option is absent (measured with the other defaults of issue #20:
  /// Results/opt-in-combination/).
  static let defaultValue = WeightGranularity.perChannel

  /// The shared option.
  static let option = OptionSpec.value(
    "weight-granularity", valueName: "per-tensor|per-channel",
    help: "Give each weight tensor one power-of-two format (per-tensor), or each output channel of a Conv2D/Dense "
      + "its own, with its own window shifts (per-channel; docs/arithmetic.md). Default: \(defaultValue.rawValue).")

  /// The option's value, or the default when absent.
  static func parse(_ arguments: ParsedArguments) throws(UsageError) -> WeightGranularity {
    try arguments.choice(option, as: WeightGranularity.self) ?? defaultValue
  }

  /// The granularity as recorded in documents: nil for `per-tensor` (the only one before it was recorded).
  var recorded: String? { self == .perTensor ? nil : rawValue }
}

/// `--bias-correction on|off`: the engine's `BiasCorrection` (correct each weighted layer's bias by the expected
/// output shift of its derived weights), with its option, default and model check.
extension BiasCorrection {
  /// The value used when the option is absent (measured with the other defaults of issue #20:
  /// Results/opt-in-combination/); a model without channel means falls back to `off`, with a note.
  static let defaultValue = BiasCorrection.on

  /// The shared option.
  static let option = OptionSpec.value(
    "bias-correction", valueName: "on|off",
    help: "Subtract from each weighted layer's bias the expected output shift its derived b-bit weights cause, "
      + "from the calibration means of its input (needs ranges with channel means: precsearch recalibrate; "
      + "docs/arithmetic.md). Default: \(defaultValue.rawValue) (off for a model without channel means).")

  /// The option's value, or `nil` when absent.
  static func parse(_ arguments: ParsedArguments) throws(UsageError) -> BiasCorrection? {
    try arguments.choice(option, as: BiasCorrection.self)
  }

  /// The setting as recorded in documents: nil for `off` (the only setting before it was recorded).
  var recorded: String? { self == .off ? nil : rawValue }

  /// The setting to use: `given`, else the default, which falls back to `off` (with a note) when `ranges` lack the
  /// channel means of a weighted layer's input of `network` (unfolded or folded). A given `on` that needs means the
  /// model lacks is an error naming the fix.
  static func resolve(_ given: BiasCorrection?, ranges: ActivationRanges, network: Network,
                      modelPath: String) throws -> (BiasCorrection, note: String?) {
    let wanted = given ?? defaultValue
    guard wanted == .on, !ranges.hasChannelMeans(for: try network.foldingBatchNorm()) else { return (wanted, nil) }
    guard given == nil else {
      throw CommandFailure("'--bias-correction on' needs the calibration means of every weighted layer's input, "
        + "which model '\(modelPath)' does not record; add them with 'precsearch recalibrate --model \(modelPath) "
        + "--data TRAINING-DATA --output FILE'")
    }
    return (.off, "model '\(modelPath)' records no channel means of its layers' inputs, so biases are not corrected "
      + "(--bias-correction off); 'precsearch recalibrate' adds them")
  }
}

/// `--window-search none|weights|activations|all|activations-output|all-output`: the engine's `WindowSearchMode` (which tensors get
/// per-(tensor, bit-width) window shifts), with its option, default and model check.
typealias WindowSearch = WindowSearchMode

extension WindowSearchMode {
  /// The value used when the option is absent (measured: Results/window-shift/, and with the other defaults of
  /// issue #20: Results/opt-in-combination/); a model without output-chosen shifts falls back to `all`, one without
  /// activation histograms to `weights`, each with a note.
  static let defaultValue = WindowSearchMode.allOutput

  /// The shared option.
  static let option = OptionSpec.value(
    "window-search", valueName: "mode",
    help: "none, weights, activations, all, activations-output or all-output: let the b-bit window of each weight "
      + "tensor and/or activation group sit lower in its 16-bit master when that lowers the quantization error "
      + "(activations need ranges with histograms: precsearch recalibrate). The -output modes take the activation "
      + "shifts chosen for the network's output instead (precsearch recalibrate --activation-windows output). "
      + "Default: \(defaultValue.rawValue) (all for a model without output-chosen shifts, weights for one without "
      + "histograms).")

  /// The option's value, or `nil` when absent.
  static func parse(_ arguments: ParsedArguments) throws(UsageError) -> WindowSearchMode? {
    try arguments.choice(option, as: WindowSearchMode.self)
  }

  /// The setting to use: `given`, else the default, which falls back (with a note) to `all` when the model's ranges
  /// have no output-chosen shifts and to `weights` when they have no histograms. A `given` setting that needs
  /// histograms or shifts the model lacks is an error naming the fix.
  static func resolve(_ given: WindowSearchMode?, ranges: ActivationRanges, modelPath: String) throws -> (WindowSearchMode, note: String?) {
    if let given {
      if given.quantizationOptions.activationWindowSearch && !ranges.hasHistograms {
        throw CommandFailure("'--window-search \(given.rawValue)' needs activation histograms, which model '\(modelPath)' "
          + "does not record; add them with 'precsearch recalibrate --model \(modelPath) --data TRAINING-DATA --output FILE'")
      }
      if given.usesOutputCriterion && ranges.outputWindowShifts == nil {
        throw CommandFailure("'--window-search \(given.rawValue)' needs the activation window shifts chosen for the "
          + "network's output, which model '\(modelPath)' does not record; add them with 'precsearch recalibrate "
          + "--model \(modelPath) --data TRAINING-DATA --activation-windows output --output FILE'")
      }
      return (given, nil)
    }
    if defaultValue.quantizationOptions.activationWindowSearch && !ranges.hasHistograms {
      return (.weights, "model '\(modelPath)' records no activation histograms, so only weight windows are searched "
        + "(--window-search weights); 'precsearch recalibrate' adds them")
    }
    if defaultValue.usesOutputCriterion && ranges.outputWindowShifts == nil {
      return (.all, "model '\(modelPath)' records no activation window shifts chosen for the network's output, so "
        + "each activation group's window minimises its own error (--window-search all); 'precsearch recalibrate "
        + "--activation-windows output' adds them")
    }
    return (defaultValue, nil)
  }

}

/// The arithmetic settings of `optimize`, `evaluate` and `serve` as resolved for one model: `--window-search` and
/// `--bias-correction` (each falling back, with a note, when the model lacks the data its default needs; a given
/// setting the model cannot support throws), `--weight-granularity`, and the engine options they make together.
struct ResolvedArithmetic {
  var windowSearch: WindowSearchMode
  var weightGranularity: WeightGranularity
  var biasCorrection: BiasCorrection
  /// The fallback notes, in option order, for the command to print as `Note: ...` unless it is quiet.
  var notes: [String]

  init(windowSearch: WindowSearchMode?, weightGranularity: WeightGranularity, biasCorrection: BiasCorrection?,
       ranges: ActivationRanges, network: Network, modelPath: String) throws {
    let (window, windowNote) = try WindowSearchMode.resolve(windowSearch, ranges: ranges, modelPath: modelPath)
    let (bias, biasNote) = try BiasCorrection.resolve(biasCorrection, ranges: ranges, network: network,
                                                      modelPath: modelPath)
    (self.windowSearch, self.weightGranularity, self.biasCorrection) = (window, weightGranularity, bias)
    notes = [windowNote, biasNote].compactMap { $0 }
  }

  /// The engine options of the three settings.
  var quantizationOptions: QuantizationOptions {
    biasCorrection.applied(to: weightGranularity.applied(to: windowSearch.quantizationOptions))
  }
}
