import Foundation
import NetworkEngine
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom



enum Fixtures {
  /// `network` with every parameter replaced by seeded random values (variances positive), including a few
  /// special bit patterns (negative zero, subnormals, large magnitudes) to check bit-exact storage.
  static func randomized(_ network: Network, using generator: inout SplitMix64) throws -> Network {
    let specials: [Float] = [-0.0, .leastNonzeroMagnitude, -.leastNormalMagnitude, 1e30, -3.5e-20]
    var nodes = network.nodes
    for i in nodes.indices {
      nodes[i].parameters = nodes[i].parameters.map { p in
        var values = p.values.map { _ in Float.random(in: -2...2, using: &generator) }
        if p.role == .variance { values = values.map { abs($0) + 0.1 } }
        if p.role == .weight {
          for (k, s) in specials.enumerated() where k < values.count { values[k * 7 % values.count] = s }
        }
        return ParameterTensor(role: p.role, shape: p.shape, values: values)
      }
    }
    return try Network(nodes: nodes)
  }

  /// Plausible activation ranges for the folded form of `network`.
  static func ranges(for network: Network, using generator: inout SplitMix64) throws -> ActivationRanges {
    let folded = try network.foldingBatchNorm()
    return ActivationRanges(ranges: folded.nodes.map {
      let m = Float.random(in: 0.5...20, using: &generator)
      return ActivationRange(node: $0.name, maxMagnitude: m, maxPositive: m * 0.75)
    }, sampleCount: 512)
  }

  /// A model file around `network` with every metadata field set.
  static func model(_ network: Network, name: String, using generator: inout SplitMix64) throws -> ModelFile {
    let classes = network.outputShape.channels
    let channels = network.inputShape.channels
    return ModelFile(
      name: name, description: "test model \"\(name)\"\nwith a newline and ü",
      network: network,
      preprocessing: InputPreprocessing(scale: 1.0 / 255, mean: Array(repeating: 0.4914, count: channels),
                                        standardDeviation: Array(repeating: 0.247, count: channels)),
      labels: (0..<classes).map { "class \($0)" },
      activationRanges: try ranges(for: network, using: &generator),
      provenance: ["seed": 42, "epochs": 3, "dataset": ["name": "cifar10", "sha256": "abc"], "commit": nil,
                   "wallSeconds": 12.5, "tags": ["a", true, 1e-7]],
      metrics: ["validationAccuracy": 0.91, "fixedPoint": ["8": 0.905, "4": 0.62]])
  }

  /// A tiny valid network: input 4x4x2, conv 3x3 (2 -> 3, same) + BN + ReLU, flatten, dense 3, softmax.
  static func tinyNetwork(seed: UInt64 = 7) throws -> Network {
    var g = SplitMix64(seed: seed)
    var b = NetworkBuilder(input: TensorShape(height: 4, width: 4, channels: 2))
    try b.conv("conv", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
    b.batchNorm("bn")
    try b.add("relu", .relu)
    try b.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: 3, using: &g)
    try b.add("softmax", .softmax)
    return try randomized(try b.build(), using: &g)
  }

  static func tinyModel() throws -> ModelFile {
    var g = SplitMix64(seed: 11)
    return try model(try tinyNetwork(), name: "tiny", using: &g)
  }
}

/// Bit-exact comparison of two networks' nodes (Float `==` would equate 0 and -0).
func sameNodesBitForBit(_ a: Network, _ b: Network) -> Bool {
  guard a.nodes.count == b.nodes.count else { return false }
  for (x, y) in zip(a.nodes, b.nodes) {
    guard x.name == y.name, x.operation == y.operation, x.inputs == y.inputs,
          x.parameters.count == y.parameters.count else { return false }
    for (p, q) in zip(x.parameters, y.parameters) {
      guard p.role == q.role, p.shape == q.shape, p.values.map(\.bitPattern) == q.values.map(\.bitPattern) else { return false }
    }
  }
  return a.shapes == b.shapes
}

/// The pieces of a single-file model: header JSON (parsed) and blob bytes.
func splitSingleFile(_ data: Data) throws -> (header: JSONValue, blob: Data) {
  let bytes = [UInt8](data)
  let n = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
  let header = try JSONValue.parse(bytes[12..<(12 + n)])
  let start = (12 + n + 15) / 16 * 16
  return (header, Data(bytes[start...]))
}

/// Assembles a single-file model from a header and blob (recomputing nothing).
func assembleSingleFile(header: JSONValue, blob: Data) throws -> Data {
  let text = Array(try header.serialized().utf8)
  var out = Data(ModelFile.magic)
  let n = UInt32(text.count)
  out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)])
  out.append(contentsOf: text)
  out.append(contentsOf: [UInt8](repeating: 0, count: (out.count + 15) / 16 * 16 - out.count))
  out.append(blob)
  return out
}

extension JSONValue {
  /// A copy with the value at `path` (object keys and array indices) replaced, or removed when `value` is nil.
  func setting(_ path: [PathComponent], to value: JSONValue?) -> JSONValue {
    guard let head = path.first else { return value ?? .null }
    let rest = Array(path.dropFirst())
    switch (self, head) {
    case (.object(var o), .key(let k)):
      if rest.isEmpty, value == nil { o[k] = nil } else { o[k] = (o[k] ?? .null).setting(rest, to: value) }
      return .object(o)
    case (.array(var a), .index(let i)):
      if rest.isEmpty, value == nil { a.remove(at: i) } else { a[i] = a[i].setting(rest, to: value) }
      return .array(a)
    default:
      return self
    }
  }
}

enum PathComponent: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
  case key(String)
  case index(Int)
  init(stringLiteral value: String) { self = .key(value) }
  init(integerLiteral value: Int) { self = .index(value) }
}

/// The error's description, or "no error" when `body` succeeds.
func errorText(_ body: () throws -> Void) -> String {
  do { try body(); return "no error" } catch { return "\(error)" }
}
