import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionSearch

/// `precsearch calibrate`: fits an energy table's coefficients to measured energies by non-negative least squares
/// and writes the fitted table with its provenance; or, with `--export-preset`, writes a preset as a table file.
struct CalibrateCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "path",
    help: "The model the measurements were taken on; its weighted layers (BatchNorm folded) give the counts.")
  static let measurementsOption = OptionSpec.value(
    "measurements", valueName: "csv",
    help: "The measured energies: a CSV file with the columns id, scope, layer, weight_bits, activation_bits, "
      + "output_bits (optional) and energy_pj (docs/energy-model.md).")
  static let baseOption = OptionSpec.value(
    "base", valueName: "name-or-file",
    help: "The table to fit: a preset name (" + EnergyTable.presetNames.joined(separator: " or ")
      + ") or an energy table file; its modes, clock and MAC units are kept and its coefficients are refitted.")
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Where to write the table (JSON, keys sorted, written atomically).",
    isRequired: true)
  static let fixOption = OptionSpec.value(
    "fix", valueName: "list",
    help: "Coefficients held at the base table's value, as comma-separated names from the coefficient table, or "
      + "'none'; without it, leakagePowerMicrowatts is held for mode-list tables and nothing for bit-granular ones.")
  static let weightingOption = OptionSpec.value(
    "weighting", valueName: "kind",
    help: "What the fit minimises: squared relative errors (every row counts the same) or squared errors in pJ "
      + "(large rows dominate).",
    defaultValue: CalibrationWeighting.relative.rawValue,
    allowedValues: [CalibrationWeighting.relative.rawValue, CalibrationWeighting.absolute.rawValue])
  static let jsonOption = OptionSpec.flag(
    "json", help: "Print the fit report as one JSON document (keys sorted) instead of the summary.")
  static let exportPresetOption = OptionSpec.value(
    "export-preset", valueName: "name",
    help: "Do not fit: write this preset to --output as a table file, a starting point for a table of your own.",
    allowedValues: EnergyTable.presetNames)

  static let configuration = CommandConfiguration(
    name: "calibrate",
    abstract: "Fit an energy table to measured energies, or export a preset as a table file.",
    discussion: """
      The energy model is linear in its coefficients (energy per MAC of each mode, or the multiplier and adder \
      energies of a bit-granular datapath; energy per bit of weight reads, activation reads and activation \
      writes; leakage power). calibrate computes each measurement row's counts from the model at the row's \
      widths, fits the free coefficients by non-negative least squares, prints R^2, the mean absolute \
      percentage error and the leave-one-out error with the fitted coefficients next to the base values, and \
      writes the fitted table with its provenance (base table and measurements checksums, fit statistics).

      Fitting needs --model, --measurements, --base and --output. Data that cannot determine a free \
      coefficient is refused with a message naming it (exit status 1): add measurements that vary it, or hold \
      it with --fix. With --export-preset only --output is needed.
      """,
    options: [modelOption, measurementsOption, baseOption, outputOption, fixOption, weightingOption, jsonOption,
              exportPresetOption],
    examples: [
      "precsearch calibrate --model lenet.psmodel --measurements energy.csv --base swp-16-8-4 --output fitted.json",
      "precsearch calibrate --model lenet.psmodel --measurements energy.csv --base swp-16-8-4 --output fitted.json "
        + "--fix none --weighting absolute",
      "precsearch calibrate --export-preset horowitz45-bitwise --output horowitz45-bitwise.json",
    ])

  /// What the command does.
  enum Action: Hashable {
    /// Fit `base` to the measurements on the model.
    case fit(modelPath: String, measurementsPath: String, base: String, fixed: [String]?, weighting: CalibrationWeighting,
             json: Bool)
    /// Write a preset as a table file.
    case exportPreset(String)
  }

  var action: Action
  var outputPath: String

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    outputPath = try arguments.requiredValue(Self.outputOption)
    if let preset = arguments.value(Self.exportPresetOption) {
      for option in [Self.modelOption, Self.measurementsOption, Self.baseOption, Self.fixOption, Self.weightingOption,
                     Self.jsonOption] where arguments.isPresent(option) {
        throw UsageError("'\(Self.exportPresetOption.longSpelling)' writes a preset as it is and cannot be combined "
          + "with '\(option.longSpelling)'.")
      }
      action = .exportPreset(preset)
      return
    }
    for option in [Self.modelOption, Self.measurementsOption, Self.baseOption] where !arguments.isPresent(option) {
      throw UsageError("Missing expected argument '\(option.synopsis)' (needed unless "
        + "'\(Self.exportPresetOption.longSpelling)' is given).")
    }
    var fixed: [String]?
    if let text = arguments.value(Self.fixOption) {
      if text.trimmingSpaces == "none" {
        fixed = []
      } else {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        if names.contains(where: \.isEmpty) {
          throw UsageError("The value '\(text)' is invalid for '\(Self.fixOption.synopsis)': empty name; expected "
            + "comma-separated coefficient names or 'none'.")
        }
        fixed = names
      }
    }
    action = .fit(
      modelPath: try arguments.requiredValue(Self.modelOption),
      measurementsPath: try arguments.requiredValue(Self.measurementsOption),
      base: try arguments.requiredValue(Self.baseOption), fixed: fixed,
      weighting: arguments.value(Self.weightingOption).flatMap(CalibrationWeighting.init(rawValue:)) ?? .relative,
      json: arguments.flag(Self.jsonOption))
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    var files = FileRoles()
    if case .fit(let modelPath, let measurementsPath, let base, _, _, _) = action {
      files.read((try? ModelLoading.resolve(modelPath).path) ?? modelPath, option: Self.modelOption.synopsis)
      files.read(measurementsPath, option: Self.measurementsOption.synopsis)
      if FileManager.default.fileExists(atPath: base) { files.read(base, option: Self.baseOption.synopsis) }
    }
    files.write(outputPath, option: Self.outputOption)
    try files.check()
    switch action {
    case .exportPreset(let name):
      let table = try EnergyTable.preset(named: name)
      let document = EnergyTableDocument(table: table)
      try EnergyTableFile.write(document, to: outputPath)
      output.write("Wrote preset '\(name)' to \(outputPath) (sha256 \(try EnergyTableFile.checksum(of: document)))\n")
    case .fit(let modelPath, let measurementsPath, let base, let fixed, let weighting, let json):
      let report = try Self.calibrate(
        modelPath: modelPath, measurementsPath: measurementsPath, base: base, fixed: fixed, weighting: weighting,
        outputPath: outputPath)
      output.write(json ? try JSONOutput.encode(report) : report.text)
    }
  }

  /// Reads the inputs, fits, writes the fitted table to `outputPath` and returns the report.
  static func calibrate(modelPath: String, measurementsPath: String, base: String, fixed: [String]?,
                        weighting: CalibrationWeighting, outputPath: String) throws -> CalibrationReport {
    let baseTable = try EnergyModelSelection.resolve(base, for: baseOption)
    let model = try ModelLoading.load(path: modelPath)
    let pricing = try NetworkEnergyPricing(model: model)
    try FileChecks.requireReadableFile(measurementsPath, what: "measurements file")
    let csv = try EnergyMeasurementCSV.read(from: measurementsPath)
    let measurements = try csv.measurements(layerNames: pricing.network.weightedLayerNames) {
      try pricing.chainedOutputBits(weightBits: $0, activationBits: $1)
    }
    let options = CalibrationOptions(weighting: weighting, fixedCoefficientNames: fixed)
    let result: CalibrationResult
    do {
      result = try EnergyCalibrator.fit(base: baseTable.table, workloads: pricing.workloads,
                                        measurements: measurements, options: options)
    } catch CalibrationError.unknownCoefficient(let name, let available) {
      throw UsageError("The value '\(fixed?.joined(separator: ",") ?? "")' is invalid for '\(fixOption.synopsis)': "
        + "unknown coefficient '\(name)'; expected one of \(available.joined(separator: ", ")), or 'none'.")
    }
    let fixedNames = result.coefficients.filter(\.isFixed).map(\.name)
    let provenance = EnergyCalibrationProvenance(
      tool: "\(PrecSearchTool.name) \(PrecSearchTool.version)", baseTableName: baseTable.table.name,
      baseTableChecksum: baseTable.checksum, measurementsFile: measurementsPath, measurementsChecksum: csv.checksum,
      rowCount: measurements.count, modelName: model.name, modelChecksum: sha256Hex(of: try model.singleFileData(file: modelPath)),
      weighting: weighting.rawValue, fixedCoefficients: fixedNames, rSquared: result.rSquared,
      meanAbsolutePercentageError: result.meanAbsolutePercentageError,
      maximumAbsolutePercentageError: result.maximumAbsolutePercentageError,
      leaveOneOutMeanAbsolutePercentageError: result.leaveOneOutMeanAbsolutePercentageError,
      leaveOneOutMaximumAbsolutePercentageError: result.leaveOneOutMaximumAbsolutePercentageError,
      coefficients: result.coefficients.map {
        EnergyCalibrationProvenance.Coefficient(
          name: $0.name, baseValue: $0.baseValue, fittedValue: $0.fittedValue, standardError: $0.standardError,
          isFixed: $0.isFixed, isAtZeroBound: $0.isAtZeroBound)
      })
    let document = EnergyTableDocument(table: result.table, calibration: provenance)
    try EnergyTableFile.write(document, to: outputPath)
    return CalibrationReport(
      modelPath: modelPath, modelName: model.name, layerNames: pricing.network.weightedLayerNames,
      measurements: csv, base: baseTable, result: result, provenance: provenance, outputPath: outputPath,
      outputChecksum: try EnergyTableFile.checksum(of: document))
  }
}

