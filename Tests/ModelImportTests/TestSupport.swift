import Foundation
import NetworkEngine
import PrecSearchTestSupport
@testable import ModelImport

/// The project's `../shared` folder (or `$PRECSEARCH_SHARED`), where the MLPerf Tiny models and data live.
let sharedRoot: URL = SharedData.root

/// Where `Experiments/import-check/litert_reference.py` wrote LiteRT's outputs (or `$PRECSEARCH_IMPORT_CHECK`).
let referenceRoot = URL(fileURLWithPath: ProcessInfo.processInfo.environment["PRECSEARCH_IMPORT_CHECK"] ?? "/tmp/precsearch-import-check")

/// The bytes of a committed fixture (Tests/ModelImportTests/Fixtures).
func fixtureBytes(_ name: String) throws -> [UInt8] {
  guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
    throw ModelImportError(.invalidGraph, "fixture \(name) is missing")
  }
  return [UInt8](try Data(contentsOf: url))
}

/// Index of the largest value.
func argmax(_ values: [Float]) -> Int {
  var best = 0
  for i in values.indices where values[i] > values[best] { best = i }
  return best
}

/// The output of the node that feeds the network's final Softmax (the logits), or the output itself.
func logitsAndOutput(_ plan: FloatPlan, _ input: [Float], _ workspace: FloatPlan.Workspace) -> (logits: [Float], output: [Float]) {
  let output = plan.run(input, workspace: workspace)
  let network = plan.network
  if case .softmax = network.nodes[network.outputIndex].operation {
    return (workspace.outputs[network.inputIndices[network.outputIndex][0]], output)
  }
  return (output, output)
}

/// True in an optimized build (the slow whole-data-set measurements run only there).
#if DEBUG
let isReleaseBuild = false
#else
let isReleaseBuild = true
#endif
