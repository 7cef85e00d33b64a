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

/// `precsearch calibrate` end to end: measurements generated from a known table plus seeded noise, refusals,
/// malformed input, and `--export-preset`.
@Suite struct CalibrateCommandTests {
  /// The known table: `swp-16-8-4` with its coefficients scaled (leakage, held fixed by default, unchanged).
  /// The scaling keeps every narrower mode cheaper, so layers run in the same modes under both tables.
  static func truthTable() throws -> EnergyTable {
    let base = EnergyTable.subwordParallel16x8x4
    let scales = [1.2, 0.8, 1.3, 0.7, 1.25, 0.85, 1.0]
    let values = zip(base.calibrationCoefficientValues, scales).map { $0 * $1 }
    var table = try base.replacingCalibrationCoefficients(values, at: Array(values.indices), provenance: .assumption,
                                                          source: "test truth")
    table.name = "truth"
    return table
  }

  static let widths = [2, 3, 4, 5, 6, 8, 10, 12, 16]

  /// A temporary directory with the tiny model (3 weighted layers: conv1, conv2, fc).
  struct Workspace {
    let directory: TemporaryDirectory
    let model: ModelFile
    let workloads: [LayerWorkload]
    var modelPath: String { directory.path("tiny.psmodel") }
    var csvPath: String { directory.path("measurements.csv") }
    var outputPath: String { directory.path("fitted.json") }

    init() throws {
      directory = try TemporaryDirectory()
      model = try Fixtures.tinyModel(seed: 21)
      try model.write(to: directory.path("tiny.psmodel"))
      workloads = try FixedPointModel(network: model.network, ranges: try #require(model.activationRanges))
        .network.layerWorkloads
    }

    func arguments(_ extra: [String] = []) -> [String] {
      ["calibrate", "--model", modelPath, "--measurements", csvPath, "--base", "swp-16-8-4", "--output", outputPath]
        + extra
    }
  }

  /// `networkRows` random chain configurations and `layerRows` random single layers, priced by `truth`, each with
  /// uniform multiplicative noise in +-`noise`. Half of the network rows leave output_bits empty (chained), half
  /// give it explicitly.
  static func rows(workloads: [LayerWorkload], truth: EnergyTable, networkRows: Int, layerRows: Int, noise: Double,
                   seed: UInt64) throws -> [EnergyMeasurementRow] {
    var generator = SplitMix64(seed: seed)
    let estimator = try EnergyEstimator(table: truth)
    var rows: [EnergyMeasurementRow] = []
    func noisy(_ value: Double) -> Double { value * (1 + Double.random(in: -noise...noise, using: &generator)) }
    for i in 0..<networkRows {
      let w = workloads.map { _ in widths.randomElement(using: &generator)! }
      let a = workloads.map { _ in widths.randomElement(using: &generator)! }
      let precisions = try LayerPrecisionBits.sequential(weightBits: w, activationBits: a)
      let energy = try estimator.totalPicojoules(workloads: workloads, precisions: precisions)
      rows.append(EnergyMeasurementRow(
        line: 0, identifier: "n\(i)", scope: .network, layerName: nil, weightBits: w, activationBits: a,
        outputBits: i % 2 == 0 ? nil : precisions.map(\.outputBits), measuredPicojoules: noisy(energy)))
    }
    for i in 0..<layerRows {
      let workload = workloads[i % workloads.count]
      let precision = LayerPrecisionBits(
        weightBits: widths.randomElement(using: &generator)!, activationBits: widths.randomElement(using: &generator)!,
        outputBits: widths.randomElement(using: &generator)!)
      let energy = try estimator.layerReport(workload, precision: precision).energy.totalPicojoules
      rows.append(EnergyMeasurementRow(
        line: 0, identifier: "l\(i)", scope: .layer, layerName: workload.name, weightBits: [precision.weightBits],
        activationBits: [precision.activationBits], outputBits: [precision.outputBits],
        measuredPicojoules: noisy(energy)))
    }
    return rows
  }

