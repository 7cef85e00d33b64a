import Foundation
import NetworkEngine
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom
import PrecSearchTestSupport

@Suite struct ModelFileRoundTripTests {
  static func referenceModels() throws -> [ModelFile] {
    var g = SplitMix64(seed: 2024)
    let resNet = try Fixtures.randomized(try ReferenceArchitectures.resNet8(using: &g), using: &g)
    let leNet = try Fixtures.randomized(try ReferenceArchitectures.leNet(using: &g), using: &g)
    return [try Fixtures.model(resNet, name: "resnet8", using: &g), try Fixtures.model(leNet, name: "lenet", using: &g)]
  }

  func expectSame(_ a: ModelFile, _ b: ModelFile) {
    #expect(sameNodesBitForBit(a.network, b.network))
    #expect(a.name == b.name)
    #expect(a.description == b.description)
    #expect(a.preprocessing == b.preprocessing)
    #expect(a.labels == b.labels)
    #expect(a.activationRanges == b.activationRanges)
    #expect(a.provenance == b.provenance)
    #expect(a.metrics == b.metrics)
  }

  @Test func singleFileRoundTripOfReferenceArchitectures() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for model in try Self.referenceModels() {
      let path = dir.file("\(model.name).psmodel")
      try model.write(to: path)
      let back = try ModelFile.read(from: path)
      expectSame(model, back)
      #expect(back.network.nodes == model.network.nodes)
    }
  }

  @Test func headerAndBlobRoundTripOfReferenceArchitectures() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for model in try Self.referenceModels() {
      let path = dir.file("\(model.name).json")
      try model.write(to: path, layout: .headerAndBlob)
      #expect(FileManager.default.fileExists(atPath: dir.file("\(model.name).bin")))
      let back = try ModelFile.read(from: path)
      expectSame(model, back)
      // The blob holds exactly the parameters, 4 bytes each.
      let blobSize = try FileManager.default.attributesOfItem(atPath: dir.file("\(model.name).bin"))[.size] as? Int
      #expect(blobSize == model.network.totalParameters * 4)
    }
  }

  @Test func writesAreByteIdenticalAndLeaveNoTemporaryFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let model = try Self.referenceModels()[1]
    try model.write(to: dir.file("a.psmodel"))
    try model.write(to: dir.file("b.psmodel"))
    try model.write(to: dir.file("b.psmodel"))  // overwrite in place
    let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.psmodel")))
    let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("b.psmodel")))
    #expect(a == b)
    #expect(a == (try model.singleFileData()))
    // Re-encoding what was read gives the same bytes again.
    #expect(try ModelFile.read(from: dir.file("a.psmodel")).singleFileData() == a)
    try model.write(to: dir.file("p.json"), layout: .headerAndBlob)
    let header1 = try Data(contentsOf: URL(fileURLWithPath: dir.file("p.json")))
    try model.write(to: dir.file("p.json"), layout: .headerAndBlob)
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("p.json"))) == header1)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(names == ["a.psmodel", "b.psmodel", "p.bin", "p.json"])
  }

  @Test func singleFileLayoutIsAsDocumented() throws {
    let model = try Fixtures.tinyModel()
    let data = [UInt8](try model.singleFileData())
    #expect(Array(data[0..<8]) == [0x50, 0x53, 0x4D, 0x4F, 0x44, 0x45, 0x4C, 0x00])
    let n = Int(data[8]) | Int(data[9]) << 8 | Int(data[10]) << 16 | Int(data[11]) << 24
    let blobStart = (12 + n + 15) / 16 * 16
    #expect(data[(12 + n)..<blobStart].allSatisfy { $0 == 0 })
    #expect(data.count - blobStart == model.network.totalParameters * 4)
    let header = try JSONValue.parse(data[12..<(12 + n)])
    #expect(header["schemaVersion"] == 1)
    #expect(header["format"] == "precsearch-model")
    #expect(header["inputShape"] == [4, 4, 2])
    // The first parameter (conv weight) starts the blob, little-endian float32.
    let w0 = model.network.nodes[1].parameters[0].values[0]
    let stored = UInt32(data[blobStart]) | UInt32(data[blobStart + 1]) << 8 | UInt32(data[blobStart + 2]) << 16
      | UInt32(data[blobStart + 3]) << 24
    #expect(stored == w0.bitPattern)
    let conv = header["nodes"]?.arrayValue?[1]
    #expect(conv?["kind"] == "Conv2D")
    #expect(conv?["outputShape"] == [4, 4, 3])
    #expect(conv?["attributes"] == ["outputChannels": 3, "kernel": [3, 3], "strides": [1, 1], "dilation": [1, 1],
                                    "padding": "same", "groups": 1])
    #expect(conv?["parameters"]?.arrayValue?[0] == ["role": "weight", "shape": [3, 3, 3, 2], "offset": 0, "count": 54])
    #expect(conv?["parameters"]?.arrayValue?[1] == ["role": "bias", "shape": [3], "offset": 54, "count": 3])
  }

  @Test func optionalFieldsMayBeAbsent() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let model = ModelFile(name: "bare", network: try Fixtures.tinyNetwork())
    try model.write(to: dir.file("bare.psmodel"))
    let back = try ModelFile.read(from: dir.file("bare.psmodel"))
    #expect(back.description == nil && back.metrics == nil && back.activationRanges == nil)
    #expect(back.labels.isEmpty && back.provenance == .emptyObject && back.preprocessing == .identity)
    #expect(sameNodesBitForBit(back.network, model.network))
  }

  @Test func explicitPaddingDilationGroupsAndEveryOperatorRoundTrip() throws {
    var g = SplitMix64(seed: 99)
    var b = NetworkBuilder(input: TensorShape(height: 9, width: 8, channels: 4))
    let stem = try b.conv("dw", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 2, strideHeight: 1,
                          strideWidth: 2, dilationHeight: 2, dilationWidth: 1,
                          padding: .explicit(top: 2, bottom: 1, left: 0, right: 3), groups: 4), using: &g)
    try b.add("r6", .relu6)
    try b.add("avg", .avgPool(PoolAttributes(kernelHeight: 3, kernelWidth: 2, strideHeight: 1, strideWidth: 1,
                                            padding: .explicit(top: 1, bottom: 1, left: 1, right: 0))))
    let side = try b.conv("pw", Conv2DAttributes(outputChannels: 4, kernelHeight: 1, kernelWidth: 1, padding: .valid),
                          input: "avg", bias: false, using: &g)
    _ = stem
    try b.add("sum", .add, inputs: ["avg", side])
    try b.add("gap", .globalAvgPool)
    try b.dense("fc", outputs: 5, using: &g)
    b.batchNorm("bnfc")
    try b.add("softmax", .softmax)
    let network = try Fixtures.randomized(try b.build(), using: &g)
    let model = try Fixtures.model(network, name: "everything", using: &g)
    let back = try ModelFile(singleFileData: try model.singleFileData(), file: "memory")
    #expect(sameNodesBitForBit(back.network, network))
    #expect(back.activationRanges == model.activationRanges)
  }
}

