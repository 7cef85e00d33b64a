import Dispatch
import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime
import PlatformSupport

/// `precsearch run`: classifies inputs with the run-time library (`PrecisionRuntime`) at operating points of a
/// Pareto front, chosen by an average energy budget (the governor), an accuracy floor or an id (docs/runtime.md).
struct RunCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path",
    help: "A shipped model by name (fashion) or a model file with calibration ranges.", isRequired: true)
  static let frontOption = OptionSpec.value(
    "front", valueName: "file",
    help: "The Pareto JSON written by 'precsearch optimize' for this model: its points are the operating points.",
    isRequired: true)
  static let budgetOption = OptionSpec.value(
    "budget", valueName: "energy",
    help: "Average energy per inference: an energy with a unit (2.5uJ, 800nJ, 1200pJ) or a percentage of the "
      + "front's uniform 16-bit energy (40%). The governor time-shares the two neighbouring points of the front's "
      + "upper hull so that the average stays within it.")
  static let minimumAccuracyOption = OptionSpec.value(
    "min-accuracy", valueName: "accuracy",
    help: "Run the least-energy point whose validation accuracy is at least this (0.9 or 90%).")
  static let pointOption = OptionSpec.value("point", valueName: "id", help: "Run the point with this id (p01, p02, ...).")
  static let limitOption = OptionSpec.value(
    "limit", valueName: "count", help: "Classify only the first <count> images of each data set input.")
  static let jsonOption = OptionSpec.flag("json", help: "Print one JSON document (keys sorted) instead of the table.")

  static let configuration = CommandConfiguration(
    name: "run",
    abstract: "Classify inputs at run-time operating points chosen by an energy budget, an accuracy floor or an id.",
    discussion: """
      Loads the model once (its 16-bit masters) with every point of the Pareto front as an operating point, picks \
      the points as asked, and classifies each input, printing the predicted label, the point it ran at and its \
      energy per inference. Give exactly one of --budget, --min-accuracy and --point.

      Inputs (positional, one or more): a data set split (a directory, an IDX images file or a CIFAR-10 .bin \
      batch; --limit takes a prefix), or single images as binary PGM (P5, one channel) or PPM (P6, three \
      channels) files of the model's input size, or WAV clips (16-bit PCM mono, 4-192 kHz, at least 40 ms) for a \
      keyword-spotting model whose input is the 49x10 MFCC features.
      """,
    arguments: [PositionalArgument(name: "input", help: "A data set split, a PGM/PPM image or a WAV clip (see above).", isRepeated: true)],
    options: [modelOption, frontOption, budgetOption, minimumAccuracyOption, pointOption, limitOption, jsonOption]
      + DataOptions.options,
    examples: [
      "precsearch run --model fashion --front front.json --budget 30% --limit 100 Sources/PrecSearchIO/Resources/ShippedModels/fashion",
      "precsearch run --model fashion --front front.json --min-accuracy 0.9 shirt.pgm",
      "precsearch run --model fashion --front front.json --point p03 --json shirt.pgm boot.pgm",
    ])

  static var maximumPositionals: Int { Int.max }

  /// How the points are chosen.
  enum Choice: Hashable {
    case budget(EnergyBudget, text: String)
    case minimumAccuracy(Double, text: String)
    case point(String)
  }

  var modelValue: String
  var frontPath: String
  var choice: Choice
  var limit: Int?
  var json: Bool
  var inputs: [String]
  /// `--tensor-column`, `--resize` for data set inputs.
  var dataOptions: DataOptions

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelValue = try arguments.requiredValue(Self.modelOption)
    frontPath = try arguments.requiredValue(Self.frontOption)
    let group = [Self.budgetOption, Self.minimumAccuracyOption, Self.pointOption]
    try arguments.requireAtMostOne(of: group)
    if let text = arguments.value(Self.budgetOption) {
      choice = .budget(try EnergyBudgetResolution.parse(text, for: Self.budgetOption), text: text)
    } else if let text = arguments.value(Self.minimumAccuracyOption) {
      choice = .minimumAccuracy(try OptimizeCommand.fraction(text, for: Self.minimumAccuracyOption), text: text)
    } else if let id = arguments.value(Self.pointOption) {
      choice = .point(id)
    } else {
      throw UsageError("Missing expected argument: give one of " + group.map { "'\($0.synopsis)'" }.joined(separator: ", ")
        + " to choose the operating points.")
    }
    limit = try arguments.integer(Self.limitOption, in: 1...Int.max)
    json = arguments.flag(Self.jsonOption)
    dataOptions = try DataOptions(parsing: arguments)
    inputs = arguments.positionals
    guard !inputs.isEmpty else {
      throw UsageError("Missing expected argument '<input> ...': give at least one data set, image or WAV file to classify.")
    }
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let loaded = try RuntimeLoading.load(model: modelValue, front: frontPath, errors: &errors)
    let network = loaded.network
    var images: [RuntimeInputs.Item] = []
    for input in inputs {
      images += try RuntimeInputs.load(input, model: loaded.model, limit: limit, options: dataOptions)
    }
    // The point of every inference, in input order.
    var mode: RunReport.Mode
    var pointOfInference: [Int]
    switch choice {
    case .point(let id):
      guard let k = network.table.index(of: id) else {
        throw UsageError("The value '\(id)' is invalid for '\(Self.pointOption.synopsis)': the front has the points "
          + network.points.map(\.id).joined(separator: ", ") + ".")
      }
      mode = RunReport.Mode(kind: "point", given: id, budgetJoules: nil, expectedAccuracy: network.points[k].validationAccuracy)
      pointOfInference = Array(repeating: k, count: images.count)
    case .minimumAccuracy(let accuracy, let text):
      let k: Int
      do { k = try network.table.indexOfLeastEnergy(minimumAccuracy: accuracy) } catch {
        throw UsageError("The value '\(text)' is invalid for '\(Self.minimumAccuracyOption.synopsis)': \(error).")
      }
      mode = RunReport.Mode(kind: "minimumAccuracy", given: text, budgetJoules: nil,
                            expectedAccuracy: network.points[k].validationAccuracy)
      pointOfInference = Array(repeating: k, count: images.count)
    case .budget(let budget, let text):
      let joules = budget.limitPicojoules(uniform16BitPicojoules: loaded.document.energyModel.uniform16BitPicojoules) * 1e-12
      var governor = network.makeGovernor()
      let expected: Double
      do {
        expected = try governor.expectedAccuracy(forBudget: joules)
        try governor.setBudget(joulesPerInference: joules)
        pointOfInference = try images.indices.map { _ in try governor.next().pointIndex }
      } catch {
        throw UsageError("The value '\(text)' is invalid for '\(Self.budgetOption.synopsis)': \(error).")
      }
      mode = RunReport.Mode(kind: "budget", given: text, budgetJoules: joules, expectedAccuracy: expected)
    }
    let results = try RuntimeInference.classify(images.map(\.pixels), points: pointOfInference, network: network,
                                                preprocessing: loaded.model.preprocessing)
    let report = RunReport(loaded: loaded, modelValue: modelValue, frontPath: frontPath, mode: mode, items: images,
                           points: pointOfInference, labels: results)
    output.write(json ? try JSONOutput.encode(report) : report.text)
  }
}