/// What `calibrate` reports; encoded as-is for `--json`.
struct CalibrationReport: Codable, Hashable {
  struct Tool: Codable, Hashable {
    var name: String
    var version: String
  }

  struct Measurements: Codable, Hashable {
    var path: String
    var checksum: String
    var rows: Int
    var networkRows: Int
    var layerRows: Int
  }

  struct Table: Codable, Hashable {
    var name: String
    /// `preset` or `file` for the base table; `file` for the output.
    var source: String
    var path: String?
    var checksum: String
  }

  /// One coefficient with its unit, before and after.
  struct Coefficient: Codable, Hashable {
    var name: String
    /// `pJ`, `pJ/bit` or `µW`.
    var unit: String
    var baseValue: Double
    var fittedValue: Double
    var standardError: Double?
    var isFixed: Bool
    var isAtZeroBound: Bool
  }

  struct Fit: Codable, Hashable {
    var weighting: String
    var rSquared: Double?
    /// In percent.
    var meanAbsolutePercentageError: Double
    var maximumAbsolutePercentageError: Double
    var leaveOneOutMeanAbsolutePercentageError: Double?
    var leaveOneOutMaximumAbsolutePercentageError: Double?
    var leaveOneOutNote: String?
    /// Rows in which some layer runs in another mode under the fitted table than under the base table.
    var rowsWithChangedModeSelection: Int
  }

