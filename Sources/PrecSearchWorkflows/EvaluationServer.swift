import EnergyModel
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecisionSearch

/// The state of `serve` between requests: the problem (memo and front), the counts, and the request protocol.
public struct EvaluationServer {
  /// Provenance shown by `describe`.
  public struct Information: Sendable {
    /// The model's name, where it came from and its checksum.
    public var modelName: String, modelSource: String, modelSHA256: String
    /// The data set's name, where the validation split came from and its content checksum.
    public var dataName: String, validationSource: String, validationSHA256: String
    /// The energy table's name and checksum.
    public var energyModel: String, energyModelSHA256: String
    /// The window search and screening settings, as `optimize` records them.
    public var windowSearch: String, screening: String
    /// The weight granularity (`per-channel`); nil for `per-tensor` (then not shown, as before it existed).
    public var weightGranularity: String? = nil
    /// The bias correction (`on`); nil for `off` (then not shown, as before it existed).
    public var biasCorrection: String? = nil
    /// The tool's name, version and source commit.
    public var toolName: String, toolVersion: String, commit: String

    /// Creates the provenance shown by `describe`.
    public init(modelName: String, modelSource: String, modelSHA256: String, dataName: String, validationSource: String,
                validationSHA256: String, energyModel: String, energyModelSHA256: String, windowSearch: String,
                screening: String, toolName: String, toolVersion: String, commit: String) {
      self.modelName = modelName; self.modelSource = modelSource; self.modelSHA256 = modelSHA256
      self.dataName = dataName; self.validationSource = validationSource; self.validationSHA256 = validationSHA256
      self.energyModel = energyModel; self.energyModelSHA256 = energyModelSHA256
      self.windowSearch = windowSearch; self.screening = screening
      self.toolName = toolName; self.toolVersion = toolVersion; self.commit = commit
    }
  }

  /// A failure to set the server up (the energy model cannot price the uniform 16-bit configuration).
  public struct SetupError: Error, CustomStringConvertible {
    /// What is wrong.
    public var description: String
  }

  /// A uniform baseline measured at start-up.
  public struct Baseline: Sendable {
    /// Bits of every weight and activation.
    public var bits: Int
    /// The measurement on the validation split.
    public var measurement: PrecisionMeasurement
  }

  /// The request keys the server knows.
  static let knownKeys = ["activationBits", "batch", "describe", "front", "id", "weightBits"]

  /// The genes, as `optimize` builds them from the same options.
  public let space: PrecisionSearchSpace
  /// The energy at uniform 16 bits, in pJ (what relative energies divide by).
  public let uniform16BitPicojoules: Double
  /// The hypervolume `optimize` reports (`hypervolume.final`): `HypervolumeIndicator.energyAccuracy`.
  public let hypervolumeIndicator: HypervolumeIndicator
  /// `optimize`'s uniform baselines (`OptimizationRun.baselineBits`), measured on the whole validation split
  /// before any request.
  public let baselines: [Baseline]
  /// The images in the validation split.
  public let imageCount: Int
  /// Shown by `describe`.
  public let information: Information
  /// Memo, screening and front: the path `optimize`'s measurements take.
  public private(set) var problem: PrecisionProblem
  /// Configurations asked for by requests, memo hits included (what `optimize` counts as evaluations).
  public private(set) var evaluations = 0
  /// Of those, the ones answered from the memo (or by an earlier configuration of the same batch).
  public private(set) var memoHits = 0

  /// Measures the uniform baselines as `optimize` does (one batch, every image) and records those inside the
  /// space in the memo and front, where they screen later configurations, without counting them.
  public init(space: PrecisionSearchSpace, evaluator: PrecisionEvaluator, information: Information) throws {
    self.space = space
    self.information = information
    imageCount = evaluator.split.count
    problem = try PrecisionProblem(space: space, evaluator: evaluator)
    let uniform16 = problem.uniform16BitPicojoules
    guard uniform16.isFinite, uniform16 > 0 else {
      throw SetupError(description: "the energy model gives the uniform 16-bit configuration \(uniform16) pJ; expected a positive energy")
    }
    uniform16BitPicojoules = uniform16
    hypervolumeIndicator = try HypervolumeIndicator.energyAccuracy(uniform16BitPicojoules: uniform16)
    let layerCount = space.layerCount
    let configurations = OptimizationRun.baselineBits.map { PrecisionConfiguration.uniform($0, layerCount: layerCount) }
    // With an empty front nothing is screened, so this is `evaluator.measure(configurations)` as in `optimize`.
    let inside = configurations.filter(space.contains)
    _ = try problem.evaluate(inside.map(space.genome(of:)))
    let outside = configurations.filter { !space.contains($0) }
    let outsideMeasurements = outside.isEmpty ? [] : try evaluator.measure(outside)
    var baselines: [Baseline] = []
    for (bits, configuration) in zip(OptimizationRun.baselineBits, configurations) {
      let measurement = space.contains(configuration)
        ? problem.memo[space.genome(of: configuration)]!
        : outsideMeasurements[outside.firstIndex(of: configuration)!]
      baselines.append(Baseline(bits: bits, measurement: measurement))
    }
    self.baselines = baselines
  }

