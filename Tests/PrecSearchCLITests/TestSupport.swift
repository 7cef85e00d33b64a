import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
@testable import PrecSearchCLI
import SeededRandom


/// What one in-process run of the tool produced.
struct ToolRun {
  var status: Int32
  var output: String
  var errors: String
  /// Standard error split into lines (without the trailing empty line).
  var errorLines: [String] { errors.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// Runs `PrecSearchTool` in-process on `arguments`.
func runTool(_ arguments: [String]) -> ToolRun {
  var output = ""
  var errors = ""
  let status = PrecSearchTool.run(arguments: arguments, output: &output, errors: &errors)
  return ToolRun(status: status, output: output, errors: errors)
}


/// Small fixtures: seeded networks with calibrated ranges and a seeded set of 28x28 images.
enum Fixtures {
  static let preprocessing = InputPreprocessing(scale: 1.0 / 255, mean: [0.5], standardDeviation: [0.25])

  /// LeNet (28x28x1, two conv + BatchNorm, two dense, about 0.85 M MACs) with He-uniform weights from `seed`,
  /// calibrated on 2 random images. Slow to run in debug builds: used for figures, not for evaluation.
  static func leNetModel(seed: UInt64 = 1) throws -> ModelFile {
    var generator = SplitMix64(seed: seed)
    return try calibrated(ReferenceArchitectures.leNet(using: &generator), name: "test-lenet", samples: 2, seed: seed)
  }

  /// A tiny 28x28x1 classifier (about 25 k MACs, fast in debug builds): conv1 3x3x4 stride 2 + BatchNorm + ReLU,
  /// conv2 3x3x8 stride 2 + ReLU, Flatten, Dense 10 (`fc`), Softmax; calibrated on 16 random images.
  static func tinyModel(seed: UInt64 = 1) throws -> ModelFile {
    var generator = SplitMix64(seed: seed)
    var builder = NetworkBuilder(input: TensorShape(height: 28, width: 28, channels: 1))
    try builder.conv("conv1", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                                               strideWidth: 2), using: &generator)
    builder.batchNorm("bn1")
    try builder.add("relu1", .relu)
    try builder.conv("conv2", Conv2DAttributes(outputChannels: 8, kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                                               strideWidth: 2), using: &generator)
    try builder.add("relu2", .relu)
    try builder.add("flatten", .flatten)
    try builder.dense("fc", outputs: 10, using: &generator)
    try builder.add("softmax", .softmax)
    return try calibrated(builder.build(), name: "test-tiny", samples: 16, seed: seed)
  }

  /// `network` with ranges (histograms and channel means included) observed by the float reference on `samples`
  /// random images, and the activation window shifts chosen for its output on them, as `recalibrate` and `import`
  /// record them: a model ready for every default of `optimize` and `evaluate`.
  static func calibrated(_ network: Network, name: String, samples: Int, seed: UInt64) throws -> ModelFile {
    let calibration = try images(count: samples, seed: seed &+ 100)
    let floatPlan = try FloatPlan(network: network)
    let inputs = (0..<calibration.images.count).map { preprocessing.apply(calibration.images.image($0), channels: 1) }
    var ranges = ActivationRanges(observing: floatPlan, inputs: inputs)
    ranges.outputWindowShifts = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs)
    return ModelFile(name: name, network: network, preprocessing: preprocessing,
                     labels: (0..<10).map { "class\($0)" }, activationRanges: ranges)
  }

  /// `count` random 28x28x1 images with labels `i % 10` (replaced by the caller where it matters).
  static func images(count: Int, seed: UInt64, labels: [Int]? = nil) throws -> LoadedDataset {
    var generator = SplitMix64(seed: seed)
    let pixels = (0..<(count * 28 * 28)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let labelBytes = (labels ?? (0..<count).map { $0 % 10 }).map { UInt8(clamping: $0) }
    let images = try ImageDataset(height: 28, width: 28, channels: 1, pixels: pixels, labels: labelBytes)
    return LoadedDataset(images: images, imagesPath: "images", labelsPath: "labels")
  }

  /// `data` with its labels replaced.
  static func relabeled(_ data: LoadedDataset, _ labels: [Int]) throws -> LoadedDataset {
    var result = data
    result.images = try ImageDataset(height: data.images.height, width: data.images.width,
                                     channels: data.images.channels, pixels: data.images.pixels,
                                     labels: labels.map { UInt8(clamping: $0) })
    return result
  }

  /// Writes `data` as an IDX images file and an IDX labels file (big-endian headers, then the bytes).
  static func writeIDX(_ data: ImageDataset, images: String, labels: String) throws {
    func bigEndian(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
    let imageBytes = [0, 0, 8, 3] + bigEndian(data.count) + bigEndian(data.height) + bigEndian(data.width) + data.pixels
    let labelBytes = [0, 0, 8, 1] + bigEndian(data.count) + data.labels
    try Foundation.Data(imageBytes).write(to: URL(fileURLWithPath: images))
    try Foundation.Data(labelBytes).write(to: URL(fileURLWithPath: labels))
  }
}

extension Array where Element == UInt8 {
  /// Writes the bytes to `path` (test helper).
  func write(to path: String) throws {
    try Foundation.Data(self).write(to: URL(fileURLWithPath: path))
  }
}
