/// A decoded ONNX model: the messages of `onnx.proto` the importer uses (ModelProto, OperatorSetIdProto,
/// GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto with TypeProto.Tensor and TensorShapeProto),
/// by the field numbers of that file. Unknown fields are skipped, as protobuf requires.
public struct ONNXModel: Sendable {
  /// `ir_version` (1).
  public var irVersion: Int64 = 0
  /// `opset_import` (8): (domain, version) pairs; "" is the default `ai.onnx` domain.
  public var opsetImports: [(domain: String, version: Int64)] = []
  /// `producer_name` (2).
  public var producerName = ""
  /// `producer_version` (3).
  public var producerVersion = ""
  /// `graph` (7).
  public var graph = ONNXGraph()

  /// The default domain's opset version (0 when absent).
  public var defaultOpset: Int64 {
    opsetImports.first { $0.domain == "" || $0.domain == "ai.onnx" }?.version ?? 0
  }

  /// Decodes an ONNX file.
  public init(bytes: [UInt8]) throws {
    var reader = ProtobufWireReader(bytes: bytes)
    var sawGraph = false
    while let f = try reader.nextField() {
      switch f.number {
      case 1: irVersion = try f.int64()
      case 2: producerName = try f.string(in: bytes)
      case 3: producerVersion = try f.string(in: bytes)
      case 7: graph = try ONNXGraph(reader.nested(try f.range())); sawGraph = true
      case 8:
        var sub = reader.nested(try f.range())
        var domain = "", version: Int64 = 0
        while let g = try sub.nextField() {
          if g.number == 1 { domain = try g.string(in: bytes) } else if g.number == 2 { version = try g.int64() }
        }
        opsetImports.append((domain, version))
      default: break
      }
    }
    guard sawGraph else { throw ModelImportError.malformed("the ModelProto has no graph (field 7)", at: 0) }
    guard opsetImports.contains(where: { $0.domain == "" || $0.domain == "ai.onnx" }) else {
      throw ModelImportError.malformed("the ModelProto imports no opset of the default ONNX domain (opset_import, field 8), which onnx.proto requires", at: 0)
    }
  }
}

/// `GraphProto`.
public struct ONNXGraph: Sendable {
  /// `node` (1), in topological order.
  public var nodes: [ONNXNode] = []
  /// `name` (2).
  public var name = ""
  /// `initializer` (5): constant tensors.
  public var initializers: [ONNXTensor] = []
  /// `input` (11).
  public var inputs: [ONNXValueInfo] = []
  /// `output` (12).
  public var outputs: [ONNXValueInfo] = []

  init() {}

  init(_ r: ProtobufWireReader) throws {
    var reader = r
    let bytes = reader.bytes
    while let f = try reader.nextField() {
      switch f.number {
      case 1: nodes.append(try ONNXNode(reader.nested(try f.range()), offset: f.offset))
      case 2: name = try f.string(in: bytes)
      case 5: initializers.append(try ONNXTensor(reader.nested(try f.range()), offset: f.offset))
      case 11: inputs.append(try ONNXValueInfo(reader.nested(try f.range())))
      case 12: outputs.append(try ONNXValueInfo(reader.nested(try f.range())))
      case 15:
        throw ModelImportError(.unsupported, "the graph has sparse initializers (GraphProto.sparse_initializer); only dense tensors are supported", byteOffset: f.offset)
      default: break
      }
    }
  }
}

/// `NodeProto`.
public struct ONNXNode: Sendable {
  /// `input` (1); "" marks an omitted optional input.
  public var inputs: [String] = []
  /// `output` (2).
  public var outputs: [String] = []
  /// `name` (3).
  public var name = ""
  /// `op_type` (4).
  public var opType = ""
  /// `domain` (7).
  public var domain = ""
  /// `attribute` (5).
  public var attributes: [ONNXAttribute] = []
  /// Byte offset of the node's field in the file.
  public var byteOffset: Int

  init(_ r: ProtobufWireReader, offset: Int) throws {
    byteOffset = offset
    var reader = r
    let bytes = reader.bytes
    while let f = try reader.nextField() {
      switch f.number {
      case 1: inputs.append(try f.string(in: bytes))
      case 2: outputs.append(try f.string(in: bytes))
      case 3: name = try f.string(in: bytes)
      case 4: opType = try f.string(in: bytes)
      case 5: attributes.append(try ONNXAttribute(reader.nested(try f.range()), offset: f.offset))
      case 7: domain = try f.string(in: bytes)
      default: break
      }
    }
  }

