/// The importer's entry point: detects the format from the bytes and maps the model onto the engine's IR.
///
/// Never traps on bad input: every failure is a thrown `ModelImportError` naming the byte offset (malformed file)
/// or the source node (unsupported operator, impossible shapes). Fuzz targets call `importModel(bytes:)`.
public enum ModelImporter {
  /// Which reader a file needs, judged from its first bytes: TFLite files carry "TFL3" at bytes 4..<8; anything
  /// else that starts like a protobuf message (field 1, `ir_version`, as a varint) is taken for ONNX.
  public static func detectFormat(_ bytes: [UInt8]) -> ModelFormat? {
    if bytes.count >= 8, Array(bytes[4..<8]) == Array("TFL3".utf8) { return .tflite }
    if let first = bytes.first, first == 0x08 { return .onnx }
    return nil
  }

  /// Imports a `.tflite` or `.onnx` file given as bytes.
  public static func importModel(bytes: [UInt8]) throws -> ImportedModel {
    switch detectFormat(bytes) {
    case .tflite?: return try TFLiteImporter.importModel(bytes: bytes)
    case .onnx?: return try ONNXImporter.importModel(bytes: bytes)
    case nil:
      let head = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
      throw ModelImportError.malformed("neither a TFLite file (\"TFL3\" at bytes 4-7) nor an ONNX ModelProto (first byte 0x08, ir_version); the file starts [\(head)]", at: 0)
    }
  }

  /// Imports a file of a known format.
  public static func importModel(bytes: [UInt8], format: ModelFormat) throws -> ImportedModel {
    switch format {
    case .tflite: return try TFLiteImporter.importModel(bytes: bytes)
    case .onnx: return try ONNXImporter.importModel(bytes: bytes)
    }
  }
}
