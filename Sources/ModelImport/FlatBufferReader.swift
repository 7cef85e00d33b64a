/// A bounds-checked reader of the FlatBuffers binary format (little-endian), written from the format's
/// specification: a root `uoffset` at byte 0 (optionally followed by a 4-byte file identifier), tables that start
/// with an `soffset` to their vtable, vtables of 16-bit entries (vtable size, table size, one offset per field,
/// 0 meaning absent), and vectors and strings that start with a 32-bit element count.
///
/// Every read checks its bytes against the buffer and throws `ModelImportError` (kind `.malformed`) with the byte
/// offset on failure; nothing traps on bad input.
public struct FlatBufferReader: Sendable {
  /// The whole file.
  public let bytes: [UInt8]

  /// Wraps a file's bytes; nothing is read yet.
  public init(bytes: [UInt8]) { self.bytes = bytes }

  /// Checks that `count` bytes starting at `offset` lie inside the buffer.
  @inline(__always)
  func check(_ offset: Int, _ count: Int, _ what: @autoclosure () -> String) throws {
    guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
      throw ModelImportError.malformed("\(what()) (\(count) bytes) lies outside the \(bytes.count)-byte file", at: offset)
    }
  }

  /// Little-endian unsigned integer of `size` bytes at `offset`, unchecked (callers check first).
  @inline(__always)
  func rawUnsigned(_ offset: Int, _ size: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<size { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
    return value
  }

  /// The 8-bit unsigned value at `offset`.
  public func uint8(at offset: Int) throws -> UInt8 { try check(offset, 1, "a byte"); return bytes[offset] }
  /// The 16-bit unsigned value at `offset`.
  public func uint16(at offset: Int) throws -> UInt16 { try check(offset, 2, "a 16-bit value"); return UInt16(rawUnsigned(offset, 2)) }
  /// The 32-bit unsigned value at `offset`.
  public func uint32(at offset: Int) throws -> UInt32 { try check(offset, 4, "a 32-bit value"); return UInt32(rawUnsigned(offset, 4)) }
  /// The 32-bit signed value at `offset`.
  public func int32(at offset: Int) throws -> Int32 { Int32(bitPattern: try uint32(at: offset)) }
  /// The 64-bit unsigned value at `offset`.
  public func uint64(at offset: Int) throws -> UInt64 { try check(offset, 8, "a 64-bit value"); return rawUnsigned(offset, 8) }

  /// Follows the `uoffset` stored at `offset` (target = offset + stored value) and checks the target is inside.
  func followOffset(at offset: Int, _ what: String) throws -> Int {
    let relative = Int(try uint32(at: offset))
    let target = offset + relative
    guard target < bytes.count else {
      throw ModelImportError.malformed("\(what): offset \(relative) points to byte \(target), past the \(bytes.count)-byte file", at: offset)
    }
    return target
  }

  /// The 4-character file identifier at bytes 4..<8, or nil when the file is shorter or it is not printable ASCII.
  public var fileIdentifier: String? {
    guard bytes.count >= 8 else { return nil }
    let id = bytes[4..<8]
    guard id.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else { return nil }
    return String(decoding: id, as: UTF8.self)
  }

  /// The root table (the `uoffset` at byte 0).
  public func rootTable() throws -> FlatBufferTable {
    guard bytes.count >= 8 else {
      throw ModelImportError.malformed("a FlatBuffer needs at least 8 bytes, the file has \(bytes.count)", at: 0)
    }
    return try table(at: try followOffset(at: 0, "root table"))
  }

  /// The table starting at `position`, with its vtable located and checked.
  public func table(at position: Int) throws -> FlatBufferTable {
    let soffset = Int(try int32(at: position))
    let vtable = position - soffset
    try check(vtable, 4, "the vtable of the table at byte \(position)")
    let vtableSize = Int(rawUnsigned(vtable, 2))
    let tableSize = Int(rawUnsigned(vtable + 2, 2))
    guard vtableSize >= 4, vtableSize % 2 == 0 else {
      throw ModelImportError.malformed("vtable size \(vtableSize) is not an even number >= 4", at: vtable)
    }
    try check(vtable, vtableSize, "the vtable of the table at byte \(position)")
    try check(position, max(tableSize, 4), "the table whose vtable is at byte \(vtable)")
    return FlatBufferTable(reader: self, position: position, vtable: vtable, fieldCount: (vtableSize - 4) / 2,
                           tableSize: tableSize)
  }
}

/// One table of a FlatBuffer: its fields are read by index (the order of declaration in the schema, with a union
/// field taking two indices: its `_type` byte first, then its value).
public struct FlatBufferTable: Sendable {
  /// The reader this table belongs to.
  public let reader: FlatBufferReader
  /// Byte offset of the table's start (its `soffset` to the vtable).
  public let position: Int
  /// Byte offset of its vtable.
  public let vtable: Int
  /// Number of field slots in the vtable.
  public let fieldCount: Int
  /// Inline size of the table in bytes, from the vtable.
  public let tableSize: Int

  /// Byte offset of field `index`, or nil when the field is absent (not in the vtable, or stored as 0).
  /// Throws when the vtable puts the field outside the table or the file.
  public func fieldPosition(_ index: Int, size: Int) throws -> Int? {
    guard index >= 0, index < fieldCount else { return nil }
    let entry = Int(reader.rawUnsigned(vtable + 4 + 2 * index, 2))
    if entry == 0 { return nil }
    guard entry + size <= tableSize else {
      throw ModelImportError.malformed("field \(index) at table offset \(entry) (\(size) bytes) lies outside its \(tableSize)-byte table", at: position)
    }
    try reader.check(position + entry, size, "field \(index) of the table at byte \(position)")
    return position + entry
  }

