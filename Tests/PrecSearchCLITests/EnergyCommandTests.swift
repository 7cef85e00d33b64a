import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionSearch
import Testing
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// Energy in `evaluate`, `--energy-model` resolution, and the budget helper, through `PrecSearchTool.run`.
@Suite struct EvaluateEnergyTests {
  /// The energy report the estimator gives for the tiny model's folded network at a chain configuration (the tiny
  /// model is a chain, so each layer's output is stored at the next layer's activation width, 16 at the output).
  static func expectedReport(_ model: ModelFile, weightBits: [Int], activationBits: [Int],
                             table: EnergyTable) throws -> EnergyReport {
    let folded = try FixedPointModel(network: model.network, ranges: try #require(model.activationRanges)).network
    return try EnergyEstimator(table: table).report(
      workloads: folded.layerWorkloads,
      precisions: try LayerPrecisionBits.sequential(weightBits: weightBits, activationBits: activationBits))
  }

  static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

  static func expectClose(_ a: EnergySummary.Breakdown, _ b: EnergyBreakdown, _ label: String) {
    #expect(close(a.totalPicojoules, b.totalPicojoules), "\(label) total")
    #expect(close(a.computePicojoules, b.computePicojoules), "\(label) compute")
    #expect(close(a.memoryPicojoules, b.memoryPicojoules), "\(label) memory")
    #expect(close(a.weightReadPicojoules, b.weightReadPicojoules), "\(label) weights")
    #expect(close(a.activationReadPicojoules, b.activationReadPicojoules), "\(label) activation reads")
    #expect(close(a.activationWritePicojoules, b.activationWritePicojoules), "\(label) activation writes")
    #expect(close(a.leakagePicojoules, b.leakagePicojoules), "\(label) leakage")
  }

  @Test func jsonEnergyMatchesTheEstimatorOnTheSameWorkloads() throws {
    let workspace = try FileCommandTests.Workspace()
    defer { workspace.directory.cleanup() }
    let run = runTool(workspace.evaluateArguments(["--json"], weightBits: "8,4,16", activationBits: "8,4,4"))
    #expect(run.status == 0, "\(run.errors)")
    let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(run.output.utf8))
    let energy = try #require(report.energy)
    let expected = try Self.expectedReport(workspace.model, weightBits: [8, 4, 16], activationBits: [8, 4, 4],
                                           table: .subwordParallel16x8x4)
    #expect(energy.table.name == "swp-16-8-4" && energy.table.source == "preset" && energy.table.path == nil)
    #expect(energy.table.checksum == (try EnergyTableFile.checksum(of: EnergyTable.subwordParallel16x8x4)))
    #expect(!energy.table.calibrated)
    Self.expectClose(energy.total, expected.total, "total")
    Self.expectClose(energy.uniform16Bit, expected.uniform16Bit, "uniform 16-bit")
    #expect(Self.close(energy.relativeToUniform16Bit, expected.relativeToUniform16Bit))
    #expect(Self.close(energy.relativeToUniform16Bit, energy.total.totalPicojoules / energy.uniform16Bit.totalPicojoules))
    #expect(Self.close(energy.cycles, expected.cycles) && Self.close(energy.latencyMicroseconds, expected.latencyMicroseconds))
    #expect(energy.clockFrequencyMegahertz == 200 && energy.parallelMACUnits == 64)
    #expect(Self.close(energy.latencyMicroseconds, energy.cycles / energy.clockFrequencyMegahertz))
    #expect(Self.close(energy.computeShare, expected.total.computeShare))
    #expect(Self.close(energy.uniform16BitComputeShare, expected.uniform16Bit.computeShare))
    // The parts add up to the total, and the layers to the network.
    let t = energy.total
    #expect(Self.close(t.computePicojoules + t.memoryPicojoules + t.leakagePicojoules, t.totalPicojoules))
    #expect(abs(energy.layers.map(\.energy.totalPicojoules).reduce(0, +) - t.totalPicojoules) <= 1e-9 * t.totalPicojoules)
    #expect(abs(energy.layers.map(\.fractionOfTotal).reduce(0, +) - 1) < 1e-12)
    // Per layer: names, widths (outputs chained, 16 at the end), modes, and the estimator's numbers.
    #expect(energy.layers.map(\.name) == ["conv1", "conv2", "fc"])
    #expect(energy.layers.map { [$0.weightBits, $0.activationBits, $0.outputBits] } == [[8, 8, 4], [4, 4, 4], [16, 4, 16]])
    #expect(energy.layers.map(\.mode) == ["8x8", "4x4", "16x16"])
    #expect(energy.layers.map(\.macsPerCycle) == [2, 4, 1])
    for (layer, reference) in zip(energy.layers, expected.layers) {
      Self.expectClose(layer.energy, reference.energy, layer.name)
      #expect(Self.close(layer.cycles, reference.cycles), "\(layer.name) cycles")
    }
    // Hand check of conv1 (after BatchNorm folding: 36 weights + 4 biases; 784 inputs; 14 x 14 x 4 outputs):
    // 7,056 MACs in 8x8 at 0.309375 pJ; (36 x 8 + 4 x 32) bits at 1.5625 pJ/bit; 784 x 8 and 784 x 4 bits at
    // 0.3125 pJ/bit; 7,056 / (64 x 2) cycles at 200 MHz with 2000 uW.
    let conv1 = energy.layers[0].energy
    #expect(Self.close(conv1.computePicojoules, 7056 * 0.309375))
    #expect(Self.close(conv1.weightReadPicojoules, (36 * 8 + 4 * 32) * 1.5625))
    #expect(Self.close(conv1.activationReadPicojoules, 784 * 8 * 0.3125))
    #expect(Self.close(conv1.activationWritePicojoules, 784 * 4 * 0.3125))
    #expect(Self.close(energy.layers[0].cycles, 7056.0 / 128))
    #expect(Self.close(conv1.leakagePicojoules, 2000 * 7056.0 / 128 / 200))
  }

