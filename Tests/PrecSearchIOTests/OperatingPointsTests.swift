import Foundation
import Testing
import NetworkEngine
import PrecisionRuntime
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom

@Suite struct OperatingPointsTests {
  typealias D = ParetoFrontDocument

  /// A minimal, schema-valid document whose points have the given (weight bits, activation bits) per layer.
  static func document(layerNames: [String], points: [(bits: [(Int, Int)], energy: Double, validation: Int, test: Int)])
    -> ParetoFrontDocument {
    let energy = { (total: Double) in
      D.Energy(totalPicojoules: total, computePicojoules: total, weightReadPicojoules: 0, activationReadPicojoules: 0,
               activationWritePicojoules: 0, leakagePicojoules: 0)
    }
    let memory = D.WeightMemory(weightBits: 1, biasBits: 1)
    return D(
      provenance: .init(tool: "precsearch", toolVersion: "0.1.0", commit: "unknown", commandLine: ["precsearch", "optimize"]),
      model: .init(name: "m", source: "m", sha256: "00", inputShape: [6, 6, 2], classes: 5,
                   layers: layerNames.map { .init(name: $0, macs: 1, weights: 1, biases: 1) }, totalMACs: 3,
                   totalParameters: 6),
      data: .init(name: "d", validation: .init(source: "v", images: 100, sha256: "11"),
                  test: .init(source: "t", images: 200, sha256: "22")),
      energyModel: .init(name: "swp-16-8-4", source: "preset", path: nil, sha256: "33", uniform16BitPicojoules: 1e6),
      search: .init(algorithm: "hybrid", seed: 1, maximumEvaluations: 10, timeLimitSeconds: nil, weightBits: [2, 16],
                    activationBits: [2, 16], pins: [], constraint: .init(kind: "none", given: nil, picojoules: nil,
                                                                         relativeEnergy: nil),
                    populationSize: 40, mutationSteps: 2, annealingRuns: 4, annealingShare: 0.3,
                    screening: .init(rule: "off", chunks: 16, z: nil)),
      effort: .init(evaluations: 10, memoHits: 0, configurationsMeasured: 10, configurationsScreenedOut: 0, imagesRun: 1000,
                    stopReason: "evaluationLimit"),
      hypervolume: .init(referencePoint: [1.1, 1.1], final: 0.5, history: []),
      baselines: [],
      points: points.enumerated().map { k, p in
        D.Point(id: String(format: "p%02d", k + 1),
                layers: zip(layerNames, p.bits).map { .init(name: $0, weightBits: $1.0, activationBits: $1.1, outputBits: 16,
                                                            energyPicojoules: p.energy / Double(layerNames.count)) },
                validation: .init(correct: p.validation, images: 100), test: .init(correct: p.test, images: 200),
                energy: energy(p.energy), relativeEnergy: p.energy / 1e6, weightMemory: memory)
      },
      selection: nil,
      timing: .init(wallSeconds: 1, baselineSeconds: 0, searchSeconds: 1, testSeconds: 0, evaluationsPerSecond: 10,
                    imagesPerSecond: 1000, planSeconds: 0, inferenceSeconds: 1, energySeconds: 0, otherSeconds: 0,
                    threads: 1, sessions: 1))
  }

  static let names = ["c1", "c2", "fc"]

  @Test func convertsPointsToJoulesWithBothAccuracies() throws {
    let doc = Self.document(layerNames: Self.names, points: [
      ([(4, 4), (4, 8), (8, 8)], 250_000, 80, 150), ([(8, 8), (8, 8), (16, 16)], 500_000, 90, 170),
    ])
    let points = try doc.operatingPoints(layerNames: Self.names)
    #expect(points.map(\.id) == ["p01", "p02"])
    #expect(points[0].configuration.description == "w4a4,w4a8,w8a8")
    #expect(abs(points[0].energyJoules - 250e-9) < 1e-20)
    #expect(points[1].validationAccuracy == 0.9 && points[1].testAccuracy == 0.85)
  }

