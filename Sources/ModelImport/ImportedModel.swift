import NetworkEngine

/// The file formats the importer reads.
public enum ModelFormat: String, Sendable, Hashable {
  /// TensorFlow Lite / LiteRT FlatBuffer (`.tflite`).
  case tflite = "TFLite"
  /// ONNX protobuf (`.onnx`).
  case onnx = "ONNX"
}

/// Where an imported model came from: what a `.psmodel` records as provenance (the CLI adds the file name and
/// SHA-256, which need Foundation).
public struct ModelProvenance: Sendable, Hashable {
  /// The source format.
  public var format: ModelFormat
  /// The producing tool: TFLite's model description (e.g. "MLIR Converted."), ONNX's `producer_name producer_version`.
  public var producer: String
  /// TFLite schema version, or ONNX IR version.
  public var formatVersion: Int
  /// ONNX default-domain opset version (nil for TFLite).
  public var opsetVersion: Int?
  /// How many source operators of each type the graph has (e.g. `["CONV_2D": 5, "SOFTMAX": 1]`).
  public var operatorCounts: [String: Int]
  /// True when any weight was stored quantized (int8/uint8) and dequantized on import.
  public var hasQuantizedWeights: Bool
  /// The axis order of the source's input tensor: "NHWC" (TFLite, or an ONNX input transposed to NCHW inside the
  /// graph), "NCHW" (ONNX) or "vector". The imported network always takes HWC input, so data for an NCHW source
  /// must be laid out HWC (the same values, channels fastest).
  public var inputLayout: String
}

/// The source of one node of the imported network.
public struct NodeOrigin: Sendable, Hashable {
  /// The source operator type (`CONV_2D`, `Conv`, ...).
  public var sourceOperator: String
  /// The source node's identity: `operator #3` for TFLite, the node name (or `node #3`) for ONNX.
  public var sourceNode: String
  /// Names of the source tensors the node reads (activations and constants).
  public var inputTensors: [String]
  /// Names of the source tensors the node produces.
  public var outputTensors: [String]
  /// What the importer did beyond a one-to-one mapping (e.g. "fused RELU6 of CONV_2D", "PAD folded"); empty if nothing.
  public var note: String

  /// Creates an origin record.
  public init(sourceOperator: String, sourceNode: String, inputTensors: [String], outputTensors: [String], note: String = "") {
    self.sourceOperator = sourceOperator
    self.sourceNode = sourceNode
    self.inputTensors = inputTensors
    self.outputTensors = outputTensors
    self.note = note
  }
}

/// The quantization of a model's input tensor: `real = scale * (quantized - zeroPoint)`.
public struct InputQuantization: Sendable, Hashable {
  /// Scale.
  public var scale: Float
  /// Zero point.
  public var zeroPoint: Int
  /// True for a signed (int8) input, false for uint8.
  public var isSigned: Bool
}

/// A model file mapped onto precsearch's IR, with everything needed to feed it and to explain it.
public struct ImportedModel: Sendable {
  /// The network (HWC, BatchNorm folded, weights in float).
  public var network: Network
  /// How raw input values become the network's float input: identity for a float input, `scale * (q - zeroPoint)`
  /// for a quantized one.
  public var preprocessing: InputPreprocessing
  /// The quantization of the model's input tensor, when it is int8/uint8 (or is quantized by a QUANTIZE at the edge).
  public var inputQuantization: InputQuantization?
  /// Where the model came from.
  public var provenance: ModelProvenance
  /// The source of every network node except the input, by node name.
  public var nodeOrigins: [String: NodeOrigin]
  /// Source operators that became no node (RESHAPE of a vector, QUANTIZE/DEQUANTIZE at the edges, Identity,
  /// Dropout, PAD folded into a convolution), with what happened to them.
  public var absorbedOperators: [NodeOrigin]
}

