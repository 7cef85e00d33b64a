import Foundation
import NetworkEngine

/// The JSON header of a model file, read strictly (schema version 1; see docs/model-format.md).
struct ModelHeader {
  struct ParameterEntry {
    var role: ParameterRole
    var shape: [Int]
    var offset: Int
    var count: Int
    var path: String
  }

  struct NodeEntry {
    var name: String
    var operation: NetworkEngine.Operation
    var inputs: [String]
    var outputShape: TensorShape
    var parameters: [ParameterEntry]
    var path: String
  }

  /// The operator kinds of schema version 1, in documentation order.
  static let kinds = ["Input", "Conv2D", "Dense", "BatchNorm", "ReLU", "ReLU6", "MaxPool", "AvgPool",
                      "GlobalAvgPool", "Add", "Flatten", "Softmax"]
  /// The largest blob accepted: 2^32 float32 values (16 GiB), so byte counts never overflow.
  static let maximumBlobElements = 1 << 32

  var name: String
  var description: String?
  var inputShape: TensorShape
  var nodes: [NodeEntry]
  var preprocessing: InputPreprocessing
  var inputEncoding: InputEncoding
  var labels: [String]
  var activationRanges: ActivationRanges?
  var provenance: JSONValue
  var metrics: JSONValue?
  var audioFrontEnd: AudioFrontEnd?
  var blobElementCount: Int
  var blobSHA256: String
  var blobFile: String?

  // MARK: Decoding

  init(json: JSONValue) throws(SchemaError) {
    var root = try StrictObject(json, path: "")
    // Identify the document and its version before anything else, so that a future version gets a clear message.
    let format = try root.string("format")
    guard format == ModelFile.formatName else {
      throw SchemaError(path: "format", message: "expected \"\(ModelFile.formatName)\", found \"\(format)\"")
    }
    let version = try root.required("schemaVersion")
    guard case .integer(let v) = version else {
      throw SchemaError(path: "schemaVersion", message: "expected an integer, found \(version.typeName)")
    }
    guard v == ModelFile.schemaVersion else {
      throw SchemaError(path: "schemaVersion",
        message: "unknown schema version \(v); this precsearch reads version \(ModelFile.schemaVersion)")
    }
    name = try root.string("name")
    description = try root.optionalString("description")
    inputShape = try Self.shape(try root.required("inputShape"), path: "inputShape")
    let nodeValues = try root.array("nodes")
    var nodes: [NodeEntry] = []
    for (i, value) in nodeValues.enumerated() { nodes.append(try Self.node(value, path: "nodes[\(i)]")) }
    self.nodes = nodes
    var pre = try StrictObject(try root.required("preprocessing"), path: "preprocessing")
    preprocessing = InputPreprocessing(scale: try pre.float("scale"), mean: try pre.floats("mean"),
                                       standardDeviation: try pre.floats("standardDeviation"))
    try pre.finish()
    if let value = root.optional("inputEncoding") {
      guard let text = value.stringValue, let encoding = InputEncoding(rawValue: text) else {
        let found = value.stringValue.map { "\"\($0)\"" } ?? value.typeName
        throw SchemaError(path: "inputEncoding", message: "expected \"uint8\" or \"int8\", found \(found)")
      }
      inputEncoding = encoding
    } else {
      inputEncoding = .uint8
    }
    labels = try root.strings("labels")
    if let value = root.optional("activationRanges") {
      var ranges = try StrictObject(value, path: "activationRanges")
      let sampleCount = try ranges.integer("sampleCount", in: 0...Int.max)
      var records: [ActivationRange] = []
      for (i, r) in try ranges.array("ranges").enumerated() {
        let path = "activationRanges.ranges[\(i)]"
        var record = try StrictObject(r, path: path)
        var histogram: MagnitudeHistogram?
        if let value = record.optional("histogram") {
          histogram = try Self.histogram(value, path: path + ".histogram")
        }
        var channelMeans: [Float]?
        if record.optional("channelMeans") != nil { channelMeans = try record.floats("channelMeans") }
        records.append(ActivationRange(node: try record.string("node"), maxMagnitude: try record.float("maxMagnitude"),
                                       maxPositive: try record.float("maxPositive"), histogram: histogram,
                                       channelMeans: channelMeans))
        try record.finish()
      }
      var outputWindowShifts: OutputWindowShifts?
      if let value = ranges.optional("outputWindowShifts") {
        outputWindowShifts = try Self.outputWindowShifts(value, path: "activationRanges.outputWindowShifts")
      }
      try ranges.finish()
      activationRanges = ActivationRanges(ranges: records, sampleCount: sampleCount, outputWindowShifts: outputWindowShifts)
    }
    provenance = try root.required("provenance")
    guard provenance.objectValue != nil else {
      throw SchemaError(path: "provenance", message: "expected an object, found \(provenance.typeName)")
    }
    metrics = root.optional("metrics")
    if let metrics, metrics.objectValue == nil {
      throw SchemaError(path: "metrics", message: "expected an object, found \(metrics.typeName)")
    }
    if let name = try root.optionalString("audioFrontEnd") {
      guard let frontEnd = AudioFrontEnd(rawValue: name) else {
        throw SchemaError(path: "audioFrontEnd", message: "unknown audio front-end \"\(name)\"; expected one of "
          + AudioFrontEnd.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
      }
      audioFrontEnd = frontEnd
    }
    var blob = try StrictObject(try root.required("blob"), path: "blob")
    blobElementCount = try blob.integer("elementCount", in: 0...Self.maximumBlobElements)
    blobSHA256 = try blob.string("sha256")
    guard blobSHA256.utf8.count == 64, blobSHA256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
      throw SchemaError(path: "blob.sha256", message: "expected 64 lowercase hexadecimal characters")
    }
    blobFile = try blob.optionalString("file")
    if let file = blobFile {
      guard !file.isEmpty, file != ".", file != "..", !file.contains("/"), !file.contains("\\") else {
        throw SchemaError(path: "blob.file", message: "expected a plain file name in the header's directory, found \"\(file)\"")
      }
    }
    try blob.finish()
    try root.finish()
  }

