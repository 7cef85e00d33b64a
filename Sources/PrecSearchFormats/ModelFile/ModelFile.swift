import Foundation
import NetworkEngine

/// How a model file is laid out on disk (see docs/model-format.md).
public enum ModelFileLayout: String, Hashable, Sendable, Codable, CaseIterable {
  /// One file: 8-byte magic `PSMODEL` + NUL, UInt32 little-endian header length, the UTF-8 JSON header, zero
  /// padding to a multiple of 16 bytes, then the little-endian float32 blob.
  case singleFile
  /// Two files: `NAME.json` (the JSON header, which names its blob file) and `NAME.bin` (the float32 blob).
  case headerAndBlob
}

/// How a model's input tensor values are stored in raw tensor files (`labels.csv` data folders, exported C).
///
/// The engine's input is always an unsigned byte `u` per value (pixels, 8-bit MFCC codes), and the model's
/// `preprocessing` maps `u` to the float input. Signed data (an int8 tensor `q`, e.g. MLPerf Tiny's int8 MFCC
/// features) is stored as `u = q + 128` (offset binary), so one preprocessing rule serves both.
public enum InputEncoding: String, Hashable, Sendable, Codable, CaseIterable {
  /// Unsigned bytes (images, the shipped models' features): `u` is the file's byte.
  case uint8
  /// Signed bytes (two's complement int8): `u = q + 128`.
  case int8

  /// The engine's unsigned byte for a file byte.
  @inlinable public func engineByte(_ fileByte: UInt8) -> UInt8 {
    self == .int8 ? fileByte ^ 0x80 : fileByte
  }
}

/// A trained (or initialized) model as stored in a precsearch model file: the network with its float
/// parameters, plus everything needed to use it (input preprocessing, class labels, calibrated activation ranges
/// for the fixed-point engine) and where it came from (provenance, metrics).
///
/// `read(from:)` validates everything and never traps; `write(to:layout:)` is atomic and deterministic
/// (the same model gives byte-identical files).
public struct ModelFile: Sendable {
  /// The schema version this code writes and the only one it reads.
  public static let schemaVersion = 1
  /// The 8 bytes that open a single-file model: ASCII `PSMODEL` followed by a NUL byte.
  public static let magic: [UInt8] = Array("PSMODEL".utf8) + [0]
  /// The value of the header's `format` field.
  public static let formatName = "precsearch-model"
  /// The largest JSON header accepted (64 MiB), far above any real header.
  public static let maximumHeaderLength = 1 << 26

  /// Short model name, e.g. `fashion` (non-empty).
  public var name: String
  /// Optional human-readable description.
  public var description: String?
  /// The network as trained (BatchNorm not folded; inference plans fold it).
  public var network: Network
  /// How raw 8-bit pixels become the network's float input.
  public var preprocessing: InputPreprocessing
  /// How the model's input values are stored in raw tensor files (``InputEncoding``); `preprocessing` always
  /// applies to the unsigned byte `u` of the engine's 8-bit input (for `.int8` data, `u = q + 128`).
  public var inputEncoding: InputEncoding
  /// Class names, one per output channel, or empty when unknown.
  public var labels: [String]
  /// Activation ranges of the BatchNorm-folded network's nodes (in its node order), needed by the fixed-point
  /// engine; nil when the model was never calibrated.
  public var activationRanges: ActivationRanges?
  /// Free-form JSON object: data set and checksum, seed, epochs, commit, wall time, and so on.
  public var provenance: JSONValue
  /// Optional free-form JSON object of measured figures (accuracies, fixed-point baselines, ...).
  public var metrics: JSONValue?
  /// The audio front-end the model reads WAV clips through (header field `audioFrontEnd`), or nil when the file
  /// does not say: then ``audioFrontEndForWAV`` decides from the input shape and the provenance.
  public var audioFrontEnd: AudioFrontEnd?

  /// Creates a model description; `validate()` (called by `write`) checks the parts against each other.
  public init(name: String, description: String? = nil, network: Network,
              preprocessing: InputPreprocessing = .identity, inputEncoding: InputEncoding = .uint8, labels: [String] = [],
              activationRanges: ActivationRanges? = nil, provenance: JSONValue = .emptyObject,
              metrics: JSONValue? = nil, audioFrontEnd: AudioFrontEnd? = nil) {
    self.name = name
    self.description = description
    self.network = network
    self.preprocessing = preprocessing
    self.inputEncoding = inputEncoding
    self.labels = labels
    self.activationRanges = activationRanges
    self.provenance = provenance
    self.metrics = metrics
    self.audioFrontEnd = audioFrontEnd
  }

