import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// A model file and a data set directory small enough for debug builds: 8x8x1 images, conv 3x3x4 (same) + ReLU +
/// 2x2 max pool, Dense 10 (`fc`), Softmax (about 3,000 MACs); images are random and labelled by the float
/// network itself, so accuracy is high at 16 bits and falls at low widths. The directory holds IDX
/// `validation-*` (48 images) and `t10k-*` (40 images) files.
struct OptimizeFixture {
  let directory: TemporaryDirectory
  var model: String { directory.path("tiny.psmodel") }
  var data: String { directory.url.path }
  func path(_ name: String) -> String { directory.path(name) }

  init() throws {
    directory = try TemporaryDirectory()
    var generator = SplitMix64(seed: 21)
    var builder = NetworkBuilder(input: TensorShape(height: 8, width: 8, channels: 1))
    try builder.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &generator)
    try builder.add("relu", .relu)
    try builder.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try builder.add("flatten", .flatten)
    try builder.dense("fc", outputs: 10, using: &generator)
    try builder.add("softmax", .softmax)
    let network = try builder.build()
    let preprocessing = InputPreprocessing(scale: 1.0 / 255, mean: [0.5], standardDeviation: [0.25])
    let floatPlan = try FloatPlan(network: network)
    func images(_ count: Int, seed: UInt64) throws -> ImageDataset {
      var generator = SplitMix64(seed: seed)
      let pixels = (0..<(count * 64)).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let labels = (0..<count).map { i -> UInt8 in
        let scores = floatPlan.run(preprocessing.apply(pixels[(i * 64)..<((i + 1) * 64)], channels: 1))
        return UInt8(scores.indices.max { scores[$0] < scores[$1] }!)
      }
      return try ImageDataset(height: 8, width: 8, channels: 1, pixels: pixels, labels: labels)
    }
    let calibration = try images(32, seed: 1)
    let inputs = (0..<32).map { preprocessing.apply(calibration.image($0), channels: 1) }
    var ranges = ActivationRanges(observing: floatPlan, inputs: inputs)
    // The output-chosen windows too, as `recalibrate` and `import` record them: every default applies.
    ranges.outputWindowShifts = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs)
    try ModelFile(name: "tiny", network: network, preprocessing: preprocessing, labels: (0..<10).map { "c\($0)" },
                  activationRanges: ranges).write(to: directory.path("tiny.psmodel"))
    try Fixtures.writeIDX(try images(48, seed: 2), images: directory.path("validation-images-idx3-ubyte"),
                          labels: directory.path("validation-labels-idx1-ubyte"))
    try Fixtures.writeIDX(try images(40, seed: 3), images: directory.path("t10k-images-idx3-ubyte"),
                          labels: directory.path("t10k-labels-idx1-ubyte"))
  }

  /// `optimize` arguments for this fixture.
  func arguments(_ extra: [String], evaluations: Int = 24) -> [String] {
    var arguments = ["optimize", "--model", model]
    if !extra.contains("--data") { arguments += ["--data", data] }
    if !extra.contains("--evaluations") { arguments += ["--evaluations", String(evaluations)] }
    return arguments + ["--population-size", "6", "--quiet"] + extra
  }
}

/// The document without `timing` (and, optionally, without the command line).
func comparable(_ path: String, dropCommandLine: Bool = false) throws -> JSONValue {
  var object = try #require(JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: path))).objectValue)
  object["timing"] = nil
  if dropCommandLine, var provenance = object["provenance"]?.objectValue {
    provenance["commandLine"] = nil
    object["provenance"] = .object(provenance)
  }
  return .object(object)
}