  @Test func rejectsFrontsOfAnotherModelOrBadValuesNamingTheField() throws {
    func field(_ doc: ParetoFrontDocument, _ names: [String] = OperatingPointsTests.names) -> String? {
      do { _ = try doc.operatingPoints(layerNames: names, file: "f.json"); return nil } catch let e as ParetoFrontDocumentError {
        #expect(e.file == "f.json")
        return e.field
      } catch { return "unexpected \(error)" }
    }
    let good: [(bits: [(Int, Int)], energy: Double, validation: Int, test: Int)] = [([(4, 4), (4, 8), (8, 8)], 1, 80, 150)]
    #expect(field(Self.document(layerNames: Self.names, points: good)) == nil)
    #expect(field(Self.document(layerNames: Self.names, points: good), ["c1", "c2"]) == "points[0].layers")
    #expect(field(Self.document(layerNames: Self.names, points: good), ["c1", "x", "fc"]) == "points[0].layers[1].name")
    #expect(field(Self.document(layerNames: Self.names, points: [([(4, 4), (17, 8), (8, 8)], 1, 80, 150)]))
            == "points[0].layers[1].weightBits")
    #expect(field(Self.document(layerNames: Self.names, points: [([(4, 4), (4, 1), (8, 8)], 1, 80, 150)]))
            == "points[0].layers[1].activationBits")
    #expect(field(Self.document(layerNames: Self.names, points: [([(4, 4), (4, 4), (8, 8)], -1, 80, 150)]))
            == "points[0].energy.totalPicojoules")
    #expect(field(Self.document(layerNames: Self.names, points: [])) == "points")
    var duplicate = Self.document(layerNames: Self.names, points: good + good)
    duplicate.points[1].id = "p01"
    #expect(field(duplicate) == "points[1].id")
  }

  /// Written, read back and loaded into an AdaptiveNetwork, which runs the points bit-exactly.
  @Test func readsAFileIntoAnAdaptiveNetwork() throws {
    var g = OperatingPointsTestRandom(seed: 11)
    var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
    try b.conv("c1", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
    try b.add("r1", .relu)
    try b.conv("c2", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &g)
    try b.add("gap", .globalAvgPool)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: 5, using: &g)
    let net = try b.build()
    let x = (0..<net.inputShape.elementCount).map { Float($0 % 7) / 7 - 0.5 }
    let model = try FixedPointModel(network: net, calibrationInputs: [x])
    let doc = Self.document(layerNames: net.weightedLayerNames, points: [
      ([(4, 4), (4, 8), (8, 8)], 250_000, 80, 150), ([(8, 8), (8, 8), (16, 16)], 500_000, 90, 170),
    ])
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oppoints-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("front.json").path
    try doc.write(to: path)
    let (read, points) = try ParetoFrontDocument.readOperatingPoints(from: path, for: model.network)
    #expect(read.points.count == 2)
    let network = try AdaptiveNetwork(model: model, points: points)
    try network.switch(to: "p01")
    let result = try network.infer(x)
    #expect(result.scores == (try IntegerPlan(model: model, configuration: points[0].configuration).run(x)))
  }
}

/// SplitMix64 (SeededRandom) for repeatable test data.
private typealias OperatingPointsTestRandom = SplitMix64