  /// The front-end a WAV clip goes through for this model: ``audioFrontEnd`` when the file names one, else
  /// `precsearch-40ms` for a 49 x 10 x 1 input of a model that was not imported (no `source` in its provenance;
  /// files written before the field existed), else nil (the model does not read audio). See
  /// `AudioFrontEnd.resolved(declared:inputShape:imported:)`.
  public var audioFrontEndForWAV: AudioFrontEnd? {
    AudioFrontEnd.resolved(declared: audioFrontEnd, inputShape: network.inputShape, imported: provenance["source"] != nil)
  }

  /// Checks what `Network` cannot: non-empty name, preprocessing valid for the input channels, label count equal
  /// to the output channels (or no labels), activation ranges naming the folded network's nodes in order with
  /// finite non-negative values, `provenance` (and `metrics`) being JSON objects, and an `audioFrontEnd` only on a
  /// model whose input is the front-end's 49 x 10 x 1 features.
  /// Throws `ModelFileError` with `file` set to `file`.
  public func validate(file: String = "") throws {
    func fail(_ field: String, _ message: String) -> ModelFileError {
      ModelFileError(file: file, field: field, message: message)
    }
    guard !name.isEmpty else { throw fail("name", "must not be empty") }
    do { try preprocessing.validate(channels: network.inputShape.channels) } catch let e as NetworkError {
      throw fail("preprocessing", e.message)
    }
    let classes = network.outputShape.channels
    guard labels.isEmpty || labels.count == classes else {
      throw fail("labels", "expected \(classes) labels (one per output channel) or none, found \(labels.count)")
    }
    guard provenance.objectValue != nil else { throw fail("provenance", "expected an object, found \(provenance.typeName)") }
    if let metrics, metrics.objectValue == nil { throw fail("metrics", "expected an object, found \(metrics.typeName)") }
    if let audioFrontEnd, network.inputShape != AudioFrontEnd.featureShape {
      let s = network.inputShape, f = AudioFrontEnd.featureShape
      throw fail("audioFrontEnd", "\"\(audioFrontEnd.rawValue)\" gives [\(f.height), \(f.width), \(f.channels)] features, "
        + "but the model's input is [\(s.height), \(s.width), \(s.channels)]")
    }
    if let ranges = activationRanges {
      guard ranges.sampleCount >= 0 else { throw fail("activationRanges.sampleCount", "must be >= 0, found \(ranges.sampleCount)") }
      let folded: Network
      do { folded = try network.foldingBatchNorm() } catch let e as NetworkError {
        throw fail("activationRanges", "the network cannot be folded for inference: \(e.description)")
      }
      guard ranges.ranges.count == folded.nodes.count else {
        throw fail("activationRanges.ranges",
          "expected one record per node of the BatchNorm-folded network (\(folded.nodes.count)), found \(ranges.ranges.count)")
      }
      for (i, (r, node)) in zip(ranges.ranges, folded.nodes).enumerated() {
        guard r.node == node.name else {
          throw fail("activationRanges.ranges[\(i)].node",
            "expected '\(node.name)' (records follow the folded network's node order), found '\(r.node)'")
        }
        guard r.maxMagnitude.isFinite, r.maxPositive.isFinite, r.maxMagnitude >= 0, r.maxPositive >= 0 else {
          throw fail("activationRanges.ranges[\(i)]", "maxMagnitude and maxPositive must be finite and >= 0")
        }
        if let means = r.channelMeans {
          let channels = folded.shapes[i].channels
          guard means.count == channels else {
            throw fail("activationRanges.ranges[\(i)].channelMeans",
              "expected one mean per channel of '\(node.name)' (\(channels)), found \(means.count)")
          }
          guard means.allSatisfy(\.isFinite) else {
            throw fail("activationRanges.ranges[\(i)].channelMeans", "means must be finite")
          }
        }
      }
      if let table = ranges.outputWindowShifts,
         let (field, message) = table.problem(heads: FixedPointModel.activationGroups(of: folded).heads.map { folded.nodes[$0].name }) {
        throw fail("activationRanges.outputWindowShifts.\(field)", message)
      }
    }
  }
}

// MARK: - Reading