  /// Fitting 1 %-noisy measurements of a known table recovers its coefficients (each within 4 standard errors,
  /// and the three that carry most of the energy within 3 %), predicts 100 held-out configurations within 1 %
  /// (mean within 0.3 %), and writes the table with its provenance.
  @Test func recoversAKnownTableFromNoisyMeasurements() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let truth = try Self.truthTable()
    let rows = try Self.rows(workloads: workspace.workloads, truth: truth, networkRows: 60, layerRows: 30,
                             noise: 0.01, seed: 7)
    try Array(EnergyMeasurementCSV.text(rows).utf8).write(to: workspace.csvPath)
    let run = runTool(workspace.arguments(["--json"]))
    #expect(run.status == 0, "\(run.errors)")
    let report = try JSONDecoder().decode(CalibrationReport.self, from: Data(run.output.utf8))
    #expect(report.measurements.rows == 90 && report.measurements.networkRows == 60 && report.measurements.layerRows == 30)
    #expect(report.measurements.checksum == (try sha256Hex(ofFile: workspace.csvPath)))
    #expect(report.base.name == "swp-16-8-4" && report.base.source == "preset")
    #expect(report.fit.weighting == "relative" && report.fit.rowsWithChangedModeSelection == 0)
    #expect(try #require(report.fit.rSquared) > 0.999)
    #expect(report.fit.meanAbsolutePercentageError < 1)
    #expect(try #require(report.fit.leaveOneOutMeanAbsolutePercentageError) < 1)
    #expect(report.rows.count == 90 && report.rows[0].id == "n0")