  // MARK: - Requests

  /// A request's mistake: the message names the field and what was expected.
  struct RequestError: Error {
    var message: String
  }

  /// The answer line to one request line (without its line break), or `nil` for a blank line.
  public mutating func answer(_ line: String, lineNumber: Int) -> String? {
    if line.allSatisfy(\.isWhitespace) { return nil }
    var id: JSONValue = .null
    var response: [String: JSONValue]
    do {
      let request: JSONValue
      do {
        request = try JSONValue.parse(line)
      } catch {
        throw RequestError(message: "line \(lineNumber) is not JSON (\(error)); expected one JSON object per line")
      }
      guard let object = request.objectValue else {
        throw RequestError(message: "line \(lineNumber) is a JSON \(request.typeName); expected a JSON object such as "
          + #"{"id": 1, "describe": true}"#)
      }
      id = object["id"] ?? .null
      response = try respond(to: object)
    } catch let error as RequestError {
      response = ["error": .string(error.message)]
    } catch {
      response = ["error": .string("the evaluation failed: \(Self.describe(error))")]
    }
    response["id"] = id
    do {
      return try JSONValue.object(response).serialized(pretty: false)
    } catch {
      // Only a non-finite number cannot be written; every number above is finite, but never send a broken line.
      return try! JSONValue.object(["id": id, "error": .string("internal error: \(error)")]).serialized(pretty: false)
    }
  }

  /// The answer to one request object (without `id`).
  mutating func respond(to request: [String: JSONValue]) throws -> [String: JSONValue] {
    let unknown = request.keys.filter { !Self.knownKeys.contains($0) }.sorted()
    if let key = unknown.first {
      throw RequestError(message: "unknown field '\(key)'; expected the fields "
        + Self.knownKeys.map { "'\($0)'" }.joined(separator: ", ") + " (docs/serve.md)")
    }
    let kinds = [
      request["describe"] != nil ? "describe" : nil,
      request["front"] != nil ? "front" : nil,
      request["weightBits"] != nil || request["activationBits"] != nil ? "weightBits/activationBits" : nil,
      request["batch"] != nil ? "batch" : nil,
    ].compactMap { $0 }
    guard kinds.count == 1 else {
      throw RequestError(message: kinds.isEmpty
        ? "the request asks for nothing; expected one of 'describe': true, 'front': true, 'weightBits' with "
          + "'activationBits', or 'batch'"
        : "the request mixes " + kinds.map { "'\($0)'" }.joined(separator: " and ") + "; expected exactly one kind of request per line")
    }
    switch kinds[0] {
    case "describe":
      guard request["describe"] == .bool(true) else {
        throw RequestError(message: "'describe' is \(Self.shown(request["describe"]!)); expected true")
      }
      return describe()
    case "front":
      guard request["front"] == .bool(true) else {
        throw RequestError(message: "'front' is \(Self.shown(request["front"]!)); expected true")
      }
      return try front()
    case "batch":
      guard let items = request["batch"]?.arrayValue else {
        throw RequestError(message: "'batch' is \(Self.shown(request["batch"]!)); expected an array of objects "
          + #"{"weightBits": [...], "activationBits": [...]}"#)
      }
      var genomes: [[Int]] = []
      for (index, item) in items.enumerated() {
        let field = "batch[\(index)]"
        guard let object = item.objectValue else {
          throw RequestError(message: "'\(field)' is \(Self.shown(item)); expected an object "
            + #"{"weightBits": [...], "activationBits": [...]}"#)
        }
        if let key = object.keys.filter({ $0 != "weightBits" && $0 != "activationBits" }).sorted().first {
          throw RequestError(message: "unknown field '\(field).\(key)'; expected only 'weightBits' and 'activationBits'")
        }
        genomes.append(try genome(object, prefix: field + "."))
      }
      let results = try evaluate(genomes)
      return ["results": .array(results.map(JSONValue.object)), "evaluations": .integer(evaluations)]
    default:
      var result = try evaluate([try genome(request, prefix: "")])[0]
      result["evaluations"] = .integer(evaluations)
      return result
    }
  }

  /// The genome of `{"weightBits": [...], "activationBits": [...]}`, every width checked against its layer's
  /// allowed values.
  func genome(_ object: [String: JSONValue], prefix: String) throws -> [Int] {
    let weights = try widths(object["weightBits"], field: prefix + "weightBits", domains: space.weightDomains,
                             what: "weight")
    let activations = try widths(object["activationBits"], field: prefix + "activationBits",
                                 domains: space.activationDomains, what: "activation")
    return zip(weights, activations).flatMap { [$0, $1] }
  }

  func widths(_ value: JSONValue?, field: String, domains: [GeneDomain], what: String) throws -> [Int] {
    let count = space.layerCount
    let expected = "an array of \(count) integer bit-widths, one per weighted layer ("
      + space.layerNames.joined(separator: ", ") + ")"
    guard let value else { throw RequestError(message: "'\(field)' is missing; expected \(expected)") }
    guard let items = value.arrayValue else {
      throw RequestError(message: "'\(field)' is \(Self.shown(value)); expected \(expected)")
    }
    guard items.count == count else {
      throw RequestError(message: "'\(field)' has \(items.count) values; expected \(expected)")
    }
    return try items.enumerated().map { index, item in
      let allowed = domains[index].values
      guard let bits = item.integerValue else {
        throw RequestError(message: "'\(field)[\(index)]' is \(Self.shown(item)); expected an integer bit-width")
      }
      guard allowed.contains(bits) else {
        throw RequestError(message: "'\(field)[\(index)]' is \(bits); expected one of the \(what) bit-widths allowed "
          + "for layer '\(space.layerNames[index])': \(Self.list(allowed))")
      }
      return bits
    }
  }

  /// Measures `genomes` as one batch through the problem (memo first, the rest screened against the front at
  /// the start of the batch, as `optimize` measures a batch) and counts them.
  mutating func evaluate(_ genomes: [[Int]]) throws -> [[String: JSONValue]] {
    var known = Set<[Int]>()
    var fromMemo: [Bool] = []
    for genome in genomes {
      fromMemo.append(problem.memo[genome] != nil || known.contains(genome))
      known.insert(genome)
    }
    _ = try problem.evaluate(genomes)
    evaluations += genomes.count
    memoHits += fromMemo.filter { $0 }.count
    return zip(genomes, fromMemo).map { genome, memo in
      let measurement = problem.memo[genome]!
      return [
        "energyPicojoules": .number(measurement.energyPicojoules),
        "relativeEnergy": .number(measurement.energyPicojoules / uniform16BitPicojoules),
        "validationAccuracy": .number(measurement.accuracy),
        "correct": .integer(measurement.correct),
        "imagesRun": .integer(measurement.imagesRun),
        "images": .integer(measurement.imageCount),
        "complete": .bool(measurement.isComplete),
        "fromMemo": .bool(memo),
      ]
    }
  }

  /// The `describe` answer.
  func describe() -> [String: JSONValue] {
    // Uniform 16 bits is always a baseline; `null` rather than a trap should that list ever change.
    let uniform16 = baselines.first { $0.bits == 16 }?.measurement
    let info = information
    return [
      "layers": .array(space.layerNames.map(JSONValue.string)),
      "weightBits": .array(space.weightDomains.map { .array($0.values.map(JSONValue.integer)) }),
      "activationBits": .array(space.activationDomains.map { .array($0.values.map(JSONValue.integer)) }),
      "uniform16BitPicojoules": .number(uniform16BitPicojoules),
      "uniform16BitValidationAccuracy": uniform16.map { .number($0.accuracy) } ?? .null,
      "validationImages": .integer(imageCount),
      "baselines": .array(baselines.map { baseline in
        .object([
          "bits": .integer(baseline.bits),
          "energyPicojoules": .number(baseline.measurement.energyPicojoules),
          "relativeEnergy": .number(baseline.measurement.energyPicojoules / uniform16BitPicojoules),
          "validationAccuracy": .number(baseline.measurement.accuracy),
          "inSpace": .bool(space.contains(.uniform(baseline.bits, layerCount: space.layerCount))),
        ])
      }),
      "hypervolume": .object([
        "objectives": ["energyPicojoules / uniform16BitPicojoules", "1 - validationAccuracy"],
        "ideal": .array((hypervolumeIndicator.normalization?.ideal ?? []).map(JSONValue.number)),
        "nadir": .array((hypervolumeIndicator.normalization?.nadir ?? []).map(JSONValue.number)),
        "referencePoint": .array(hypervolumeIndicator.referencePoint.map(JSONValue.number)),
        "points": "the non-dominated complete measurements, baselines included ('front')",
      ]),
      "model": .object(["name": .string(info.modelName), "source": .string(info.modelSource),
                        "sha256": .string(info.modelSHA256), "windowSearch": .string(info.windowSearch)]
                        .merging(info.weightGranularity.map { ["weightGranularity": JSONValue.string($0)] } ?? [:]) { a, _ in a }
                        .merging(info.biasCorrection.map { ["biasCorrection": JSONValue.string($0)] } ?? [:]) { a, _ in a }),
      "data": .object(["name": .string(info.dataName), "validationSource": .string(info.validationSource),
                       "validationSHA256": .string(info.validationSHA256)]),
      "energyModel": .object(["name": .string(info.energyModel), "sha256": .string(info.energyModelSHA256)]),
      "screening": .string(info.screening),
      "tool": .object(["name": .string(info.toolName), "version": .string(info.toolVersion),
                       "commit": .string(info.commit)]),
      "evaluations": .integer(evaluations),
    ]
  }

  /// The `front` answer: the non-dominated complete measurements (baselines in the space included), by
  /// increasing energy, and their hypervolume as `optimize` computes `hypervolume.final`.
  func front() throws -> [String: JSONValue] {
    let members = problem.front.members.compactMap { member in problem.memo[member.genome].map { (member.genome, $0) } }
      .sorted { $0.1.energyPicojoules != $1.1.energyPicojoules
        ? $0.1.energyPicojoules < $1.1.energyPicojoules : $0.1.correct > $1.1.correct }
    let points: [JSONValue] = members.map { genome, measurement in
      let configuration = space.configuration(of: genome)
      return .object([
        "weightBits": .array(configuration.layers.map { .integer($0.weightBits) }),
        "activationBits": .array(configuration.layers.map { .integer($0.activationBits) }),
        "energyPicojoules": .number(measurement.energyPicojoules),
        "relativeEnergy": .number(measurement.energyPicojoules / uniform16BitPicojoules),
        "validationAccuracy": .number(measurement.accuracy),
      ])
    }
    let statistics = problem.evaluator.statistics
    return [
      "points": .array(points),
      "hypervolume": .number(try hypervolumeIndicator.value(of: problem.front)),
      "evaluations": .integer(evaluations),
      "memoHits": .integer(memoHits),
      // Evaluator totals, the start-up baselines included.
      "configurationsMeasured": .integer(statistics.configurationsMeasured),
      "configurationsScreenedOut": .integer(statistics.configurationsScreenedOut),
      "imagesRun": .integer(statistics.imagesRun),
    ]
  }

  // MARK: - Messages

  /// An error as one line (its description, line breaks as spaces).
  static func describe(_ error: any Error) -> String {
    let text = String(describing: error)
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }

  /// A value as quoted in a message: its JSON text, shortened.
  static func shown(_ value: JSONValue) -> String {
    let text = (try? value.serialized(pretty: false)) ?? value.typeName
    let short = text.count > 40 ? String(text.prefix(37)) + "..." : text
    return "\(short) (\(value.typeName))"
  }

  /// `2...16` for a contiguous list, else `2, 4, 8, 16`.
  static func list(_ values: [Int]) -> String {
    guard let first = values.first, let last = values.last else { return "none" }
    if values.count > 2 && values == Array(first...last) { return "\(first)...\(last)" }
    return values.map(String.init).joined(separator: ", ")
  }
}
