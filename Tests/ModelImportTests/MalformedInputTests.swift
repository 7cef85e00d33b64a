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
