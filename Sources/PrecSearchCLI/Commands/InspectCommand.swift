import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO

/// `precsearch inspect --model NAME|PATH [--json]`: every node of a model with its operator, shapes, parameters and
/// MACs, the totals, and what BatchNorm folding changes.
struct InspectCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path", help: "A shipped model by name (fashion, cifar10, ...) or a model file.",
    isRequired: true)
  static let jsonOption = OptionSpec.flag(
    "json", help: "Print one JSON document (keys sorted) instead of the table.")

  static let configuration = CommandConfiguration(
    name: "inspect",
    abstract: "Print every layer of a model with its shapes, parameters and MACs, and the totals.",
    discussion: """
      Nodes are listed as stored in the model file, in topological order. Shapes are height x width x channels \
      (HWC). MACs are multiply-accumulates per inference; only Conv2D and Dense layers have MACs and get a \
      precision pair. BatchNorm nodes are folded into the layer before them when the model runs; the last line \
      says what the engine runs after folding.
      """,
    options: [modelOption, jsonOption],
    examples: ["precsearch inspect --model kws", "precsearch inspect --model lenet.psmodel --json"])

  /// `--model` as given (shown in the report).
  var modelValue: String
  /// Path of the model file: `--model` itself, or the shipped model's file when it names one.
  var modelPath: String
  /// Print JSON instead of text.
  var json: Bool

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelValue = try arguments.requiredValue(Self.modelOption)
    // A value that is neither a file nor a shipped name is reported when the file is read.
    modelPath = (try? ModelLoading.resolve(modelValue))?.path ?? modelValue
    json = arguments.flag(Self.jsonOption)
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let model = try ModelLoading.load(path: modelPath)
    let report = InspectReport(model: model, path: modelValue)
    output.write(json ? try JSONOutput.encode(report) : report.text)
  }
}

/// What `inspect` reports about a model; encoded as-is for `--json`.
struct InspectReport: Codable, Hashable {
  /// One node as stored.
  struct NodeEntry: Codable, Hashable {
    var index: Int
    var name: String
    var kind: String
    var inputShapes: [TensorShape]
    var outputShape: TensorShape
    var parameters: Int
    var macs: Int
    /// Accumulation length of one output (0 for nodes without weights).
    var fanIn: Int
    /// True for Conv2D and Dense: the layers that get a precision pair.
    var weighted: Bool
    /// For an imported model: the source operator and tensors the node came from (`precsearch import`).
    var origin: Origin?
  }

  /// Where an imported node came from, as `precsearch import` recorded it (provenance `source.nodes`).
  struct Origin: Codable, Hashable {
    var sourceOperator: String
    var sourceNode: String
    var inputTensors: [String]
    var outputTensors: [String]
    var note: String?

    /// Reads one record; nil when it is not one.
    init?(_ value: JSONValue) {
      guard let op = value["sourceOperator"]?.stringValue, let node = value["sourceNode"]?.stringValue else { return nil }
      sourceOperator = op
      sourceNode = node
      inputTensors = value["inputTensors"]?.arrayValue?.compactMap(\.stringValue) ?? []
      outputTensors = value["outputTensors"]?.arrayValue?.compactMap(\.stringValue) ?? []
      note = value["note"]?.stringValue
    }

    /// `CONV_2D operator #3 -> conv/Relu (fused RELU6)`: the output tensors' names, each cut to 48 characters in the
    /// middle (TFLite's fused names run to hundreds; `--json` has them whole, with the input tensors).
    var text: String {
      "\(sourceOperator) \(sourceNode) -> " + outputTensors.map(Self.shortened).joined(separator: ", ")
        + (note.map { " (\($0))" } ?? "")
    }

    static func shortened(_ name: String) -> String {
      name.count <= 48 ? name : String(name.prefix(22)) + "..." + String(name.suffix(23))
    }
  }

  /// The file an imported model came from.
  struct Source: Codable, Hashable {
    var file: String
    var format: String
    var sha256: String
    var producer: String
    /// Source operators that became no node (reshapes, quantize/dequantize at the edges, folded pads).
    var absorbedOperators: [Origin]
  }

  /// Totals over the stored nodes.
  struct Totals: Codable, Hashable {
    var nodes: Int
    var parameters: Int
    var macs: Int
    var weightedLayers: Int
  }

  /// What folding BatchNorm into the preceding layers gives (the network the engines run).
  struct Folding: Codable, Hashable {
    /// Names of the BatchNorm nodes of the stored network.
    var batchNormNodes: [String]
    /// Node count after folding (nil when folding fails).
    var nodes: Int?
    /// Parameter count after folding (nil when folding fails).
    var parameters: Int?
    /// Why folding fails (nil when it succeeds).
    var error: String?
  }

  var schemaVersion = 1
  var model: String
  var name: String
  var description: String?
  var inputShape: TensorShape
  var outputShape: TensorShape
  var classLabels: [String]
  var nodes: [NodeEntry]
  var totals: Totals
  var weightedLayerNames: [String]
  var batchNormFolding: Folding
  /// Number of calibration samples behind the stored activation ranges; nil when the file has none.
  var calibrationSampleCount: Int?
  /// For an imported model: the source file (provenance `source`); nil otherwise.
  var source: Source?

