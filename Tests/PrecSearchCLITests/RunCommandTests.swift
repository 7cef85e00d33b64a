import Foundation
import Testing
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// A tiny model written to a temporary directory with a hand-made Pareto front of three points (validation
/// accuracies 0.6, 0.8, 0.9 at 100, 200, 400 pJ; uniform 16 bits = 1000 pJ) and 12 labeled IDX images.
struct RuntimeFixture {
  let directory: TemporaryDirectory
  let model: ModelFile
  let modelPath: String
  let frontPath: String
  let imagesPath: String
  let data: ImageDataset
  let configurations: [PrecisionConfiguration]

  init(images: Int = 12, pointEnergies: [Double] = [100, 200, 400]) throws {
    directory = try TemporaryDirectory()
    model = try Fixtures.tinyModel(seed: 3)
    modelPath = directory.path("tiny.psmodel")
    try model.write(to: modelPath)
    configurations = [try PrecisionConfiguration(weightBits: [4, 4, 4], activationBits: [4, 4, 8]),
                      try PrecisionConfiguration(weightBits: [6, 5, 8], activationBits: [8, 6, 8]),
                      .uniform(8, layerCount: 3)]
    let names = try FixedPointModel(network: model.network, ranges: model.activationRanges!).network.weightedLayerNames
    let checksum = sha256Hex(of: try model.singleFileData(file: modelPath))
    let document = Self.front(layerNames: names, sha256: checksum, configurations: configurations,
                              energies: pointEnergies, validation: [60, 80, 90])
    frontPath = directory.path("front.json")
    try document.write(to: frontPath)
    data = try Fixtures.images(count: images, seed: 21).images
    imagesPath = directory.path("t10k-images-idx3-ubyte")
    try Fixtures.writeIDX(data, images: imagesPath, labels: directory.path("t10k-labels-idx1-ubyte"))
  }

  /// The class the integer engine picks for image `i` at `configuration`.
  func expectedLabel(_ i: Int, _ configuration: PrecisionConfiguration) throws -> Int {
    let fixed = try FixedPointModel(network: model.network, ranges: model.activationRanges!)
    let plan = try IntegerPlan(model: fixed, configuration: configuration)
    return Inference.argmax(plan.run(model.preprocessing.apply(data.image(i), channels: 1)))
  }

  static func front(layerNames: [String], sha256: String, configurations: [PrecisionConfiguration], energies: [Double],
                    validation: [Int]) -> ParetoFrontDocument {
    typealias D = ParetoFrontDocument
    let memory = D.WeightMemory(weightBits: 1, biasBits: 1)
    return D(
      provenance: .init(tool: "precsearch", toolVersion: "0.1.0", commit: "unknown", commandLine: ["precsearch", "optimize"]),
      model: .init(name: "test-tiny", source: "tiny.psmodel", sha256: sha256, inputShape: [28, 28, 1], classes: 10,
                   layers: layerNames.map { .init(name: $0, macs: 1, weights: 1, biases: 1) }, totalMACs: 3, totalParameters: 6),
      data: .init(name: "d", validation: .init(source: "v", images: 100, sha256: "11"), test: .init(source: "t", images: 100, sha256: "22")),
      energyModel: .init(name: "swp-16-8-4", source: "preset", path: nil, sha256: "33", uniform16BitPicojoules: 1000),
      search: .init(algorithm: "hybrid", seed: 1, maximumEvaluations: 10, timeLimitSeconds: nil, weightBits: [2, 16],
                    activationBits: [2, 16], pins: [],
                    constraint: .init(kind: "none", given: nil, picojoules: nil, relativeEnergy: nil),
                    populationSize: 40, mutationSteps: 2, annealingRuns: 4, annealingShare: 0.3,
                    screening: .init(rule: "off", chunks: 16, z: nil)),
      effort: .init(evaluations: 10, memoHits: 0, configurationsMeasured: 10, configurationsScreenedOut: 0, imagesRun: 100,
                    stopReason: "evaluationLimit"),
      hypervolume: .init(referencePoint: [1.1, 1.1], final: 0.5, history: []),
      baselines: [],
      points: configurations.indices.map { k in
        D.Point(id: String(format: "p%02d", k + 1),
                layers: zip(layerNames, configurations[k].layers).map {
                  .init(name: $0, weightBits: $1.weightBits, activationBits: $1.activationBits, outputBits: 16, energyPicojoules: 1)
                },
                validation: .init(correct: validation[k], images: 100), test: .init(correct: validation[k] - 1, images: 100),
                energy: .init(totalPicojoules: energies[k], computePicojoules: energies[k], weightReadPicojoules: 0,
                              activationReadPicojoules: 0, activationWritePicojoules: 0, leakagePicojoules: 0),
                relativeEnergy: energies[k] / 1000, weightMemory: memory)
      },
      selection: nil,
      timing: .init(wallSeconds: 1, baselineSeconds: 0, searchSeconds: 1, testSeconds: 0, evaluationsPerSecond: 10,
                    imagesPerSecond: 100, planSeconds: 0, inferenceSeconds: 1, energySeconds: 0, otherSeconds: 0,
                    threads: 1, sessions: 1))
  }
}