  /// A sparse `MagnitudeHistogram` (`zeroCount`, increasing `indices`, one of `counts` per index).
  static func histogram(_ value: JSONValue, path: String) throws(SchemaError) -> MagnitudeHistogram {
    var object = try StrictObject(value, path: path)
    let zeroCount = try object.integer("zeroCount", in: 0...Int.max)
    let indices = try object.integers("indices")
    let counts = try object.integers("counts")
    try object.finish()
    do { return try MagnitudeHistogram(zeroCount: zeroCount, indices: indices, counts: counts) } catch {
      throw SchemaError(path: path + "." + error.field, message: error.message)
    }
  }

  /// An `OutputWindowShifts` table (`sampleCount`, `weights`, `maximumShift`, `groups` of `node` and `shifts`); the shifts'
  /// fit to the network is checked by `ModelFile.validate`.
  static func outputWindowShifts(_ value: JSONValue, path: String) throws(SchemaError) -> OutputWindowShifts {
    var object = try StrictObject(value, path: path)
    let sampleCount = try object.integer("sampleCount", in: 0...Int.max)
    let weightsName = try object.string("weights")
    guard let weights = OutputWindowShifts.CalibrationWeights(rawValue: weightsName) else {
      throw SchemaError(path: path + ".weights", message: "expected "
        + OutputWindowShifts.CalibrationWeights.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        + ", found \"\(weightsName)\"")
    }
    let maximumShift = try object.integer("maximumShift", in: 0...14)
    var groups: [OutputWindowShifts.Group] = []
    for (g, entry) in try object.array("groups").enumerated() {
      var record = try StrictObject(entry, path: path + ".groups[\(g)]")
      groups.append(OutputWindowShifts.Group(node: try record.string("node"), shifts: try record.integers("shifts")))
      try record.finish()
    }
    try object.finish()
    return OutputWindowShifts(sampleCount: sampleCount, weights: weights, maximumShift: maximumShift, groups: groups)
  }

  static func shape(_ value: JSONValue, path: String) throws(SchemaError) -> TensorShape {
    let a = try StrictObject.array(value, path: path)
    guard a.count == 3 else {
      throw SchemaError(path: path, message: "expected [height, width, channels] (3 integers), found \(a.count) elements")
    }
    var d: [Int] = []
    for (i, v) in a.enumerated() {
      d.append(try StrictObject.integer(v, path: "\(path)[\(i)]", in: 1...Network.maximumElementCount))
    }
    return TensorShape(height: d[0], width: d[1], channels: d[2])
  }

