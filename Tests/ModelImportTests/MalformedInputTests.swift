import Testing
import NetworkEngine
@testable import ModelImport

/// Runs `body`, expecting a `ModelImportError` of `kind`; returns it for further checks.
func expectImportError(_ kind: ModelImportError.Kind, _ body: () throws -> Any) -> ModelImportError? {
  do {
    _ = try body()
    Issue.record("expected a \(kind) error, got a result")
  } catch let error as ModelImportError {
    #expect(error.kind == kind, "\(error)")
    return error
  } catch {
    Issue.record("expected ModelImportError, got \(error)")
  }
  return nil
}

@Test func unknownFormatIsRefusedAtByteZero() {
  let error = expectImportError(.malformed) { try ModelImporter.importModel(bytes: Array("hello, world".utf8)) }
  #expect(error?.byteOffset == 0)
  #expect(error?.description.contains("neither a TFLite file") == true)
  #expect(expectImportError(.malformed) { try ModelImporter.importModel(bytes: []) }?.byteOffset == 0)
}

@Test func wrongFileIdentifierNamesBytesFourToSeven() {
  let error = expectImportError(.malformed) { try TFLiteModel(bytes: [8, 0, 0, 0] + Array("TFL2".utf8) + [0, 0, 0, 0]) }
  #expect(error?.byteOffset == 4)
  #expect(error?.message.contains("TFL3") == true)
}

@Test func rootOffsetOutsideTheFileIsReportedWithItsOffset() {
  // Root uoffset 0xFFFF at byte 0 of a 12-byte file.
  let error = expectImportError(.malformed) { try TFLiteModel(bytes: [0xFF, 0xFF, 0, 0] + Array("TFL3".utf8) + [0, 0, 0, 0]) }
  #expect(error?.byteOffset == 0)
  #expect(error?.message.contains("past the 12-byte file") == true)
}

@Test func vtableOutsideTheFileIsReported() {
  // Root table at byte 8, whose soffset (-1000) puts its vtable past the end.
  var bytes: [UInt8] = [8, 0, 0, 0] + Array("TFL3".utf8)
  bytes += [0x18, 0xFC, 0xFF, 0xFF]  // -1000 little-endian: vtable at 8 + 1000
  let error = expectImportError(.malformed) { try TFLiteModel(bytes: bytes) }
  #expect(error?.byteOffset == 1008)
}

@Test func flatBufferVectorLongerThanTheFileIsReported() throws {
  // A vector whose count claims 2^31 elements of 4 bytes.
  let reader = FlatBufferReader(bytes: [0, 0, 0, 0x80, 1, 2, 3, 4])
  let error = expectImportError(.malformed) { try FlatBufferVector(reader: reader, lengthPosition: 0, elementSize: 4) }
  #expect(error?.byteOffset == 4)
}

@Test func unsupportedTFLiteOperatorNamesTheOperatorAndTheSupportedList() throws {
  let error = expectImportError(.unsupported) { try ModelImporter.importModel(bytes: try fixtureBytes("unsupported_logistic.tflite")) }
  #expect(error?.node == "'operator #1 LOGISTIC'")
  #expect(error?.message.contains("LOGISTIC is not supported") == true)
  #expect(error?.message.contains("DEPTHWISE_CONV_2D") == true)
}

@Test func unsupportedONNXOperatorNamesTheNodeAndTheSupportedList() throws {
  let error = expectImportError(.unsupported) { try ModelImporter.importModel(bytes: try fixtureBytes("unsupported_sigmoid.onnx")) }
  #expect(error?.node == "'gate (Sigmoid)'")
  #expect(error?.message.contains("Sigmoid is not supported") == true)
  #expect(error?.message.contains("GlobalAveragePool") == true)
}

@Test func externalONNXDataIsRefusedWithAHint() throws {
  let error = expectImportError(.unsupported) { try ModelImporter.importModel(bytes: try fixtureBytes("external_data.onnx")) }
  #expect(error?.message.contains("external file") == true)
  #expect(error?.byteOffset != nil)
}

@Test func protobufWireFormatDecodesEveryWireType() throws {
  // field 1 varint 150; field 2 zigzag -3 (5); field 3 fixed32 1.5; field 4 fixed64 7; field 5 bytes "ab";
  // field 6 packed varints [1, 300]; field 6 unpacked 4.
  let bytes: [UInt8] = [0x08, 0x96, 0x01, 0x10, 0x05, 0x1D, 0x00, 0x00, 0xC0, 0x3F, 0x21, 7, 0, 0, 0, 0, 0, 0, 0,
                        0x2A, 0x02, 0x61, 0x62, 0x32, 0x03, 0x01, 0xAC, 0x02, 0x30, 0x04]
  var reader = ProtobufWireReader(bytes: bytes)
  #expect(try reader.nextField()?.varint() == 150)
  #expect(try reader.nextField()?.zigzag() == -3)
  #expect(try reader.nextField()?.float() == 1.5)
  #expect(try reader.nextField()?.value == .fixed64(7))
  #expect(try reader.nextField()?.string(in: bytes) == "ab")
  var repeated: [Int64] = []
  try reader.nextField()?.appendVarints(to: &repeated, bytes: bytes)
  try reader.nextField()?.appendVarints(to: &repeated, bytes: bytes)
  #expect(repeated == [1, 300, 4])
  #expect(try reader.nextField() == nil)
  #expect(ProtobufField.zigzagDecode(0) == 0 && ProtobufField.zigzagDecode(1) == -1 && ProtobufField.zigzagDecode(4294967294) == 2147483647)
}

@Test func protobufErrorsCarryTheirOffsets() {
  // An 11-byte varint at offset 0.
  var long = ProtobufWireReader(bytes: [UInt8](repeating: 0xFF, count: 11))
  #expect(expectImportError(.malformed) { try long.readVarint() }?.byteOffset == 0)
  // Field 1 length-delimited, claiming 100 bytes of a 4-byte message: the length sits at offset 1.
  var short = ProtobufWireReader(bytes: [0x0A, 100, 1, 2])
  #expect(expectImportError(.malformed) { try short.nextField() as Any }?.byteOffset == 1)
  // Wire type 3 (a group).
  var group = ProtobufWireReader(bytes: [0x0B, 0])
  #expect(expectImportError(.malformed) { try group.nextField() as Any }?.message.contains("wire type 3") == true)
}
