/// A bounds-checked reader of the protocol buffers wire format, written from the encoding specification: each field
/// is a varint key `(fieldNumber << 3) | wireType` followed by a varint (type 0), 8 bytes (type 1), a varint length
/// and that many bytes (type 2) or 4 bytes (type 5). Groups (types 3 and 4) are refused. All integers little-endian.
///
/// Reads never trap: a truncated field, an over-long varint or a length past the end throws `ModelImportError`
/// (kind `.malformed`) with the byte offset.
public struct ProtobufWireReader: Sendable {
  /// The whole file (ranges index into it).
  public let bytes: [UInt8]
  /// Offset of the next unread byte.
  public private(set) var position: Int
  /// End of the message being read (exclusive).
  public let end: Int

  /// A reader of the message occupying `range` of `bytes` (default: all of it).
  public init(bytes: [UInt8], range: Range<Int>? = nil) {
    self.bytes = bytes
    let r = range ?? 0..<bytes.count
    position = max(0, min(r.lowerBound, bytes.count))
    end = max(position, min(r.upperBound, bytes.count))
  }

  /// A reader of a nested message (a length-delimited field's bytes).
  public func nested(_ range: Range<Int>) -> ProtobufWireReader { ProtobufWireReader(bytes: bytes, range: range) }

  /// True when the whole message has been read.
  public var isAtEnd: Bool { position >= end }

  /// Reads a base-128 varint (at most 10 bytes).
  public mutating func readVarint() throws -> UInt64 {
    let start = position
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < end else { throw ModelImportError.malformed("varint runs past the end of its message (byte \(end))", at: start) }
      let byte = bytes[position]
      position += 1
      if shift == 63, byte > 1 { throw ModelImportError.malformed("varint does not fit 64 bits", at: start) }
      result |= UInt64(byte & 0x7f) << shift
      if byte & 0x80 == 0 { return result }
      shift += 7
      if shift > 63 { throw ModelImportError.malformed("varint longer than 10 bytes", at: start) }
    }
  }

  /// Reads `count` bytes as a little-endian integer.
  mutating func readFixed(_ count: Int) throws -> UInt64 {
    guard count <= end - position else {
      throw ModelImportError.malformed("\(count)-byte fixed field runs past the end of its message (byte \(end))", at: position)
    }
    var v: UInt64 = 0
    for i in 0..<count { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += count
    return v
  }

  /// Reads the next field, or returns nil at the end of the message.
  public mutating func nextField() throws -> ProtobufField? {
    guard !isAtEnd else { return nil }
    let keyOffset = position
    let key = try readVarint()
    let number = key >> 3
    guard number >= 1, number <= 536_870_911 else {
      throw ModelImportError.malformed("field number \(number) is out of range 1...2^29-1", at: keyOffset)
    }
    let value: ProtobufValue
    switch key & 7 {
    case 0: value = .varint(try readVarint())
    case 1: value = .fixed64(try readFixed(8))
    case 2:
      let lengthOffset = position
      let length = try readVarint()
      guard length <= UInt64(end - position) else {
        throw ModelImportError.malformed("length-delimited field of \(length) bytes runs past the end of its message (byte \(end))", at: lengthOffset)
      }
      value = .lengthDelimited(position..<(position + Int(length)))
      position += Int(length)
    case 5: value = .fixed32(UInt32(try readFixed(4)))
    default:
      throw ModelImportError.malformed("wire type \(key & 7) (field \(number)) is not supported (groups are deprecated; 6 and 7 do not exist)", at: keyOffset)
    }
    return ProtobufField(number: Int(number), value: value, offset: keyOffset)
  }
}

/// One field of a protobuf message.
public struct ProtobufField: Sendable {
  /// The field number.
  public var number: Int
  /// The value as encoded.
  public var value: ProtobufValue
  /// Byte offset of the field's key.
  public var offset: Int