/// A model and its front, loaded for the runtime commands.
struct RuntimeLoading {
  var model: ModelFile
  var modelPath: String
  var shipped: ShippedModel?
  var document: ParetoFrontDocument
  var network: AdaptiveNetwork

  /// Resolves `--model` (a file, else a shipped name), reads the front and builds the adaptive network. Writes a
  /// warning to `errors` when the front records another model file's checksum (its layers still match).
  static func load(model value: String, front path: String, errors: inout some TextOutputStream) throws -> RuntimeLoading {
    let (modelPath, shipped) = try ModelLoading.resolve(value)
    let model = try ModelLoading.load(path: modelPath)
    let ranges = try ModelLoading.requireRanges(model, path: modelPath)
    try model.preprocessing.validate(channels: model.network.inputShape.channels)
    try FileChecks.requireReadableFile(path, what: "Pareto front file")
    // The fixed-point model is built with the window search the front records, so that every point runs as the
    // search measured it.
    let front = try ParetoFrontDocument.loadRuntimeFront(from: path, network: model.network, ranges: ranges)
    let (document, points, fixedPointModel) = (front.document, front.points, front.model)
    let checksum = sha256Hex(of: try model.singleFileData(file: modelPath))
    if document.model.sha256 != checksum {
      errors.write("Warning: '\(path)' was searched on a model with SHA-256 \(document.model.sha256.prefix(16))..., "
        + "not this one (\(checksum.prefix(16))...); its layers match, but its accuracies and energies may not apply.\n")
    }
    let network: AdaptiveNetwork
    do {
      network = try AdaptiveNetwork(model: fixedPointModel, points: points)
    } catch {
      throw CommandFailure("Pareto front file '\(path)': \(error)")
    }
    return RuntimeLoading(model: model, modelPath: modelPath, shipped: shipped, document: document, network: network)
  }
}

