/// Placeholder until the ONNX reader lands.
public enum ONNXImporter {
  /// Imports an `.onnx` file.
  public static func importModel(bytes: [UInt8]) throws -> ImportedModel {
    throw ModelImportError(.unsupported, "ONNX import is not implemented yet")
  }
}
