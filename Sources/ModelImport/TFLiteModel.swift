/// A decoded TFLite model: the parts of `schema.fbs` (schema version 3) the importer uses. Field indices below are
/// the declaration order of the schema's tables, union fields counting twice (`_type`, then value).
public struct TFLiteModel: Sendable {
  /// The file identifier every TFLite file carries at bytes 4..<8.
  public static let fileIdentifier = "TFL3"

  /// `Model.version`: the schema version.
  public var version: UInt32
  /// `Model.description` (the converter names itself here, e.g. "MLIR Converted.").
  public var description: String
  /// `Model.operator_codes`.
  public var operatorCodes: [TFLiteOperatorCode]
  /// `Model.subgraphs`: only the first (the main graph) is decoded.
  public var subgraphs: [TFLiteSubgraph]
  /// How many subgraphs the file has.
  public var subgraphCount: Int
  /// `Model.buffers`: constant data, by index.
  public var buffers: [TFLiteBuffer]

  /// Decodes a `.tflite` file. Throws `ModelImportError` (`.malformed`, with the byte offset) when the bytes are not
  /// a TFLite FlatBuffer or any offset, vector or string lies outside the file.
  public init(bytes: [UInt8]) throws {
    let reader = FlatBufferReader(bytes: bytes)
    guard bytes.count >= 8 else {
      throw ModelImportError.malformed("a TFLite file needs at least 8 bytes, this one has \(bytes.count)", at: 0)
    }
    guard reader.fileIdentifier == Self.fileIdentifier else {
      let found = bytes[4..<8].map { String($0, radix: 16) }.joined(separator: " ")
      throw ModelImportError.malformed("file identifier (bytes 4-7) is [\(found)], not \"TFL3\": not a TFLite model", at: 4)
    }
    let model = try reader.rootTable()
    var budget = DecodeBudget(fileSize: bytes.count)
    version = try model.integer(0, default: UInt32(0))
    description = try budget.string(model, 3) ?? ""
    operatorCodes = []
    if let codes = try budget.vector(model, 1, elementSize: 4) {
      for i in 0..<codes.count {
        let t = try codes.table(at: i)
        let deprecated = Int32(try t.integer(0, default: Int8(0)))
        let extended = try t.integer(3, default: Int32(0))
        // schema.fbs: builtin_code supersedes deprecated_builtin_code; writers fill the smaller field with a
        // placeholder (127) or 0, so the larger of the two is the operator.
        operatorCodes.append(TFLiteOperatorCode(builtinCode: max(deprecated, extended), customCode: try budget.string(t, 1),
                                                version: try t.integer(2, default: Int32(1)), byteOffset: t.position))
      }
    }
    buffers = []
    if let list = try budget.vector(model, 4, elementSize: 4) {
      for i in 0..<list.count {
        let t = try list.table(at: i)
        if let data = try budget.vector(t, 0, elementSize: 1) {
          buffers.append(TFLiteBuffer(data: data.byteArray(), byteOffset: data.start))
        } else {
          // Buffers stored after the FlatBuffer (models > 2 GB): offset from the file's start, valid when > 1.
          let offset = try t.integer(1, default: UInt64(0)), size = try t.integer(2, default: UInt64(0))
          if offset > 1 {
            guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
              throw ModelImportError.malformed("buffer #\(i) points to \(size) bytes at byte \(offset), outside the \(bytes.count)-byte file", at: t.position)
            }
            buffers.append(TFLiteBuffer(data: Array(bytes[Int(offset)..<Int(offset + size)]), byteOffset: Int(offset)))
          } else {
            buffers.append(TFLiteBuffer(data: [], byteOffset: t.position))
          }
        }
      }
    }
    subgraphs = []
    guard let graphs = try budget.vector(model, 2, elementSize: 4), graphs.count > 0 else {
      throw ModelImportError.malformed("the model has no subgraph", at: model.position)
    }
    // Only the main subgraph is decoded (the others are CALL/WHILE bodies, which the importer does not run).
    subgraphCount = graphs.count
    subgraphs.append(try TFLiteSubgraph(try graphs.table(at: 0), budget: &budget))
  }
}

/// `OperatorCode`: which operator an `Operator.opcode_index` means.
public struct TFLiteOperatorCode: Sendable, Hashable {
  /// The resolved `BuiltinOperator` value (the larger of `deprecated_builtin_code` and `builtin_code`).
  public var builtinCode: Int32
  /// `custom_code`, for custom operators (builtin code 32).
  public var customCode: String?
  /// The operator's version.
  public var version: Int32
  /// Byte offset of the table in the file.
  public var byteOffset: Int