/// The inputs `run` classifies: data set splits, single PGM/PPM images and WAV clips.
enum RuntimeInputs {
  /// One image to classify.
  struct Item {
    /// `path` for a single image, `path[index]` for a data set image.
    var name: String
    /// HWC bytes.
    var pixels: [UInt8]
    /// The true class when the input carries labels.
    var label: Int?
  }

  /// Reads one input: a WAV clip (16-bit PCM mono, through the model's audio front-end: the one its file names in
  /// `audioFrontEnd`, else `AudioFrontEnds.extractor(for:)`'s, the 40 ms recipe for a 49x10x1 model that was not
  /// imported), a PGM/PPM image, or a data set split (first `limit` images).
  static func load(_ path: String, model: ModelFile, limit: Int?, options: DataOptions = DataOptions()) throws -> [Item] {
    let shape = model.network.inputShape
    let lower = path.lowercased()
    if lower.hasSuffix(".wav") {
      let declared = try model.audioFrontEnd.map { try KeywordFeatureExtractor(frontEnd: $0) }
      guard let frontEnd = try declared ?? AudioFrontEnds.extractor(for: model) else {
        throw CommandFailure("cannot classify '\(path)': this model has no audio front-end to compute its input from a "
          + "WAV clip (the keyword-spotting front-end makes \(KeywordSpotting.inputShape) MFCC features; this model's input "
          + "is \(shape), height x width x channels); give its input tensors instead")
      }
      try FileChecks.requireReadableFile(path, what: "WAV file")
      return [Item(name: path, pixels: try frontEnd.features(ofFile: path), label: nil)]
    }
    if lower.hasSuffix(".pgm") || lower.hasSuffix(".ppm") {
      try FileChecks.requireReadableFile(path, what: "image file")
      let image = try NetpbmImage.decode(FileIO.readData(at: path), file: path)
      guard image.height == shape.height, image.width == shape.width, image.channels == shape.channels else {
        throw CommandFailure("image '\(path)' is \(image.height)x\(image.width)x\(image.channels) but the model's "
          + "input is \(shape.height)x\(shape.width)x\(shape.channels) (height x width x channels)")
      }
      return [Item(name: path, pixels: image.pixels, label: nil)]
    }
    let data = try DatasetLoading.load(path: path, model: model, options: options)
    let count = min(limit ?? data.images.count, data.images.count)
    return (0..<count).map { i in
      Item(name: "\(path)[\(i)]", pixels: Array(data.images.image(i)), label: Int(data.images.label(i)))
    }
  }
}

/// A binary PGM (P5) or PPM (P6) image with a maximum value of at most 255.
struct NetpbmImage: Equatable {
  var height: Int
  var width: Int
  var channels: Int
  /// HWC bytes.
  var pixels: [UInt8]