  static func padding(_ value: JSONValue, path: String) throws(SchemaError) -> Padding {
    switch value {
    case .string("same"): return .same
    case .string("valid"): return .valid
    case .object:
      var o = try StrictObject(value, path: path)
      let limit = 0...ShapeInference.maximumWindowExtent
      let p = Padding.explicit(top: try o.integer("top", in: limit), bottom: try o.integer("bottom", in: limit),
                               left: try o.integer("left", in: limit), right: try o.integer("right", in: limit))
      try o.finish()
      return p
    default:
      throw SchemaError(path: path,
        message: "expected \"same\", \"valid\" or an object {top, bottom, left, right}, found \(value.stringValue.map { "\"\($0)\"" } ?? value.typeName)")
    }
  }

  static func node(_ value: JSONValue, path: String) throws(SchemaError) -> NodeEntry {
    var o = try StrictObject(value, path: path)
    let name = try o.string("name")
    let kind = try o.string("kind")
    let nodePath = "\(path) '\(name)'"
    let inputs = try o.strings("inputs")
    let outputShape = try shape(try o.required("outputShape"), path: "\(nodePath).outputShape")
    let attributesValue = o.optional("attributes")
    let window = 1...ShapeInference.maximumWindowExtent
    let sizes = 1...Network.maximumElementCount
    var a = try StrictObject(attributesValue ?? .emptyObject, path: "\(nodePath).attributes")
    let operation: NetworkEngine.Operation
    switch kind {
    case "Input":
      operation = .input(try shape(try a.required("shape"), path: "\(nodePath).attributes.shape"))
    case "Conv2D":
      let kernel = try a.integers("kernel", count: 2, in: window)
      let strides = if a.members["strides"] == nil { [1, 1] } else { try a.integers("strides", count: 2, in: window) }
      let dilation = if a.members["dilation"] == nil { [1, 1] } else { try a.integers("dilation", count: 2, in: window) }
      let groups = if a.members["groups"] == nil { 1 } else { try a.integer("groups", in: sizes) }
      operation = .conv2D(Conv2DAttributes(
        outputChannels: try a.integer("outputChannels", in: sizes), kernelHeight: kernel[0], kernelWidth: kernel[1],
        strideHeight: strides[0], strideWidth: strides[1], dilationHeight: dilation[0], dilationWidth: dilation[1],
        padding: try padding(try a.required("padding"), path: "\(nodePath).attributes.padding"), groups: groups))
    case "Dense":
      operation = .dense(DenseAttributes(outputFeatures: try a.integer("outputFeatures", in: sizes)))
    case "BatchNorm":
      operation = .batchNorm(epsilon: try a.float("epsilon"))
    case "MaxPool", "AvgPool":
      let kernel = try a.integers("kernel", count: 2, in: window)
      let strides = if a.members["strides"] == nil { kernel } else { try a.integers("strides", count: 2, in: window) }
      let pad = if let v = a.optional("padding") { try padding(v, path: "\(nodePath).attributes.padding") } else { Padding.valid }
      let p = PoolAttributes(kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: strides[0],
                             strideWidth: strides[1], padding: pad)
      operation = kind == "MaxPool" ? .maxPool(p) : .avgPool(p)
    case "ReLU": operation = .relu
    case "ReLU6": operation = .relu6
    case "GlobalAvgPool": operation = .globalAvgPool
    case "Add": operation = .add
    case "Flatten": operation = .flatten
    case "Softmax": operation = .softmax
    default:
      throw SchemaError(path: "\(nodePath).kind",
        message: "unknown op kind \"\(kind)\"; schema version 1 knows \(kinds.joined(separator: ", "))")
    }
    try a.finish()
    var parameters: [ParameterEntry] = []
    if let list = o.optional("parameters") {
      for (j, p) in try StrictObject.array(list, path: "\(nodePath).parameters").enumerated() {
        parameters.append(try parameter(p, path: "\(nodePath).parameters[\(j)]"))
      }
    }
    try o.finish()
    return NodeEntry(name: name, operation: operation, inputs: inputs, outputShape: outputShape,
                     parameters: parameters, path: nodePath)
  }

  static func parameter(_ value: JSONValue, path: String) throws(SchemaError) -> ParameterEntry {
    var o = try StrictObject(value, path: path)
    let roleName = try o.string("role")
    guard let role = ParameterRole(rawValue: roleName) else {
      throw SchemaError(path: "\(path).role", message: "unknown parameter role \"\(roleName)\"; expected one of "
        + ParameterRole.allCases.map(\.rawValue).joined(separator: ", "))
    }
    let shape = try o.integers("shape", in: 1...Network.maximumElementCount)
    var product = 1
    for d in shape {
      let (p, overflow) = product.multipliedReportingOverflow(by: d)
      guard !overflow, p <= Network.maximumElementCount else {
        throw SchemaError(path: "\(path).shape", message: "shape \(shape) has more than \(Network.maximumElementCount) elements")
      }
      product = p
    }
    let offset = try o.integer("offset", in: 0...maximumBlobElements)
    let count = try o.integer("count", in: 0...Network.maximumElementCount)
    guard count == product else {
      throw SchemaError(path: "\(path).count", message: "expected \(product) (the product of shape \(shape)), found \(count)")
    }
    try o.finish()
    return ParameterEntry(role: role, shape: shape, offset: offset, count: count, path: path)
  }

  // MARK: Assembling the model

  /// Checks the blob against the header, builds and validates the network and the model.
  func model(blob: Data, headerFile: String, blobFile: String) throws -> ModelFile {
    func fail(_ field: String, _ message: String) -> ModelFileError {
      ModelFileError(file: headerFile, field: field, message: message)
    }
    let digest = sha256Hex(of: blob)
    guard digest == blobSHA256 else {
      throw ModelFileError(file: blobFile, field: "blob",
        message: "checksum mismatch: the header says sha256 \(blobSHA256), the blob has \(digest) (corrupted or stale blob)")
    }
    // Parameter ranges: inside the blob and pairwise disjoint.
    var ranges: [(offset: Int, count: Int, path: String)] = []
    for node in nodes {
      for p in node.parameters {
        guard p.offset <= blobElementCount, p.count <= blobElementCount - p.offset else {
          throw fail("\(p.path)", "elements \(p.offset)..<\(p.offset + p.count) lie outside the blob of \(blobElementCount) float32 values")
        }
        if p.count > 0 { ranges.append((p.offset, p.count, p.path)) }
      }
    }
    ranges.sort { ($0.offset, $0.path) < ($1.offset, $1.path) }
    for (a, b) in zip(ranges, ranges.dropFirst()) where b.offset < a.offset + a.count {
      throw fail(b.path, "elements \(b.offset)..<\(b.offset + b.count) overlap \(a.path) (elements \(a.offset)..<\(a.offset + a.count))")
    }
    // Values.
    var built: [Node] = []
    blob.withUnsafeBytes { raw in
      for node in nodes {
        var parameters: [ParameterTensor] = []
        for p in node.parameters {
          let values = [Float](unsafeUninitializedCapacity: p.count) { buffer, initialized in
            #if _endian(little)
            // Offsets and counts were checked against the blob size above.
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
              from: UnsafeRawBufferPointer(rebasing: raw[(p.offset * 4)..<((p.offset + p.count) * 4)]))
            #else
            for k in 0..<p.count {
              buffer[k] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (p.offset + k) * 4, as: UInt32.self)))
            }
            #endif
            initialized = p.count
          }
          parameters.append(ParameterTensor(role: p.role, shape: p.shape, values: values))
        }
        built.append(Node(name: node.name, operation: node.operation, inputs: node.inputs, parameters: parameters))
      }
    }
    let network: Network
    do { network = try Network(nodes: built) } catch let e as NetworkError {
      throw fail(e.node.isEmpty ? "nodes" : "node '\(e.node)'", e.message)
    }
    guard network.inputShape == inputShape else {
      throw fail("inputShape", "expected \(Self.text(network.inputShape)) (the Input node's shape), found \(Self.text(inputShape))")
    }
    for node in nodes {
      let i = network.index(of: node.name)!
      guard network.shapes[i] == node.outputShape else {
        throw fail("\(node.path).outputShape",
          "shape inference gives \(Self.text(network.shapes[i])), the file says \(Self.text(node.outputShape))")
      }
    }
    let model = ModelFile(name: name, description: description, network: network, preprocessing: preprocessing,
                          inputEncoding: inputEncoding, labels: labels, activationRanges: activationRanges, provenance: provenance,
                          metrics: metrics, audioFrontEnd: audioFrontEnd)
    try model.validate(file: headerFile)
    return model
  }

  static func text(_ s: TensorShape) -> String { "[\(s.height), \(s.width), \(s.channels)]" }

  // MARK: Encoding

  static func shapeJSON(_ s: TensorShape) -> JSONValue { .integers([s.height, s.width, s.channels]) }

  static func paddingJSON(_ p: Padding) -> JSONValue {
    switch p {
    case .same: return "same"
    case .valid: return "valid"
    case let .explicit(top, bottom, left, right):
      return ["top": .integer(top), "bottom": .integer(bottom), "left": .integer(left), "right": .integer(right)]
    }
  }

  static func attributesJSON(_ operation: NetworkEngine.Operation) -> JSONValue? {
    switch operation {
    case .input(let shape): return ["shape": shapeJSON(shape)]
    case .conv2D(let a):
      return ["outputChannels": .integer(a.outputChannels), "kernel": .integers([a.kernelHeight, a.kernelWidth]),
              "strides": .integers([a.strideHeight, a.strideWidth]),
              "dilation": .integers([a.dilationHeight, a.dilationWidth]),
              "padding": paddingJSON(a.padding), "groups": .integer(a.groups)]
    case .dense(let a): return ["outputFeatures": .integer(a.outputFeatures)]
    case .batchNorm(let epsilon): return ["epsilon": .float(epsilon)]
    case .maxPool(let p), .avgPool(let p):
      return ["kernel": .integers([p.kernelHeight, p.kernelWidth]), "strides": .integers([p.strideHeight, p.strideWidth]),
              "padding": paddingJSON(p.padding)]
    case .relu, .relu6, .globalAvgPool, .add, .flatten, .softmax: return nil
    }
  }

  /// The header of `model`, whose parameters are stored in the blob in node order, each node's in its order.
  static func encode(_ model: ModelFile, blobElementCount: Int, blobSHA256: String, blobFile: String?) -> JSONValue {
    let network = model.network
    var offset = 0
    var nodes: [JSONValue] = []
    for (i, node) in network.nodes.enumerated() {
      var o: [String: JSONValue] = [
        "name": .string(node.name), "kind": .string(node.operation.kind),
        "inputs": .array(node.inputs.map { .string($0) }), "outputShape": shapeJSON(network.shapes[i]),
      ]
      if let attributes = attributesJSON(node.operation) { o["attributes"] = attributes }
      if !node.parameters.isEmpty {
        o["parameters"] = .array(node.parameters.map { p in
          defer { offset += p.values.count }
          return ["role": .string(p.role.rawValue), "shape": .integers(p.shape), "offset": .integer(offset),
                  "count": .integer(p.values.count)]
        })
      }
      nodes.append(.object(o))
    }
    var root: [String: JSONValue] = [
      "format": .string(ModelFile.formatName),
      "schemaVersion": .integer(ModelFile.schemaVersion),
      "name": .string(model.name),
      "inputShape": shapeJSON(network.inputShape),
      "nodes": .array(nodes),
      "preprocessing": ["scale": .float(model.preprocessing.scale), "mean": .floats(model.preprocessing.mean),
                        "standardDeviation": .floats(model.preprocessing.standardDeviation)],
      "labels": .array(model.labels.map { .string($0) }),
      "provenance": model.provenance,
    ]
    if let d = model.description { root["description"] = .string(d) }
    // Written only when not the default, so files of models with 8-bit unsigned inputs are unchanged.
    if model.inputEncoding != .uint8 { root["inputEncoding"] = .string(model.inputEncoding.rawValue) }
    if let m = model.metrics { root["metrics"] = m }
    if let f = model.audioFrontEnd { root["audioFrontEnd"] = .string(f.rawValue) }
    if let ranges = model.activationRanges {
      var object: [String: JSONValue] = [
        "sampleCount": .integer(ranges.sampleCount),
        "ranges": .array(ranges.ranges.map {
          var record: [String: JSONValue] = ["node": .string($0.node), "maxMagnitude": .float($0.maxMagnitude),
                                             "maxPositive": .float($0.maxPositive)]
          if let h = $0.histogram {
            let (indices, counts) = h.nonEmptyBins
            record["histogram"] = ["zeroCount": .integer(h.zeroCount), "indices": .integers(indices),
                                   "counts": .integers(counts)]
          }
          if let means = $0.channelMeans { record["channelMeans"] = .floats(means) }
          return .object(record)
        }),
      ]
      if let table = ranges.outputWindowShifts {
        object["outputWindowShifts"] = [
          "sampleCount": .integer(table.sampleCount), "weights": .string(table.weights.rawValue),
          "maximumShift": .integer(table.maximumShift),
          "groups": .array(table.groups.map { ["node": .string($0.node), "shifts": .integers($0.shifts)] }),
        ]
      }
      root["activationRanges"] = .object(object)
    }
    var blob: [String: JSONValue] = ["elementCount": .integer(blobElementCount), "sha256": .string(blobSHA256)]
    if let blobFile { blob["file"] = .string(blobFile) }
    root["blob"] = .object(blob)
    return .object(root)
  }
}
