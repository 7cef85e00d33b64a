import Foundation
import NetworkEngine
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

/// Every defect is rejected with a `ModelFileError` that names the file, the field or node, and what was wrong.
/// The tiny model's nodes: 0 input, 1 conv, 2 bn, 3 relu, 4 pool, 5 flatten, 6 fc, 7 softmax.
@Suite struct ModelFileRejectionTests {
  let valid: Data
  let header: JSONValue
  let blob: Data

  init() throws {
    valid = try Fixtures.tinyModel().singleFileData()
    (header, blob) = try splitSingleFile(valid)
  }

  /// Writes `bytes` to a temporary file, reads it, and returns the error (failing the test if there is none).
  func rejection(_ bytes: Data, name: String = "case.psmodel", sourceLocation: SourceLocation = #_sourceLocation) throws -> ModelFileError {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file(name)
    try bytes.write(to: URL(fileURLWithPath: path))
    do {
      _ = try ModelFile.read(from: path)
    } catch let e as ModelFileError {
      #expect(e.file == path, sourceLocation: sourceLocation)
      #expect(e.description.contains(path), sourceLocation: sourceLocation)
      return e
    }
    Issue.record("expected a ModelFileError", sourceLocation: sourceLocation)
    return ModelFileError(file: "", field: "", message: "")
  }

  /// A file with a modified header (and optionally blob); the blob checksum and size are kept consistent unless
  /// `keepChecksum` is set.
  func modified(_ edit: (JSONValue) -> JSONValue = { $0 }, blob editBlob: (inout Data) -> Void = { _ in },
                keepChecksum: Bool = false) throws -> Data {
    var b = blob
    editBlob(&b)
    var h = edit(header)
    if !keepChecksum {
      h = h.setting(["blob", "sha256"], to: .string(sha256Hex(of: b)))
      h = h.setting(["blob", "elementCount"], to: .integer(b.count / 4))
    }
    return try assembleSingleFile(header: h, blob: b)
  }

  func expect(_ e: ModelFileError, field: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    // (`"x".contains("")` is false in Swift, so an empty expectation means "anything".)
    #expect(field.isEmpty || e.field.contains(field), "field was '\(e.field)'", sourceLocation: sourceLocation)
    #expect(message.isEmpty || e.message.contains(message), "message was '\(e.message)'", sourceLocation: sourceLocation)
  }

  @Test func theUnmodifiedFixtureLoads() throws {
    let model = try ModelFile(singleFileData: try modified(), file: "x")
    #expect(model.network.nodes.count == 8)
  }

  // MARK: Container

  @Test func badMagic() throws {
    var bytes = valid
    bytes[3] = UInt8(ascii: "X")
    expect(try rejection(bytes), field: "magic", message: "PSMODEL")
  }

  @Test func emptyAndTinyFiles() throws {
    expect(try rejection(Data()), field: "", message: "empty")
    expect(try rejection(Data(ModelFile.magic.prefix(5))), field: "magic", message: "truncated")
    expect(try rejection(Data(ModelFile.magic + [1, 0])), field: "header length", message: "truncated")
  }