/// Decodes a `--json` output.
func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
  try JSONDecoder().decode(type, from: Data(text.utf8))
}

@Suite struct RunCommandTests {
  @Test func aFixedPointClassifiesLikeTheIntegerEngine() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    let run = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p02", "--limit", "5", "--json",
                       f.imagesPath])
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(RunReport.self, run.output)
    #expect(report.inferences.count == 5)
    for (i, inference) in report.inferences.enumerated() {
      #expect(inference.point == "p02")
      #expect(inference.label == (try f.expectedLabel(i, f.configurations[1])))
      #expect(inference.trueLabel == Int(f.data.label(i)))
      #expect(abs(inference.energyJoules - 200e-12) < 1e-24)
    }
    #expect(report.summary.labeled == 5)
    #expect(report.points.map(\.point) == ["p02"])
    #expect(run.errors.isEmpty, "no checksum warning for the model the front names")
  }

  @Test func aBudgetTimeSharesTheNeighbouringHullPoints() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    // 300 pJ lies halfway between p02 (200 pJ) and p03 (400 pJ): expected accuracy 0.85.
    let run = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--budget", "30%", "--json", f.imagesPath])
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(RunReport.self, run.output)
    #expect(report.mode.kind == "budget" && abs(report.mode.budgetJoules! - 300e-12) < 1e-24)
    #expect(abs(report.mode.expectedAccuracy - 0.85) < 1e-12)
    #expect(Set(report.inferences.map(\.point)) == ["p02", "p03"])
    #expect(report.summary.totalEnergyJoules <= 12 * 300e-12 + 1e-20)
    #expect(report.summary.totalEnergyJoules >= 12 * 300e-12 - 400e-12)
    for (i, inference) in report.inferences.enumerated() {
      let k = inference.point == "p02" ? 1 : 2
      #expect(inference.label == (try f.expectedLabel(i, f.configurations[k])))
    }
    // Text output lists every input and the totals.
    let text = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--budget", "300pJ", "--limit", "3", f.imagesPath])
    #expect(text.status == 0)
    #expect(text.output.contains("[2]") && text.output.contains("Inferences: 3"))
  }

  @Test func minimumAccuracyPicksTheCheapestPointThatMeetsIt() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    let run = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--min-accuracy", "75%", "--json",
                       "--limit", "2", f.imagesPath])
    #expect(run.status == 0, "\(run.errors)")
    #expect(try decodeJSON(RunReport.self, run.output).points.map(\.point) == ["p02"])
  }

  @Test func singlePGMImagesAndBadImageFiles() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    let pgm = f.directory.path("image.pgm")
    try (Array("P5\n# a comment\n28 28\n255\n".utf8) + Array(f.data.image(3))).write(to: pgm)
    let run = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p01", "--json", pgm])
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(RunReport.self, run.output)
    #expect(report.inferences.map(\.label) == [try f.expectedLabel(3, f.configurations[0])])
    #expect(report.inferences[0].trueLabel == nil && report.summary.accuracy == nil)

    let ppm = f.directory.path("color.ppm")
    try (Array("P6 28 28 255\n".utf8) + Array(repeating: 7, count: 28 * 28 * 3)).write(to: ppm)
    let wrongShape = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p01", ppm])
    #expect(wrongShape.status == 1)
    #expect(wrongShape.errors.contains("28x28x3 but the model's input is 28x28x1"))

    let truncated = f.directory.path("short.pgm")
    try (Array("P5 28 28 255\n".utf8) + [1, 2, 3]).write(to: truncated)
    let short = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p01", truncated])
    #expect(short.status == 1 && short.errors.contains("expected 784 sample bytes"))

    let text = f.directory.path("ascii.pgm")
    try Array("P2 28 28 255\n0 0 0".utf8).write(to: text)
    let ascii = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p01", text])
    #expect(ascii.status == 1 && ascii.errors.contains("not a binary PGM (P5) or PPM (P6)"))
  }

  @Test func usageErrors() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    let base = ["run", "--model", f.modelPath, "--front", f.frontPath]
    func check(_ extra: [String], _ fragment: String) {
      let run = runTool(base + extra)
      #expect(run.status == 64, "\(extra): \(run.errors)")
      #expect(run.errors.contains(fragment), "\(extra): \(run.errors)")
    }
    check([f.imagesPath], "give one of")
    check(["--point", "p01", "--budget", "1uJ", f.imagesPath], "cannot be used together")
    check(["--point", "p01"], "at least one data set, image or WAV file")
    check(["--point", "p09", f.imagesPath], "p01, p02, p03")
    check(["--budget", "50pJ", f.imagesPath], "below the cheapest operating point ('p01'")
    check(["--budget", "lots", f.imagesPath], "--budget")
    check(["--min-accuracy", "0.95", f.imagesPath], "no operating point reaches accuracy 0.95")
  }

  @Test func aFrontOfAnotherModelIsRefusedNamingTheField() throws {
    let f = try RuntimeFixture()
    defer { f.directory.cleanup() }
    let other = RuntimeFixture.front(layerNames: ["conv1", "convX", "fc"], sha256: "00", configurations: f.configurations,
                                     energies: [1, 2, 3], validation: [1, 2, 3])
    let path = f.directory.path("other.json")
    try other.write(to: path)
    let run = runTool(["run", "--model", f.modelPath, "--front", path, "--point", "p01", f.imagesPath])
    #expect(run.status == 1)
    #expect(run.errors.contains("points[0].layers[1].name"), "\(run.errors)")
    let missing = runTool(["run", "--model", f.modelPath, "--front", f.directory.path("none.json"), "--point", "p01", f.imagesPath])
    #expect(missing.status == 1 && missing.errors.contains("none.json"))
  }
}