@Suite struct OptimizeCommandTests {
  @Test func wholeFrontRunWritesAParetoDocumentAndASummary() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let run = runTool(fixture.arguments(["--output", fixture.path("front.json"), "--weight-bits", "2-8,16"]))
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.errors.isEmpty)  // --quiet
    let document = try ParetoFrontDocument.read(from: fixture.path("front.json"))
    #expect(document.model.name == "tiny")
    #expect(document.model.layers.map(\.name) == ["conv", "fc"])
    #expect(document.data.validation.images == 48)
    #expect(document.data.test.images == 40)
    #expect(document.data.validation.source.hasSuffix("validation-images-idx3-ubyte"))
    #expect(document.energyModel.name == "swp-16-8-4")
    #expect(document.search.weightBits == [2, 3, 4, 5, 6, 7, 8, 16])
    #expect(document.search.activationBits == Array(2...16))
    #expect(document.search.constraint.kind == "none")
    #expect(document.selection == nil)
    #expect(document.effort.evaluations == 24)
    #expect(document.effort.stopReason == "evaluationLimit")
    #expect(document.baselines.map(\.bits) == Array((2...16).reversed()))
    #expect(document.baselines[0].relativeEnergy == 1)
    #expect(document.provenance.commandLine.starts(with: ["precsearch", "optimize", "--model"]))
    // Points: by increasing energy, non-dominated on validation, re-measured on the whole test split.
    #expect(!document.points.isEmpty)
    #expect(document.points.map(\.id) == document.points.indices.map { $0 < 9 ? "p0\($0 + 1)" : "p\($0 + 1)" })
    let energies = document.points.map(\.energy.totalPicojoules)
    #expect(energies == energies.sorted())
    for (earlier, later) in zip(document.points, document.points.dropFirst()) {
      #expect(later.validation.correct > earlier.validation.correct)
    }
    for point in document.points {
      #expect(point.test.images == 40 && point.validation.images == 48)
      #expect([2, 3, 4, 5, 6, 7, 8, 16].contains(point.layers[0].weightBits))
      #expect(abs(point.relativeEnergy - point.energy.totalPicojoules / document.energyModel.uniform16BitPicojoules) < 1e-12)
      let sum = point.layers.reduce(0) { $0 + $1.energyPicojoules }
      #expect(abs(sum - point.energy.totalPicojoules) < 1e-6 * point.energy.totalPicojoules)
      #expect(point.weightMemory.bytes == (point.weightMemory.weightBits + point.weightMemory.biasBits + 7) / 8)
      #expect(point.weightMemory.weightBits == 36 * point.layers[0].weightBits + 640 * point.layers[1].weightBits)
    }
    #expect(document.hypervolume.history.last?.evaluations == 24)
    #expect(run.output.contains("Front (by energy; accuracies on validation / test):"))
    #expect(run.output.contains("Uniform baselines:"))
    #expect(run.output.contains("Wrote \(fixture.path("front.json"))"))
  }

  @Test func theSameCommandWritesTheSameBytesApartFromTiming() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let arguments = fixture.arguments(["--output", fixture.path("front.json"), "--seed", "7", "--threads", "2"])
    #expect(runTool(arguments).status == 0)
    let first = try comparable(fixture.path("front.json"))
    #expect(runTool(arguments).status == 0)
    #expect(try comparable(fixture.path("front.json")) == first)
    // One thread finds the same front (only the command line differs).
    let single = fixture.arguments(["--output", fixture.path("single.json"), "--seed", "7", "--threads", "1"])
    #expect(runTool(single).status == 0)
    let firstPoints = try #require(first.objectValue?["points"])
    #expect(try comparable(fixture.path("single.json")).objectValue?["points"] == firstPoints)
    // Another seed searches differently.
    let other = fixture.arguments(["--output", fixture.path("other.json"), "--seed", "8", "--threads", "2"])
    #expect(runTool(other).status == 0)
    let document = try ParetoFrontDocument.read(from: fixture.path("front.json"))
    let otherDocument = try ParetoFrontDocument.read(from: fixture.path("other.json"))
    #expect(document.search.seed == 7 && otherDocument.search.seed == 8)
    #expect(document.effort != otherDocument.effort || document.hypervolume.history != otherDocument.hypervolume.history)
  }

  @Test func anInterruptedRunResumesToTheSameFront() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let base = fixture.arguments(["--seed", "3"], evaluations: 30)
    #expect(runTool(base + ["--output", fixture.path("whole.json"), "--checkpoint", fixture.path("whole.ckpt")]).status == 0)
    // Interrupt after 10 evaluations (the hook the SIGINT handler shares), then resume.
    var command = try OptimizeCommand(parsing: ArgumentScanner.parse(
      Array((base + ["--output", fixture.path("resumed.json"), "--checkpoint", fixture.path("run.ckpt")]).dropFirst()),
      options: OptimizeCommand.configuration.options))
    command.interruptAfterEvaluations = 10
    var output = "", errors = ""
    #expect(throws: CommandFailure.self) { try command.run(output: &output, errors: &errors) }
    #expect(!FileManager.default.fileExists(atPath: fixture.path("resumed.json")))
    let saved = try OptimizeCheckpoint.read(from: fixture.path("run.ckpt"))
    #expect(saved.state.evaluations >= 10 && saved.state.evaluations < 30)
    #expect(saved.sessions == 1)
    let resumed = runTool(base + ["--output", fixture.path("resumed.json"), "--checkpoint", fixture.path("run.ckpt"), "--resume"])
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(try comparable(fixture.path("resumed.json"), dropCommandLine: true)
            == comparable(fixture.path("whole.json"), dropCommandLine: true))
    #expect(try ParetoFrontDocument.read(from: fixture.path("resumed.json")).timing.sessions == 2)
    // Resuming with other settings is refused (exit 1) and leaves the checkpoint alone.
    let mismatch = runTool(fixture.arguments(["--seed", "4", "--checkpoint", fixture.path("run.ckpt"), "--resume"],
                                             evaluations: 30))
    #expect(mismatch.status == 1)
    #expect(mismatch.errors.contains("cannot resume from checkpoint"))
    // Resume without a checkpoint file starts a new search.
    let fresh = runTool(base + ["--checkpoint", fixture.path("new.ckpt"), "--resume"])
    #expect(fresh.status == 0)
    #expect(FileManager.default.fileExists(atPath: fixture.path("new.ckpt")))
  }

  @Test func budgetAndAccuracyConstraintsChooseAPoint() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let budget = runTool(fixture.arguments(["--budget", "45%", "--output", fixture.path("budget.json")]))
    #expect(budget.status == 0, "\(budget.errors)")
    let document = try ParetoFrontDocument.read(from: fixture.path("budget.json"))
    #expect(document.search.constraint.kind == "maximumEnergy")
    #expect(abs(try #require(document.search.constraint.relativeEnergy) - 0.45) < 1e-12)
    let selection = try #require(document.selection)
    let chosen = try #require(document.points.first { $0.id == selection.pointId })
    #expect(chosen.relativeEnergy <= 0.45)
    for point in document.points where point.relativeEnergy <= 0.45 {
      #expect(point.validation.correct <= chosen.validation.correct)
    }
    #expect(budget.output.contains("Chosen for the budget"))

    let drop = runTool(fixture.arguments(["--max-accuracy-drop", "5%", "--output", fixture.path("drop.json")]))
    #expect(drop.status == 0, "\(drop.errors)")
    let dropped = try ParetoFrontDocument.read(from: fixture.path("drop.json"))
    let floor = try #require(dropped.search.constraint.accuracy)
    #expect(abs(floor - (dropped.baselines[0].validation.accuracy - 0.05)) < 1e-12)
    let answer = try #require(dropped.points.first { $0.id == dropped.selection?.pointId })
    #expect(answer.validation.accuracy >= floor)
    for point in dropped.points where point.validation.accuracy >= floor {
      #expect(point.energy.totalPicojoules >= answer.energy.totalPicojoules)
    }
  }

  @Test func candidateSetsAndPinsReachTheFront() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let run = runTool(fixture.arguments(["--weight-bits", "3-5", "--activation-bits", "4,8", "--pin", "first=16,fc=a8",
                                         "--output", fixture.path("pinned.json"), "--algorithm", "nsga2"]))
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: fixture.path("pinned.json"))
    #expect(document.search.pins == [.init(layer: "conv", weightBits: 16, activationBits: 16),
                                     .init(layer: "fc", weightBits: nil, activationBits: 8)])
    #expect(document.search.algorithm == "nsga2")
    for point in document.points {
      #expect(point.layers[0].weightBits == 16 && point.layers[0].activationBits == 16)
      #expect((3...5).contains(point.layers[1].weightBits) && point.layers[1].activationBits == 8)
    }
  }

  /// `--algorithm guided`: the document records the algorithm and its sensitivity phase, the evaluation limit holds
  /// exactly, the same seed writes the same bytes apart from timing, and an interrupted run resumes to the same front.
  @Test func guidedRunsRecordTheirSensitivityPhaseAndResumeExactly() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let base = fixture.arguments(["--algorithm", "guided", "--seed", "5"], evaluations: 40)
    let run = runTool(base + ["--output", fixture.path("guided.json"), "--threads", "2"])
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: fixture.path("guided.json"))
    #expect(document.search.algorithm == "guided")
    #expect(document.effort.evaluations == 40)
    let sensitivity = try #require(document.search.sensitivity)
    #expect(sensitivity.anchorBits != nil && sensitivity.probes > 0)
    // The baselines are recorded before the search, so the phase spends evaluations on probes and seeds only.
    #expect(sensitivity.evaluations <= sensitivity.probes + sensitivity.seeds && sensitivity.evaluations > 0)
    #expect(runTool(base + ["--output", fixture.path("again.json"), "--threads", "1"]).status == 0)
    #expect(try comparable(fixture.path("again.json"), dropCommandLine: true)
            == comparable(fixture.path("guided.json"), dropCommandLine: true))
    // The hybrid's document has no sensitivity record.
    #expect(runTool(fixture.arguments(["--output", fixture.path("hybrid.json"), "--algorithm", "hybrid"])).status == 0)
    #expect(try ParetoFrontDocument.read(from: fixture.path("hybrid.json")).search.sensitivity == nil)
    // Interrupted inside the sensitivity phase (after its first batch), then resumed.
    var command = try OptimizeCommand(parsing: ArgumentScanner.parse(
      Array((base + ["--output", fixture.path("resumed.json"), "--checkpoint", fixture.path("run.ckpt")]).dropFirst()),
      options: OptimizeCommand.configuration.options))
    command.interruptAfterEvaluations = 1
    var output = "", errors = ""
    #expect(throws: CommandFailure.self) { try command.run(output: &output, errors: &errors) }
    let saved = try OptimizeCheckpoint.read(from: fixture.path("run.ckpt"))
    #expect(saved.state.phase.rawValue == "sensitivity" && saved.state.evaluations < 40)
    let resumed = runTool(base + ["--output", fixture.path("resumed.json"), "--checkpoint", fixture.path("run.ckpt"), "--resume"])
    #expect(resumed.status == 0, "\(resumed.errors)")
    #expect(try comparable(fixture.path("resumed.json"), dropCommandLine: true)
            == comparable(fixture.path("guided.json"), dropCommandLine: true))
  }

  /// `--algorithm exhaustive` without `--evaluations` measures every configuration of the narrowed space; its
  /// front is never beaten by a hybrid run's in the same space; a space too large to enumerate is a usage error.
  @Test func exhaustiveEnumeratesTheNarrowedSpace() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let narrowed = ["optimize", "--model", fixture.model, "--data", fixture.data, "--weight-bits", "2,4,8",
                    "--activation-bits", "4,8", "--screening", "exact", "--quiet"]
    let run = runTool(narrowed + ["--algorithm", "exhaustive", "--output", fixture.path("exact.json")])
    #expect(run.status == 0, "\(run.errors)")
    let exact = try ParetoFrontDocument.read(from: fixture.path("exact.json"))
    #expect(exact.search.algorithm == "exhaustive")
    #expect(exact.effort.evaluations == 36)  // (3 weight x 2 activation widths)^2 layers
    #expect(exact.effort.stopReason == "exhausted")
    let hybrid = runTool(narrowed + ["--evaluations", "12", "--population-size", "6", "--output", fixture.path("hybrid.json")])
    #expect(hybrid.status == 0, "\(hybrid.errors)")
    let heuristic = try ParetoFrontDocument.read(from: fixture.path("hybrid.json"))
    for point in heuristic.points {
      let dominated = exact.points.contains { other in
        other.energy.totalPicojoules <= point.energy.totalPicojoules && other.validation.correct >= point.validation.correct
          && (other.energy.totalPicojoules < point.energy.totalPicojoules || other.validation.correct > point.validation.correct)
      }
      let onTheExactFront = exact.points.contains { $0.layers == point.layers }
      #expect(dominated || onTheExactFront, "\(point.id) of the hybrid run beats the exact front")
    }
    // The shipped fashion model's whole space: (15 x 15)^4 = 2,562,890,625 configurations.
    let tooLarge = runTool(["optimize", "--model", "fashion", "--algorithm", "exhaustive", "--quiet"])
    #expect(tooLarge.status == 64)
    #expect(tooLarge.errors.contains("the space has 2,562,890,625 (at most 16,777,216)"), "\(tooLarge.errors)")
  }

  @Test(arguments: [
    (["--weight-bits", "1-4"], "'1-4' is outside 2...16"),
    (["--weight-bits", "8-4"], "the range '8-4' is empty"),
    (["--activation-bits", "4,,8"], "empty item"),
    (["--pin", "conv"], "'conv' is not LAYER=BITS"),
    (["--pin", "first=w"], "has no weight bits"),
    (["--pin", "first=17"], "17 in 'first=17' is outside 2...16"),
    (["--pin", "nosuch=8"], "the model has no weighted layer 'nosuch'; expected first, last or one of: conv, fc."),
    (["--pin", "first=8,conv=4"], "pins layer 'conv' twice"),
    (["--budget", "40"], "The value for '--budget <energy>' is invalid"),
    (["--min-accuracy", "1.5"], "out of range for '--min-accuracy <accuracy>'"),
    (["--max-accuracy-drop", "abc"], "is invalid for '--max-accuracy-drop <drop>'"),
    (["--budget", "1uJ", "--min-accuracy", "0.5"], "cannot be used together"),
    (["--resume"], "'--resume' needs '--checkpoint <file>'"),
    (["--algorithm", "tabu"], "expected one of: 'hybrid', 'nsga2', 'annealing'"),
    (["--screening", "maybe"], "--screening"),
    (["--evaluations", "0"], "out of range for '--evaluations <count>'"),
    (["--seed", "-1"], "out of range for '--seed <seed>'"),
    (["--energy-model", "no-such-table"], "expected a preset name"),
    (["--annealing-share", "1"], "out of range for '--annealing-share <share>'"),
    (["--algorithm", "nsga2", "--annealing-share", "0.2"], "'--annealing-share' applies only to --algorithm hybrid or guided"),
    (["--preselection-candidates", "17"], "out of range for '--preselection-candidates <count>'"),
    (["--algorithm", "hybrid", "--preselection-candidates", "4"],
     "'--preselection-candidates' applies only to --algorithm guided"),
  ])
  func usageErrorsExit64NamingTheOption(extra: [String], message: String) throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let run = runTool(fixture.arguments(extra))
    #expect(run.status == 64)
    #expect(run.errors.contains(message), "\(run.errors)")
    #expect(run.errors.contains("Usage: precsearch optimize"))
    #expect(run.output.isEmpty)
  }

  @Test func annealingShareAndPreselectionReachTheSearchAndTheDocument() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let (plain, tuned) = (fixture.path("plain.json"), fixture.path("tuned.json"))
    let first = runTool(fixture.arguments(["--output", plain], evaluations: 60))
    let second = runTool(fixture.arguments(["--output", tuned, "--annealing-share", "0.1", "--preselection-candidates", "4"],
                                           evaluations: 60))
    #expect(first.status == 0 && second.status == 0, "\(first.errors) \(second.errors)")
    let plainSearch = try #require(comparable(plain).objectValue?["search"]?.objectValue)
    let tunedSearch = try #require(comparable(tuned).objectValue?["search"]?.objectValue)
    #expect(plainSearch["annealingShare"]?.doubleValue == 0.3 && plainSearch["preselectionCandidates"]?.integerValue == 1)
    #expect(tunedSearch["annealingShare"]?.doubleValue == 0.1 && tunedSearch["preselectionCandidates"]?.integerValue == 4)
    #expect(try comparable(plain).objectValue?["points"] != comparable(tuned).objectValue?["points"])
  }

  @Test func missingModelOrDataAreUsageOrRuntimeErrors() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    #expect(runTool(["optimize"]).status == 64)  // --model is required
    let noData = runTool(["optimize", "--model", fixture.model, "--quiet"])
    #expect(noData.status == 64)
    #expect(noData.errors.contains("Missing expected argument '--data <directory>'"))
    let missing = runTool(["optimize", "--model", fixture.path("nothing.psmodel"), "--data", fixture.data])
    #expect(missing.status == 1)
    #expect(missing.errors.contains("no such file, and no shipped model has that name"))
    // cifar10 ships without its data: not installed, or installed and asking for --data.
    let notShipped = runTool(["optimize", "--model", "cifar10"])
    #expect(notShipped.status == 1)
    if ModelCatalog.shippedModel(named: "cifar10") == nil {
      #expect(notShipped.errors.contains("the shipped model 'cifar10' is not installed"))
    } else {
      #expect(notShipped.errors.contains("model 'cifar10' needs --data"))
    }
    let noDirectory = runTool(fixture.arguments(["--data", fixture.path("nowhere")]))
    #expect(noDirectory.status == 1)
    #expect(noDirectory.errors.contains("no such directory"))
    let badOutput = runTool(fixture.arguments(["--output", fixture.path("missing/front.json")]))
    #expect(badOutput.status == 1)
    #expect(badOutput.errors.contains("does not exist"))
    try Data("not json".utf8).write(to: URL(fileURLWithPath: fixture.path("bad.ckpt")))
    let badCheckpoint = runTool(fixture.arguments(["--checkpoint", fixture.path("bad.ckpt"), "--resume"]))
    #expect(badCheckpoint.status == 1)
    #expect(badCheckpoint.errors.contains("checkpoint '\(fixture.path("bad.ckpt"))'"))
    for run in [missing, notShipped, noDirectory, badOutput, badCheckpoint] {
      #expect(run.errors.hasPrefix("Error: "))
      #expect(run.errors.split(separator: "\n").count == 1)
    }
  }

  @Test func progressGoesToStandardErrorUnlessQuiet() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    var command = try OptimizeCommand(parsing: ArgumentScanner.parse(
      ["--model", fixture.model, "--data", fixture.data, "--evaluations", "12", "--population-size", "4"],
      options: OptimizeCommand.configuration.options))
    command.progressInterval = 0
    var output = "", errors = ""
    try command.run(output: &output, errors: &errors)
    let lines = errors.split(separator: "\n")
    let progress = lines.prefix { !$0.hasPrefix("Measuring the ") }
    #expect(progress.count >= 2)
    #expect(progress.allSatisfy { $0.hasPrefix("evaluations ") && $0.contains("hypervolume") && $0.contains("front") })
    #expect(progress.last?.contains("evaluations 12/12 (100%) | finished") == true)
    // Then the test pass: its announcement and a progress line per chunk, the last one complete.
    let announcement = try #require(lines.firstIndex { $0.hasPrefix("Measuring the ") })
    #expect(lines[announcement].hasSuffix(" on the 40 test images"))
    let testLines = lines[(announcement + 1)...]
    #expect(!testLines.isEmpty && testLines.allSatisfy { $0.hasPrefix("test split: ") })
    // "Measuring the N front points and M baselines on the ...": N + M configurations in all.
    let words = lines[announcement].split(separator: " ")
    let total = try #require(Int(words[2])) + (try #require(Int(words[6])))
    #expect(testLines.last?.hasPrefix("test split: \(total)/\(total) configurations") == true, "\(testLines.last ?? "")")
    #expect(!errors.contains("\r"))  // not a terminal: whole lines only
  }

  @Test func timeLimitsAndImageLimitsAreRecorded() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let run = runTool(fixture.arguments(["--time-limit", "0.001", "--validation-images", "20", "--test-images", "10",
                                         "--output", fixture.path("timed.json")], evaluations: 1000))
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: fixture.path("timed.json"))
    #expect(document.effort.stopReason == "timeLimit")
    #expect(document.effort.evaluations < 1000)
    #expect(document.search.timeLimitSeconds == 0.001)
    #expect(document.search.maximumEvaluations == 1000)
    #expect(document.data.validation.images == 20 && document.data.test.images == 10)
    #expect(document.baselines.allSatisfy { $0.validation.images == 20 && $0.test.images == 10 })
  }

  @Test func helpDescribesTheCommand() {
    let help = runTool(["optimize", "--help"])
    #expect(help.status == 0)
    for option in ["--model <name-or-path>", "--budget <energy>", "--min-accuracy", "--max-accuracy-drop",
                   "--checkpoint <file>", "--resume", "--pin <list>", "--weight-bits <list>", "--quiet"] {
      #expect(help.output.contains(option), "\(option)")
    }
    #expect(PrecSearchTool.subcommandNames.contains("optimize"))
  }
}