  /// The operator's name in schema.fbs (e.g. `CONV_2D`), or `BUILTIN_<n>` for codes this importer has no name for.
  public var name: String {
    if let customCode { return "CUSTOM(\(customCode))" }
    return TFLiteBuiltinOperator(rawValue: builtinCode).map { "\($0)" } ?? "BUILTIN_\(builtinCode)"
  }
}

/// The `BuiltinOperator` values the importer knows by name (schema.fbs numbering).
public enum TFLiteBuiltinOperator: Int32, Sendable, CaseIterable, CustomStringConvertible {
  /// ADD.
  case add = 0
  /// AVERAGE_POOL_2D.
  case averagePool2D = 1
  /// CONCATENATION (not supported).
  case concatenation = 2
  /// CONV_2D.
  case conv2D = 3
  /// DEPTHWISE_CONV_2D.
  case depthwiseConv2D = 4
  /// DEQUANTIZE.
  case dequantize = 6
  /// FULLY_CONNECTED.
  case fullyConnected = 9
  /// LOGISTIC (not supported).
  case logistic = 14
  /// MAX_POOL_2D.
  case maxPool2D = 17
  /// MUL (not supported).
  case mul = 18
  /// RELU.
  case relu = 19
  /// RELU6.
  case relu6 = 21
  /// RESHAPE.
  case reshape = 22
  /// SOFTMAX.
  case softmax = 25
  /// CUSTOM.
  case custom = 32
  /// PAD.
  case pad = 34
  /// TRANSPOSE (not supported).
  case transpose = 39
  /// MEAN.
  case mean = 40
  /// SQUEEZE.
  case squeeze = 43
  /// QUANTIZE.
  case quantize = 114
  /// HARD_SWISH (not supported).
  case hardSwish = 117

  /// The schema's spelling, e.g. `CONV_2D`.
  public var description: String {
    switch self {
    case .add: return "ADD"
    case .averagePool2D: return "AVERAGE_POOL_2D"
    case .concatenation: return "CONCATENATION"
    case .conv2D: return "CONV_2D"
    case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
    case .dequantize: return "DEQUANTIZE"
    case .fullyConnected: return "FULLY_CONNECTED"
    case .logistic: return "LOGISTIC"
    case .maxPool2D: return "MAX_POOL_2D"
    case .mul: return "MUL"
    case .relu: return "RELU"
    case .relu6: return "RELU6"
    case .reshape: return "RESHAPE"
    case .softmax: return "SOFTMAX"
    case .custom: return "CUSTOM"
    case .pad: return "PAD"
    case .transpose: return "TRANSPOSE"
    case .mean: return "MEAN"
    case .squeeze: return "SQUEEZE"
    case .quantize: return "QUANTIZE"
    case .hardSwish: return "HARD_SWISH"
    }
  }
}

/// `TensorType` (schema.fbs numbering).
public enum TFLiteTensorType: Int8, Sendable, Hashable {
  /// FLOAT32.
  case float32 = 0
  /// FLOAT16.
  case float16 = 1
  /// INT32.
  case int32 = 2
  /// UINT8.
  case uint8 = 3
  /// INT64.
  case int64 = 4
  /// STRING.
  case string = 5
  /// BOOL.
  case bool = 6
  /// INT16.
  case int16 = 7
  /// COMPLEX64.
  case complex64 = 8
  /// INT8.
  case int8 = 9
  /// FLOAT64.
  case float64 = 10
}

/// `Buffer`: constant bytes (empty for activations).
public struct TFLiteBuffer: Sendable {
  /// The bytes.
  public var data: [UInt8]
  /// Byte offset of the data in the file.
  public var byteOffset: Int
}

/// `QuantizationParameters`: `real = scale * (quantized - zeroPoint)`, per tensor or per slice along
/// `quantizedDimension`.
public struct TFLiteQuantization: Sendable, Hashable {
  /// One scale, or one per slice.
  public var scales: [Float]
  /// One zero point, or one per slice.
  public var zeroPoints: [Int64]
  /// The axis the per-axis parameters run along.
  public var quantizedDimension: Int
}

