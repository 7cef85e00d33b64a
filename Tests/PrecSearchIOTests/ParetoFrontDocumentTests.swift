import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct ParetoFrontDocumentTests {
  /// A document with every field set, including optional ones, awkward numbers and non-ASCII text.
  static func sample(points: Int = 3) -> ParetoFrontDocument {
    typealias D = ParetoFrontDocument
    let layers = [D.Model.Layer(name: "conv1", macs: 112_896, weights: 144, biases: 16),
                  D.Model.Layer(name: "fc", macs: 11_520, weights: 11_520, biases: 10)]
    let memory = D.WeightMemory(weightBits: 46_000, biasBits: 832)
    let energy = D.Energy(totalPicojoules: 243_666.24000000002, computePicojoules: 113_826.24, weightReadPicojoules: 68_375,
                          activationReadPicojoules: 6225.5, activationWritePicojoules: 20_050, leakagePicojoules: 35_189.5)
    return D(
      provenance: .init(tool: "precsearch", toolVersion: "0.1.0", commit: "0123456789abcdef",
                        commandLine: ["precsearch", "optimize", "--model", "fashion", "--budget", "40%"]),
      model: .init(name: "fashion", source: "fashion", sha256: String(repeating: "ab", count: 32), inputShape: [28, 28, 1],
                   classes: 10, layers: layers, totalMACs: 124_416, totalParameters: 11_690),
      data: .init(name: "fashion-mnist",
                  validation: .init(source: "validation-images-idx3-ubyte", images: 5000, sha256: "11"),
                  test: .init(source: "t10k-images-idx3-ubyte", images: 10_000, sha256: "22")),
      energyModel: .init(name: "swp-16-8-4", source: "file", path: "/tmp/tables/é.json", sha256: "33",
                         uniform16BitPicojoules: 1_424_078.32),
      search: .init(algorithm: "hybrid", seed: 9_007_199_254_740_993, maximumEvaluations: 1000, timeLimitSeconds: 600.5,
                    weightBits: [2, 3, 4, 8, 16], activationBits: [4, 8, 16],
                    pins: [.init(layer: "conv1", weightBits: 16, activationBits: nil)],
                    constraint: .init(kind: "maximumEnergy", given: "--budget 40%", picojoules: 569_631.328,
                                      relativeEnergy: 0.4),
                    populationSize: 40, mutationSteps: 2, annealingRuns: 4, annealingShare: 0.3,
                    screening: .init(rule: "confidence", chunks: 16, z: 3)),
      effort: .init(evaluations: 1000, memoHits: 120, configurationsMeasured: 880, configurationsScreenedOut: 300,
                    imagesRun: 2_400_000, stopReason: "evaluationLimit"),
      hypervolume: .init(referencePoint: [1.1, 1.1], final: 0.9047288323243342,
                         history: [.init(evaluations: 40, hypervolume: 0.87), .init(evaluations: 1000, hypervolume: 0.9047288323243342)]),
      baselines: [.init(bits: 16, validation: .init(correct: 4300, images: 5000), test: .init(correct: 8600, images: 10_000),
                        energyPicojoules: 1_424_078.32, relativeEnergy: 1, weightMemory: memory)],
      points: (0..<points).map { index in
        D.Point(id: "p0\(index + 1)",
                layers: [.init(name: "conv1", weightBits: 16, activationBits: 8, outputBits: 4, energyPicojoules: 62_127.2),
                         .init(name: "fc", weightBits: 2 + index, activationBits: 3, outputBits: 16, energyPicojoules: 0.1)],
                validation: .init(correct: 1000 + index, images: 5000), test: .init(correct: 2000 + index, images: 10_000),
                energy: energy, relativeEnergy: 0.17110452183556868, weightMemory: memory)
      },
      selection: .init(constraint: "maximumEnergy", pointId: "p02", message: "p02 meets the budget"),
      timing: .init(wallSeconds: 36.2, baselineSeconds: 8.8, searchSeconds: 11.5, testSeconds: 15.3,
                    evaluationsPerSecond: 2.59, imagesPerSecond: 336.5, planSeconds: 0.32, inferenceSeconds: 11.2,
                    energySeconds: 0.0006, otherSeconds: 0.005, threads: 2, sessions: 1))
  }

  @Test func roundTripsThroughItsTextExactly() throws {
    let document = Self.sample()
    let text = try document.jsonText()
    let decoded = try ParetoFrontDocument.decode(Data(text.utf8))
    #expect(decoded == document)
    #expect(try decoded.jsonText() == text)
    #expect(text.hasSuffix("}\n"))
    // Keys sorted, schema identification present, the seed written as an exact integer.
    #expect(text.contains("\"format\": \"precsearch-pareto-front\""))
    #expect(text.contains("\"schemaVersion\": 1"))
    #expect(text.contains("\"seed\": 9007199254740993"))
    let top = try #require(JSONValue.parse(text).objectValue)
    #expect(Set(top.keys) == ["baselines", "data", "effort", "energyModel", "format", "hypervolume", "model", "points",
                              "provenance", "schemaVersion", "search", "selection", "timing"])
    let first = text.firstRange(of: "\"baselines\"")!.lowerBound, last = text.firstRange(of: "\"timing\"")!.lowerBound
    #expect(first < last)
  }

  @Test func optionalFieldsAreOmittedWhenAbsentAndStillRoundTrip() throws {
    var document = Self.sample(points: 0)
    document.selection = nil
    document.search.maximumEvaluations = nil
    document.search.pins = []
    document.search.constraint = .init(kind: "none")
    document.energyModel.path = nil
    let text = try document.jsonText()
    #expect(!text.contains("\"selection\""))
    #expect(!text.contains("\"maximumEvaluations\""))
    #expect(try ParetoFrontDocument.decode(Data(text.utf8)) == document)
  }

  @Test func timingIsTheOnlyPartThatVariesBetweenIdenticalRuns() throws {
    let first = Self.sample()
    var second = Self.sample()
    second.timing.wallSeconds = 99
    second.timing.threads = 1
    #expect(try first.jsonText() != second.jsonText())
    func withoutTiming(_ document: ParetoFrontDocument) throws -> JSONValue {
      var object = try #require(document.jsonValue().objectValue)
      object["timing"] = nil
      return .object(object)
    }
    #expect(try withoutTiming(first) == withoutTiming(second))
  }

  @Test func writesAtomicallyAndReadsBack() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.file("front.json")
    try Self.sample().write(to: path)
    try Self.sample(points: 1).write(to: path)  // replaces the file whole
    #expect(try ParetoFrontDocument.read(from: path) == Self.sample(points: 1))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["front.json"])
    #expect(throws: FileAccessError.self) { try Self.sample().write(to: directory.file("missing/front.json")) }
  }

  /// What the schema's types allow but no front can be: every command reads fronts through the same validator.
  @Test func rejectsImpossibleAccuraciesEnergiesAndLayers() throws {
    func errorOf(_ edit: (inout [String: JSONValue]) throws -> Void) throws -> ParetoFrontDocumentError? {
      var object = try #require(Self.sample().jsonValue().objectValue)
      try edit(&object)
      do {
        _ = try ParetoFrontDocument.decode(Data(try JSONValue.object(object).serialized().utf8), file: "f.json")
        return nil
      } catch let error as ParetoFrontDocumentError {
        return error
      }
    }
    func editPoint(_ object: inout [String: JSONValue], _ key: String, _ value: JSONValue) throws {
      var points = try #require(object["points"]?.arrayValue)
      var point = try #require(points[1].objectValue)
      point[key] = value
      points[1] = .object(point)
      object["points"] = .array(points)
    }
    #expect(try errorOf { _ in } == nil)
    // An accuracy of 1.5 (more correct than images), and a stored fraction that is not correct / images.
    let tooMany = try errorOf { try editPoint(&$0, "validation", ["accuracy": 1.5, "correct": 15, "images": 10]) }
    #expect(tooMany?.field == "points[1].validation.correct", "\(String(describing: tooMany))")
    let fraction = try errorOf { try editPoint(&$0, "test", ["accuracy": 0.9, "correct": 5, "images": 10]) }
    #expect(fraction?.field == "points[1].test.accuracy", "\(String(describing: fraction))")
    // A point with a layer missing (the heat map would shift) or a width outside 2...16.
    let layers = try errorOf { object in
      let points = try #require(object["points"]?.arrayValue)
      let layers = try #require(points[1].objectValue?["layers"]?.arrayValue)
      try editPoint(&object, "layers", .array(Array(layers.dropLast())))
    }
    #expect(layers?.field == "points[1].layers" && layers?.message.contains("expected the model's") == true,
            "\(String(describing: layers))")
    let width = try errorOf { object in
      let points = try #require(object["points"]?.arrayValue)
      var layers = try #require(points[1].objectValue?["layers"]?.arrayValue)
      var first = try #require(layers[0].objectValue)
      first["weightBits"] = 17
      layers[0] = .object(first)
      try editPoint(&object, "layers", .array(layers))
    }
    #expect(width?.field == "points[1].layers[0]", "\(String(describing: width))")
    let energy = try errorOf { object in
      var baselines = try #require(object["baselines"]?.arrayValue)
      var first = try #require(baselines[0].objectValue)
      first["energyPicojoules"] = -1
      baselines[0] = .object(first)
      object["baselines"] = .array(baselines)
    }
    #expect(energy?.field == "baselines[0].energyPicojoules", "\(String(describing: energy))")
  }

  @Test func rejectsOtherFormatsVersionsAndMissingFieldsNamingThem() throws {
    func errorOf(_ text: String) -> ParetoFrontDocumentError? {
      do {
        _ = try ParetoFrontDocument.decode(Data(text.utf8), file: "f.json")
        return nil
      } catch let error as ParetoFrontDocumentError {
        return error
      } catch {
        return nil
      }
    }
    #expect(errorOf("[]")?.field == "(root)")
    #expect(errorOf(#"{"format": "precsearch-model", "schemaVersion": 1}"#)?.field == "format")
    #expect(errorOf(#"{"format": "precsearch-pareto-front"}"#)?.field == "schemaVersion")
    let future = errorOf(#"{"format": "precsearch-pareto-front", "schemaVersion": 2}"#)
    #expect(future?.field == "schemaVersion")
    #expect(future?.description.contains("version 2 is not supported") == true)
    var object = try #require(Self.sample().jsonValue().objectValue)
    var points = try #require(object["points"]?.arrayValue)
    var point = try #require(points[1].objectValue)
    point["validation"] = ["accuracy": 0.5, "images": 10]
    points[1] = .object(point)
    object["points"] = .array(points)
    let missing = errorOf(try JSONValue.object(object).serialized())
    #expect(missing?.field == "points[1].validation.correct")
    #expect(missing?.description == "Pareto front file 'f.json', field points[1].validation.correct: missing required field")
    object = try #require(Self.sample().jsonValue().objectValue)
    object["effort"] = ["evaluations": "many"]
    #expect(errorOf(try JSONValue.object(object).serialized())?.field.hasPrefix("effort") == true)
    // A syntax error is reported as the document's error, naming the file, with the parser's line and byte.
    #expect(throws: ParetoFrontDocumentError(file: "f.json", field: "(root)", message: "JSON syntax error at line 1, "
      + "byte 1: unexpected end of text inside an object, expected a key")) {
      try ParetoFrontDocument.decode(Data("{".utf8), file: "f.json")
    }
  }

  @Test func accuracyAndMemoryEntriesDeriveTheirSummaries() {
    #expect(ParetoFrontDocument.Accuracy(correct: 3, images: 4).accuracy == 0.75)
    #expect(ParetoFrontDocument.Accuracy(correct: 0, images: 0).accuracy == 0)
    #expect(ParetoFrontDocument.WeightMemory(weightBits: 9, biasBits: 0).bytes == 2)
  }
}

