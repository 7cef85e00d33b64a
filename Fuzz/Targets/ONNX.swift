// Fuzz target: the ONNX reader and its graph import (ModelImport), which take a user's model file.
import ModelImport
import NetworkEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = fuzzBytes(start, count)
  // Bad input must throw ModelImportError, never trap; an accepted graph must be a valid network the float
  // reference can plan (kept small so that one input stays fast).
  guard let imported = try? ModelImporter.importModel(bytes: bytes, format: .onnx) else { return 0 }
  if imported.network.totalMACs < 5_000_000 {
    fuzzRequire((try? FloatPlan(network: imported.network)) != nil, "an imported network cannot be planned")
  }
  return 0
}

/// The committed fixtures of Tests/ModelImportTests (Fuzz/Seeds/ONNX/real-*) are the seeds; nothing to generate.
func fuzzSeeds() throws -> [(String, [UInt8])] { [] }