  /// Decodes the bytes of a P5/P6 file: magic, width, height and maximum value separated by whitespace (with
  /// `#` comments), one whitespace byte, then the samples. Samples above the maximum are rejected; a maximum below
  /// 255 is rescaled to 0...255.
  static func decode(_ data: Data, file: String) throws -> NetpbmImage {
    let bytes = [UInt8](data)
    func fail(_ reason: String) -> CommandFailure { CommandFailure("cannot read image '\(file)': \(reason)") }
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "6") else {
      throw fail("not a binary PGM (P5) or PPM (P6) file")
    }
    let channels = bytes[1] == UInt8(ascii: "5") ? 1 : 3
    var position = 2
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C }
    func number(_ what: String) throws -> Int {
      while position < bytes.count {
        if isSpace(bytes[position]) { position += 1 }
        else if bytes[position] == UInt8(ascii: "#") {
          while position < bytes.count && bytes[position] != 0x0A { position += 1 }
        } else { break }
      }
      var value = 0, digits = 0
      while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
        guard value < 1_000_000 else { throw fail("the \(what) is too large") }
        value = value * 10 + Int(bytes[position] - 0x30)
        position += 1
        digits += 1
      }
      guard digits > 0 else { throw fail("expected the \(what) in the header") }
      return value
    }
    let width = try number("width"), height = try number("height"), maximum = try number("maximum value")
    guard width > 0, height > 0 else { throw fail("width and height must be positive") }
    guard (1...255).contains(maximum) else { throw fail("maximum value \(maximum) is not in 1...255 (16-bit samples are not supported)") }
    guard position < bytes.count, isSpace(bytes[position]) else { throw fail("expected one whitespace byte after the header") }
    position += 1
    let count = width * height * channels
    guard bytes.count - position >= count else {
      throw fail("expected \(count) sample bytes after the header, found \(bytes.count - position)")
    }
    var pixels = Array(bytes[position..<(position + count)])
    if let bad = pixels.firstIndex(where: { Int($0) > maximum }) {
      throw fail("sample \(bad) is \(pixels[bad]), above the maximum value \(maximum)")
    }
    if maximum != 255 { pixels = pixels.map { UInt8((Int($0) * 255 + maximum / 2) / maximum) } }
    return NetpbmImage(height: height, width: width, channels: channels, pixels: pixels)
  }
}

/// Runs images at given points, in parallel, with results in input order.
enum RuntimeInference {
  /// The predicted class of every image at its point. Images are grouped by point so that each worker's workspace
  /// derives a point's weights once; results do not depend on the grouping or the number of workers.
  static func classify(_ images: [[UInt8]], points: [Int], network: AdaptiveNetwork,
                       preprocessing: InputPreprocessing) throws -> [Int] {
    precondition(images.count == points.count)
    let order = images.indices.sorted { (points[$0], $0) < (points[$1], $1) }
    let channels = network.network.inputShape.channels
    let ids = network.points.map(\.id)
    let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, images.count))
    // Worker w classifies order[begin..<end] (a contiguous run of the point-sorted order).
    let parts = ParallelMap.map(count: workers, threads: workers) { worker -> [Int] in
      let begin = order.count * worker / workers, end = order.count * (worker + 1) / workers
      let workspace = network.makeWorkspace()
      return (begin..<end).map { j in
        let i = order[j]
        let input = preprocessing.apply(images[i], channels: channels)
        // The workspace is this network's and the input has the model's size (checked when loading), so this
        // cannot fail; a failure is recorded as -1 and reported below rather than trapping.
        return (try? network.infer(input, at: ids[points[i]], workspace: workspace))?.label ?? -1
      }
    }
    var labels = [Int](repeating: -1, count: images.count)
    for (j, label) in parts.joined().enumerated() { labels[order[j]] = label }
    if let bad = labels.firstIndex(of: -1) { throw CommandFailure("inference failed on input \(bad)") }
    return labels
  }
}

/// What `run` reports; encoded as-is for `--json`.
struct RunReport: Codable, Hashable {
  struct Mode: Codable, Hashable {
    /// `budget`, `minimumAccuracy` or `point`.
    var kind: String
    /// The option's value as typed.
    var given: String
    /// The average budget per inference in joules (`budget` only).
    var budgetJoules: Double?
    /// The expected validation accuracy: the hull value for a budget, the point's accuracy otherwise.
    var expectedAccuracy: Double
  }

  struct Inference: Codable, Hashable {
    var input: String
    /// Predicted class index.
    var label: Int
    /// Its name from the model file (empty when the model has none).
    var labelName: String
    /// The true class, for data set inputs.
    var trueLabel: Int?
    var point: String
    var energyJoules: Double
  }

  struct PointUse: Codable, Hashable {
    var point: String
    var inferences: Int
    var weightBits: [Int]
    var activationBits: [Int]
    var energyJoules: Double
    var validationAccuracy: Double
  }