  /// The attribute named `name`, if present.
  public func attribute(_ name: String) -> ONNXAttribute? { attributes.first { $0.name == name } }
}

/// `AttributeProto` (graph-valued attributes are recorded but not decoded).
public struct ONNXAttribute: Sendable {
  /// `name` (1).
  public var name = ""
  /// `type` (20): AttributeType (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, ...).
  public var type: Int64 = 0
  /// `f` (2).
  public var float: Float?
  /// `i` (3).
  public var int: Int64?
  /// `s` (4), as text.
  public var string: String?
  /// `t` (5).
  public var tensor: ONNXTensor?
  /// `floats` (7).
  public var floats: [Float] = []
  /// `ints` (8).
  public var ints: [Int64] = []
  /// Byte offset of the attribute in the file.
  public var byteOffset: Int

  init(_ r: ProtobufWireReader, offset: Int) throws {
    byteOffset = offset
    var reader = r
    let bytes = reader.bytes
    while let f = try reader.nextField() {
      switch f.number {
      case 1: name = try f.string(in: bytes)
      case 20: type = try f.int64()
      case 2: float = try f.float()
      case 3: int = try f.int64()
      case 4: string = try f.string(in: bytes)
      case 5: tensor = try ONNXTensor(reader.nested(try f.range()), offset: f.offset)
      case 7: try f.appendFloats(to: &floats, bytes: bytes)
      case 8: try f.appendVarints(to: &ints, bytes: bytes)
      default: break
      }
    }
  }
}

/// `TensorProto` data types (`TensorProto.DataType`) the importer reads.
public enum ONNXDataType: Int32, Sendable {
  /// FLOAT.
  case float = 1
  /// UINT8.
  case uint8 = 2
  /// INT8.
  case int8 = 3
  /// UINT16.
  case uint16 = 4
  /// INT16.
  case int16 = 5
  /// INT32.
  case int32 = 6
  /// INT64.
  case int64 = 7
  /// BOOL.
  case bool = 9
  /// DOUBLE.
  case double = 11
  /// UINT32.
  case uint32 = 12
  /// UINT64.
  case uint64 = 13
}

/// `TensorProto`.
public struct ONNXTensor: Sendable {
  /// `dims` (1).
  public var dims: [Int64] = []
  /// `data_type` (2).
  public var dataType: Int32 = 0
  /// `name` (8).
  public var name = ""
  /// `raw_data` (9): little-endian fixed-width values.
  public var rawData: ArraySlice<UInt8>?
  /// `float_data` (4).
  public var floatData: [Float] = []
  /// `int32_data` (5), also holding int8/uint8/int16/uint16/bool values.
  public var int32Data: [Int64] = []
  /// `int64_data` (7).
  public var int64Data: [Int64] = []
  /// `double_data` (10), as bits.
  public var doubleData: [UInt64] = []
  /// `uint64_data` (11), also holding uint32 values.
  public var uint64Data: [Int64] = []
  /// True when `data_location` (14) is EXTERNAL or `external_data` (13) is present.
  public var isExternal = false
  /// Byte offset of the tensor in the file.
  public var byteOffset: Int

  init(_ r: ProtobufWireReader, offset: Int) throws {
    byteOffset = offset
    var reader = r
    let bytes = reader.bytes
    while let f = try reader.nextField() {
      switch f.number {
      case 1: try f.appendVarints(to: &dims, bytes: bytes)
      case 2: dataType = Int32(truncatingIfNeeded: try f.int64())
      case 4: try f.appendFloats(to: &floatData, bytes: bytes)
      case 5: try f.appendVarints(to: &int32Data, bytes: bytes)
      case 7: try f.appendVarints(to: &int64Data, bytes: bytes)
      case 8: name = try f.string(in: bytes)
      case 9: rawData = bytes[try f.range()]
      case 10: try f.appendFixed64(to: &doubleData, bytes: bytes)
      case 11: try f.appendVarints(to: &uint64Data, bytes: bytes)
      case 13: isExternal = true
      case 14: if try f.varint() == 1 { isExternal = true }
      default: break
      }
    }
  }

  /// The number of elements its dims describe, or nil when a dim is negative or the count is too large.
  public var elementCount: Int? { ModelImport.elementCount(dims.map { Int(clamping: $0) }) }