@Suite struct RuntimeFrontTests {
  /// The front's `model.windowSearch` decides how the runtime builds its fixed-point model.
  @Test func theRecordedWindowSearchBuildsTheModel() throws {
    var g = RuntimeFrontTestRandom(seed: 3)
    var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
    try b.conv("c1", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
    try b.add("r1", .relu)
    try b.conv("c2", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &g)
    try b.add("gap", .globalAvgPool)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: 5, using: &g)
    let net = try b.build()
    let x = (0..<net.inputShape.elementCount).map { Float($0 % 5) / 5 - 0.4 }
    let ranges = ActivationRanges(observing: try FloatPlan(network: net), inputs: [x])
    let document = OperatingPointsTests.document(layerNames: net.weightedLayerNames, points: [
      ([(3, 8), (3, 8), (3, 8)], 100, 50, 100), ([(8, 8), (8, 8), (8, 8)], 200, 60, 120),
    ])
    let text = try document.jsonText()
    #expect(text.contains("\"classes\": 5,"))
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtimefront-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    func write(_ windowSearch: String?) throws -> String {
      let path = directory.appendingPathComponent("front-\(windowSearch ?? "absent").json").path
      let patched = windowSearch.map { text.replacingOccurrences(of: "\"classes\": 5,", with: "\"classes\": 5, \"windowSearch\": \"\($0)\",") } ?? text
      try Data(patched.utf8).write(to: URL(fileURLWithPath: path))
      return path
    }
    let absent = try ParetoFrontDocument.loadRuntimeFront(from: try write(nil), network: net, ranges: ranges)
    #expect(absent.quantization == QuantizationOptions())
    let weights = try ParetoFrontDocument.loadRuntimeFront(from: try write("weights"), network: net, ranges: ranges)
    #expect(weights.quantization == QuantizationOptions(weightWindowSearch: true))
    #expect(weights.points.count == 2)
    // The runtime at p01 equals an IntegerPlan on a model built with weight window search.
    let expectedModel = try FixedPointModel(network: net, ranges: ranges, options: QuantizationOptions(weightWindowSearch: true))
    #expect(weights.model.layers == expectedModel.layers)
    // `all-output` builds the masters with the activation shifts the ranges record for the network's output, and
    // is refused (by the engine, naming the field) when the ranges have none.
    do {
      _ = try ParetoFrontDocument.loadRuntimeFront(from: try write("all-output"), network: net, ranges: ranges)
      Issue.record("expected an error without activationRanges.outputWindowShifts")
    } catch let error as NetworkError {
      #expect(error.description.contains("outputWindowShifts"))
    }
    var withTable = ranges
    withTable.outputWindowShifts = try OutputWindowShifts.calibrate(network: net, ranges: ranges, inputs: [x])
    let output = try ParetoFrontDocument.loadRuntimeFront(from: try write("all-output"), network: net, ranges: withTable)
    #expect(output.quantization == WindowSearchMode.allOutput.quantizationOptions)
    #expect(output.model.groups == (try FixedPointModel(network: net, ranges: withTable,
                                                         options: WindowSearchMode.allOutput.quantizationOptions)).groups)
    let network = try AdaptiveNetwork(model: weights.model, points: weights.points)
    try network.switch(to: "p01")
    #expect(try network.infer(x).scores
            == (try IntegerPlan(model: expectedModel, configuration: weights.points[0].configuration).run(x)))
    do {
      _ = try ParetoFrontDocument.loadRuntimeFront(from: try write("everything"), network: net, ranges: ranges)
      Issue.record("expected an error")
    } catch let error as ParetoFrontDocumentError {
      #expect(error.field == "model.windowSearch")
    }
  }
}