  /// The value of a varint field (int32, int64, uint, bool, enum), or a malformed error for other wire types.
  public func varint() throws -> UInt64 {
    guard case .varint(let v) = value else { throw wrongType("varint") }
    return v
  }

  /// A signed (`int32`/`int64`, two's complement) varint.
  public func int64() throws -> Int64 { Int64(bitPattern: try varint()) }

  /// A zigzag-encoded (`sint32`/`sint64`) varint.
  public func zigzag() throws -> Int64 { ProtobufField.zigzagDecode(try varint()) }

  /// Decodes a zigzag value: 0, -1, 1, -2, ... from 0, 1, 2, 3, ...
  public static func zigzagDecode(_ v: UInt64) -> Int64 { Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))) }

  /// A `float` (fixed32) field.
  public func float() throws -> Float {
    guard case .fixed32(let v) = value else { throw wrongType("fixed32 float") }
    return Float(bitPattern: v)
  }

  /// The byte range of a length-delimited field.
  public func range() throws -> Range<Int> {
    guard case .lengthDelimited(let r) = value else { throw wrongType("length-delimited") }
    return r
  }

  /// A `string` field (UTF-8, invalid sequences replaced).
  public func string(in bytes: [UInt8]) throws -> String { String(decoding: bytes[try range()], as: UTF8.self) }

  func wrongType(_ expected: String) -> ModelImportError {
    ModelImportError.malformed("field \(number) has wire type \(value.wireType), expected \(expected)", at: offset)
  }

  /// Appends the values of a repeated integer field, packed (one length-delimited run of varints) or not.
  public func appendVarints(to list: inout [Int64], bytes: [UInt8]) throws {
    switch value {
    case .varint(let v): list.append(Int64(bitPattern: v))
    case .lengthDelimited(let r):
      var reader = ProtobufWireReader(bytes: bytes, range: r)
      while !reader.isAtEnd { list.append(Int64(bitPattern: try reader.readVarint())) }
    default: throw wrongType("varint or packed varints")
    }
  }

  /// Appends the values of a repeated `float` field, packed or not.
  public func appendFloats(to list: inout [Float], bytes: [UInt8]) throws {
    switch value {
    case .fixed32(let v): list.append(Float(bitPattern: v))
    case .lengthDelimited(let r):
      guard r.count % 4 == 0 else { throw ModelImportError.malformed("packed floats of \(r.count) bytes, not a multiple of 4", at: offset) }
      var reader = ProtobufWireReader(bytes: bytes, range: r)
      while !reader.isAtEnd { list.append(Float(bitPattern: UInt32(try reader.readFixed(4)))) }
    default: throw wrongType("fixed32 or packed fixed32")
    }
  }

  /// Appends the values of a repeated 64-bit fixed field (`double`, `fixed64`), packed or not, as raw bits.
  public func appendFixed64(to list: inout [UInt64], bytes: [UInt8]) throws {
    switch value {
    case .fixed64(let v): list.append(v)
    case .lengthDelimited(let r):
      guard r.count % 8 == 0 else { throw ModelImportError.malformed("packed 64-bit values of \(r.count) bytes, not a multiple of 8", at: offset) }
      var reader = ProtobufWireReader(bytes: bytes, range: r)
      while !reader.isAtEnd { list.append(try reader.readFixed(8)) }
    default: throw wrongType("fixed64 or packed fixed64")
    }
  }
}

/// A field's encoded value.
public enum ProtobufValue: Sendable, Hashable {
  /// Wire type 0.
  case varint(UInt64)
  /// Wire type 1.
  case fixed64(UInt64)
  /// Wire type 2: the bytes' range in the file.
  case lengthDelimited(Range<Int>)
  /// Wire type 5.
  case fixed32(UInt32)

  /// The wire type number.
  public var wireType: Int {
    switch self {
    case .varint: return 0
    case .fixed64: return 1
    case .lengthDelimited: return 2
    case .fixed32: return 5
    }
  }
}
