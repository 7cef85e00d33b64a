import Foundation
import Testing
import NetworkEngine
@testable import ModelImport

let projectExport = referenceRoot.appendingPathComponent("project-resnet8.onnx")

/// The ResNet-8 written by the project's own ONNX exporter (Experiments/onnx-comparison, via
/// Experiments/import-check/project_export_check.py): BatchNormalization nodes to fold, 8x8 AveragePool, Flatten,
/// Gemm. Imported, it must give onnxruntime's outputs on the script's 16 random inputs.
@Test(.enabled(if: FileManager.default.fileExists(atPath: projectExport.path), "needs project_export_check.py's output"))
func projectExporterResNet8Imports() throws {
  let imported = try ModelImporter.importModel(bytes: [UInt8](try Data(contentsOf: projectExport)))
  #expect(imported.provenance.operatorCounts["BatchNormalization", default: 0] > 0)
  #expect(imported.network.isFolded)
  let inputs = try Data(contentsOf: referenceRoot.appendingPathComponent("project-resnet8.inputs.f32"))
  let outputs = try Data(contentsOf: referenceRoot.appendingPathComponent("project-resnet8.outputs.f32"))
  func floats(_ data: Data) -> [Float] {
    let bytes = [UInt8](data)
    var values: [Float] = []
    for i in stride(from: 0, to: bytes.count - 3, by: 4) {
      var bits = UInt32(bytes[i])
      bits |= UInt32(bytes[i + 1]) << 8
      bits |= UInt32(bytes[i + 2]) << 16
      bits |= UInt32(bytes[i + 3]) << 24
      values.append(Float(bitPattern: bits))
    }
    return values
  }
  let x = floats(inputs), y = floats(outputs)
  let inputSize = imported.network.inputShape.elementCount, classes = imported.network.outputShape.elementCount
  #expect(x.count == 16 * inputSize && y.count == 16 * classes)
  let plan = try FloatPlan(network: imported.network)
  var difference: Float = 0
  for k in 0..<16 {
    let output = plan.run(Array(x[(k * inputSize)..<((k + 1) * inputSize)]))
    for j in 0..<classes { difference = max(difference, abs(output[j] - y[k * classes + j])) }
  }
  print("project exporter's ResNet-8 (ONNX, BatchNormalization kept): max |precsearch import - onnxruntime| \(difference) on 16 inputs")
  #expect(difference <= 1e-4)
}