extension RuntimeFrontTests {
  /// `model.weightGranularity` round-trips through the Pareto JSON: written only for `per-channel`, read back into
  /// the options the runtime builds its model with (absent: per tensor), and a bad value names the field.
  @Test func theRecordedWeightGranularityBuildsTheModel() throws {
    var g = RuntimeFrontTestRandom(seed: 4)
    var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
    try b.conv("c1", Conv2DAttributes(outputChannels: 6, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
    try b.add("r1", .relu)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: 5, using: &g)
    var nodes = try b.build().nodes
    // Channels of very different magnitudes, so that per-channel formats differ from the per-tensor one.
    for i in nodes.indices where nodes[i].name == "c1" {
      let values = nodes[i].parameters[0].values, length = values.count / 6
      nodes[i].parameters[0].values = values.indices.map { values[$0] * Float(1 << (3 * ($0 / length))) }
    }
    let net = try Network(nodes: nodes)
    let x = (0..<net.inputShape.elementCount).map { Float($0 % 7) / 7 - 0.4 }
    let ranges = ActivationRanges(observing: try FloatPlan(network: net), inputs: [x])
    var document = OperatingPointsTests.document(layerNames: net.weightedLayerNames, points: [
      ([(4, 8), (4, 8)], 100, 50, 100), ([(8, 8), (8, 8)], 200, 60, 120),
    ])
    document.model.windowSearch = "weights"
    let perTensorText = try document.jsonText()
    #expect(!perTensorText.contains("weightGranularity"))
    document.model.weightGranularity = WeightGranularity.perChannel.rawValue
    let text = try document.jsonText()
    #expect(try ParetoFrontDocument.decode(Data(text.utf8), file: "f").model.weightGranularity == "per-channel")
    let files = try TemporaryJSONFiles(prefix: "granularity")
    defer { files.remove() }
    let write = files.write
    let perTensor = try ParetoFrontDocument.loadRuntimeFront(from: try write(perTensorText, "t.json"), network: net, ranges: ranges)
    #expect(perTensor.quantization == QuantizationOptions(weightWindowSearch: true))
    let front = try ParetoFrontDocument.loadRuntimeFront(from: try write(text, "c.json"), network: net, ranges: ranges)
    let options = QuantizationOptions(weightWindowSearch: true, perChannelWeights: true)
    #expect(front.quantization == options)
    let expectedModel = try FixedPointModel(network: net, ranges: ranges, options: options)
    #expect(front.model.layers == expectedModel.layers)
    #expect(front.model.layers[0].isPerChannel && front.model.layers[0].channelFractionalBits.count == 6)
    let network = try AdaptiveNetwork(model: front.model, points: front.points)
    try network.switch(to: "p01")
    let configuration = front.points[0].configuration
    #expect(try network.infer(x).scores == (try IntegerPlan(model: expectedModel, configuration: configuration).run(x)))
    #expect(try IntegerPlan(model: expectedModel, configuration: configuration).layerParameters[0].hasChannelShifts)
    let bad = text.replacingOccurrences(of: "\"per-channel\"", with: "\"per-row\"")
    do {
      _ = try ParetoFrontDocument.loadRuntimeFront(from: try write(bad, "bad.json"), network: net, ranges: ranges)
      Issue.record("expected an error")
    } catch let error as ParetoFrontDocumentError {
      #expect(error.field == "model.weightGranularity")
    }
  }
}

extension RuntimeFrontTests {
  /// `model.biasCorrection` round-trips through the Pareto JSON: written only for `on`, read back into the options
  /// the runtime builds its model with (absent: off), the runtime then computes the corrected plan's scores; a bad
  /// value names the field.
  @Test func theRecordedBiasCorrectionBuildsTheModel() throws {
    var g = RuntimeFrontTestRandom(seed: 5)
    var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
    try b.conv("c1", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), input: "input", using: &g)
    try b.add("r1", .relu)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: 5, using: &g)
    let net = try b.build()
    let inputs = (0..<3).map { k in (0..<net.inputShape.elementCount).map { Float(($0 + k) % 7) / 7 - 0.2 } }
    let ranges = ActivationRanges(observing: try FloatPlan(network: net), inputs: inputs)
    var document = OperatingPointsTests.document(layerNames: net.weightedLayerNames, points: [
      ([(3, 8), (3, 8)], 100, 50, 100), ([(8, 8), (8, 8)], 200, 60, 120),
    ])
    document.model.windowSearch = "weights"
    let plainText = try document.jsonText()
    #expect(!plainText.contains("biasCorrection"))
    document.model.biasCorrection = BiasCorrection.on.rawValue
    let text = try document.jsonText()
    let files = try TemporaryJSONFiles(prefix: "bias")
    defer { files.remove() }
    let write = files.write
    let plain = try ParetoFrontDocument.loadRuntimeFront(from: try write(plainText, "p.json"), network: net, ranges: ranges)
    #expect(plain.quantization == QuantizationOptions(weightWindowSearch: true))
    let front = try ParetoFrontDocument.loadRuntimeFront(from: try write(text, "c.json"), network: net, ranges: ranges)
    let options = QuantizationOptions(weightWindowSearch: true, biasCorrection: true)
    #expect(front.quantization == options)
    let expectedModel = try FixedPointModel(network: net, ranges: ranges, options: options)
    #expect(front.model.layers == expectedModel.layers && !front.model.layers[0].biasCorrections.isEmpty)
    let network = try AdaptiveNetwork(model: front.model, points: front.points)
    try network.switch(to: "p01")
    let configuration = front.points[0].configuration
    for x in inputs {
      #expect(try network.infer(x).scores == (try IntegerPlan(model: expectedModel, configuration: configuration).run(x)))
    }
    let bad = text.replacingOccurrences(of: "\"biasCorrection\" : \"on\"", with: "\"biasCorrection\" : \"yes\"")
      .replacingOccurrences(of: "\"biasCorrection\": \"on\"", with: "\"biasCorrection\": \"yes\"")
    #expect(bad != text)
    do {
      _ = try ParetoFrontDocument.loadRuntimeFront(from: try write(bad, "bad.json"), network: net, ranges: ranges)
      Issue.record("expected an error")
    } catch let error as ParetoFrontDocumentError {
      #expect(error.field == "model.biasCorrection")
    }
  }
}

