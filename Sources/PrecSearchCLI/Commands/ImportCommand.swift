import AudioFeatures
import Foundation
import ModelImport
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO

/// `precsearch import MODEL.tflite|MODEL.onnx --output MODEL.psmodel --calibration-data PATH`: maps a model
/// trained elsewhere onto precsearch's network (ModelImport; docs/model-import.md), calibrates its activation
/// ranges and histograms on data as `recalibrate` does, and writes an ordinary precsearch model file that records
/// where every node came from.
struct ImportCommand: Subcommand {
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Where to write the precsearch model file (atomically; never the input).",
    isRequired: true)
  static let calibrationDataOption = OptionSpec.value(
    "calibration-data", valueName: "path",
    help: "Data to calibrate activation ranges on: a data set directory (its training split), a labels.csv folder "
      + "(the validation half of its stratified split, so its test half stays unseen), a WAV folder, or a data file.",
    isRequired: true)
  static let calibrationSamplesOption = OptionSpec.value(
    "calibration-samples", valueName: "count", help: "Calibrate on the first <count> samples of the calibration data.",
    defaultValue: "1000")
  static let labelsOption = OptionSpec.value(
    "labels", valueName: "file", help: "Class names, one per line, one per output class (blank lines ignored).")
  static let nameOption = OptionSpec.value(
    "name", valueName: "name", help: "The model's name (default: the source file's name without its extension).")
  static let inputTypeOption = OptionSpec.value(
    "input-type", valueName: "type",
    help: "How the data stores each input value: int8 or uint8 (default: the model's input tensor type, else uint8). "
      + "For an int8-input model fed uint8 images (zero point -128), give uint8.",
    allowedValues: InputEncoding.allCases.map(\.rawValue))
  static let inputScaleOption = OptionSpec.value(
    "input-scale", valueName: "scale",
    help: "For a float model fed quantized data: the data's scale, real = scale * (q - zero point).")
  static let inputZeroPointOption = OptionSpec.value(
    "input-zero-point", valueName: "integer", help: "For a float model fed quantized data: the data's zero point.")
  static let audioFrontEndOption = OptionSpec.value(
    "audio-front-end", valueName: "name",
    help: "The audio front-end that computes the model's input from a WAV clip, for a 49x10x1 keyword-spotting model "
      + "(mlperf-tiny also sets a float model's input quantization to its int8 features' unless given). Without it an "
      + "imported model reads feature tensors.",
    allowedValues: AudioFrontEnd.allCases.map(\.rawValue))

  static let configuration = CommandConfiguration(
    name: "import",
    abstract: "Import a TFLite or ONNX ConvNet, calibrate it, and write a precsearch model file.",
    discussion: """
      Reads a .tflite (FlatBuffers) or .onnx (protobuf) file with precsearch's own readers, maps its graph onto \
      the engine's network (HWC; BatchNorm and fused activations folded; ONNX's NCHW weights and flatten order \
      converted so outputs are unchanged; int8 weights dequantized), records its provenance (file name, format, \
      SHA-256, producer, versions, operator counts) and where each node came from ('precsearch inspect' shows \
      it), and computes the activation ranges, histograms, channel means and output-chosen activation windows \
      (as precsearch recalibrate) the fixed-point engine's defaults need on the calibration data. The result is an \
      ordinary model file for evaluate, optimize, run, serve and the runtime. Supported operators and the exact mapping: docs/model-import.md.

      A quantized input (int8/uint8, or QUANTIZE at the model's edge) becomes the input's preprocessing, \
      real = scale * (q - zero point); a float model fed quantized features (MLPerf Tiny's int8 MFCCs) takes \
      --input-scale, --input-zero-point and --input-type.
      """,
    arguments: [PositionalArgument(name: "model", help: "The model to import: a .tflite or .onnx file.")],
    options: [outputOption, calibrationDataOption, calibrationSamplesOption, labelsOption, nameOption, inputTypeOption,
              inputScaleOption, inputZeroPointOption, audioFrontEndOption, RecalibrateCommand.activationWindowsOption,
              RecalibrateCommand.windowImagesOption] + DataOptions.options,
    examples: [
      "precsearch import resnet8_float32.tflite --output resnet8.psmodel --calibration-data cifar-10-batches-bin",
      "precsearch import kws_ref_model_float32.tflite --output ds-cnn.psmodel --calibration-data mlperf-tiny-kws "
        + "--input-type int8 --input-scale 0.5847029 --input-zero-point 83",
    ])

  static var maximumPositionals: Int { 1 }

  var sourcePath: String
  var outputPath: String
  var calibrationDataPath: String
  var calibrationSamples: Int
  /// `--activation-windows` and `--window-images`, shared with `recalibrate`.
  var activationWindows: ActivationWindowCriterion
  var windowImages: Int
  var labelsPath: String?
  var name: String?
  var inputType: InputEncoding?
  /// `--input-scale` and `--input-zero-point` (both or neither).
  var inputQuantization: (scale: Float, zeroPoint: Int)?
  var audioFrontEnd: AudioFrontEnd?
  var dataOptions: DataOptions
  /// The command line as given, recorded in provenance.
  var commandLine: [String]

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    guard let source = arguments.positionals.first else {
      throw UsageError("Missing expected argument '<model>': the .tflite or .onnx file to import.")
    }
    sourcePath = source
    outputPath = try arguments.requiredValue(Self.outputOption)
    calibrationDataPath = try arguments.requiredValue(Self.calibrationDataOption)
    calibrationSamples = try arguments.integer(Self.calibrationSamplesOption, in: 1...1_000_000) ?? 1000
    activationWindows = try arguments.choice(RecalibrateCommand.activationWindowsOption, as: ActivationWindowCriterion.self)
      ?? .output
    windowImages = try arguments.integer(RecalibrateCommand.windowImagesOption, in: 1...1_000_000)
      ?? RecalibrateCommand.defaultWindowImages
    labelsPath = arguments.value(Self.labelsOption)
    name = arguments.value(Self.nameOption)
    if let name, name.isEmpty || name.contains(where: { $0.isNewline }) {
      throw UsageError("Invalid value '\(name)' for '\(Self.nameOption.synopsis)': expected a non-empty name on one line.")
    }
    inputType = try arguments.choice(Self.inputTypeOption, as: InputEncoding.self)
    let scale = try arguments.number(Self.inputScaleOption, in: Double.leastNonzeroMagnitude...1e6)
    let zeroPoint = try arguments.integer(Self.inputZeroPointOption, in: -255...255)
    switch (scale, zeroPoint) {
    case let (scale?, zeroPoint?): inputQuantization = (Float(scale), zeroPoint)
    case (nil, nil): inputQuantization = nil
    default:
      throw UsageError("'\(Self.inputScaleOption.synopsis)' and '\(Self.inputZeroPointOption.synopsis)' go together: "
        + "give both (the quantization of the data a float model is fed) or neither.")
    }
    audioFrontEnd = try arguments.choice(Self.audioFrontEndOption, as: AudioFrontEnd.self)
    dataOptions = try DataOptions(parsing: arguments)
    var line = [Self.configuration.name, source]
    for option in Self.configuration.options where arguments.isPresent(option) {
      line.append(option.longSpelling)
      if option.kind == .value, let value = arguments.values[option.name] { line.append(value) }
    }
    commandLine = line
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    var files = FileRoles()
    files.read(sourcePath, option: "<model>")
    files.read(calibrationDataPath, option: Self.calibrationDataOption.synopsis)
    files.read(labelsPath, option: Self.labelsOption.synopsis)
    files.write(outputPath, option: Self.outputOption)
    try files.check()
    try FileChecks.requireReadableFile(sourcePath, what: "model to import")
    let labels = try labelsPath.map(Self.readLabels)

    let bytes = Array(try FileIO.readData(at: sourcePath))
    let clock = ContinuousClock()
    let importStart = clock.now
    let imported: ImportedModel
    do { imported = try ModelImporter.importModel(bytes: bytes) } catch let error as ModelImportError {
      throw CommandFailure("cannot import '\(sourcePath)': \(error.description)")
    }
    let importSeconds = OptimizeCommand.seconds(clock.now - importStart)

    var model = try makeModel(imported, bytes: bytes, labels: labels)
    let calibrationStart = clock.now
    let (calibration, calibrationSource) = try Self.calibrationImages(path: calibrationDataPath, model: model,
                                                                     options: dataOptions)
    let count = min(calibrationSamples, calibration.count)
    let channels = model.network.inputShape.channels
    let inputs = (0..<count).map { model.preprocessing.apply(calibration.image($0), channels: channels) }
    var ranges = ActivationRanges(observing: try FloatPlan(network: model.network), inputs: inputs)
    // The output-chosen activation windows of the default --window-search all-output, as `recalibrate` chooses them.
    if activationWindows == .output {
      ranges.outputWindowShifts = try RecalibrateCommand.outputWindowShifts(
        network: model.network, ranges: ranges, inputs: inputs, images: windowImages)
    }
    model.activationRanges = ranges
    let calibrationSeconds = OptimizeCommand.seconds(clock.now - calibrationStart)
    model.provenance = Self.provenance(model.provenance, calibration: [
      "source": .string(calibrationSource), "samples": .integer(count),
      "sha256": .string(calibration.prefix(count).contentSHA256),
    ])
    try FileRoles.writeRecovering(to: outputPath, what: "model", fileExtension: "psmodel") { try model.write(to: $0) }

    let provenance = imported.provenance
    let network = model.network
    var text = "Imported \(sourcePath) (\(provenance.format.rawValue), \(provenance.producer.isEmpty ? "unknown producer" : provenance.producer))"
      + " in \(NumberFormatting.fixed(importSeconds * 1000, decimals: 1)) ms:\n"
    text += "  \(network.nodes.count - 1) nodes (\(network.weightedLayerNames.count) weighted layers, "
      + "\(NumberFormatting.grouped(network.totalParameters)) parameters, \(NumberFormatting.grouped(network.totalMACs)) MACs); "
      + "\(imported.absorbedOperators.count) source operators absorbed\n"
    text += "  input \(network.inputShape) (\(model.inputEncoding.rawValue) data, real = \(model.preprocessing.scale) x u - "
      + "\(model.preprocessing.mean[0]))\n"
    if provenance.hasQuantizedWeights { text += "  int8 weights dequantized to float (the engine re-quantizes them from a 16-bit master)\n" }
    text += "Calibrated activation ranges "
      + (activationWindows == .output
         ? "(and windows chosen for the output on \(NumberFormatting.grouped(min(count, windowImages))) of them) " : "")
      + "on \(NumberFormatting.grouped(count)) samples in "
      + "\(NumberFormatting.fixed(calibrationSeconds, decimals: 1)) s: \(calibrationSource)\n"
    text += "Wrote \(outputPath)\n"
    output.write(text)
  }

  /// The model file for `imported`: name, labels, the input's preprocessing and encoding, and provenance (without
  /// calibration, which is added once it ran).
  func makeModel(_ imported: ImportedModel, bytes: [UInt8], labels: [String]?) throws -> ModelFile {
    let classes = imported.network.outputShape.elementCount
    if let labels, labels.count != classes {
      throw CommandFailure("'\(labelsPath ?? "")' has \(labels.count) labels but the model has \(classes) output classes; "
        + "expected one name per line, one per class")
    }
    // The engine stores every input value as an unsigned byte u (u = q + 128 for int8 data); the preprocessing maps
    // u to the model's float input: real = scale * (q_model - zeroPoint), with q_model = u - 128 for a signed model
    // input (InputEncoding, docs/model-import.md).
    var preprocessing = InputPreprocessing.identity
    var encoding = inputType ?? .uint8
    var quantization: JSONValue = .null
    var inputQuantization = self.inputQuantization
    if audioFrontEnd == .mlperfTiny && imported.inputQuantization == nil && inputQuantization == nil {
      // The front-end's features are int8 codes (docs/audio.md): the float model sees scale * (q - zero point).
      let features = Int8FeatureQuantization.mlperfTiny
      inputQuantization = (features.scale, features.zeroPoint)
      encoding = inputType ?? .int8
    }
    if let q = imported.inputQuantization {
      if inputQuantization != nil {
        throw CommandFailure("'\(sourcePath)' has a quantized input (scale \(q.scale), zero point \(q.zeroPoint)); "
          + "--input-scale and --input-zero-point are for float models fed quantized data")
      }
      let offset = Float(q.zeroPoint + (q.isSigned ? 128 : 0))
      preprocessing = InputPreprocessing(scale: q.scale, mean: [q.scale * offset], standardDeviation: [1])
      encoding = inputType ?? (q.isSigned ? .int8 : .uint8)
      quantization = ["scale": .number(Double(q.scale)), "zeroPoint": .integer(q.zeroPoint),
                      "type": .string(q.isSigned ? "int8" : "uint8"), "given": .bool(false)]
    } else if let given = inputQuantization {
      let offset = Float(given.zeroPoint + (encoding == .int8 ? 128 : 0))
      preprocessing = InputPreprocessing(scale: given.scale, mean: [given.scale * offset], standardDeviation: [1])
      quantization = ["scale": .number(Double(given.scale)), "zeroPoint": .integer(given.zeroPoint),
                      "type": .string(encoding.rawValue), "given": .bool(true)]
    }
    let p = imported.provenance
    let network = imported.network
    let nodes: [JSONValue] = network.nodes.dropFirst().compactMap { node in
      imported.nodeOrigins[node.name].map { Self.originJSON($0, node: node.name) }
    }
    var source: [String: JSONValue] = [
      "file": .string(URL(fileURLWithPath: sourcePath).lastPathComponent),
      "format": .string(p.format.rawValue),
      "sha256": .string(sha256Hex(of: bytes)),
      "bytes": .integer(bytes.count),
      "producer": .string(p.producer),
      "formatVersion": .integer(p.formatVersion),
      "operatorCounts": .object(p.operatorCounts.mapValues { .integer($0) }),
      "hasQuantizedWeights": .bool(p.hasQuantizedWeights),
      "inputLayout": .string(p.inputLayout),
      "nodes": .array(nodes),
      "absorbedOperators": .array(imported.absorbedOperators.map { Self.originJSON($0, node: nil) }),
    ]
    if let opset = p.opsetVersion { source["opsetVersion"] = .integer(opset) }
    if quantization != .null { source["inputQuantization"] = quantization }
    let stem = URL(fileURLWithPath: sourcePath).deletingPathExtension().lastPathComponent
    let model = ModelFile(
      name: name ?? (stem.isEmpty ? "imported" : stem),
      description: "Imported from \(URL(fileURLWithPath: sourcePath).lastPathComponent) (\(p.format.rawValue))",
      network: network, preprocessing: preprocessing, inputEncoding: encoding, labels: labels ?? [],
      provenance: [
        "tool": .string(PrecSearchTool.name), "toolVersion": .string(PrecSearchTool.version),
        "commit": .string(SourceRevision.commit),
        "command": .string((["precsearch"] + commandLine).joined(separator: " ")),
        "source": .object(source),
      ], audioFrontEnd: audioFrontEnd)
    do { try model.validate(file: outputPath) } catch let error as ModelFileError {
      throw CommandFailure("cannot import '\(sourcePath)' as asked: \(error.description)")
    }
    return model
  }

  /// `provenance` with its `calibration` object set.
  static func provenance(_ provenance: JSONValue, calibration: [String: JSONValue]) -> JSONValue {
    var object = provenance.objectValue ?? [:]
    object["calibration"] = .object(calibration)
    return .object(object)
  }

  /// One node's origin as recorded in provenance (`source.nodes`, `source.absorbedOperators`).
  static func originJSON(_ origin: NodeOrigin, node: String?) -> JSONValue {
    var o: [String: JSONValue] = [
      "sourceOperator": .string(origin.sourceOperator), "sourceNode": .string(origin.sourceNode),
      "inputTensors": .array(origin.inputTensors.map { .string($0) }),
      "outputTensors": .array(origin.outputTensors.map { .string($0) }),
    ]
    if let node { o["node"] = .string(node) }
    if !origin.note.isEmpty { o["note"] = .string(origin.note) }
    return .object(o)
  }

  /// The calibration images for `model` from `path` and a description of them (see `calibrationDataOption`).
  static func calibrationImages(path: String, model: ModelFile, options: DataOptions) throws -> (ImageDataset, String) {
    let classes = model.network.outputShape.elementCount
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    if exists && isDirectory.boolValue && LabelsCSVFolder.hasLayout(directory: path) {
      let loaded = try DatasetLoading.load(path: path, model: model, options: options)
      let halves = try StratifiedHalves(splitting: loaded.images, seed: OptimizeCommand.labelsFolderSplitSeed)
      return (halves.validation, "\(loaded.imagesPath), validation half of \(halves.summary)")
    }
    if exists && isDirectory.boolValue, let (_, root) = try? ImageDatasetLoader.detect(directory: path) {
      var training = try ImageDatasetLoader.read(directory: root, split: .train, classCount: classes)
      if let size = options.resize {
        training = try ImageResize.bilinear(training, height: size.height, width: size.width)
      }
      guard training.shape == model.network.inputShape else {
        throw CommandFailure("the training images in '\(path)' are \(training.shape) but the model's input is "
          + "\(model.network.inputShape) (height x width x channels)"
          + (training.channels == model.network.inputShape.channels
             ? "; use --resize \(model.network.inputShape.height)x\(model.network.inputShape.width)" : ""))
      }
      return (training, "the training split of '\(root)'" + OptimizeCommand.resizeNote(options))
    }
    let loaded = try DatasetLoading.load(path: path, model: model, options: options)
    return (loaded.images, "'\(loaded.imagesPath)'" + OptimizeCommand.resizeNote(options))
  }

  /// Class names from a file: one per line, surrounding spaces trimmed, blank lines skipped.
  static func readLabels(_ path: String) throws -> [String] {
    try FileChecks.requireReadableFile(path, what: "labels file")
    guard let text = String(data: try FileIO.readData(at: path), encoding: .utf8) else {
      throw CommandFailure("cannot read labels file '\(path)': not UTF-8 text; expected one class name per line")
    }
    return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }
}
