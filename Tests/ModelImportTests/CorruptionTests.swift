import Foundation
import Testing
import NetworkEngine
@testable import ModelImport
import PrecSearchTestSupport

/// `PRECSEARCH_LONG_TESTS=1` runs ten times as many corruptions (as the model-file fuzz tests do).
let longTests = LongTests.isEnabled

/// Every truncation and many single-byte corruptions of real fixtures must give a result or a thrown
/// `ModelImportError`, never a trap or a hang (the in-process stand-in for the fuzz targets).
@Test(arguments: ["conv2d_same_stride2_relu.tflite", "fully_connected_softmax.tflite", "pad_conv_valid.tflite",
                  "conv_same_upper_bn_relu.onnx", "conv_flatten_nchw_gemm.onnx", "dequantize_linear_weights_per_axis.onnx"])
func truncatedAndCorruptedFilesThrow(_ name: String) throws {
  let bytes = try fixtureBytes(name)
  var truncationErrors = 0
  for length in 0..<bytes.count {
    do {
      _ = try ModelImporter.importModel(bytes: Array(bytes.prefix(length)))
    } catch is ModelImportError {
      truncationErrors += 1
    }
  }
  // A FlatBuffer reads data at the end of the file, so every truncation fails; a protobuf message cut at a field
  // boundary is still a valid (shorter) message, and then the missing graph parts are reported instead.
  #expect(truncationErrors == bytes.count)
  var generator = SplitMix(seed: UInt64(bytes.count))
  var accepted = 0
  let trials = longTests ? 20_000 : 2_000
  for trial in 0..<trials {
    var corrupted = bytes
    for _ in 0...(trial % 3) {
      let position = Int(generator.next() % UInt64(bytes.count))
      if generator.next() % 2 == 0 {
        corrupted[position] ^= UInt8(1 << (generator.next() % 8))
      } else {
        corrupted[position] = UInt8(truncatingIfNeeded: generator.next())
      }
    }
    do {
      let imported = try ModelImporter.importModel(bytes: corrupted)
      accepted += 1
      // Whatever imports is a valid network that runs. (A corrupted dimension may legally make it huge, up to the
      // engine's 2^28-element tensors: those are only checked to build a plan.)
      let plan = try FloatPlan(network: imported.network)
      if imported.network.totalMACs < 1_000_000, imported.network.shapes.allSatisfy({ $0.elementCount < 100_000 }) {
        let output = plan.run([Float](repeating: 0.5, count: imported.network.inputShape.elementCount))
        #expect(output.count == imported.network.outputShape.elementCount)
      }
    } catch let error as ModelImportError {
      #expect(!error.message.isEmpty)
    }
  }
  // Many edits hit weight bytes, which still import (a weight may take any finite value); the rest are refused.
  #expect(accepted < trials)
}

@Test func sharedStringsCannotMakeTheDecoderReadMoreThanTwiceTheFile() throws {
  // 1,000 tensors share one 4 KB name in a 20 KB file.
  let error = expectImportError(.malformed) { try TFLiteModel(bytes: try fixtureBytes("shared_strings.tflite")) }
  #expect(error?.message.contains("more than twice its size") == true)
}

@Test func truncatedTFLiteNamesTheByteOffset() throws {
  let bytes = try fixtureBytes("conv2d_same_stride2_relu.tflite")
  let error = expectImportError(.malformed) { try ModelImporter.importModel(bytes: Array(bytes.prefix(bytes.count / 2))) }
  #expect(error?.byteOffset != nil)
  #expect(error?.description.contains("at byte") == true)
}

@Test func truncatedONNXNamesTheByteOffset() throws {
  let bytes = try fixtureBytes("conv_same_upper_bn_relu.onnx")
  // Cut inside the graph field: its length runs past the end.
  let error = expectImportError(.malformed) { try ModelImporter.importModel(bytes: Array(bytes.prefix(bytes.count - 10))) }
  #expect(error?.byteOffset != nil)
  #expect(error?.message.contains("runs past the end") == true)
}

/// A small deterministic generator (SplitMix64).
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
