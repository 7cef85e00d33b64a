import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import PrecSearchTestSupport

@Suite struct SummarizeCommandTests {
  /// A front of three points (200, 400, 800 pJ; validation 60, 80, 90 of 100) with uniform 16-bit (1000 pJ,
  /// validation 91) and 8-bit (500 pJ, validation 89) baselines.
  func writeFront(_ directory: TemporaryDirectory, name: String, seed: UInt64, withBaselines: Bool = true) throws -> String {
    let configurations = [2, 4, 8].map { PrecisionConfiguration.uniform($0, layerCount: 2) }
    var document = RuntimeFixture.front(layerNames: ["conv", "fc"], sha256: "aa", configurations: configurations,
                                        energies: [200, 400, 800], validation: [60, 80, 90])
    document.search.seed = seed
    if withBaselines {
      let memory = ParetoFrontDocument.WeightMemory(weightBits: 1, biasBits: 1)
      document.baselines = [
        .init(bits: 16, validation: .init(correct: 91, images: 100), test: .init(correct: 90, images: 100),
              energyPicojoules: 1000, relativeEnergy: 1, weightMemory: memory),
        .init(bits: 8, validation: .init(correct: 89, images: 100), test: .init(correct: 88, images: 100),
              energyPicojoules: 500, relativeEnergy: 0.5, weightMemory: memory),
      ]
    }
    let path = directory.path(name)
    try document.write(to: path)
    return path
  }

  @Test func writesTheTablesOfEveryGroup() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let a = try writeFront(directory, name: "a.json", seed: 2)
    let b = try writeFront(directory, name: "b.json", seed: 1)
    let run = runTool(["summarize", a, b, "--losses", "1,2", "--budgets", "50%"])
    #expect(run.status == 0, "\(run.errors)")
    // 2 points of loss on validation: floor 0.89 -> p03 (800 pJ) vs 8 bits (500 pJ); 1 point: floor 0.90 -> p03
    // vs 16 bits.
    #expect(run.output.contains("| 1% | validation | 91.00 | 20.0 ± 0.0 | 20.0 ± 0.0 | 16 | 2 of 2 |"), "\(run.output)")
    #expect(run.output.contains("| 2% | validation | 91.00 | 20.0 ± 0.0 | -60.0 ± 0.0 | 8 | 2 of 2 |"), "\(run.output)")
    #expect(run.output.contains("| 50% | 80.00 ± 0.00 |"), "\(run.output)")
    #expect(run.output.contains("Runs: 2 (seeds 1, 2)"))
    // --output: same text, written to the file.
    let written = runTool(["summarize", a, b, "--losses", "1,2", "--budgets", "50%", "--output", directory.path("s.md")])
    #expect(written.status == 0 && written.output.contains("s.md"))
    #expect(try String(contentsOfFile: directory.path("s.md"), encoding: .utf8) == run.output)
  }

  @Test func badInputsAreRefusedWithTheRightStatus() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let a = try writeFront(directory, name: "a.json", seed: 1)
    let usage: [([String], String)] = [
      (["summarize"], "<front.json>"),
      (["summarize", a, "--losses", "1,x"], "--losses"),
      (["summarize", a, "--losses", "101"], "--losses"),
      (["summarize", a, "--budgets", "0"], "--budgets"),
      (["summarize", a, "--output", a], "--output"),
    ]
    for (arguments, mention) in usage {
      let run = runTool(arguments)
      #expect(run.status == 64 && run.errors.contains(mention), "\(arguments): \(run.errors)")
    }
    let missing = runTool(["summarize", directory.path("none.json")])
    #expect(missing.status == 1 && missing.errors.contains("none.json"), "\(missing.errors)")
    let bare = try writeFront(directory, name: "bare.json", seed: 1, withBaselines: false)
    let noBaseline = runTool(["summarize", bare])
    #expect(noBaseline.status == 1 && noBaseline.errors.contains("bare.json") && noBaseline.errors.contains("16-bit"),
            "\(noBaseline.errors)")
  }
}
