import EnergyModel
import Testing
import SeededRandom

@Suite struct EnergyEstimatorTests {
  /// One layer: 1000 MACs, 100 weights, 10 biases, 200 inputs, 300 outputs.
  static let layer = LayerWorkload(
    name: "conv", macs: 1000, weightCount: 100, biasCount: 10, inputElements: 200, outputElements: 300)

  @Test func subwordParallelLayerMatchesHandComputation() throws {
    // w8 a8 o8 runs in the 8x8 mode: 1.1 x (64 x 3.125 fJ + 26 x 3.125 fJ) = 0.309375 pJ per MAC.
    //   compute  1000 x 0.309375                 =  309.375 pJ
    //   weights  (100 x 8 + 10 x 32) x 1.5625    = 1750     pJ
    //   actRead  200 x 8 x 0.3125                =  500     pJ
    //   actWrite 300 x 8 x 0.3125                =  750     pJ
    //   cycles   1000 / (64 units x 2 MACs/cycle) = 7.8125; 7.8125 / 200 MHz = 0.0390625 us
    //   leakage  2000 uW x 0.0390625 us          =   78.125 pJ           total 3387.5 pJ
    let estimator = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let r = try estimator.layerReport(Self.layer, precision: .uniform(8))
    #expect(r.modeName == "8x8")
    #expect(r.macsPerCycle == 2)
    #expect(isClose(r.energy.computePicojoules, 309.375, relative: 1e-12))
    #expect(isClose(r.energy.weightReadPicojoules, 1750, relative: 1e-12))
    #expect(isClose(r.energy.activationReadPicojoules, 500, relative: 1e-12))
    #expect(isClose(r.energy.activationWritePicojoules, 750, relative: 1e-12))
    #expect(isClose(r.energy.leakagePicojoules, 78.125, relative: 1e-12))
    #expect(isClose(r.energy.totalPicojoules, 3387.5, relative: 1e-12))
    #expect(isClose(r.cycles, 7.8125, relative: 1e-12))
    #expect(isClose(r.latencyMicroseconds, 0.0390625, relative: 1e-12))
  }

  @Test func bitGranularLayerMatchesHandComputation() throws {
    // w4 a6 o8: accumulator min(32, 4 + 6 + 10) = 20 bits; 3.125 fJ x (24 + 20) = 0.1375 pJ per MAC.
    //   compute 137.5, weights (400 + 320) x 1.5625 = 1125, actRead 1200 x 0.3125 = 375, actWrite 2400 x 0.3125 = 750
    //   leakage 0; cycles 1000 / 64 = 15.625.                           total 2387.5 pJ
    let estimator = try EnergyEstimator(presetNamed: "horowitz45-bitwise")
    let r = try estimator.layerReport(
      Self.layer, precision: LayerPrecisionBits(weightBits: 4, activationBits: 6, outputBits: 8))
    #expect(r.modeName == "4x6")
    #expect(isClose(r.energy.computePicojoules, 137.5, relative: 1e-12))
    #expect(isClose(r.energy.weightReadPicojoules, 1125, relative: 1e-12))
    #expect(isClose(r.energy.activationReadPicojoules, 375, relative: 1e-12))
    #expect(isClose(r.energy.activationWritePicojoules, 750, relative: 1e-12))
    #expect(r.energy.leakagePicojoules == 0)
    #expect(isClose(r.energy.totalPicojoules, 2387.5, relative: 1e-12))
    #expect(isClose(r.cycles, 15.625, relative: 1e-12))
  }

  @Test func subwordParallelPicksTheNarrowestHoldingMode() throws {
    let estimator = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let expectations: [(Int, Int, String)] = [
      (2, 2, "4x4"), (4, 4, "4x4"), (4, 5, "8x8"), (8, 2, "8x8"), (8, 8, "8x8"), (9, 8, "16x16"), (2, 16, "16x16"),
    ]
    for (w, a, name) in expectations {
      #expect(estimator.mode(weightBits: w, activationBits: a)?.name == name, "w\(w) a\(a)")
    }
    #expect(estimator.mode(weightBits: 17, activationBits: 8) == nil)
    #expect(estimator.mode(weightBits: 0, activationBits: 8) == nil)
  }