/// SplitMix64 (SeededRandom) for repeatable test data.
private typealias RuntimeFrontTestRandom = SplitMix64

/// The README example of docs/runtime.md, line for line, on a small model (energies scaled to its front).
@Suite struct RuntimeReadmeExampleTests {
  @Test func theReadmeExampleRuns() throws {
    var g = RuntimeFrontTestRandom(seed: 8)
    var b = NetworkBuilder(input: TensorShape(height: 28, width: 28, channels: 1))
    try b.conv("c1", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2),
               input: "input", using: &g)
    try b.add("r1", .relu)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: 10, using: &g)
    let net = try b.build()
    let preprocessing = InputPreprocessing(scale: 1.0 / 255, mean: [0.5], standardDeviation: [0.25])
    let calibration: [[Float]] = (0..<2).map { (k: Int) -> [Float] in
      (0..<784).map { (i: Int) -> Float in
        let code = Float((i * 7 + k) % 255)
        return code / 255 * 4 - 2
      }
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let modelPath = directory.appendingPathComponent("fashion.psmodel").path
    try ModelFile(name: "m", network: net, preprocessing: preprocessing,
                  activationRanges: ActivationRanges(observing: try FloatPlan(network: net), inputs: calibration))
      .write(to: modelPath)
    let frontPath = directory.appendingPathComponent("front.json").path
    // 300 nJ (70 %) and 600 nJ (92 %): the README's 0.5 µJ picks the first, 0.90 the second, 0.4 µJ mixes them.
    try OperatingPointsTests.document(layerNames: ["c1", "fc"], points: [
      ([(4, 4), (4, 4)], 300_000, 70, 140), ([(8, 8), (8, 8)], 600_000, 92, 184),
    ]).write(to: frontPath)
    let pixels = (0..<784).map { UInt8(truncatingIfNeeded: $0 * 3) }

    // --- docs/runtime.md, README section ---
    let file = try ModelFile.read(from: modelPath)
    let front = try ParetoFrontDocument.loadRuntimeFront(from: frontPath, network: file.network,
                                                         ranges: file.activationRanges!)
    let network = try AdaptiveNetwork(model: front.model, points: front.points)
    do { try network.select(maximumEnergy: 0.5e-6) } catch { Issue.record("\(error)") }
    #expect(network.currentPoint.id == "p01")
    try network.select(minimumAccuracy: 0.90)
    #expect(network.currentPoint.id == "p02")
    let input = file.preprocessing.apply(pixels, channels: 1)
    let result = try network.infer(input)
    #expect(result.pointID == "p02" && result.energyJoules == 600e-9)
    var governor = network.makeGovernor()
    try governor.setBudget(joulesPerInference: 0.4e-6)
    let decision = try governor.next()
    let governed = try network.infer(input, at: decision.pointID, workspace: network.makeWorkspace())
    // --- end ---
    #expect(governed.pointID == "p01", "the first decision of a 1/3 mix runs the cheaper point")
    #expect(abs(try governor.expectedAccuracy(forBudget: 0.4e-6) - (0.70 + (0.92 - 0.70) / 3)) < 1e-12)
  }
}

/// A fresh temporary directory for the runtime-front tests' JSON files.
private struct TemporaryJSONFiles {
  let directory: URL

  init(prefix: String) throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  /// Writes `text` as file `name` in the directory and returns its path.
  func write(_ text: String, _ name: String) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }
}