  @Test func textShowsTotalsBreakdownCyclesAndLayers() throws {
    let workspace = try FileCommandTests.Workspace()
    defer { workspace.directory.cleanup() }
    let run = runTool(workspace.evaluateArguments(["--energy-model", "horowitz45-bitwise"]))
    #expect(run.status == 0, "\(run.errors)")
    let expected = try Self.expectedReport(workspace.model, weightBits: [8, 8, 8], activationBits: [8, 8, 8],
                                           table: .horowitz45Bitwise)
    let checksum = try EnergyTableFile.checksum(of: EnergyTable.horowitz45Bitwise)
    let text = run.output
    #expect(text.contains("\nEnergy per inference (table horowitz45-bitwise, preset, sha256 \(checksum.prefix(12)))\n"))
    let total = EnergyFormatting.energy(expected.total.totalPicojoules)
    let uniform = EnergyFormatting.energy(expected.uniform16Bit.totalPicojoules)
    let ratio = NumberFormatting.fixed(expected.relativeToUniform16Bit, decimals: 3)
    #expect(text.contains("\n  Total:     \(total), \(ratio) x uniform 16-bit (\(uniform))\n"), "\(text)")
    #expect(total.hasSuffix(" nJ") && uniform.hasSuffix(" nJ"))
    #expect(text.contains("\n  Compute:   \(EnergyFormatting.energy(expected.total.computePicojoules)) ("
      + NumberFormatting.percent(expected.total.computeShare) + "; uniform 16-bit: "
      + NumberFormatting.percent(expected.uniform16Bit.computeShare) + ")\n"))
    #expect(text.contains("\n  Memory:    \(EnergyFormatting.energy(expected.total.memoryPicojoules)) ("))
    #expect(text.contains("weight reads \(EnergyFormatting.energy(expected.total.weightReadPicojoules)), activation"
      + " reads \(EnergyFormatting.energy(expected.total.activationReadPicojoules)), activation writes"
      + " \(EnergyFormatting.energy(expected.total.activationWritePicojoules))\n"))
    // horowitz45-bitwise has no leakage; 25,088 MACs on 64 units at one MAC per cycle.
    #expect(text.contains("\n  Leakage:   0 pJ (0.00%)\n"))
    #expect(text.contains("\n  Cycles:    392 on 64 MAC units, latency 1.96 µs at 200 MHz\n"), "\(text)")
    #expect(text.contains("\n  Energy per layer, in pJ:\n"))
    let conv2 = try #require(text.split(separator: "\n").first { $0.hasPrefix("  conv2 ") })
    let cells = conv2.split(separator: " ")
    #expect(cells.prefix(4) == ["conv2", "8/8/8", "8x8", "221"], "\(conv2)")
    #expect(cells.count == 11)
    let layer = expected.layers[1].energy
    #expect(cells[9] == Substring(EnergyFormatting.scaled(layer.totalPicojoules, EnergyFormatting.units[4])))
    #expect(cells[10] == Substring(NumberFormatting.percent(layer.totalPicojoules / expected.total.totalPicojoules)))
  }

  @Test func tableFilesAreAcceptedAndPriceDifferently() throws {
    let workspace = try FileCommandTests.Workspace()
    defer { workspace.directory.cleanup() }
    var table = EnergyTable.subwordParallel16x8x4
    table.name = "dram-weights"
    table.memory.weightRead = MemoryAccessEnergy(
      level: "DRAM", energyPerBitPicojoules: Sourced(20, .published, source: "Horowitz: 640 pJ per 32-bit read"))
    let path = workspace.directory.path("dram.json")
    try EnergyTableFile.write(EnergyTableDocument(table: table), to: path)
    let run = runTool(workspace.evaluateArguments(["--json", "--energy-model", path]))
    #expect(run.status == 0, "\(run.errors)")
    let energy = try #require(try JSONDecoder().decode(EvaluationReport.self, from: Data(run.output.utf8)).energy)
    #expect(energy.table.name == "dram-weights" && energy.table.source == "file" && energy.table.path == path)
    #expect(energy.table.checksum == (try sha256Hex(ofFile: path)))
    let expected = try Self.expectedReport(workspace.model, weightBits: [8, 8, 8], activationBits: [8, 8, 8],
                                           table: table)
    Self.expectClose(energy.total, expected.total, "DRAM table")
    // 8-bit weights: (36 + 288 + 3,920) x 8 bits + (4 + 8 + 10) x 32 bias bits, at 20 pJ/bit.
    #expect(Self.close(energy.total.weightReadPicojoules, Double((36 + 288 + 3920) * 8 + (4 + 8 + 10) * 32) * 20))
  }

  @Test func energyModelResolutionErrors() throws {
    let workspace = try FileCommandTests.Workspace()
    defer { workspace.directory.cleanup() }
    let typo = runTool(workspace.evaluateArguments(["--energy-model", "horowitz45"]))
    #expect(typo.status == 64)
    #expect(typo.errorLines.first == "Error: The value 'horowitz45' is invalid for '--energy-model <name-or-file>':"
      + " expected a preset name (horowitz45-bitwise, swp-16-8-4) or the path of an energy table file, and no file"
      + " 'horowitz45' exists. Did you mean 'horowitz45-bitwise'?")
    #expect(typo.errorLines.last == "  See 'precsearch evaluate --help' for more information.")
    let missing = workspace.directory.path("tables/none.json")
    let absent = runTool(workspace.evaluateArguments(["--energy-model", missing]))
    #expect(absent.status == 64 && absent.errors.contains("no file '\(missing)' exists.\n"))

    let malformed = workspace.directory.path("malformed.json")
    try Array("{\"schemaVersion\": 1}".utf8).write(to: malformed)
    let bad = runTool(workspace.evaluateArguments(["--energy-model", malformed]))
    #expect(bad.status == 1)
    #expect(bad.errors == "Error: energy table file '\(malformed)': name: missing required field\n")

    let invalid = workspace.directory.path("invalid.json")
    var table = EnergyTable.subwordParallel16x8x4
    table.parallelMACUnits.value = 0
    var text = try EnergyTableFile.jsonValue(of: table).serialized()
    text += "\n"
    try Array(text.utf8).write(to: invalid)
    let out = runTool(workspace.evaluateArguments(["--energy-model", invalid]))
    #expect(out.status == 1)
    #expect(out.errors == "Error: energy table file '\(invalid)': parallelMACUnits.value: is 0; expected an integer in"
      + " 1...1073741824\n")

    // A table that cannot run the configuration fails before any image runs, naming the layer.
    let narrow = workspace.directory.path("narrow.json")
    var eightBit = EnergyTable.subwordParallel16x8x4
    guard case .modes(let modes) = eightBit.compute else { Issue.record("not a mode table"); return }
    eightBit.compute = .modes(Array(modes.dropFirst()))
    try EnergyTableFile.write(EnergyTableDocument(table: eightBit), to: narrow)
    let unsupported = runTool(workspace.evaluateArguments(["--energy-model", narrow], weightBits: "16,8,8"))
    #expect(unsupported.status == 1)
    #expect(unsupported.errors == "Error: layer 'conv1': no MAC mode holds 16-bit weights x 8-bit activations; the"
      + " table's modes are 8x8 (8x8 bits), 4x4 (4x4 bits)\n")
  }

  @Test func helpNamesTheDefaultEnergyModel() throws {
    let help = try #require(PrecSearchTool.helpText(for: "evaluate"))
    let flattened = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    #expect(flattened.contains("--energy-model <name-or-file> The energy table that prices the configuration: a preset"
      + " name (horowitz45-bitwise or swp-16-8-4) or the path of an energy table JSON file. (default: swp-16-8-4)"))
  }

  @Test func budgetsResolveAgainstTheUniformSixteenBitEnergy() throws {
    let model = try Fixtures.tinyModel()
    let pricing = try NetworkEnergyPricing(model: model)
    let estimator = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let uniform = try estimator.uniform16BitBreakdown(workloads: pricing.workloads).totalPicojoules
    let option = OptionSpec.value("budget", valueName: "energy", help: "Budget.")
    let relative = try EnergyBudgetResolution.resolve("40%", for: option, workloads: pricing.workloads,
                                                      estimator: estimator)
    #expect(relative.budget == .relativeToUniform16Bit(fraction: 0.4))
    #expect(relative.uniform16BitPicojoules == uniform && Self.close(relative.limitPicojoules, 0.4 * uniform))
    #expect(Self.close(relative.fractionOfUniform16Bit, 0.4))
    let absolute = try EnergyBudgetResolution.resolve("2.5uJ", for: option, workloads: pricing.workloads,
                                                      estimator: estimator)
    #expect(absolute.limitPicojoules == 2.5e6 && Self.close(absolute.fractionOfUniform16Bit, 2.5e6 / uniform))
    #expect(throws: UsageError("The value for '--budget <energy>' is invalid: invalid energy budget '2.5MJ': 'MJ' is"
      + " not a known unit; expected a positive number followed by J, mJ, uJ (or µJ), nJ or pJ (e.g. 2.5uJ, 800nJ,"
      + " 1200pJ), or a percentage of the uniform 16-bit energy (e.g. 40%).")) {
      try EnergyBudgetResolution.parse("2.5MJ", for: option)
    }
    // The uniform 16-bit energy is the one evaluate reports for the same model and table.
    let plan = try IntegerPlan(model: pricing.fixedPointModel, configuration: .uniform(16, layerCount: 3))
    let summary = try EnergySummary(plan: plan, table: try EnergyTableFile.resolve("swp-16-8-4"), estimator: estimator)
    #expect(Self.close(summary.uniform16Bit.totalPicojoules, uniform))
    #expect(Self.close(summary.total.totalPicojoules, uniform) && Self.close(summary.relativeToUniform16Bit, 1))
  }

  @Test func pricingWithoutRangesGivesTheEngineWidths() throws {
    var model = try Fixtures.leNetModel()
    let withRanges = try NetworkEnergyPricing(model: model)
    model.activationRanges = nil
    let without = try NetworkEnergyPricing(model: model)
    #expect(without.workloads == withRanges.workloads)
    let configuration = PrecisionConfiguration(layers: [(8, 4), (4, 6), (6, 2), (2, 3)].map {
      LayerPrecision(weightBits: $0.0, activationBits: $0.1)
    })
    #expect(try without.precisionBits(configuration) == withRanges.precisionBits(configuration))
    #expect(try without.precisionBits(configuration).map(\.outputBits) == [6, 2, 3, 16])
    #expect(try without.chainedOutputBits(weightBits: [8, 4, 6, 2], activationBits: [4, 6, 2, 3]) == [6, 2, 3, 16])
  }

  /// The plan-free stored-width rule equals the engine's on a chain (LeNet) and on a residual network (ResNet-8,
  /// where a layer's output can be read by a layer and by an Add), over random configurations.
  @Test func storedOutputWidthsMatchTheEngine() throws {
    var generator = SplitMix64(seed: 41)
    let networks = [try ReferenceArchitectures.leNet(using: &generator),
                    try ReferenceArchitectures.resNet8(using: &generator)]
    for network in networks {
      let model = ModelFile(name: "n", network: network, preprocessing: Fixtures.preprocessing,
                            labels: (0..<10).map { "c\($0)" })
      let pricing = try NetworkEnergyPricing(model: model)
      let count = pricing.workloads.count
      var differing = 0
      // Plans of ResNet-8 take a quarter second each in debug builds: 6 configurations by default, 40 in long runs.
      let long = LongTests.isEnabled
      let trials = count == 4 ? 20 : long ? 40 : 6
      for _ in 0..<trials {
        let configuration = PrecisionConfiguration(layers: (0..<count).map { _ in
          LayerPrecision(weightBits: Int.random(in: 2...16, using: &generator),
                         activationBits: Int.random(in: 2...16, using: &generator))
        })
        let engine = try pricing.precisionBits(configuration).map(\.outputBits)
        let rule = pricing.storedOutputBits(activationBits: configuration.layers.map(\.activationBits))
        #expect(rule == engine, "\(configuration)")
        let chain = Array(configuration.layers.map(\.activationBits).dropFirst()) + [16]
        if chain != engine { differing += 1 }
      }
      // On ResNet-8 the simple chain rule is wrong for most configurations; on LeNet it is exact.
      #expect(count == 4 ? differing == 0 : differing * 2 > trials, "\(count) layers: \(differing) of \(trials)")
    }
  }

  @Test func energyFormatting() {
    #expect(EnergyFormatting.energy(1_234_567) == "1.235 µJ")
    #expect(EnergyFormatting.energy(812.5e3) == "812.5 nJ")
    #expect(EnergyFormatting.energy(0) == "0 pJ")
    #expect(EnergyFormatting.energy(0.5) == "0.5 pJ")
    #expect(EnergyFormatting.energy(2e12) == "2 J")
    #expect(EnergyFormatting.layerUnit(forTotal: 2e6).symbol == "nJ")
    #expect(EnergyFormatting.layerUnit(forTotal: 3).symbol == "pJ")
    #expect(EnergyFormatting.scaled(1_234_567.89, EnergyFormatting.units[4]) == "1,234,567.9")
    #expect(EnergyFormatting.grouped(-1234.56, decimals: 1) == "-1,234.6")
    #expect(EnergyFormatting.duration(12.5) == "12.5 µs")
    #expect(EnergyFormatting.duration(3270) == "3.27 ms")
    #expect(EnergyFormatting.duration(1.2e6) == "1.2 s")
  }
}