/// WAV inputs go through the keyword-spotting MFCC front-end into a model whose input is 49x10x1.
@Suite struct RunCommandWAVTests {
  @Test func wavInputsAreClassifiedFromTheirMFCCFeatures() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    var g = SplitMix64(seed: 5)
    var b = NetworkBuilder(input: KeywordSpotting.inputShape)
    try b.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2),
               using: &g)
    try b.add("relu", .relu)
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: 12, using: &g)
    let network = try b.build()
    let preprocessing = InputPreprocessing(scale: 1.0 / 255, mean: [0.5], standardDeviation: [0.25])
    let calibration = (0..<4).map { _ in (0..<490).map { _ in Float.random(in: -2...2, using: &g) } }
    let model = ModelFile(name: "test-kws", network: network, preprocessing: preprocessing,
                          labels: KeywordSpotting.classNames,
                          activationRanges: ActivationRanges(observing: try FloatPlan(network: network), inputs: calibration))
    let modelPath = directory.path("kws.psmodel")
    try model.write(to: modelPath)
    let configuration = PrecisionConfiguration.uniform(8, layerCount: 2)
    let front = RuntimeFixture.front(layerNames: ["conv", "fc"], sha256: sha256Hex(of: try model.singleFileData(file: modelPath)),
                                     configurations: [configuration], energies: [100], validation: [50])
    let frontPath = directory.path("front.json")
    try front.write(to: frontPath)
    // Half a second of a 440 Hz tone at 16 kHz.
    let samples = (0..<8000).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
    let wav = directory.path("tone.wav")
    try Foundation.Data(WAVReader.encode(WAVAudio(sampleRate: 16000, samples: samples))).write(to: URL(fileURLWithPath: wav))

    let run = runTool(["run", "--model", modelPath, "--front", frontPath, "--point", "p01", "--json", wav])
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(RunReport.self, run.output)
    let features = try KeywordFeatureExtractor().features(ofFile: wav)
    let plan = try IntegerPlan(model: FixedPointModel(network: network, ranges: model.activationRanges!), configuration: configuration)
    let expected = Inference.argmax(plan.run(preprocessing.apply(features, channels: 1)))
    #expect(report.inferences.map(\.label) == [expected])
    #expect(report.inferences.first?.labelName == KeywordSpotting.classNames[expected])

    // A WAV for an image model is refused, naming the shapes.
    let f = try RuntimeFixture(images: 1)
    defer { f.directory.cleanup() }
    let wrong = runTool(["run", "--model", f.modelPath, "--front", f.frontPath, "--point", "p01", wav])
    #expect(wrong.status == 1)
    #expect(wrong.errors.contains("49x10x1") && wrong.errors.contains("28x28x1"), "\(wrong.errors)")
    let broken = directory.path("broken.wav")
    try Foundation.Data([1, 2, 3]).write(to: URL(fileURLWithPath: broken))
    let bad = runTool(["run", "--model", modelPath, "--front", frontPath, "--point", "p01", broken])
    #expect(bad.status == 1 && bad.errors.contains("broken.wav"), "\(bad.errors)")
  }
}