extension ModelFileRoundTripTests {
  /// `activationRanges.ranges[].channelMeans` (bias correction's calibration statistics): recorded means round-trip
  /// bit for bit and let the engine build a bias-corrected model; a file without them reads as before (no key
  /// written, and bias correction is refused by the engine rather than guessed).
  @Test func channelMeansRoundTripAndFilesWithoutThemStillLoad() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    var model = try Fixtures.tinyModel()
    let without = dir.file("without.psmodel"), with = dir.file("with.psmodel")
    try model.write(to: without)
    #expect(!String(decoding: try Data(contentsOf: URL(fileURLWithPath: without)), as: UTF8.self).contains("channelMeans"))
    let plain = try ModelFile.read(from: without)
    #expect(plain.activationRanges?.ranges.allSatisfy { $0.channelMeans == nil } == true)
    let options = QuantizationOptions(biasCorrection: true)
    #expect(throws: NetworkError.self) {
      try FixedPointModel(network: plain.network, ranges: plain.activationRanges!, options: options)
    }
    // Means of the folded network's weighted inputs: input (2 channels) and flatten (12 values), with awkward floats.
    var ranges = try #require(model.activationRanges)
    ranges.ranges[0].channelMeans = [0.1, -Float.leastNonzeroMagnitude]
    ranges.ranges[4].channelMeans = (0..<12).map { Float($0) / 3 - 1e-7 }
    model.activationRanges = ranges
    try model.write(to: with)
    let back = try ModelFile.read(from: with)
    expectSame(model, back)
    #expect(back.activationRanges?.ranges[0].channelMeans?.map(\.bitPattern) == ranges.ranges[0].channelMeans?.map(\.bitPattern))
    let corrected = try FixedPointModel(network: back.network, ranges: back.activationRanges!, options: options)
    #expect(corrected.layers.allSatisfy { $0.biasCorrections.count == 17 })
    // Byte-identical rewrite.
    try back.write(to: dir.file("again.psmodel"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: with)) == (try Data(contentsOf: URL(fileURLWithPath: dir.file("again.psmodel")))))
  }
}