  /// One measurement row: measured and predicted by the fitted table, in pJ.
  struct Row: Codable, Hashable {
    var id: String
    var measuredPicojoules: Double
    var predictedPicojoules: Double
    /// `(predicted - measured) / measured`, in percent.
    var errorPercent: Double
  }

  var schemaVersion = 1
  var tool: Tool
  var model: String
  var modelName: String
  var weightedLayers: [String]
  var measurements: Measurements
  var base: Table
  var output: Table
  var coefficients: [Coefficient]
  var fit: Fit
  var rows: [Row]

  init(modelPath: String, modelName: String, layerNames: [String], measurements csv: EnergyMeasurementCSV,
       base: ResolvedEnergyTable, result: CalibrationResult, provenance: EnergyCalibrationProvenance,
       outputPath: String, outputChecksum: String) {
    tool = Tool(name: PrecSearchTool.name, version: PrecSearchTool.version)
    model = modelPath
    self.modelName = modelName
    weightedLayers = layerNames
    measurements = Measurements(path: csv.file, checksum: csv.checksum, rows: csv.rows.count,
                                networkRows: csv.networkRowCount, layerRows: csv.layerRowCount)
    self.base = Table(name: base.table.name, source: base.sourceKind, path: base.path, checksum: base.checksum)
    output = Table(name: result.table.name, source: "file", path: outputPath, checksum: outputChecksum)
    coefficients = result.coefficients.map {
      Coefficient(name: $0.name, unit: Self.unit(ofCoefficient: $0.name), baseValue: $0.baseValue,
                  fittedValue: $0.fittedValue, standardError: $0.standardError, isFixed: $0.isFixed,
                  isAtZeroBound: $0.isAtZeroBound)
    }
    fit = Fit(weighting: provenance.weighting, rSquared: result.rSquared,
              meanAbsolutePercentageError: result.meanAbsolutePercentageError,
              maximumAbsolutePercentageError: result.maximumAbsolutePercentageError,
              leaveOneOutMeanAbsolutePercentageError: result.leaveOneOutMeanAbsolutePercentageError,
              leaveOneOutMaximumAbsolutePercentageError: result.leaveOneOutMaximumAbsolutePercentageError,
              leaveOneOutNote: result.leaveOneOutNote, rowsWithChangedModeSelection: result.rowsWithChangedModeSelection)
    rows = result.rowIdentifiers.indices.map { i in
      let measured = result.measuredPicojoules[i], predicted = result.predictedPicojoules[i]
      return Row(id: result.rowIdentifiers[i], measuredPicojoules: measured, predictedPicojoules: predicted,
                 errorPercent: (predicted - measured) / measured * 100)
    }
  }

