import Foundation
import Testing
import PrecSearchFormats
import PrecSearchIO
@testable import PrecSearchCLI
import PrecSearchTestSupport

/// `precsearch plot` and `precsearch report` on tiny Pareto JSON files written to a temporary directory.
@Suite struct PlotReportCommandTests {
  typealias D = ParetoFrontDocument

  /// A two-layer front of three points and three baselines, priced by `energyModel`.
  static func document(energyModel: String = "swp-16-8-4", seed: UInt64 = 1, scale: Double = 1) -> ParetoFrontDocument {
    let memory = D.WeightMemory(weightBits: 1000, biasBits: 100)
    func energy(_ total: Double) -> D.Energy {
      D.Energy(totalPicojoules: total * scale, computePicojoules: total * scale, weightReadPicojoules: 0,
               activationReadPicojoules: 0, activationWritePicojoules: 0, leakagePicojoules: 0)
    }
    let points = [(200_000.0, 700, 1380), (400_000.0, 850, 1700), (700_000.0, 900, 1790)].enumerated().map { index, item in
      D.Point(id: "p0\(index + 1)",
              layers: [.init(name: "conv1", weightBits: 4 + index, activationBits: 8, outputBits: 8, energyPicojoules: 1),
                       .init(name: "fc", weightBits: 2 + index, activationBits: 4 + index, outputBits: 16, energyPicojoules: 1)],
              validation: .init(correct: item.1, images: 1000), test: .init(correct: item.2, images: 2000),
              energy: energy(item.0), relativeEnergy: item.0 / 1_000_000, weightMemory: memory)
    }
    let baselines = [(16, 1_000_000.0, 905, 1800), (8, 600_000.0, 890, 1770), (4, 300_000.0, 600, 1200)].map {
      D.Baseline(bits: $0.0, validation: .init(correct: $0.2, images: 1000), test: .init(correct: $0.3, images: 2000),
                 energyPicojoules: $0.1 * scale, relativeEnergy: $0.1 / 1_000_000, weightMemory: memory)
    }
    return D(
      provenance: .init(tool: "precsearch", toolVersion: "0.1.0", commit: "unknown",
                        commandLine: ["precsearch", "optimize", "--model", "m.psmodel", "--output", "f.json"]),
      model: .init(name: "tiny", source: "m.psmodel", sha256: "aa", inputShape: [28, 28, 1], classes: 10,
                   layers: [.init(name: "conv1", macs: 1000, weights: 36, biases: 4),
                            .init(name: "fc", macs: 100, weights: 100, biases: 10)],
                   totalMACs: 1100, totalParameters: 150),
      data: .init(name: "data", validation: .init(source: "v", images: 1000, sha256: "bb"),
                  test: .init(source: "t", images: 2000, sha256: "cc")),
      energyModel: .init(name: energyModel, source: "preset", path: nil, sha256: "sha-" + energyModel,
                         uniform16BitPicojoules: 1_000_000 * scale),
      search: .init(algorithm: "hybrid", seed: seed, maximumEvaluations: 100, timeLimitSeconds: nil,
                    weightBits: Array(2...16), activationBits: Array(2...16), pins: [], constraint: .init(kind: "none"),
                    populationSize: 40, mutationSteps: 2, annealingRuns: 4, annealingShare: 0.3,
                    screening: .init(rule: "off", chunks: 16, z: nil)),
      effort: .init(evaluations: 100, memoHits: 0, configurationsMeasured: 100, configurationsScreenedOut: 0,
                    imagesRun: 100_000, stopReason: "evaluationLimit"),
      hypervolume: .init(referencePoint: [1.1, 1.1], final: 0.8, history: [.init(evaluations: 100, hypervolume: 0.8)]),
      baselines: baselines, points: points, selection: nil,
      timing: .init(wallSeconds: 1, baselineSeconds: 0.1, searchSeconds: 0.8, testSeconds: 0.1, evaluationsPerSecond: 125,
                    imagesPerSecond: 1000, planSeconds: 0, inferenceSeconds: 0.8, energySeconds: 0, otherSeconds: 0,
                    threads: 1, sessions: 1))
  }