  @Test func missingFileAndDirectory() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let missing = errorText { _ = try ModelFile.read(from: dir.file("nope.psmodel")) }
    #expect(missing.contains("nope.psmodel") && missing.contains("no such file"))
    let directory = errorText { _ = try ModelFile.read(from: dir.path) }
    #expect(directory.contains("directory"))
  }

  @Test func headerLengthBeyondFileSize() throws {
    var bytes = valid
    bytes[10] = 0x7F  // header length now ~8 MB, beyond this small file
    expect(try rejection(bytes), field: "header length", message: "beyond the file size")
    bytes[11] = 0xFF  // above the 64 MiB maximum
    expect(try rejection(bytes), field: "header length", message: "maximum")
  }

  @Test func truncatedHeader() throws {
    let n = Int(valid[8]) | Int(valid[9]) << 8
    expect(try rejection(valid.prefix(12 + n / 2)), field: "header length", message: "truncated header")
  }

  @Test func truncatedBlobAndTrailingBytes() throws {
    expect(try rejection(valid.dropLast(4)), field: "blob", message: "truncated blob")
    expect(try rejection(valid.dropLast(1)), field: "blob", message: "truncated blob")
    expect(try rejection(valid + Data([0, 0, 0, 0])), field: "blob", message: "after the blob")
  }

  @Test func nonZeroPadding() throws {
    let n = Int(valid[8]) | Int(valid[9]) << 8
    guard (12 + n) % 16 != 0 else { return }  // no padding to corrupt in this fixture
    var bytes = valid
    bytes[12 + n] = 0x20
    expect(try rejection(bytes), field: "padding", message: "not zero")
  }

  @Test func blobChecksumMismatch() throws {
    var bytes = valid
    bytes[bytes.count - 1] ^= 0x01
    expect(try rejection(bytes), field: "blob", message: "checksum mismatch")
  }

  // MARK: JSON and schema

  @Test func invalidJSON() throws {
    var bytes = valid
    bytes[12] = UInt8(ascii: "[")  // the header's opening brace
    expect(try rejection(bytes), field: "header", message: "JSON syntax error")
  }

  @Test func unknownSchemaVersion() throws {
    let e = try rejection(try modified { $0.setting(["schemaVersion"], to: 2) })
    expect(e, field: "schemaVersion", message: "unknown schema version 2")
  }

  @Test func wrongFormatName() throws {
    expect(try rejection(try modified { $0.setting(["format"], to: "onnx") }), field: "format", message: "precsearch-model")
  }

  @Test func unknownOpKind() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 3, "kind"], to: "Swish") })
    expect(e, field: "nodes[3] 'relu'.kind", message: "unknown op kind \"Swish\"")
  }

  @Test func missingFields() throws {
    expect(try rejection(try modified { $0.setting(["labels"], to: nil) }), field: "labels", message: "missing required field")
    expect(try rejection(try modified { $0.setting(["nodes", 1, "attributes", "outputChannels"], to: nil) }),
           field: "nodes[1] 'conv'.attributes.outputChannels", message: "missing required field")
    expect(try rejection(try modified { $0.setting(["nodes", 1, "parameters", 0, "offset"], to: nil) }),
           field: "nodes[1] 'conv'.parameters[0].offset", message: "missing")
    expect(try rejection(try modified({ $0.setting(["blob"], to: nil) }, keepChecksum: true)), field: "blob", message: "missing")
  }

  @Test func extraFields() throws {
    expect(try rejection(try modified { $0.setting(["weights"], to: [1, 2]) }), field: "weights", message: "unknown field")
    expect(try rejection(try modified { $0.setting(["nodes", 4, "attributes", "ceilMode"], to: true) }),
           field: "nodes[4] 'pool'.attributes.ceilMode", message: "unknown field")
    expect(try rejection(try modified { $0.setting(["nodes", 3, "attributes"], to: ["alpha": 0.1]) }),
           field: "nodes[3] 'relu'.attributes.alpha", message: "unknown field")
  }

  @Test func wrongTypes() throws {
    expect(try rejection(try modified { $0.setting(["nodes", 1, "attributes", "kernel"], to: [3, 3.5]) }),
           field: "nodes[1] 'conv'.attributes.kernel[1]", message: "expected an integer")
    expect(try rejection(try modified { $0.setting(["nodes", 1, "attributes", "padding"], to: "full") }),
           field: "nodes[1] 'conv'.attributes.padding", message: "\"same\", \"valid\"")
    expect(try rejection(try modified { $0.setting(["provenance"], to: "me") }), field: "provenance", message: "object")
    expect(try rejection(try modified { $0.setting(["nodes", 1, "parameters", 0, "role"], to: "kernel") }),
           field: "parameters[0].role", message: "unknown parameter role")
  }

  // MARK: Parameters and blob

  @Test func parameterOutsideTheBlob() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 6, "parameters", 1, "offset"], to: 100_000) })
    expect(e, field: "nodes[6] 'fc'.parameters[1]", message: "outside the blob")
  }

  @Test func overlappingParameters() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 1, "parameters", 1, "offset"], to: 10) })
    expect(e, field: "'conv'.parameters", message: "overlap")
  }

  @Test func countDisagreesWithShape() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 1, "parameters", 1, "count"], to: 4) })
    expect(e, field: "nodes[1] 'conv'.parameters[1].count", message: "expected 3")
  }

  @Test func parameterShapeWrongForTheNode() throws {
    // A bias of 4 values on a 3-channel convolution (the blob gains one value).
    let e = try rejection(try modified({
      $0.setting(["nodes", 1, "parameters", 1, "shape"], to: [4]).setting(["nodes", 1, "parameters", 1, "count"], to: 4)
        .setting(["nodes", 1, "parameters", 1, "offset"], to: .integer(blob.count / 4))
    }, blob: { $0.append(contentsOf: [UInt8](repeating: 0, count: 16)) }))
    expect(e, field: "node 'conv'", message: "parameter 'bias' has shape [4], expected [3]")
  }

  @Test func missingParameter() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 2, "parameters", 3], to: nil) })
    expect(e, field: "node 'bn'", message: "missing parameter 'variance'")
  }

  @Test func nanAndInfiniteWeights() throws {
    for bad in [Float.nan, .infinity, -.infinity] {
      let e = try rejection(try modified(blob: { b in
        withUnsafeBytes(of: bad.bitPattern.littleEndian) { b.replaceSubrange(20..<24, with: $0) }
      }))
      expect(e, field: "node 'conv'", message: "value #5")
    }
  }

  // MARK: Graph

  @Test func cycle() throws {
    let e = try rejection(try modified { $0.setting(["nodes", 3, "inputs"], to: ["pool"]) })
    expect(e, field: "node '", message: "cycle")
  }

  @Test func unknownInputAndDuplicateNames() throws {
    expect(try rejection(try modified { $0.setting(["nodes", 3, "inputs"], to: ["bn2"]) }),
           field: "node 'relu'", message: "input 'bn2' is not a node")
    expect(try rejection(try modified { $0.setting(["nodes", 3, "name"], to: "bn") }), field: "node 'bn'", message: "duplicate")
  }

  @Test func shapeMismatches() throws {
    expect(try rejection(try modified { $0.setting(["nodes", 4, "outputShape"], to: [2, 2, 4]) }),
           field: "nodes[4] 'pool'.outputShape", message: "shape inference gives [2, 2, 3]")
    expect(try rejection(try modified { $0.setting(["inputShape"], to: [4, 4, 1]) }),
           field: "inputShape", message: "expected [4, 4, 2]")
    // A dense layer whose weight no longer matches its input (flatten gives 12 features, not 13).
    // (The new weight goes to the end of the blob; its old range becomes an allowed gap.)
    expect(try rejection(try modified({ $0.setting(["nodes", 6, "parameters", 0, "shape"], to: [3, 13])
             .setting(["nodes", 6, "parameters", 0, "count"], to: 39)
             .setting(["nodes", 6, "parameters", 0, "offset"], to: .integer(blob.count / 4)) },
           blob: { $0.append(contentsOf: [UInt8](repeating: 0, count: 39 * 4)) })),
           field: "node 'fc'", message: "has shape [3, 13], expected [3, 12]")
  }

  // MARK: Metadata

  @Test func labelsActivationRangesAndPreprocessing() throws {
    expect(try rejection(try modified { $0.setting(["labels"], to: ["a", "b"]) }), field: "labels", message: "expected 3 labels")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 2, "node"], to: "bn") }),
           field: "activationRanges.ranges[2].node", message: "expected 'relu'")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 2], to: nil) }),
           field: "activationRanges.ranges", message: "one record per node")
    // Histograms (activation window shifts): sparse, increasing indices in range, non-negative counts.
    func histogram(_ indices: [Int], _ counts: [Int], zeros: Int = 0) -> JSONValue {
      ["zeroCount": .integer(zeros), "indices": .array(indices.map { .integer($0) }), "counts": .array(counts.map { .integer($0) })]
    }
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 1, "histogram"], to: histogram([5, 3], [1, 1])) }),
           field: "activationRanges.ranges[1].histogram.indices[1]", message: "expected increasing bin indices")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 1, "histogram"], to: histogram([512], [1])) }),
           field: "activationRanges.ranges[1].histogram.indices[0]", message: "")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 1, "histogram"], to: histogram([3], [-2])) }),
           field: "activationRanges.ranges[1].histogram.counts[0]", message: "")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 1, "histogram"], to: histogram([3, 4], [2])) }),
           field: "activationRanges.ranges[1].histogram.counts", message: "expected 2 integers")
    // Channel means (bias correction): one finite 32-bit number per channel of the node.
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 0, "channelMeans"], to: [0.5, 1, 2]) }),
           field: "activationRanges.ranges[0].channelMeans", message: "expected one mean per channel of 'input' (2), found 3")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 0, "channelMeans"], to: "0.5") }),
           field: "activationRanges.ranges[0].channelMeans", message: "expected an array")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 0, "channelMeans"], to: [1e300]) }),
           field: "activationRanges.ranges[0].channelMeans[0]", message: "32-bit float range")
    expect(try rejection(try modified { $0.setting(["activationRanges", "ranges", 0, "channelMeans"], to: ["x"]) }),
           field: "activationRanges.ranges[0].channelMeans[0]", message: "expected a number")
    #expect(try ModelFile(singleFileData: try modified {
      $0.setting(["activationRanges", "ranges", 0, "channelMeans"], to: [0.25, -2])
    }, file: "x").activationRanges?.ranges[0].channelMeans == [0.25, -2])
    expect(try rejection(try modified { $0.setting(["preprocessing", "standardDeviation"], to: [0.5, 0]) }),
           field: "preprocessing", message: "> 0")
    expect(try rejection(try modified { $0.setting(["preprocessing", "scale"], to: 1e300) }),
           field: "preprocessing.scale", message: "32-bit float range")
  }

  /// `activationRanges.outputWindowShifts` (activation windows chosen for the network's output): a valid table
  /// round-trips; a malformed one is rejected naming the field. The tiny model's activation groups start at
  /// input, conv and fc.
  @Test func outputWindowShifts() throws {
    func table(_ nodes: [String] = ["input", "conv", "fc"], shifts: [Int] = Array(repeating: 1, count: 14),
               maximumShift: JSONValue = 4) -> JSONValue {
      ["sampleCount": 16, "weights": "16", "maximumShift": maximumShift,
       "groups": .array(nodes.map { ["node": .string($0), "shifts": .array(shifts.map { .integer($0) })] })]
    }
    let path: [PathComponent] = ["activationRanges", "outputWindowShifts"]
    let model = try ModelFile(singleFileData: try modified { $0.setting(path, to: table()) }, file: "x")
    let read = try #require(model.activationRanges?.outputWindowShifts)
    #expect(read.groups.map(\.node) == ["input", "conv", "fc"] && read.sampleCount == 16 && read.maximumShift == 4)
    #expect(read.weights == .sixteen)
    #expect(read.groups.allSatisfy { $0.shifts == Array(repeating: 1, count: 14) })
    let again = try ModelFile(singleFileData: try model.singleFileData(), file: "y")
    #expect(again.activationRanges == model.activationRanges)
    // Without the table the header has no such key (files written before it are read and written unchanged).
    let plain = String(decoding: try Fixtures.tinyModel().singleFileData(), as: UTF8.self)
    #expect(!plain.contains("outputWindowShifts"))

    expect(try rejection(try modified { $0.setting(path, to: table(["input", "relu", "fc"])) }),
           field: "activationRanges.outputWindowShifts.groups[1].node", message: "expected 'conv'")
    expect(try rejection(try modified { $0.setting(path, to: table(["input", "conv"])) }),
           field: "activationRanges.outputWindowShifts.groups", message: "one record per activation group (3)")
    expect(try rejection(try modified { $0.setting(path, to: table(shifts: [1, 1])) }),
           field: "activationRanges.outputWindowShifts.groups[0].shifts", message: "expected 14 shifts")
    expect(try rejection(try modified { $0.setting(path, to: table(shifts: Array(repeating: 1, count: 13) + [2])) }),
           field: "activationRanges.outputWindowShifts.groups[0].shifts[13]", message: "in 0...1")
    expect(try rejection(try modified { $0.setting(path, to: table(shifts: [-1] + Array(repeating: 0, count: 13))) }),
           field: "activationRanges.outputWindowShifts.groups[0].shifts[0]", message: "")
    expect(try rejection(try modified { $0.setting(path, to: table(maximumShift: 99)) }),
           field: "activationRanges.outputWindowShifts.maximumShift", message: "")
    expect(try rejection(try modified { $0.setting(path, to: table(maximumShift: "four")) }),
           field: "activationRanges.outputWindowShifts.maximumShift", message: "")
    expect(try rejection(try modified { $0.setting(path, to: table()).setting(path + ["weights"], to: "8") }),
           field: "activationRanges.outputWindowShifts.weights", message: "expected \"16\", \"matching\", \"both\"")
    expect(try rejection(try modified { $0.setting(path, to: table()).setting(path + ["weights"], to: nil) }),
           field: "activationRanges.outputWindowShifts.weights", message: "missing required field")
    expect(try rejection(try modified { $0.setting(path, to: [1, 2]) }),
           field: "activationRanges.outputWindowShifts", message: "")
    expect(try rejection(try modified { $0.setting(path, to: table()).setting(path + ["extra"], to: 1) }),
           field: "activationRanges.outputWindowShifts", message: "extra")
    expect(try rejection(try modified { $0.setting(path, to: table()).setting(path + ["groups", 0, "shifts", 2], to: 0.5) }),
           field: "activationRanges.outputWindowShifts.groups[0].shifts", message: "")
  }

  // MARK: Header + blob pair

  @Test func pairRejections() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let model = try Fixtures.tinyModel()
    let path = dir.file("tiny.json")
    try model.write(to: path, layout: .headerAndBlob)
    // Blob truncated.
    let blobPath = dir.file("tiny.bin")
    let blobData = try Data(contentsOf: URL(fileURLWithPath: blobPath))
    try blobData.dropLast(8).write(to: URL(fileURLWithPath: blobPath))
    var text = errorText { _ = try ModelFile.read(from: path) }
    #expect(text.contains("tiny.bin") && text.contains("truncated blob"), "\(text)")
    // Blob missing.
    try FileManager.default.removeItem(atPath: blobPath)
    text = errorText { _ = try ModelFile.read(from: path) }
    #expect(text.contains("tiny.bin") && text.contains("no such file"), "\(text)")
    // Header without blob.file, and a blob file with a path in it.
    var header = try JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: path)))
    try Data(try header.setting(["blob", "file"], to: nil).serialized().utf8).write(to: URL(fileURLWithPath: path))
    text = errorText { _ = try ModelFile.read(from: path) }
    #expect(text.contains("blob.file") && text.contains("must name its blob file"), "\(text)")
    header = header.setting(["blob", "file"], to: "../etc/tiny.bin")
    try Data(try header.serialized().utf8).write(to: URL(fileURLWithPath: path))
    text = errorText { _ = try ModelFile.read(from: path) }
    #expect(text.contains("blob.file") && text.contains("plain file name"), "\(text)")
    // Writing a pair needs a .json path.
    text = errorText { try model.write(to: dir.file("tiny.model"), layout: .headerAndBlob) }
    #expect(text.contains("NAME.json"))
  }

  @Test func writingRejectsInconsistentModels() throws {
    var model = try Fixtures.tinyModel()
    model.labels = ["only one"]
    #expect(errorText { _ = try model.singleFileData(file: "out.psmodel") }.contains("labels"))
    model = try Fixtures.tinyModel()
    model.name = ""
    #expect(errorText { _ = try model.singleFileData() }.contains("name"))
    model = try Fixtures.tinyModel()
    model.provenance = ["x": .number(.nan)]
    #expect(errorText { _ = try model.singleFileData() }.contains("provenance.x"))
  }
}