/// The operator sets the importer maps, for error messages and documentation.
public enum SupportedOperators {
  /// TFLite builtin operators.
  public static let tflite = ["ADD", "AVERAGE_POOL_2D", "CONV_2D", "DEPTHWISE_CONV_2D (depth multiplier 1)", "DEQUANTIZE",
                              "FULLY_CONNECTED", "MAX_POOL_2D", "MEAN (over H,W)", "PAD (folded into the next convolution)",
                              "QUANTIZE", "RELU", "RELU6", "RESHAPE (to a vector)", "SOFTMAX", "SQUEEZE (to a vector)"]
  /// ONNX operators (default domain).
  public static let onnx = ["Add", "AveragePool", "BatchNormalization", "Clip (0, 6)", "Constant", "Conv",
                            "DequantizeLinear", "Dropout", "Flatten", "Gemm", "GlobalAveragePool", "Identity",
                            "MatMul (+ Add)", "MaxPool", "QuantizeLinear (on weights)", "Relu", "Reshape (to a vector)",
                            "Softmax", "Transpose (NHWC <-> NCHW)"]
}

/// Collects IR nodes during an import, checking each with the engine's shape inference as it is added, so that
/// a mapping error names the source node.
struct GraphAssembler {
  var nodes: [Node] = []
  var shapes: [String: TensorShape] = [:]
  var origins: [String: NodeOrigin] = [:]
  var absorbed: [NodeOrigin] = []
  /// Names of the nodes some node reads.
  var consumed: Set<String> = []
  /// Position of each node in `nodes`.
  var positions: [String: Int] = [:]
  /// Next suffix to try per base name (keeps `uniqueName` linear when a file repeats one name many times).
  var nextSuffix: [String: Int] = [:]

  init(inputShape: TensorShape) throws {
    let input = Node(name: "input", operation: .input(inputShape))
    _ = try ShapeInference.outputShape(of: input, inputShapes: [])
    nodes = [input]
    shapes["input"] = inputShape
    positions["input"] = 0
  }

  /// A name not used yet, derived from `base`.
  mutating func uniqueName(_ base: String) -> String {
    if shapes[base] == nil && nextSuffix[base] == nil { nextSuffix[base] = 2; return base }
    var k = nextSuffix[base] ?? 2
    while shapes["\(base)_\(k)"] != nil { k += 1 }
    nextSuffix[base] = k + 1
    return "\(base)_\(k)"
  }

  /// Appends a node (validated now) and returns its name and output shape.
  @discardableResult
  mutating func append(_ node: Node, origin: NodeOrigin) throws -> (String, TensorShape) {
    var inputShapes: [TensorShape] = []
    for name in node.inputs {
      guard let s = shapes[name] else {
        throw ModelImportError(.invalidGraph, "reads '\(name)', which is not computed yet", node: "'\(origin.sourceNode)'")
      }
      inputShapes.append(s)
    }
    let shape: TensorShape
    do {
      shape = try ShapeInference.outputShape(of: node, inputShapes: inputShapes)
      try ShapeInference.validateParameters(of: node, inputShapes: inputShapes)
    } catch let error as NetworkError {
      throw ModelImportError(.invalidGraph, "\(origin.sourceOperator) maps to \(node.operation.kind) '\(node.name)': \(error.message)",
                             node: "'\(origin.sourceNode)' (\(origin.sourceOperator))")
    }
    positions[node.name] = nodes.count
    nodes.append(node)
    shapes[node.name] = shape
    origins[node.name] = origin
    consumed.formUnion(node.inputs)
    return (node.name, shape)
  }

  /// Validates the whole graph and folds BatchNorm.
  func build() throws -> Network {
    do {
      return try Network(nodes: nodes).foldingBatchNorm()
    } catch let error as NetworkError {
      let source = origins[error.node].map { "'\($0.sourceNode)' (\($0.sourceOperator))" } ?? (error.node.isEmpty ? nil : "'\(error.node)'")
      throw ModelImportError(.invalidGraph, error.message, node: source)
    }
  }
}

/// Product of `dimensions`, or nil when a dimension is negative or the product exceeds the engine's limit.
func elementCount(_ dimensions: [Int]) -> Int? {
  var count = 1
  for d in dimensions {
    guard d >= 0 else { return nil }
    let (p, overflow) = count.multipliedReportingOverflow(by: d)
    guard !overflow, p <= Network.maximumElementCount else { return nil }
    count = p
  }
  return count
}