  /// An integer scalar field, or `defaultValue` when absent.
  public func integer<T: FixedWidthInteger>(_ index: Int, default defaultValue: T) throws -> T {
    let size = MemoryLayout<T>.size
    guard let p = try fieldPosition(index, size: size) else { return defaultValue }
    let raw = reader.rawUnsigned(p, size)
    return T(truncatingIfNeeded: raw)
  }

  /// A boolean field (one byte, nonzero is true).
  public func bool(_ index: Int, default defaultValue: Bool) throws -> Bool {
    try integer(index, default: UInt8(defaultValue ? 1 : 0)) != 0
  }

  /// A 32-bit float field.
  public func float(_ index: Int, default defaultValue: Float) throws -> Float {
    guard let p = try fieldPosition(index, size: 4) else { return defaultValue }
    return Float(bitPattern: UInt32(reader.rawUnsigned(p, 4)))
  }

  /// Target of the offset field `index`, or nil when absent.
  func referenced(_ index: Int, _ what: String) throws -> Int? {
    guard let p = try fieldPosition(index, size: 4) else { return nil }
    return try reader.followOffset(at: p, what)
  }

  /// A sub-table field, or nil when absent.
  public func table(_ index: Int) throws -> FlatBufferTable? {
    guard let target = try referenced(index, "table field \(index) of the table at byte \(position)") else { return nil }
    return try reader.table(at: target)
  }

  /// A vector field whose elements are `elementSize` bytes each (4 for offsets to tables or strings), or nil.
  public func vector(_ index: Int, elementSize: Int) throws -> FlatBufferVector? {
    guard let target = try referenced(index, "vector field \(index) of the table at byte \(position)") else { return nil }
    return try FlatBufferVector(reader: reader, lengthPosition: target, elementSize: elementSize)
  }

  /// A string field (UTF-8; invalid sequences are replaced), or nil when absent.
  public func string(_ index: Int) throws -> String? {
    guard let target = try referenced(index, "string field \(index) of the table at byte \(position)") else { return nil }
    return try reader.string(at: target)
  }
}

extension FlatBufferReader {
  /// The string whose length word is at `position`.
  public func string(at position: Int) throws -> String {
    let length = Int(try uint32(at: position))
    try check(position + 4, length, "a string of \(length) bytes")
    return String(decoding: bytes[(position + 4)..<(position + 4 + length)], as: UTF8.self)
  }
}

/// A vector of a FlatBuffer: a 32-bit count followed by `count` elements of `elementSize` bytes, all inside the file.
public struct FlatBufferVector: Sendable {
  /// The reader this vector belongs to.
  public let reader: FlatBufferReader
  /// Byte offset of the first element.
  public let start: Int
  /// Number of elements.
  public let count: Int
  /// Bytes per element.
  public let elementSize: Int

  /// Reads the count at `lengthPosition` and checks that all elements lie inside the file.
  public init(reader: FlatBufferReader, lengthPosition: Int, elementSize: Int) throws {
    let count = Int(try reader.uint32(at: lengthPosition))
    let (total, overflow) = count.multipliedReportingOverflow(by: elementSize)
    guard !overflow else {
      throw ModelImportError.malformed("a vector of \(count) elements of \(elementSize) bytes is too large", at: lengthPosition)
    }
    try reader.check(lengthPosition + 4, total, "a vector of \(count) elements of \(elementSize) bytes")
    self.reader = reader
    self.start = lengthPosition + 4
    self.count = count
    self.elementSize = elementSize
  }

  /// Byte offset of element `index` (checked against `count`).
  public func position(of index: Int) throws -> Int {
    guard index >= 0, index < count else {
      throw ModelImportError.malformed("element \(index) of a \(count)-element vector", at: start)
    }
    return start + index * elementSize
  }

  /// The elements as little-endian integers of type `T` (`T`'s size must equal `elementSize`).
  public func integers<T: FixedWidthInteger>(_ type: T.Type = T.self) throws -> [T] {
    guard MemoryLayout<T>.size == elementSize else {
      throw ModelImportError.malformed("vector of \(elementSize)-byte elements read as \(MemoryLayout<T>.size)-byte integers", at: start)
    }
    var out: [T] = []
    out.reserveCapacity(count)
    for i in 0..<count { out.append(T(truncatingIfNeeded: reader.rawUnsigned(start + i * elementSize, elementSize))) }
    return out
  }

  /// The elements as 32-bit floats.
  public func floats() throws -> [Float] {
    try integers(UInt32.self).map { Float(bitPattern: $0) }
  }

  /// The raw bytes of a vector of bytes.
  public func byteArray() -> [UInt8] { Array(reader.bytes[start..<(start + count * elementSize)]) }

  /// The byte range the elements occupy in the file.
  public var byteRange: Range<Int> { start..<(start + count * elementSize) }

  /// Element `index` of a vector of tables.
  public func table(at index: Int) throws -> FlatBufferTable {
    let p = try position(of: index)
    return try reader.table(at: try reader.followOffset(at: p, "table #\(index) of the vector at byte \(start)"))
  }

  /// Element `index` of a vector of strings.
  public func string(at index: Int) throws -> String {
    let p = try position(of: index)
    return try reader.string(at: try reader.followOffset(at: p, "string #\(index) of the vector at byte \(start)"))
  }
}