  /// The unit of a coefficient, from its name (docs/energy-model.md section 5).
  static func unit(ofCoefficient name: String) -> String {
    if name.hasSuffix("PerBitPicojoules") { return "pJ/bit" }
    if name.hasSuffix("Microwatts") { return "µW" }
    return "pJ"
  }

  /// The readable summary.
  var text: String {
    typealias E = EnergyFormatting
    func digits(_ value: Double) -> String { E.significant(value, digits: 5) }
    func percent(_ value: Double?) -> String { value.map { NumberFormatting.fixed($0, decimals: 2) + "%" } ?? "n/a" }
    var text = "Model:         \(ModelCatalog.displayPath(model)) (\(modelName)), \(weightedLayers.count) weighted layers\n"
    text += "Measurements:  \(measurements.path): \(NumberFormatting.grouped(measurements.rows)) rows"
      + " (\(measurements.networkRows) network, \(measurements.layerRows) layer), sha256 \(measurements.checksum.prefix(12))\n"
    text += "Base table:    \(base.name) (\(base.source)\(base.path.map { " '\($0)'" } ?? "")), sha256 \(base.checksum.prefix(12))\n"
    let fixed = coefficients.filter(\.isFixed).map(\.name)
    text += "Fit:           non-negative least squares on \(fit.weighting) errors; held fixed: "
      + (fixed.isEmpty ? "none" : fixed.joined(separator: ", ")) + "\n\n"
    var table = TextTable([("Coefficient", .left), ("Unit", .left), ("Base", .right), ("Fitted", .right),
                           ("Std. error", .right), ("Change", .right)])
    for c in coefficients {
      let change = c.baseValue > 0 ? NumberFormatting.fixed((c.fittedValue / c.baseValue - 1) * 100, decimals: 1) + "%" : "-"
      let error = c.isFixed ? "fixed" : c.isAtZeroBound ? "at 0" : c.standardError.map(digits) ?? "n/a"
      table.append([c.name, c.unit, digits(c.baseValue), digits(c.fittedValue), error, c.isFixed ? "" : change])
    }
    text += table.rendered() + "\n"
    text += "R^2:                            " + (fit.rSquared.map { NumberFormatting.fixed($0, decimals: 6) } ?? "n/a (all measurements equal)") + "\n"
    text += "Mean absolute % error:          \(percent(fit.meanAbsolutePercentageError)) (largest \(percent(fit.maximumAbsolutePercentageError)))\n"
    text += "Leave-one-out mean abs. % error: \(percent(fit.leaveOneOutMeanAbsolutePercentageError))"
      + (fit.leaveOneOutMaximumAbsolutePercentageError.map { " (largest \(percent($0)))" } ?? "")
      + (fit.leaveOneOutNote.map { " - \($0)" } ?? "") + "\n"
    if fit.rowsWithChangedModeSelection > 0 {
      text += "Note: in \(fit.rowsWithChangedModeSelection) rows some layer runs in another MAC mode under the fitted"
        + " table than under the base table (the fit used the base table's modes); the errors above use the fitted"
        + " table's modes.\n"
    }
    text += "\nWrote \(output.path ?? "") (table \(output.name), sha256 \(output.checksum.prefix(12)))\n"
    return text
  }
}