/// `Tensor`.
public struct TFLiteTensor: Sendable {
  /// Shape (NHWC for 4-D activations).
  public var shape: [Int]
  /// Raw `TensorType` value.
  public var typeCode: Int8
  /// The decoded type, when known.
  public var type: TFLiteTensorType? { TFLiteTensorType(rawValue: typeCode) }
  /// Index into `TFLiteModel.buffers` (0: no data).
  public var bufferIndex: Int
  /// Name (for debugging; converters join the fused TensorFlow op names with ';').
  public var name: String
  /// Quantization parameters, when the tensor has scales.
  public var quantization: TFLiteQuantization?
  /// Byte offset of the tensor's table.
  public var byteOffset: Int
}

/// `Fused activation function` of an operator (schema.fbs `ActivationFunctionType`).
public enum TFLiteActivation: Int8, Sendable, Hashable {
  /// No activation.
  case none = 0
  /// ReLU.
  case relu = 1
  /// Clamp to [-1, 1] (not supported).
  case reluN1To1 = 2
  /// ReLU6.
  case relu6 = 3
  /// tanh (not supported).
  case tanh = 4
  /// Sign bit (not supported).
  case signBit = 5
}

/// The builtin options the importer reads, decoded from the `BuiltinOptions` union.
public enum TFLiteOptions: Sendable, Hashable {
  /// No options, or options of an operator the importer does not read (the union type code).
  case other(typeCode: UInt8)
  /// `Conv2DOptions` (union type 1).
  case conv2D(padding: TFLitePadding, strideWidth: Int, strideHeight: Int, activation: Int8, dilationWidth: Int, dilationHeight: Int)
  /// `DepthwiseConv2DOptions` (union type 2).
  case depthwiseConv2D(padding: TFLitePadding, strideWidth: Int, strideHeight: Int, depthMultiplier: Int, activation: Int8,
                       dilationWidth: Int, dilationHeight: Int)
  /// `Pool2DOptions` (union type 5).
  case pool2D(padding: TFLitePadding, strideWidth: Int, strideHeight: Int, filterWidth: Int, filterHeight: Int, activation: Int8)
  /// `FullyConnectedOptions` (union type 8).
  case fullyConnected(activation: Int8, weightsFormat: Int8, keepNumDims: Bool)
  /// `SoftmaxOptions` (union type 9).
  case softmax(beta: Float)
  /// `AddOptions` (union type 11).
  case add(activation: Int8)
  /// `ReshapeOptions` (union type 17).
  case reshape(newShape: [Int])
  /// `ReducerOptions` (union type 27).
  case reducer(keepDims: Bool)
  /// `SqueezeOptions` (union type 30).
  case squeeze(dimensions: [Int])
}

/// `Padding` of convolution and pooling options.
public enum TFLitePadding: Int8, Sendable, Hashable {
  /// SAME: output = ceil(input / stride), the odd padding row/column at the bottom/right.
  case same = 0
  /// VALID: no padding.
  case valid = 1
}

/// `Operator`.
public struct TFLiteOperator: Sendable {
  /// Index into `TFLiteModel.operatorCodes`.
  public var opcodeIndex: Int
  /// Input tensor indices (-1: optional input absent).
  public var inputs: [Int]
  /// Output tensor indices.
  public var outputs: [Int]
  /// Decoded builtin options.
  public var options: TFLiteOptions
  /// Byte offset of the operator's table.
  public var byteOffset: Int
}

/// `SubGraph`.
public struct TFLiteSubgraph: Sendable {
  /// Tensors, by index.
  public var tensors: [TFLiteTensor]
  /// Graph input tensor indices.
  public var inputs: [Int]
  /// Graph output tensor indices.
  public var outputs: [Int]
  /// Operators in execution order.
  public var operators: [TFLiteOperator]
  /// Name.
  public var name: String