@Suite struct SearchInputTests {
  @Test func validationHoldoutRulesRoundTripThroughProvenance() {
    for rule in [ValidationHoldout.lastImages(count: 7), .seededRandom(count: 5000, seed: 18_446_744_073_709_551_615),
                 .seededStratified(perClass: 500, seed: 1)] {
      #expect(ValidationHoldout(provenance: rule.provenance) == rule)
      #expect(!rule.summary.isEmpty)
    }
    #expect(ValidationHoldout(provenance: ["rule": "seededStratified", "perClass": 5, "seed": 3]) == .seededStratified(perClass: 5, seed: 3))
    #expect(ValidationHoldout(provenance: ["rule": "unknown"]) == nil)
    #expect(ValidationHoldout(provenance: ["rule": "seededRandom", "count": 5]) == nil)
    #expect(ValidationHoldout(provenance: .string("x")) == nil)
  }

  @Test func contentChecksumIdentifiesImagesAndLabels() throws {
    let a = try ImageDataset(height: 1, width: 2, channels: 1, pixels: [1, 2, 3, 4], labels: [0, 1])
    let b = try ImageDataset(height: 1, width: 2, channels: 1, pixels: [1, 2, 3, 4], labels: [0, 2])
    let c = try ImageDataset(height: 1, width: 2, channels: 1, pixels: [1, 2, 3, 5], labels: [0, 1])
    #expect(a.contentSHA256.count == 64)
    #expect(a.contentSHA256 != b.contentSHA256)
    #expect(a.contentSHA256 != c.contentSHA256)
    // Pixels then labels: the SHA-256 of the bytes 1 2 3 4 0 1.
    #expect(a.contentSHA256 == sha256Hex(of: [1, 2, 3, 4, 0, 1] as [UInt8]))
    #expect(a.prefix(1).count == 1 && a.prefix(1).pixels == [1, 2])
    #expect(a.prefix(5) == a)
  }