  @Test func presetMACEnergiesAreTheDocumentedNumbers() throws {
    let swp = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let expected = [("16x16", 0.99), ("8x8", 0.309375), ("4x4", 0.116875)]
    for (name, energy) in expected {
      let mode = try #require(swp.modes.first { $0.name == name })
      #expect(isClose(mode.energyPerMACPicojoules.value, energy, relative: 1e-12), "\(name)")
    }
    let bitwise = try EnergyEstimator(presetNamed: "horowitz45-bitwise")
    // 16x16: 0.8 + 32 x 0.003125 = 0.9; 8x8: 0.2 + 26 x 0.003125 = 0.28125; 2x2: 0.0125 + 14 x 0.003125 = 0.05625.
    for (w, a, energy) in [(16, 16, 0.9), (8, 8, 0.28125), (4, 4, 0.10625), (2, 2, 0.05625)] {
      let mode = try #require(bitwise.mode(weightBits: w, activationBits: a))
      #expect(isClose(mode.energyPerMACPicojoules.value, energy, relative: 1e-12), "\(w)x\(a)")
    }
    #expect(bitwise.modes.count == 256)
  }

  @Test func breakdownSumsToTotalAndFastPathAgrees() throws {
    var generator = SplitMix64(seed: 0xE4E7)
    for estimator in try presetEstimators() {
      for workloads in [TestWorkloads.threeLayer, TestWorkloads.lenetLike, TestWorkloads.resnet8Like] {
        for _ in 0 ..< 20 {
          let w = workloads.map { _ in Int.random(in: 2 ... 16, using: &generator) }
          let a = workloads.map { _ in Int.random(in: 2 ... 16, using: &generator) }
          let precisions = try LayerPrecisionBits.sequential(weightBits: w, activationBits: a)
          let report = try estimator.report(workloads: workloads, precisions: precisions)
          let parts = report.total
          let sumOfParts = parts.computePicojoules + parts.weightReadPicojoules + parts.activationReadPicojoules
            + parts.activationWritePicojoules + parts.leakagePicojoules
          let sumOfLayers = report.layers.reduce(0) { $0 + $1.energy.totalPicojoules }
          #expect(isClose(sumOfParts, sumOfLayers, relative: 1e-9))
          #expect(isClose(parts.memoryPicojoules + parts.computePicojoules + parts.leakagePicojoules,
                          sumOfLayers, relative: 1e-9))
          let fast = try estimator.totalPicojoules(workloads: workloads, precisions: precisions)
          #expect(isClose(fast, sumOfLayers, relative: 1e-12))
          #expect(isClose(report.cycles, report.layers.reduce(0) { $0 + $1.cycles }, relative: 1e-12))
          #expect(isClose(report.latencyMicroseconds * report.clockFrequencyMegahertz, report.cycles, relative: 1e-12))
          #expect(report.relativeToUniform16Bit > 0 && report.relativeToUniform16Bit <= 1)
          #expect(isClose(report.relativeToUniform16Bit * report.uniform16Bit.totalPicojoules,
                          parts.totalPicojoules, relative: 1e-12))
        }
      }
    }
  }

  @Test func uniform16BitIsTheReference() throws {
    for estimator in try presetEstimators() {
      let workloads = TestWorkloads.lenetLike
      let report = try estimator.report(
        workloads: workloads, precisions: Array(repeating: .uniform(16), count: workloads.count))
      #expect(report.relativeToUniform16Bit == 1)
      #expect(report.total == report.uniform16Bit)
    }
  }

  /// The uniform 16-bit compute share, reported in docs/energy-model.md and the issue report.
  @Test(arguments: ["lenet", "resnet8"])
  func uniform16BitComputeShareIsAFraction(workloadName: String) throws {
    let workloads = workloadName == "lenet" ? TestWorkloads.lenetLike : TestWorkloads.resnet8Like
    let totalMACs = workloads.reduce(0) { $0 + $1.macs }
    #expect(totalMACs == (workloadName == "lenet" ? 416_520 : 12_501_632))
    for estimator in try presetEstimators() {
      let reference = try estimator.uniform16BitBreakdown(workloads: workloads)
      let share = reference.computeShare
      print("uniform 16-bit compute share, \(estimator.table.name), \(workloadName): \(share)"
        + " (total \(reference.totalPicojoules) pJ, compute \(reference.computePicojoules), weights"
        + " \(reference.weightReadPicojoules), act read \(reference.activationReadPicojoules), act write"
        + " \(reference.activationWritePicojoules), leakage \(reference.leakagePicojoules))")
      #expect(share > 0 && share < 1)
    }
  }

  @Test func featuresTimesCoefficientsEqualsEnergy() throws {
    var generator = SplitMix64(seed: 42)
    for estimator in try presetEstimators() {
      let coefficients = estimator.table.calibrationCoefficientValues
      #expect(coefficients.count == estimator.table.calibrationCoefficientNames.count)
      for _ in 0 ..< 30 {
        let workloads = TestWorkloads.lenetLike
        let w = workloads.map { _ in Int.random(in: 1 ... 16, using: &generator) }
        let a = workloads.map { _ in Int.random(in: 1 ... 16, using: &generator) }
        let precisions = try LayerPrecisionBits.sequential(weightBits: w, activationBits: a)
        let features = try estimator.calibrationFeatures(workloads: workloads, precisions: precisions)
        let linear = zip(coefficients, features).reduce(0) { $0 + $1.0 * $1.1 }
        let total = try estimator.totalPicojoules(workloads: workloads, precisions: precisions)
        #expect(isClose(linear, total, relative: 1e-12))
        for (workload, precision) in zip(workloads, precisions) {
          let layerFeatures = try estimator.calibrationFeatures(workload, precision: precision)
          let layerLinear = zip(coefficients, layerFeatures).reduce(0) { $0 + $1.0 * $1.1 }
          let layerTotal = try estimator.layerReport(workload, precision: precision).energy.totalPicojoules
          #expect(isClose(layerLinear, layerTotal, relative: 1e-12))
        }
      }
    }
  }

  @Test func invalidInputsThrowNamedErrors() throws {
    let estimator = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let workloads = TestWorkloads.threeLayer
    // A pair no mode holds.
    var precisions = Array(repeating: LayerPrecisionBits.uniform(8), count: 3)
    precisions[1] = LayerPrecisionBits(weightBits: 20, activationBits: 8, outputBits: 8)
    #expect {
      try estimator.report(workloads: workloads, precisions: precisions)
    } throws: { error in
      "\(error)".contains("conv2") && "\(error)".contains("20-bit weights") && "\(error)".contains("16x16")
    }
    // Widths outside 1...32.
    precisions[1] = LayerPrecisionBits(weightBits: 8, activationBits: 0, outputBits: 8)
    #expect {
      try estimator.totalPicojoules(workloads: workloads, precisions: precisions)
    } throws: { error in "\(error)".contains("activationBits is 0") }
    // Count mismatch.
    #expect(throws: EnergyModelError.layerCountMismatch(workloads: 3, precisions: 2)) {
      try estimator.report(workloads: workloads, precisions: Array(precisions.prefix(2)))
    }
    // Negative or huge counts.
    var bad = workloads
    bad[2].macs = -1
    #expect {
      try estimator.report(workloads: bad, precisions: Array(repeating: .uniform(8), count: 3))
    } throws: { error in "\(error)".contains("'fc'") && "\(error)".contains("macs is -1") }
    bad = workloads
    bad[0].weightCount = Int.max
    #expect(throws: EnergyModelError.self) {
      try estimator.totalPicojoules(workloads: bad, precisions: Array(repeating: .uniform(16), count: 3))
    }
    // Duplicate names.
    bad = workloads
    bad[2].name = "conv1"
    #expect(throws: EnergyModelError.duplicateLayerName("conv1")) {
      try estimator.report(workloads: bad, precisions: Array(repeating: .uniform(8), count: 3))
    }
  }

  @Test func aTableWithoutA16BitModeCannotPriceTheReference() throws {
    var table = EnergyTable.subwordParallel16x8x4
    guard case .modes(let modes) = table.compute else { throw TreeCodingError(message: "expected modes") }
    table.compute = .modes(Array(modes.dropFirst()))
    let estimator = try EnergyEstimator(table: table)
    // 8-bit configurations price fine; the 16-bit reference names the problem.
    let workloads = TestWorkloads.threeLayer
    #expect(try estimator.totalPicojoules(workloads: workloads, precisions: Array(repeating: .uniform(8), count: 3)) > 0)
    #expect {
      try estimator.report(workloads: workloads, precisions: Array(repeating: .uniform(8), count: 3))
    } throws: { "\($0)".contains("conv1 (uniform 16-bit reference)") && "\($0)".contains("8x8 (8x8 bits), 4x4") }
  }

  @Test func presetsValidateAndUnknownNamesAreRefused() throws {
    for name in EnergyTable.presetNames {
      let table = try EnergyTable.preset(named: name)
      try table.validate()
      #expect(table.name == name)
      #expect(table.schemaVersion == EnergyTable.currentSchemaVersion)
    }
    #expect {
      try EnergyTable.preset(named: "horowitz")
    } throws: { error in "\(error)".contains("horowitz45-bitwise") && "\(error)".contains("swp-16-8-4") }
  }

  @Test func invalidTablesAreRefusedWithTheFieldPath() throws {
    var table = EnergyTable.subwordParallel16x8x4
    table.clockFrequencyMegahertz.value = 0
    #expect { try EnergyEstimator(table: table) } throws: { "\($0)".contains("clockFrequencyMegahertz") }
    table = EnergyTable.subwordParallel16x8x4
    table.memory.activationRead.energyPerBitPicojoules.value = -.infinity
    #expect { try EnergyEstimator(table: table) } throws: {
      "\($0)".contains("memory.activationRead.energyPerBitPicojoules")
    }
    table = EnergyTable.subwordParallel16x8x4
    table.compute = .modes([])
    #expect { try EnergyEstimator(table: table) } throws: { "\($0)".contains("compute.modes") }
    table = EnergyTable.subwordParallel16x8x4
    table.schemaVersion = 2
    #expect(throws: EnergyModelError.unsupportedSchemaVersion(found: 2, supported: 1)) {
      try EnergyEstimator(table: table)
    }
    table = EnergyTable.horowitz45Bitwise
    if case .bitGranular(var datapath) = table.compute {
      datapath.maxWeightBits = 40
      table.compute = .bitGranular(datapath)
    }
    #expect { try EnergyEstimator(table: table) } throws: { "\($0)".contains("compute.bitGranular.maxWeightBits") }
  }

  @Test func everyPresetNumberCarriesASource() throws {
    for name in EnergyTable.presetNames {
      let table = try EnergyTable.preset(named: name)
      var sourced: [(String, Provenance, String)] = [
        ("leakage", table.leakagePowerMicrowatts.provenance, table.leakagePowerMicrowatts.source),
        ("clock", table.clockFrequencyMegahertz.provenance, table.clockFrequencyMegahertz.source),
        ("units", table.parallelMACUnits.provenance, table.parallelMACUnits.source),
        ("bias", table.biasBits.provenance, table.biasBits.source),
        ("wr", table.memory.weightRead.energyPerBitPicojoules.provenance, table.memory.weightRead.energyPerBitPicojoules.source),
      ]
      for mode in table.compute.expandedModes {
        sourced.append((mode.name, mode.energyPerMACPicojoules.provenance, mode.energyPerMACPicojoules.source))
        sourced.append((mode.name, mode.provenance, mode.source))
      }
      for (label, provenance, source) in sourced {
        #expect(!source.isEmpty, "\(name) \(label)")
        #expect(provenance != .fitted, "\(name) \(label)")
      }
      #expect(table.leakagePowerMicrowatts.provenance == .assumption)
    }
  }
}