  struct Summary: Codable, Hashable {
    var inferences: Int
    var totalEnergyJoules: Double
    var averageEnergyJoules: Double
    /// Inputs with a true label, and how many of them were classified correctly.
    var labeled: Int
    var correct: Int
    /// `correct / labeled`, absent without labeled inputs.
    var accuracy: Double?
  }

  var schemaVersion = 1
  var model: String
  var modelName: String
  var front: String
  var mode: Mode
  var points: [PointUse]
  var inferences: [Inference]
  var summary: Summary

  init(loaded: RuntimeLoading, modelValue: String, frontPath: String, mode: Mode, items: [RuntimeInputs.Item],
       points pointOfInference: [Int], labels: [Int]) {
    let all = loaded.network.points
    model = loaded.shipped?.name ?? modelValue
    modelName = loaded.model.name
    front = frontPath
    self.mode = mode
    let names = loaded.model.labels
    inferences = items.indices.map { i in
      let point = all[pointOfInference[i]]
      return Inference(input: items[i].name, label: labels[i], labelName: labels[i] < names.count ? names[labels[i]] : "",
                       trueLabel: items[i].label, point: point.id, energyJoules: point.energyJoules)
    }
    var counts = Array(repeating: 0, count: all.count)
    for k in pointOfInference { counts[k] += 1 }
    points = all.indices.filter { counts[$0] > 0 }.map { k in
      PointUse(point: all[k].id, inferences: counts[k], weightBits: all[k].configuration.layers.map(\.weightBits),
               activationBits: all[k].configuration.layers.map(\.activationBits), energyJoules: all[k].energyJoules,
               validationAccuracy: all[k].validationAccuracy)
    }
    let total = inferences.reduce(0.0) { $0 + $1.energyJoules }
    let labeled = inferences.filter { $0.trueLabel != nil }
    let correct = labeled.filter { $0.trueLabel == $0.label }.count
    summary = Summary(inferences: inferences.count, totalEnergyJoules: total,
                      averageEnergyJoules: inferences.isEmpty ? 0 : total / Double(inferences.count),
                      labeled: labeled.count, correct: correct,
                      accuracy: labeled.isEmpty ? nil : Double(correct) / Double(labeled.count))
  }

  /// The human-readable report.
  var text: String {
    typealias N = NumberFormatting
    let energy = { (joules: Double) in EnergyFormatting.energy(joules * 1e12) }
    var text = "Model:  \(ModelCatalog.displayPath(model)) (\(modelName))\nFront:  \(front)\n"
    switch mode.kind {
    case "budget":
      text += "Budget: \(mode.given) = \(energy(mode.budgetJoules ?? 0)) per inference on average; expected "
        + "accuracy \(N.percent(mode.expectedAccuracy)) (validation, hull of the front)\n"
    case "minimumAccuracy":
      text += "Point:  the least-energy point with validation accuracy >= \(mode.given)\n"
    default:
      text += "Point:  \(mode.given)\n"
    }
    text += "\n"
    var table = TextTable([("Input", .left), ("Label", .left), ("True", .left), ("Point", .left), ("Energy", .right)])
    for inference in inferences {
      table.append([inference.input, inference.labelName.isEmpty ? String(inference.label) : "\(inference.label) \(inference.labelName)",
                    inference.trueLabel.map(String.init) ?? "-", inference.point, energy(inference.energyJoules)])
    }
    text += table.rendered() + "\n"
    var usage = TextTable([("Point", .left), ("Inferences", .right), ("Energy", .right), ("Validation accuracy", .right),
                           ("Weight bits", .left), ("Activation bits", .left)])
    for point in points {
      usage.append([point.point, N.grouped(point.inferences), energy(point.energyJoules), N.percent(point.validationAccuracy),
                    point.weightBits.map(String.init).joined(separator: ","),
                    point.activationBits.map(String.init).joined(separator: ",")])
    }
    text += usage.rendered() + "\n"
    text += "Inferences: \(N.grouped(summary.inferences)); energy \(energy(summary.totalEnergyJoules)) in total, "
      + "\(energy(summary.averageEnergyJoules)) per inference on average\n"
    if let accuracy = summary.accuracy {
      text += "Accuracy:   \(N.percent(accuracy)) (\(N.grouped(summary.correct)) / \(N.grouped(summary.labeled)) labeled inputs)\n"
    }
    return text
  }
}