  init(_ t: FlatBufferTable, budget: inout DecodeBudget) throws {
    tensors = []
    if let list = try budget.vector(t, 0, elementSize: 4) {
      for i in 0..<list.count {
        let tensor = try list.table(at: i)
        var quantization: TFLiteQuantization?
        if let q = try tensor.table(4), let scales = try budget.vector(q, 2, elementSize: 4)?.floats(), !scales.isEmpty {
          let zeroPoints = try budget.vector(q, 3, elementSize: 8)?.integers(Int64.self) ?? []
          quantization = TFLiteQuantization(scales: scales, zeroPoints: zeroPoints,
                                            quantizedDimension: Int(try q.integer(6, default: Int32(0))))
        }
        if try tensor.table(6) != nil {
          throw ModelImportError(.unsupported, "tensor #\(i) is sparse (SparsityParameters); only dense tensors are supported",
                                 byteOffset: tensor.position)
        }
        tensors.append(TFLiteTensor(
          shape: try budget.vector(tensor, 0, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? [],
          typeCode: try tensor.integer(1, default: Int8(0)),
          bufferIndex: Int(try tensor.integer(2, default: UInt32(0))),
          name: try budget.string(tensor, 3) ?? "", quantization: quantization, byteOffset: tensor.position))
      }
    }
    inputs = try budget.vector(t, 1, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? []
    outputs = try budget.vector(t, 2, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? []
    operators = []
    if let list = try budget.vector(t, 3, elementSize: 4) {
      for i in 0..<list.count {
        let op = try list.table(at: i)
        let typeCode = try op.integer(3, default: UInt8(0))
        operators.append(TFLiteOperator(
          opcodeIndex: Int(try op.integer(0, default: UInt32(0))),
          inputs: try budget.vector(op, 1, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? [],
          outputs: try budget.vector(op, 2, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? [],
          options: try Self.options(typeCode: typeCode, table: try op.table(4), budget: &budget), byteOffset: op.position))
      }
    }
    name = try budget.string(t, 4) ?? ""
  }

  static func padding(_ raw: Int8, _ table: FlatBufferTable) throws -> TFLitePadding {
    guard let p = TFLitePadding(rawValue: raw) else {
      throw ModelImportError.malformed("padding value \(raw) is neither SAME (0) nor VALID (1)", at: table.position)
    }
    return p
  }

  static func options(typeCode: UInt8, table: FlatBufferTable?, budget: inout DecodeBudget) throws -> TFLiteOptions {
    guard let o = table else { return .other(typeCode: typeCode) }
    func int(_ i: Int, _ d: Int32 = 0) throws -> Int { Int(try o.integer(i, default: d)) }
    func byte(_ i: Int) throws -> Int8 { try o.integer(i, default: Int8(0)) }
    switch typeCode {
    case 1:
      return .conv2D(padding: try padding(try byte(0), o), strideWidth: try int(1), strideHeight: try int(2),
                     activation: try byte(3), dilationWidth: try int(4, 1), dilationHeight: try int(5, 1))
    case 2:
      return .depthwiseConv2D(padding: try padding(try byte(0), o), strideWidth: try int(1), strideHeight: try int(2),
                              depthMultiplier: try int(3), activation: try byte(4), dilationWidth: try int(5, 1),
                              dilationHeight: try int(6, 1))
    case 5:
      return .pool2D(padding: try padding(try byte(0), o), strideWidth: try int(1), strideHeight: try int(2),
                     filterWidth: try int(3), filterHeight: try int(4), activation: try byte(5))
    case 8:
      return .fullyConnected(activation: try byte(0), weightsFormat: try byte(1), keepNumDims: try o.bool(2, default: false))
    case 9:
      return .softmax(beta: try o.float(0, default: 0))
    case 11:
      return .add(activation: try byte(0))
    case 17:
      return .reshape(newShape: try budget.vector(o, 0, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? [])
    case 27:
      return .reducer(keepDims: try o.bool(0, default: false))
    case 30:
      return .squeeze(dimensions: try budget.vector(o, 0, elementSize: 4)?.integers(Int32.self).map { Int($0) } ?? [])
    default:
      return .other(typeCode: typeCode)
    }
  }
}

/// Caps the bytes of vectors and strings decoded from one file at twice its size (plus 64 KiB): FlatBuffers lets
/// many tables point at the same vector, so a small crafted file could otherwise make the decoder do quadratic work.
/// Files written by a FlatBuffers builder store every vector once and stay far below the cap.
struct DecodeBudget {
  var remaining: Int

  init(fileSize: Int) { remaining = 2 * fileSize + 65_536 }

  mutating func spend(_ bytes: Int, at offset: Int) throws {
    remaining -= bytes
    guard remaining >= 0 else {
      throw ModelImportError.malformed("the file's tables share vectors or strings so much that decoding them would read more than twice its size", at: offset)
    }
  }

  mutating func vector(_ table: FlatBufferTable, _ index: Int, elementSize: Int) throws -> FlatBufferVector? {
    guard let v = try table.vector(index, elementSize: elementSize) else { return nil }
    try spend(v.count * v.elementSize + 4, at: v.start)
    return v
  }

  mutating func string(_ table: FlatBufferTable, _ index: Int) throws -> String? {
    guard let s = try table.string(index) else { return nil }
    try spend(s.utf8.count + 4, at: table.position)
    return s
  }
}