  init(model: ModelFile, path: String) {
    let network = model.network
    let statistics = network.layerStatistics
    self.model = path
    name = model.name
    description = model.description
    inputShape = network.inputShape
    outputShape = network.outputShape
    classLabels = model.labels
    let recorded = model.provenance["source"]
    var origins: [String: Origin] = [:]
    for value in recorded?["nodes"]?.arrayValue ?? [] {
      if let name = value["node"]?.stringValue, let origin = Origin(value) { origins[name] = origin }
    }
    nodes = statistics.enumerated().map { index, s in
      NodeEntry(index: index, name: s.name, kind: s.kind, inputShapes: s.inputShapes, outputShape: s.outputShape,
                parameters: s.parameterCount, macs: s.macs, fanIn: s.fanIn,
                weighted: network.nodes[index].operation.isWeighted, origin: origins[s.name])
    }
    if let recorded, let file = recorded["file"]?.stringValue {
      source = Source(file: file, format: recorded["format"]?.stringValue ?? "", sha256: recorded["sha256"]?.stringValue ?? "",
                      producer: recorded["producer"]?.stringValue ?? "",
                      absorbedOperators: (recorded["absorbedOperators"]?.arrayValue ?? []).compactMap(Origin.init))
    }
    weightedLayerNames = network.weightedLayerNames
    totals = Totals(nodes: network.nodes.count, parameters: network.totalParameters, macs: network.totalMACs,
                    weightedLayers: weightedLayerNames.count)
    let batchNorms = network.nodes.filter { if case .batchNorm = $0.operation { return true } else { return false } }
      .map(\.name)
    do {
      let folded = try network.foldingBatchNorm()
      batchNormFolding = Folding(batchNormNodes: batchNorms, nodes: folded.nodes.count,
                                 parameters: folded.totalParameters, error: nil)
    } catch {
      batchNormFolding = Folding(batchNormNodes: batchNorms, nodes: nil, parameters: nil,
                                 error: PrecSearchTool.describe(error))
    }
    calibrationSampleCount = model.activationRanges?.sampleCount
  }

  /// The human-readable report: a header, the node table, totals and the folding note.
  var text: String {
    typealias N = NumberFormatting
    var text = "Model: \(ModelCatalog.displayPath(model)) (\(name))\n"
    if let description { text += "Description: \(description)\n" }
    text += "Input \(inputShape) -> output \(outputShape)"
    if !classLabels.isEmpty { text += "; \(classLabels.count) classes: " + Self.abbreviated(classLabels) }
    text += "\n"
    if let calibrationSampleCount {
      text += "Calibration: activation ranges from \(N.grouped(calibrationSampleCount)) samples\n"
    } else {
      text += "Calibration: none (the fixed-point engine needs activation ranges; evaluate will refuse this file)\n"
    }
    text += "\n"
    var table = TextTable([("#", .right), ("Node", .left), ("Operator", .left), ("Input shape", .left),
                           ("Output shape", .left), ("Parameters", .right), ("MACs", .right)])
    for node in nodes {
      let inputs = node.inputShapes.isEmpty ? "-" : node.inputShapes.map(\.description).joined(separator: " + ")
      table.append([String(node.index), node.name, node.kind, inputs, node.outputShape.description,
                    N.grouped(node.parameters), N.grouped(node.macs)])
    }
    text += table.rendered()
    if let source {
      text += "\nImported from \(source.file) (\(source.format), \(source.producer), SHA-256 \(source.sha256)); "
        + "where each node came from (--json gives whole tensor names):\n"
      var origins = TextTable([("Node", .left), ("Source operator and tensors", .left)])
      for node in nodes { if let origin = node.origin { origins.append([node.name, origin.text]) } }
      for absorbed in source.absorbedOperators { origins.append(["(absorbed)", absorbed.text]) }
      text += origins.rendered()
    }
    text += "\nTotal: \(N.grouped(totals.parameters)) parameters, \(N.grouped(totals.macs)) MACs, "
      + "\(totals.weightedLayers) weighted layers (\(weightedLayerNames.joined(separator: ", "))), \(totals.nodes) nodes\n"
    let folding = batchNormFolding
    if folding.batchNormNodes.isEmpty {
      text += "BatchNorm: none; the engine runs the network as stored.\n"
    } else if let nodes = folding.nodes, let parameters = folding.parameters {
      text += "BatchNorm: \(folding.batchNormNodes.count) node(s) (\(folding.batchNormNodes.joined(separator: ", "))) "
        + "are folded into the preceding layer when the model runs: the engine runs \(nodes) nodes with "
        + "\(N.grouped(parameters)) parameters; MACs and weighted layers are unchanged.\n"
    } else {
      text += "BatchNorm: cannot be folded, so the engine cannot run this model: \(folding.error ?? "unknown reason")\n"
    }
    return text
  }

  /// `a, b, c, ..., z` for long label lists.
  static func abbreviated(_ labels: [String]) -> String {
    if labels.count <= 12 { return labels.joined(separator: ", ") }
    return (labels.prefix(5) + ["..."] + labels.suffix(2)).joined(separator: ", ")
  }
}