extension ModelFile {
  /// Reads a model file in either layout, detected from its first bytes: the magic `PSMODEL\0` means a single
  /// file; text starting with `{` means the JSON header of a header+blob pair, whose blob file (named in the
  /// header) sits in the same directory.
  ///
  /// Throws `ModelFileError` naming the file and the field or node for every defect (never traps).
  public static func read(from path: String) throws -> ModelFile {
    let data: Data
    do { data = try FileIO.readData(at: path) } catch let e as FileAccessError {
      throw ModelFileError(file: path, field: "", message: e.message)
    }
    switch try detectLayout(of: data, file: path) {
    case .singleFile:
      return try ModelFile(singleFileData: data, file: path)
    case .headerAndBlob:
      let header = try parseHeader(Array(data), file: path)
      guard let blobName = header.blobFile else {
        throw ModelFileError(file: path, field: "blob.file",
          message: "a separate JSON header must name its blob file (a single-file model starts with the magic instead)")
      }
      let blobPath = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(blobName).path
      let blob: Data
      do { blob = try FileIO.readData(at: blobPath) } catch let e as FileAccessError {
        throw ModelFileError(file: blobPath, field: "", message: "blob file named by '\(path)': \(e.message)")
      }
      guard blob.count == header.blobElementCount * 4 else {
        throw ModelFileError(file: blobPath, field: "",
          message: "\(blob.count < header.blobElementCount * 4 ? "truncated blob" : "blob too long"): expected \(header.blobElementCount * 4) bytes (\(header.blobElementCount) float32 values, as the header says), found \(blob.count)")
      }
      return try header.model(blob: blob, headerFile: path, blobFile: blobPath)
    }
  }

  /// The layout of model bytes, from their first bytes (see `read(from:)`).
  public static func detectLayout(of data: Data, file: String) throws -> ModelFileLayout {
    if data.count >= magic.count, Array(data.prefix(magic.count)) == magic { return .singleFile }
    if let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }), first == UInt8(ascii: "{") {
      return .headerAndBlob
    }
    if data.isEmpty { throw ModelFileError(file: file, field: "", message: "the file is empty") }
    if data.count < magic.count, magic.starts(with: Array(data)) {
      throw ModelFileError(file: file, field: "magic", message: "truncated: the file has only \(data.count) bytes")
    }
    throw ModelFileError(file: file, field: "magic",
      message: "not a precsearch model: expected the magic bytes 'PSMODEL\\0' (single file) or a JSON header starting with '{'")
  }

  /// Decodes a single-file model from memory; `file` names it in errors.
  public init(singleFileData data: Data, file: String) throws {
    let bytes = [UInt8](data)
    let preamble = Self.magic.count + 4
    guard bytes.count >= preamble else {
      throw ModelFileError(file: file, field: "header length",
        message: "truncated: the file has \(bytes.count) bytes, fewer than the \(preamble)-byte preamble (magic + header length)")
    }
    guard Array(bytes[0..<Self.magic.count]) == Self.magic else {
      throw ModelFileError(file: file, field: "magic", message: "expected the magic bytes 'PSMODEL\\0' at offset 0")
    }
    let lengthBytes = bytes[Self.magic.count..<preamble]
    let headerLength = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
    guard headerLength <= Self.maximumHeaderLength else {
      throw ModelFileError(file: file, field: "header length",
        message: "header length \(headerLength) exceeds the maximum \(Self.maximumHeaderLength) bytes")
    }
    guard preamble + headerLength <= bytes.count else {
      throw ModelFileError(file: file, field: "header length",
        message: "truncated header: header length \(headerLength) at offset \(Self.magic.count) reaches byte \(preamble + headerLength), beyond the file size \(bytes.count)")
    }
    let header = try Self.parseHeader(bytes[preamble..<(preamble + headerLength)], file: file)
    if header.blobFile != nil {
      throw ModelFileError(file: file, field: "blob.file", message: "a single-file model must not name a separate blob file")
    }
    let blobStart = Self.paddedLength(preamble + headerLength)
    guard blobStart <= bytes.count else {
      throw ModelFileError(file: file, field: "padding",
        message: "truncated: the header ends at byte \(preamble + headerLength), zero padding to byte \(blobStart) is missing")
    }
    if let nonzero = (preamble + headerLength..<blobStart).first(where: { bytes[$0] != 0 }) {
      throw ModelFileError(file: file, field: "padding", message: "byte \(nonzero) of the padding after the header is not zero")
    }
    let blobBytes = bytes.count - blobStart
    guard blobBytes == header.blobElementCount * 4 else {
      throw ModelFileError(file: file, field: "blob",
        message: "\(blobBytes < header.blobElementCount * 4 ? "truncated blob" : "unexpected bytes after the blob"): the header declares \(header.blobElementCount) float32 values (\(header.blobElementCount * 4) bytes from offset \(blobStart)), the file has \(blobBytes) bytes there")
    }
    self = try header.model(blob: data.subdata(in: data.startIndex + blobStart..<data.endIndex), headerFile: file, blobFile: file)
  }

  /// `length` rounded up to a multiple of 16.
  static func paddedLength(_ length: Int) -> Int { (length + 15) / 16 * 16 }

  static func parseHeader(_ bytes: some Collection<UInt8>, file: String) throws -> ModelHeader {
    let json: JSONValue
    do { json = try JSONValue.parse(bytes) } catch {
      throw ModelFileError(file: file, field: "header", message: error.description)
    }
    do { return try ModelHeader(json: json) } catch {
      throw ModelFileError(file: file, field: error.path, message: error.message)
    }
  }
}