  /// The values as Double (exact for every integer type up to 2^53 and for float), row-major.
  /// Throws for external data, unsupported types and a value count that does not match the dims.
  public func values() throws -> [Double] {
    guard !isExternal else {
      throw ModelImportError(.unsupported, "tensor '\(name)' keeps its data in an external file (external_data); "
        + "save the model with its weights inside (onnx.save_model(..., save_as_external_data=False))", byteOffset: byteOffset)
    }
    guard let count = elementCount else {
      throw ModelImportError.malformed("tensor '\(name)' has invalid dims \(dims)", at: byteOffset)
    }
    guard let type = ONNXDataType(rawValue: dataType) else {
      throw ModelImportError(.unsupported, "tensor '\(name)' has data type \(dataType); float, double and integer types are supported", byteOffset: byteOffset)
    }
    var out: [Double] = []
    if let raw = rawData {
      let size: Int
      switch type {
      case .float, .int32, .uint32: size = 4
      case .uint8, .int8, .bool: size = 1
      case .uint16, .int16: size = 2
      case .int64, .double, .uint64: size = 8
      }
      guard raw.count == count * size else {
        throw ModelImportError.malformed("tensor '\(name)' of dims \(dims) needs \(count * size) bytes of raw_data, has \(raw.count)", at: byteOffset)
      }
      out.reserveCapacity(count)
      var i = raw.startIndex
      for _ in 0..<count {
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(raw[i + k]) << (8 * UInt64(k)) }
        i += size
        switch type {
        case .float: out.append(Double(Float(bitPattern: UInt32(v))))
        case .double: out.append(Double(bitPattern: v))
        case .int8: out.append(Double(Int8(truncatingIfNeeded: v)))
        case .int16: out.append(Double(Int16(truncatingIfNeeded: v)))
        case .int32: out.append(Double(Int32(truncatingIfNeeded: v)))
        case .int64: out.append(Double(Int64(bitPattern: v)))
        case .uint8, .uint16, .uint32, .uint64, .bool: out.append(Double(v))
        }
      }
    } else {
      switch type {
      case .float: out = floatData.map(Double.init)
      case .double: out = doubleData.map { Double(bitPattern: $0) }
      case .int64: out = int64Data.map(Double.init)
      case .uint32, .uint64: out = uint64Data.map { Double(UInt64(bitPattern: $0)) }
      case .int8: out = int32Data.map { Double(Int8(truncatingIfNeeded: $0)) }
      case .int16: out = int32Data.map { Double(Int16(truncatingIfNeeded: $0)) }
      case .int32: out = int32Data.map { Double(Int32(truncatingIfNeeded: $0)) }
      case .uint8: out = int32Data.map { Double(UInt8(truncatingIfNeeded: $0)) }
      case .uint16: out = int32Data.map { Double(UInt16(truncatingIfNeeded: $0)) }
      case .bool: out = int32Data.map { $0 != 0 ? 1 : 0 }
      }
      guard out.count == count else {
        throw ModelImportError.malformed("tensor '\(name)' of dims \(dims) has \(out.count) values, expected \(count)", at: byteOffset)
      }
    }
    return out
  }
}

/// `ValueInfoProto` with a tensor type.
public struct ONNXValueInfo: Sendable {
  /// `name` (1).
  public var name = ""
  /// `type.tensor_type.elem_type`.
  public var elementType: Int32 = 0
  /// `type.tensor_type.shape.dim`: a value, or nil for a symbolic (`dim_param`) or missing dimension.
  public var dims: [Int64?] = []

  init(_ r: ProtobufWireReader) throws {
    var reader = r
    let bytes = reader.bytes
    while let f = try reader.nextField() {
      switch f.number {
      case 1: name = try f.string(in: bytes)
      case 2:  // TypeProto
        var type = reader.nested(try f.range())
        while let t = try type.nextField() {
          guard t.number == 1 else { continue }  // tensor_type
          var tensor = type.nested(try t.range())
          while let e = try tensor.nextField() {
            if e.number == 1 { elementType = Int32(truncatingIfNeeded: try e.int64()) }
            if e.number == 2 {  // TensorShapeProto
              var shape = tensor.nested(try e.range())
              while let d = try shape.nextField() {
                guard d.number == 1 else { continue }
                var dim = shape.nested(try d.range())
                var value: Int64?
                while let v = try dim.nextField() { if v.number == 1 { value = try v.int64() } }
                dims.append(value)
              }
            }
          }
        }
      default: break
      }
    }
  }
}