    // Coefficients: base values are the preset's; fitted ones are close to the truth.
    let truthValues = truth.calibrationCoefficientValues
    #expect(report.coefficients.map(\.name) == EnergyTable.subwordParallel16x8x4.calibrationCoefficientNames)
    #expect(report.coefficients.map(\.baseValue) == EnergyTable.subwordParallel16x8x4.calibrationCoefficientValues)
    #expect(report.coefficients.map(\.unit) == ["pJ", "pJ", "pJ", "pJ/bit", "pJ/bit", "pJ/bit", "µW"])
    for (coefficient, truthValue) in zip(report.coefficients, truthValues) {
      if coefficient.isFixed {
        #expect(coefficient.name == "leakagePowerMicrowatts" && coefficient.fittedValue == truthValue)
        continue
      }
      let standardError = try #require(coefficient.standardError, "\(coefficient.name)")
      #expect(abs(coefficient.fittedValue - truthValue) <= 4 * standardError,
              "\(coefficient.name): \(coefficient.fittedValue) vs \(truthValue) +- \(standardError)")
    }
    for index in [0, 1, 3] {  // 16x16 and 8x8 MAC energies, weight reads
      #expect(abs(report.coefficients[index].fittedValue / truthValues[index] - 1) < 0.03,
              "\(report.coefficients[index].name)")
    }

    // The written table: fitted values with provenance, readable as an --energy-model file.
    let document = try EnergyTableFile.read(from: workspace.outputPath)
    #expect(document.table.name == "swp-16-8-4-calibrated")
    #expect(document.table.calibrationCoefficientValues == report.coefficients.map(\.fittedValue))
    let provenance = try #require(document.calibration)
    #expect(provenance.baseTableName == "swp-16-8-4")
    #expect(provenance.baseTableChecksum == (try EnergyTableFile.checksum(of: EnergyTable.subwordParallel16x8x4)))
    #expect(provenance.measurementsChecksum == report.measurements.checksum && provenance.rowCount == 90)
    #expect(provenance.modelName == "test-tiny")
    #expect(provenance.modelChecksum == (try sha256Hex(ofFile: workspace.modelPath)))
    #expect(provenance.fixedCoefficients == ["leakagePowerMicrowatts"] && provenance.weighting == "relative")
    #expect(provenance.rSquared == report.fit.rSquared)
    #expect(report.output.checksum == (try sha256Hex(ofFile: workspace.outputPath)))

    // Held-out configurations, priced without noise by the truth: the fitted table predicts them closely.
    let held = try Self.rows(workloads: workspace.workloads, truth: truth, networkRows: 100, layerRows: 0, noise: 0,
                             seed: 99)
    let fitted = try EnergyEstimator(table: document.table)
    var errors: [Double] = []
    for row in held {
      let precisions = try LayerPrecisionBits.sequential(weightBits: row.weightBits, activationBits: row.activationBits)
      let predicted = try fitted.totalPicojoules(workloads: workspace.workloads, precisions: precisions)
      errors.append(abs(predicted / row.measuredPicojoules - 1) * 100)
    }
    #expect(errors.max()! < 1, "worst held-out error \(errors.max()!) %")
    #expect(errors.reduce(0, +) / Double(errors.count) < 0.3, "mean held-out error")

    // The text summary shows the statistics and the coefficients next to the base values.
    let text = runTool(workspace.arguments())
    #expect(text.status == 0)
    #expect(text.output.contains("\nR^2:                            "))
    #expect(text.output.contains("\nLeave-one-out mean abs. % error: "))
    let line = try #require(text.output.split(separator: "\n").first {
      $0.hasPrefix("memory.weightRead.energyPerBitPicojoules ")
    })
    #expect(line.split(separator: " ").prefix(3) == ["memory.weightRead.energyPerBitPicojoules", "pJ/bit", "1.5625"])
    #expect(text.output.contains("\nleakagePowerMicrowatts"))
    #expect(text.output.hasSuffix("\nWrote \(workspace.outputPath) (table swp-16-8-4-calibrated, sha256 "
      + "\(report.output.checksum.prefix(12)))\n"))
  }

  @Test func withoutNoiseEveryCoefficientComesBackAndOptionsApply() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let truth = try Self.truthTable()
    let rows = try Self.rows(workloads: workspace.workloads, truth: truth, networkRows: 30, layerRows: 10, noise: 0,
                             seed: 3)
    try Array(EnergyMeasurementCSV.text(rows).utf8).write(to: workspace.csvPath)
    let fixMemory = "memory.activationRead.energyPerBitPicojoules,leakagePowerMicrowatts"
    let run = runTool(workspace.arguments(["--json", "--weighting", "absolute", "--fix", fixMemory]))
    #expect(run.status == 0, "\(run.errors)")
    let report = try JSONDecoder().decode(CalibrationReport.self, from: Data(run.output.utf8))
    #expect(report.fit.weighting == "absolute")
    for (coefficient, truthValue) in zip(report.coefficients, truth.calibrationCoefficientValues) {
      if coefficient.name == "memory.activationRead.energyPerBitPicojoules" {
        // Held at the base value (0.3125), not the truth (0.85 x 0.3125); the others absorb the difference.
        #expect(coefficient.isFixed && coefficient.fittedValue == 0.3125)
      } else if !coefficient.isFixed {
        #expect(abs(coefficient.fittedValue / truthValue - 1) < 0.3, "\(coefficient.name)")
      }
    }
    // With everything free except leakage, noise-free data gives the truth back to rounding.
    let exact = runTool(workspace.arguments(["--json"]))
    let exactReport = try JSONDecoder().decode(CalibrationReport.self, from: Data(exact.output.utf8))
    for (coefficient, truthValue) in zip(exactReport.coefficients, truth.calibrationCoefficientValues) {
      #expect(abs(coefficient.fittedValue / truthValue - 1) < 1e-8, "\(coefficient.name)")
    }
    // The model checksum is that of the single-file form, whichever layout was read.
    let split = workspace.directory.path("split.json")
    try workspace.model.write(to: split, layout: .headerAndBlob)
    let fromSplit = runTool(workspace.arguments().map { $0 == workspace.modelPath ? split : $0 })
    #expect(fromSplit.status == 0, "\(fromSplit.errors)")
    #expect(try EnergyTableFile.read(from: workspace.outputPath).calibration?.modelChecksum
      == (try sha256Hex(ofFile: workspace.modelPath)))
    let unknown = runTool(workspace.arguments(["--fix", "leakage"]))
    #expect(unknown.status == 64)
    #expect(unknown.errorLines.first?.hasPrefix("Error: The value 'leakage' is invalid for '--fix <list>': unknown"
      + " coefficient 'leakage'; expected one of compute.modes[16x16].energyPerMACPicojoules,") == true)
  }

  @Test func underdeterminedDataIsRefusedNamingTheCoefficient() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    // Only widths above 8 bits: the 8x8 and 4x4 modes are never exercised.
    var text = "id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\n"
    for (i, bits) in [16, 12, 10, 9, 16, 11, 13, 14].enumerated() {
      text += "r\(i),network,,\(bits);16;\(bits),\(bits);\(bits);16,,\(1000 + 37 * i)\n"
    }
    try Array(text.utf8).write(to: workspace.csvPath)
    let run = runTool(workspace.arguments())
    #expect(run.status == 1)
    #expect(run.errors == "Error: coefficient 'compute.modes[8x8].energyPerMACPicojoules' is not determined by the"
      + " measurements: its feature is zero in every row (no measurement exercises it); add measurements that vary it"
      + " independently, or hold it fixed at the base table's value\n")
    #expect(!FileManager.default.fileExists(atPath: workspace.outputPath))
    // Freeing leakage on a mode table makes it indistinguishable from the MAC energies.
    let rows = try Self.rows(workloads: workspace.workloads, truth: try Self.truthTable(), networkRows: 30,
                             layerRows: 10, noise: 0.01, seed: 5)
    try Array(EnergyMeasurementCSV.text(rows).utf8).write(to: workspace.csvPath)
    let freed = runTool(workspace.arguments(["--fix", "none"]))
    #expect(freed.status == 1)
    #expect(freed.errors.hasPrefix("Error: coefficient 'leakagePowerMicrowatts' is not determined by the measurements:"
      + " its feature column is a linear combination of those of 'compute.modes[16x16].energyPerMACPicojoules'"))
  }

  @Test func malformedMeasurementsNameFileLineAndColumn() throws {
    let workspace = try Workspace()
    defer { workspace.directory.cleanup() }
    let text = "id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\nr1,network,,8,8,,1000\n"
      + "r2,layer,conv2,8,8,8,12 pJ\n"
    try Array(text.utf8).write(to: workspace.csvPath)
    let run = runTool(workspace.arguments())
    #expect(run.status == 1)
    #expect(run.errors == "Error: measurements file '\(workspace.csvPath)', line 3, column 7 (energy_pj): '12 pJ' is"
      + " not a number; expected the measured energy per inference in pJ, e.g. 921000 or 9.21e5\n")
    try Array("id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\nr1,layer,fc2,8,8,8,5\n".utf8)
      .write(to: workspace.csvPath)
    let layer = runTool(workspace.arguments())
    #expect(layer.status == 1)
    #expect(layer.errors == "Error: measurements file '\(workspace.csvPath)', line 2, column 'layer': 'fc2' is not a"
      + " weighted layer of the model; expected one of conv1, conv2, fc\n")
    let missing = runTool(workspace.arguments().map { $0 == workspace.csvPath ? workspace.directory.path("no.csv") : $0 })
    #expect(missing.status == 1)
    #expect(missing.errors == "Error: cannot read measurements file '\(workspace.directory.path("no.csv"))': no such file\n")
  }

  @Test func usageErrors() {
    let needsBase = runTool(["calibrate", "--model", "m", "--measurements", "c", "--output", "o"])
    #expect(needsBase.status == 64)
    #expect(needsBase.errorLines.first == "Error: Missing expected argument '--base <name-or-file>' (needed unless"
      + " '--export-preset' is given).")
    let mixed = runTool(["calibrate", "--export-preset", "swp-16-8-4", "--output", "o", "--base", "swp-16-8-4"])
    #expect(mixed.status == 64)
    #expect(mixed.errorLines.first == "Error: '--export-preset' writes a preset as it is and cannot be combined with"
      + " '--base'.")
    let emptyName = runTool(["calibrate", "--model", "m", "--measurements", "c", "--base", "b", "--output", "o",
                             "--fix", "a,,b"])
    #expect(emptyName.status == 64 && emptyName.errors.contains("empty name"))
    let weighting = runTool(["calibrate", "--model", "m", "--measurements", "c", "--base", "b", "--output", "o",
                             "--weighting", "squared"])
    #expect(weighting.status == 64)
    let base = runTool(["calibrate", "--model", "m", "--measurements", "c", "--base", "swp-16-4", "--output", "o"])
    #expect(base.status == 64)
    #expect(base.errorLines.first == "Error: The value 'swp-16-4' is invalid for '--base <name-or-file>': expected a"
      + " preset name (horowitz45-bitwise, swp-16-8-4) or the path of an energy table file, and no file 'swp-16-4'"
      + " exists. Did you mean 'swp-16-8-4'?")
  }

  /// `--export-preset` writes exactly the committed files under Experiments/energy-tables.
  @Test(arguments: EnergyTable.presetNames)
  func exportPresetWritesTheCommittedFile(name: String) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.path("\(name).json")
    let run = runTool(["calibrate", "--export-preset", name, "--output", path])
    #expect(run.status == 0, "\(run.errors)")
    let written = try Data(contentsOf: URL(fileURLWithPath: path))
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let committed = try Data(contentsOf: root.appendingPathComponent("Experiments/energy-tables/\(name).json"))
    #expect(written == committed)
    #expect(run.output == "Wrote preset '\(name)' to \(path) (sha256 \(sha256Hex(of: written)))\n")
  }
}