// MARK: - Writing

extension ModelFile {
  /// Writes the model atomically (temporary file in the same directory, then rename) and deterministically
  /// (sorted JSON keys, parameters in node order, so the same model gives byte-identical files).
  ///
  /// - `.singleFile`: `path` is the model file.
  /// - `.headerAndBlob`: `path` must end in `.json`; the blob goes next to it with `.bin` instead (written first,
  ///   so a reader never finds a header whose blob is missing; the header's `blob.sha256` detects a stale blob).
  ///
  /// Throws `ModelFileError` when the model is inconsistent (see `validate`) or the file cannot be written.
  public func write(to path: String, layout: ModelFileLayout = .singleFile) throws {
    try validate(file: path)
    do {
      switch layout {
      case .singleFile:
        try FileIO.writeAtomically(try singleFileData(file: path), to: path)
      case .headerAndBlob:
        guard path.hasSuffix(".json"), path.count > 5 else {
          throw ModelFileError(file: path, field: "", message: "a header+blob model is written to NAME.json (the blob goes to NAME.bin)")
        }
        let blobPath = String(path.dropLast(5)) + ".bin"
        let blobName = URL(fileURLWithPath: blobPath).lastPathComponent
        let (header, blob) = try encodedParts(blobFile: blobName, file: path)
        try FileIO.writeAtomically(blob, to: blobPath)
        try FileIO.writeAtomically(Data(header.utf8) + Data([0x0A]), to: path)
      }
    } catch let e as FileAccessError {
      throw ModelFileError(file: e.file, field: "", message: e.message)
    }
  }

  /// The bytes of the single-file layout (what `write(to:layout: .singleFile)` writes).
  public func singleFileData(file: String = "") throws -> Data {
    try validate(file: file)
    let (header, blob) = try encodedParts(blobFile: nil, file: file)
    let headerBytes = Array(header.utf8)
    guard headerBytes.count <= Self.maximumHeaderLength else {
      throw ModelFileError(file: file, field: "header", message: "the JSON header would be \(headerBytes.count) bytes, above the maximum \(Self.maximumHeaderLength)")
    }
    var out = Data(Self.magic)
    let n = UInt32(headerBytes.count)
    out.append(contentsOf: [UInt8(truncatingIfNeeded: n), UInt8(truncatingIfNeeded: n >> 8),
                            UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 24)])
    out.append(contentsOf: headerBytes)
    out.append(contentsOf: [UInt8](repeating: 0, count: Self.paddedLength(out.count) - out.count))
    out.append(blob)
    return out
  }

  /// The pretty-printed JSON header text and the blob bytes.
  func encodedParts(blobFile: String?, file: String) throws -> (String, Data) {
    var blob = Data()
    var values: [Float] = []
    for node in network.nodes { for p in node.parameters { values.append(contentsOf: p.values) } }
    #if _endian(little)
    values.withUnsafeBytes { blob.append(contentsOf: $0) }  // float32 in memory is already little-endian
    #else
    blob.reserveCapacity(values.count * 4)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { blob.append(contentsOf: $0) } }
    #endif
    let json = ModelHeader.encode(self, blobElementCount: values.count, blobSHA256: sha256Hex(of: blob), blobFile: blobFile)
    do {
      return (try json.serialized(pretty: true), blob)
    } catch {
      throw ModelFileError(file: file, field: error.path, message: error.message)
    }
  }
}