  @Test func fashionShips() {
    // The training issue filled in `ModelCatalog.shippedModel(named:)` (more in PrecSearchCLITests' ModelCatalogTests).
    #expect(ModelCatalog.shippedModel(named: "fashion")?.test != nil)
    #expect(ModelCatalog.plannedNames.contains("fashion"))
  }

  @Test func checkpointsOfAnotherFormatOrVersionAreRefused() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.file("run.ckpt")
    try Data(#"{"format": "precsearch-pareto-front", "schemaVersion": 1}"#.utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: OptimizeCheckpointError(file: path, message: "not a precsearch optimize checkpoint")) {
      try OptimizeCheckpoint.read(from: path)
    }
    try Data(#"{"format": "precsearch-optimize-checkpoint", "schemaVersion": 7}"#.utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: OptimizeCheckpointError.self) { try OptimizeCheckpoint.read(from: path) }
    try Data(#"{"format": "precsearch-optimize-checkpoint", "schemaVersion": 1, "state": {}}"#.utf8)
      .write(to: URL(fileURLWithPath: path))
    #expect(throws: OptimizeCheckpointError.self) { try OptimizeCheckpoint.read(from: path) }
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: path))
    #expect(throws: OptimizeCheckpointError.self) { try OptimizeCheckpoint.read(from: path) }
  }
}