  @Test func plotWritesAnSVGAndSaysSo() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let front = directory.path("front.json"), svg = directory.path("front.svg")
    try Self.document().write(to: front)
    let run = runTool(["plot", front, "--output", svg])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output == "Wrote \(svg) (1 front, 3 points)\n")
    #expect(run.errors.isEmpty)
    let text = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
    #expect(text.contains(">tiny · swp-16-8-4 · hybrid, seed 1</text>"))
    #expect(text.contains(">Energy per inference (µJ)</text>"))
    // The same command again gives the same bytes, and no temporary file is left behind.
    #expect(runTool(["plot", front, "--output", svg]).status == 0)
    #expect(try String(contentsOfFile: svg, encoding: .utf8) == text)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).sorted() == ["front.json", "front.svg"])
  }

  @Test func plotTakesLabelsTitleSplitSizeAndAxisOptions() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let a = directory.path("a.json"), b = directory.path("b.json"), svg = directory.path("ab.svg")
    try Self.document(seed: 1).write(to: a)
    try Self.document(seed: 2).write(to: b)
    let run = runTool(["plot", a, b, "--labels", "first, second", "--title", "Seeds & runs", "--split", "validation",
                       "--log-energy", "--accuracy-from", "80%", "--width", "700", "--height", "480", "--output", svg])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output == "Wrote \(svg) (2 fronts, 6 points)\n")
    let text = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(text.contains("width=\"700\" height=\"480\""))
    #expect(text.contains(">first</text>") && text.contains(">second</text>"))
    #expect(text.contains(">Seeds &amp; runs</text>"))
    #expect(text.contains(">Top-1 accuracy on the validation split (%)</text>"))
    #expect(text.contains(", log scale</text>"))
    // 70% validation accuracy is below the axis: p01 is left out, p02 and p03 stay.
    #expect(!text.contains("<title>p01: ") && text.contains("<title>p02: "))
    // Default labels of two seeds name the seeds.
    #expect(runTool(["plot", a, b, "--output", svg]).status == 0)
    let defaults = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(defaults.contains(">hybrid, seed 1</text>") && defaults.contains(">hybrid, seed 2</text>"))
  }

  @Test func mixingEnergyModelsIsAUsageErrorUnlessEnergyIsRelative() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let a = directory.path("swp.json"), b = directory.path("horowitz.json"), svg = directory.path("x.svg")
    try Self.document(energyModel: "swp-16-8-4").write(to: a)
    try Self.document(energyModel: "horowitz45-bitwise", scale: 4).write(to: b)
    let refused = runTool(["plot", a, b, "--output", svg])
    #expect(refused.status == 64)
    #expect(refused.output.isEmpty)
    let first = refused.errorLines.first ?? ""
    #expect(first == "Error: The front files were priced by different energy models ('\(a)': swp-16-8-4, '\(b)': "
      + "horowitz45-bitwise), so their absolute energies are not comparable; give '--relative-energy' to plot energy "
      + "as % of each front's uniform 16-bit energy.")
    #expect(refused.errorLines.last == "  See 'precsearch plot --help' for more information.")
    #expect(!FileManager.default.fileExists(atPath: svg))
    let relative = runTool(["plot", a, b, "--relative-energy", "--output", svg])
    #expect(relative.status == 0, "\(relative.errors)")
    let text = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(text.contains(">Energy per inference (% of uniform 16-bit energy)</text>"))
  }

  @Test func reportWritesOneSelfContainedPage() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let front = directory.path("front.json"), html = directory.path("front.html")
    try Self.document().write(to: front)
    let run = runTool(["report", front, "--output", html, "--title", "Tiny <front>", "--split", "validation"])
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output == "Wrote \(html) (3 points, 3 baselines)\n")
    let text = try String(contentsOfFile: html, encoding: .utf8)
    #expect(text.hasPrefix("<!DOCTYPE html>"))
    #expect(text.contains("<title>Tiny &lt;front&gt;</title>"))
    #expect(text.contains("<code>\(front)</code>"))
    #expect(text.contains(">Top-1 accuracy on the validation split (%)</text>"))
    #expect(!text.contains("<script") && !text.contains("<link"))
    #expect(runTool(["report", front, "--output", html, "--title", "Tiny <front>", "--split", "validation"]).status == 0)
    #expect(try String(contentsOfFile: html, encoding: .utf8) == text)
  }

  @Test func missingArgumentsAreUsageErrors() {
    for (arguments, reason, command) in [
      (["plot", "front.json"], "Missing expected argument '--output <file>'.", "plot"),
      (["plot", "--output", "x.svg"], "Missing expected argument '<front.json> ...': give at least one Pareto JSON file written by 'precsearch optimize --output'.", "plot"),
      (["report", "front.json"], "Missing expected argument '--output <file>'.", "report"),
      (["report", "--output", "x.html"], "Missing expected argument '<front.json>': give the Pareto JSON file written by 'precsearch optimize --output'.", "report"),
      (["report", "a.json", "b.json", "--output", "x.html"], "Unexpected argument 'b.json'.", "report"),
      (["plot", "a.json", "--output", "x.svg", "--split", "train"], "The value 'train' is invalid for '--split <split>'; expected one of: 'validation', 'test'.", "plot"),
      (["plot", "a.json", "--output", "x.svg", "--width", "100"], "The value '100' is out of range for '--width <pixels>'; expected an integer in 320...4000.", "plot"),
      (["plot", "a.json", "--output", "x.svg", "--accuracy-from", "100"], "The value '100' is invalid for '--accuracy-from <percent>'; expected a percentage from 0 to below 100.", "plot"),
      (["plot", "a.json", "b.json", "--output", "x.svg", "--labels", "one"], "The value 'one' is invalid for '--labels <list>': it has 1 label(s) for 2 front file(s); give one per file, separated by commas.", "plot"),
      (["plot", "a.json", "--output", "x.svg", "--labels", " "], "The value ' ' is invalid for '--labels <list>': label 1 is empty.", "plot"),
      (["plot", "a.json", "--output", "./a.json"], "The value './a.json' is invalid for '--output <file>': it is the input 'a.json'; choose another output file.", "plot"),
      (["report", "a.json", "--output", "a.json"], "The value 'a.json' is invalid for '--output <file>': it is the input 'a.json'; choose another output file.", "report"),
    ] {
      let run = runTool(arguments)
      #expect(run.status == 64, "\(arguments)")
      #expect(run.output.isEmpty, "\(arguments)")
      #expect(run.errorLines.first == "Error: " + reason, "\(arguments)")
      #expect(run.errorLines.dropFirst().first?.hasPrefix("Usage: precsearch \(command)") == true, "\(arguments)")
    }
  }

  @Test func unreadableOrMalformedFilesFailNamingTheFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let good = directory.path("good.json"), missing = directory.path("missing.json")
    let broken = directory.path("broken.json"), other = directory.path("other.json"), partial = directory.path("partial.json")
    try Self.document().write(to: good)
    try Array("{\"format\": ".utf8).write(to: broken)
    try Array("{\"format\": \"precsearch-optimize-checkpoint\", \"schemaVersion\": 1}".utf8).write(to: other)
    try Array("{\"format\": \"precsearch-pareto-front\", \"schemaVersion\": 1, \"points\": []}".utf8).write(to: partial)
    let out = directory.path("out.svg")
    for path in [missing, broken, other, partial, directory.url.path] {
      for arguments in [["plot", good, path, "--output", out], ["report", path, "--output", directory.path("out.html")]] {
        let run = runTool(arguments)
        #expect(run.status == 1, "\(arguments)")
        #expect(run.output.isEmpty, "\(arguments)")
        #expect(run.errorLines.count == 1, "\(arguments): \(run.errors)")
        #expect(run.errors.hasPrefix("Error: ") && run.errors.contains("'\(path)'"), "\(arguments): \(run.errors)")
      }
    }
    // An output directory that does not exist fails after the work, naming the output.
    let nowhere = directory.path("no/such/dir/out.svg")
    let run = runTool(["plot", good, "--output", nowhere])
    #expect(run.status == 1)
    #expect(run.errors.contains(nowhere))
  }

  @Test func bothCommandsAreRegisteredWithHelp() throws {
    #expect(PrecSearchTool.subcommandNames.contains("plot"))
    #expect(PrecSearchTool.subcommandNames.contains("report"))
    let help = try #require(PrecSearchTool.helpText(for: "plot"))
    #expect(help.contains("--relative-energy"))
    #expect(help.contains("EXAMPLES:\n  precsearch plot Results/optimize/fashion-budget40.json --output fashion.svg\n"))
  }
}
