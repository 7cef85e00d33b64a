// Fuzz target: precsearch model files (ModelFile), both layouts: the single file (magic, header length, JSON
// header, padding, float32 blob) from memory, and anything else through `ModelFile.read(from:)` (a separate JSON
// header; its blob file is never there, so this covers the header's parsing and validation).
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import SeededRandom

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = fuzzBytes(start, count)
  if bytes.starts(with: ModelFile.magic) {
    guard let model = try? ModelFile(singleFileData: Data(bytes), file: fuzzFileName) else { return 0 }
    // Whatever is accepted is a consistent model that writes again and reads back.
    do {
      let again = try model.singleFileData(file: fuzzFileName)
      _ = try ModelFile(singleFileData: again, file: fuzzFileName)
    } catch {
      fuzzRequire(false, "an accepted model does not write and read back: \(error)")
    }
  } else {
    _ = try? ModelFile.read(from: fuzzFile(bytes, suffix: ".json"))
  }
  return 0
}

/// A tiny model (input 4x4x2, conv 3x3 + BN + ReLU, max pool, dense 3, softmax) with every metadata field (channel
/// means included), as a single file and as the JSON header of the two-file layout; and a keyword-spotting-shaped
/// one (input 49x10x1, dense 2) whose header names its audio front-end (`audioFrontEnd`).
func fuzzSeeds() throws -> [(String, [UInt8])] {
  var g = SplitMix64(seed: 7)
  var b = NetworkBuilder(input: TensorShape(height: 4, width: 4, channels: 2))
  try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
  b.batchNorm("bn")
  try b.add("relu", .relu)
  try b.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
  try b.add("flatten", .flatten)
  try b.dense("fc", outputs: 3, using: &g)
  try b.add("softmax", .softmax)
  let network = try b.build()
  let folded = try network.foldingBatchNorm()
  let model = ModelFile(
    name: "tiny", description: "fuzz seed", network: network,
    preprocessing: InputPreprocessing(scale: 1.0 / 255, mean: [0.5, 0.5], standardDeviation: [0.25, 0.25]),
    labels: ["a", "b", "c"],
    activationRanges: ActivationRanges(ranges: folded.nodes.indices.map { i in
      // Channel means (bias correction) on the nodes a weighted layer reads: the input and the flatten.
      let readByWeighted = folded.consumerIndices[i].contains { folded.nodes[$0].operation.isWeighted }
      return ActivationRange(node: folded.nodes[i].name, maxMagnitude: 4, maxPositive: 3,
                             channelMeans: readByWeighted ? (0..<folded.shapes[i].channels).map { Float($0) / 4 - 0.5 } : nil)
    }, sampleCount: 16),
    provenance: ["seed": 7, "dataset": ["name": "none"]], metrics: ["validationAccuracy": 0.5])
  let directory = NSTemporaryDirectory() + "precsearch-fuzz-seed-\(getpid())"
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: directory) }
  try model.write(to: directory + "/tiny.json", layout: .headerAndBlob)
  let header = try Data(contentsOf: URL(fileURLWithPath: directory + "/tiny.json"))
  var audio = NetworkBuilder(input: TensorShape(height: 49, width: 10, channels: 1))
  try audio.add("flatten", .flatten)
  try audio.dense("fc", outputs: 2, using: &g)
  let audioModel = ModelFile(name: "tiny-kws", network: try audio.build(), labels: ["a", "b"], audioFrontEnd: .mlperfTiny)
  return [("gen-tiny.psmodel", Array(try model.singleFileData())), ("gen-tiny-header.json", Array(header)),
          ("gen-tiny-kws-mlperf.psmodel", Array(try audioModel.singleFileData()))]
}
