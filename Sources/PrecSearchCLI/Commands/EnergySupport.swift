import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionSearch

// Energy helpers shared by the commands that price configurations (`evaluate`, `calibrate`, `optimize`):
// the `--energy-model NAME|FILE` option and its resolution, budget strings resolved against a network's uniform
// 16-bit energy, the engine's priced widths of a configuration, and the energy summary printed and written as JSON.

/// `--energy-model NAME|FILE`: a preset name or the path of an energy table file (docs/energy-model.md).
enum EnergyModelSelection {
  /// The table used when the option is absent.
  static let defaultName = "swp-16-8-4"

  /// The `--energy-model` option, with `swp-16-8-4` as default (shown in help).
  static let option = OptionSpec.value(
    "energy-model", valueName: "name-or-file",
    help: "The energy table that prices the configuration: a preset name ("
      + EnergyTable.presetNames.joined(separator: " or ") + ") or the path of an energy table JSON file.",
    defaultValue: defaultName)

  /// Resolves `value`: a preset name first, then a table file.
  ///
  /// - Throws: `UsageError` (exit 64) when `value` is neither a preset nor an existing file, naming the presets
  ///   and suggesting a close one; `EnergyTableFileError` (exit 1) for a malformed or invalid table file.
  static func resolve(_ value: String, for option: OptionSpec = option) throws -> ResolvedEnergyTable {
    do {
      return try EnergyTableFile.resolve(value)
    } catch let error as UnknownEnergyModelError {
      var message = "The value '\(value)' is invalid for '\(option.synopsis)': expected a preset name ("
        + error.presetNames.joined(separator: ", ") + ") or the path of an energy table file, and no file '\(value)'"
        + " exists."
      if let suggestion = error.suggestion { message += " Did you mean '\(suggestion)'?" }
      throw UsageError(message)
    }
  }
}

/// An energy budget resolved against one network and one table.
struct ResolvedEnergyBudget: Hashable, Codable, Sendable {
  /// The budget as given (e.g. `40%`, `2.5uJ`).
  var text: String
  /// The parsed budget.
  var budget: EnergyBudget
  /// The limit per inference, in pJ.
  var limitPicojoules: Double
  /// The network's energy at uniform 16 bits with the same table, in pJ (what a `%` budget is relative to).
  var uniform16BitPicojoules: Double
  /// `limitPicojoules / uniform16BitPicojoules` (0 when the uniform energy is 0).
  var fractionOfUniform16Bit: Double
}

/// Budget strings (`2.5uJ`, `800nJ`, `1200pJ`, `40%`) for options such as `optimize --budget`.
enum EnergyBudgetResolution {
  /// Parses a budget; a usage error (exit 64) that quotes the value, names the option and says what was expected.
  static func parse(_ text: String, for option: OptionSpec) throws(UsageError) -> EnergyBudget {
    do {
      return try EnergyBudget(parsing: text)
    } catch {
      throw UsageError("The value for '\(option.synopsis)' is invalid: \(error).")
    }
  }

  /// Resolves `budget` against the uniform 16-bit energy of `workloads` under `estimator`'s table.
  ///
  /// - Parameter workloads: The folded network's weighted layers (`FixedPointModel.network.layerWorkloads`, or
  ///   ``NetworkEnergyPricing/workloads``).
  /// - Throws: `EnergyModelError` when the table cannot price 16 x 16 layers.
  static func resolve(_ budget: EnergyBudget, text: String, workloads: [LayerWorkload],
                      estimator: EnergyEstimator) throws -> ResolvedEnergyBudget {
    let uniform = try estimator.uniform16BitBreakdown(workloads: workloads).totalPicojoules
    let limit = budget.limitPicojoules(uniform16BitPicojoules: uniform)
    return ResolvedEnergyBudget(text: text, budget: budget, limitPicojoules: limit, uniform16BitPicojoules: uniform,
                                fractionOfUniform16Bit: uniform > 0 ? limit / uniform : 0)
  }

  /// Parses `text` (usage error on a bad budget) and resolves it as ``resolve(_:text:workloads:estimator:)`` does.
  static func resolve(_ text: String, for option: OptionSpec, workloads: [LayerWorkload],
                      estimator: EnergyEstimator) throws -> ResolvedEnergyBudget {
    try resolve(try parse(text, for: option), text: text, workloads: workloads, estimator: estimator)
  }
}

/// The energy-model view of one network: its workloads (after BatchNorm folding) and the widths the engine stores
/// each layer's output at for a configuration, so that energies match what `evaluate` reports.
struct NetworkEnergyPricing {
  /// The folded network.
  let network: Network
  /// Its weighted layers' workloads, in `weightedLayerIndices` order.
  let workloads: [LayerWorkload]
  /// The fixed-point model whose plans give the stored output widths.
  let fixedPointModel: FixedPointModel

  /// Folds `model`'s network and prepares the widths rule.
  ///
  /// Without calibration ranges the model is prepared with neutral ranges (magnitude 1 everywhere): ranges set
  /// only the fractional bits, never the stored widths, which depend on the configuration and the graph alone.
  init(model: ModelFile) throws {
    let folded = model.network.isFolded ? model.network : try model.network.foldingBatchNorm()
    let ranges = model.activationRanges
      ?? ActivationRanges(ranges: folded.nodes.map { ActivationRange(node: $0.name, maxMagnitude: 1, maxPositive: 1) },
                          sampleCount: 0)
    fixedPointModel = try FixedPointModel(network: folded, ranges: ranges)
    network = fixedPointModel.network
    workloads = network.layerWorkloads
  }

  /// The widths the energy model prices for `configuration`: weight bits, input-activation bits, and the width the
  /// engine stores each layer's output at (the highest activation width among its readers, 16 at the output), as
  /// the engine's `IntegerPlan` computes them (builds a plan: use ``storedOutputBits(activationBits:)`` in loops).
  func precisionBits(_ configuration: PrecisionConfiguration) throws -> [LayerPrecisionBits] {
    try IntegerPlan(model: fixedPointModel, configuration: configuration, kernels: .reference).layerPrecisionBits
  }

  /// The width each weighted layer's output is stored at when the layers read `activationBits` (one per weighted
  /// layer), by the engine's rule (`FixedPointModel.groupStorageBits`) without building a plan. A test checks this
  /// against `IntegerPlan.storageBits`.
  func storedOutputBits(activationBits: [Int]) -> [Int] {
    let groupBits = fixedPointModel.groupStorageBits(activationBits: activationBits)
    return network.weightedLayerIndices.map { groupBits[fixedPointModel.groupOfNode[$0]] }
  }

  /// The stored output widths for per-layer weight and activation widths (for the calibration CSV's rows without
  /// `output_bits`); see ``storedOutputBits(activationBits:)``.
  func chainedOutputBits(weightBits: [Int], activationBits: [Int]) throws -> [Int] {
    storedOutputBits(activationBits: activationBits)
  }
}

/// The energy of one configuration as `evaluate` prints it and writes it in JSON (units in the key names).
struct EnergySummary: Codable, Hashable {
  /// Which table priced the configuration.
  struct Table: Codable, Hashable {
    /// The table's `name`.
    var name: String
    /// `preset` or `file`.
    var source: String
    /// The file path for a file table.
    var path: String?
    /// SHA-256 of the table's canonical JSON.
    var checksum: String
    /// Whether the table carries calibration provenance (made by `precsearch calibrate`).
    var calibrated: Bool

    init(_ resolved: ResolvedEnergyTable) {
      name = resolved.table.name
      source = resolved.sourceKind
      path = resolved.path
      checksum = resolved.checksum
      calibrated = resolved.calibration != nil
    }
  }

  /// Energy by cause, in pJ per inference; `memoryPicojoules` is the sum of the three memory terms.
  struct Breakdown: Codable, Hashable {
    var totalPicojoules: Double
    var computePicojoules: Double
    var memoryPicojoules: Double
    var weightReadPicojoules: Double
    var activationReadPicojoules: Double
    var activationWritePicojoules: Double
    var leakagePicojoules: Double

    init(_ energy: EnergyBreakdown) {
      totalPicojoules = energy.totalPicojoules
      computePicojoules = energy.computePicojoules
      memoryPicojoules = energy.memoryPicojoules
      weightReadPicojoules = energy.weightReadPicojoules
      activationReadPicojoules = energy.activationReadPicojoules
      activationWritePicojoules = energy.activationWritePicojoules
      leakagePicojoules = energy.leakagePicojoules
    }
  }

  /// One weighted layer.
  struct Layer: Codable, Hashable {
    var name: String
    var weightBits: Int
    var activationBits: Int
    /// The width the layer's output is stored at (the next readers' highest activation width; 16 at the output).
    var outputBits: Int
    /// The MAC mode the layer runs in (e.g. `8x8`).
    var mode: String
    var macsPerCycle: Int
    /// Ideal cycles (MACs / (MAC units x MACs per cycle)); may be fractional.
    var cycles: Double
    var latencyMicroseconds: Double
    var energy: Breakdown
    /// This layer's share of the network's total energy, in 0...1.
    var fractionOfTotal: Double
  }

  var table: Table
  var total: Breakdown
  /// Compute energy / total energy, in 0...1.
  var computeShare: Double
  /// The same network at uniform 16 bits (weights, activations and outputs).
  var uniform16Bit: Breakdown
  /// Compute share at uniform 16 bits, in 0...1.
  var uniform16BitComputeShare: Double
  /// `total / uniform16Bit` (1 when both are 0).
  var relativeToUniform16Bit: Double
  /// Ideal cycles of one inference (sum over layers).
  var cycles: Double
  /// `cycles / clock`, in microseconds.
  var latencyMicroseconds: Double
  var clockFrequencyMegahertz: Double
  var parallelMACUnits: Int
  var layers: [Layer]

  init(report: EnergyReport, table resolved: ResolvedEnergyTable) {
    table = Table(resolved)
    total = Breakdown(report.total)
    computeShare = report.total.computeShare
    uniform16Bit = Breakdown(report.uniform16Bit)
    uniform16BitComputeShare = report.uniform16Bit.computeShare
    relativeToUniform16Bit = report.relativeToUniform16Bit
    cycles = report.cycles
    latencyMicroseconds = report.latencyMicroseconds
    clockFrequencyMegahertz = report.clockFrequencyMegahertz
    parallelMACUnits = resolved.table.parallelMACUnits.value
    let sum = report.total.totalPicojoules
    layers = report.layers.map { layer in
      Layer(name: layer.name, weightBits: layer.precision.weightBits, activationBits: layer.precision.activationBits,
            outputBits: layer.precision.outputBits, mode: layer.modeName, macsPerCycle: layer.macsPerCycle,
            cycles: layer.cycles, latencyMicroseconds: layer.latencyMicroseconds, energy: Breakdown(layer.energy),
            fractionOfTotal: sum > 0 ? layer.energy.totalPicojoules / sum : 0)
    }
  }

  /// Prices the configuration `plan` runs: the folded network's workloads at the plan's widths (outputs at their
  /// stored width).
  init(plan: IntegerPlan, table: ResolvedEnergyTable, estimator: EnergyEstimator) throws {
    let report = try estimator.report(workloads: plan.network.layerWorkloads, precisions: plan.layerPrecisionBits)
    self.init(report: report, table: table)
  }

  /// The readable block: totals with units, the breakdown with shares, cycles and latency, then one row per layer.
  var text: String {
    typealias E = EnergyFormatting
    let t = total.totalPicojoules
    func share(_ part: Double) -> String { t > 0 ? NumberFormatting.percent(part / t) : "-" }
    var text = "Energy per inference (table \(table.name), \(table.source)"
      + (table.path.map { " '\($0)'" } ?? "") + ", sha256 \(table.checksum.prefix(12)))\n"
    text += "  Total:     \(E.energy(t)), \(E.ratio(relativeToUniform16Bit)) x uniform 16-bit"
      + " (\(E.energy(uniform16Bit.totalPicojoules)))\n"
    text += "  Compute:   \(E.energy(total.computePicojoules)) (\(share(total.computePicojoules)); uniform 16-bit:"
      + " \(NumberFormatting.percent(uniform16BitComputeShare)))\n"
    text += "  Memory:    \(E.energy(total.memoryPicojoules)) (\(share(total.memoryPicojoules))): weight reads"
      + " \(E.energy(total.weightReadPicojoules)), activation reads \(E.energy(total.activationReadPicojoules)),"
      + " activation writes \(E.energy(total.activationWritePicojoules))\n"
    text += "  Leakage:   \(E.energy(total.leakagePicojoules)) (\(share(total.leakagePicojoules)))\n"
    text += "  Cycles:    \(E.count(cycles)) on \(NumberFormatting.grouped(parallelMACUnits)) MAC units, latency"
      + " \(E.duration(latencyMicroseconds)) at \(E.significant(clockFrequencyMegahertz, digits: 6)) MHz\n\n"
    let unit = E.layerUnit(forTotal: t)
    var table = TextTable([
      ("Layer", .left), ("w/a/out bits", .right), ("Mode", .left), ("Cycles", .right),
      ("Compute", .right), ("Weight rd", .right), ("Act rd", .right), ("Act wr", .right), ("Leakage", .right),
      ("Total", .right), ("Share", .right),
    ])
    for layer in layers {
      let e = layer.energy
      table.append([
        layer.name, "\(layer.weightBits)/\(layer.activationBits)/\(layer.outputBits)", layer.mode, E.count(layer.cycles),
        E.scaled(e.computePicojoules, unit), E.scaled(e.weightReadPicojoules, unit),
        E.scaled(e.activationReadPicojoules, unit), E.scaled(e.activationWritePicojoules, unit),
        E.scaled(e.leakagePicojoules, unit), E.scaled(e.totalPicojoules, unit),
        NumberFormatting.percent(layer.fractionOfTotal),
      ])
    }
    return text + "  Energy per layer, in \(unit.symbol):\n" + table.rendered(indent: 2)
  }
}

/// Units and number forms for energies, durations and coefficients in readable output (JSON keeps raw numbers).
enum EnergyFormatting {
  /// An energy unit and its size in pJ.
  struct Unit: Hashable {
    var symbol: String
    var picojoules: Double
  }

  static let units: [Unit] = [
    Unit(symbol: "J", picojoules: 1e12), Unit(symbol: "mJ", picojoules: 1e9), Unit(symbol: "µJ", picojoules: 1e6),
    Unit(symbol: "nJ", picojoules: 1e3), Unit(symbol: "pJ", picojoules: 1),
  ]

  /// The largest unit in which `picojoules` is at least 1 (pJ below 1 pJ).
  static func unit(for picojoules: Double) -> Unit {
    units.first { abs(picojoules) >= $0.picojoules } ?? units[units.count - 1]
  }

  /// `1.234 µJ`, `812.5 nJ`, `0 pJ`: four significant digits in the largest unit that keeps the value >= 1.
  static func energy(_ picojoules: Double) -> String {
    let unit = unit(for: picojoules)
    return significant(picojoules / unit.picojoules, digits: 4) + " " + unit.symbol
  }

  /// The unit of a per-layer table: one step below the total's unit (so layers of a µJ network are in nJ).
  static func layerUnit(forTotal picojoules: Double) -> Unit {
    let index = units.firstIndex(of: unit(for: picojoules)) ?? units.count - 1
    return units[min(index + 1, units.count - 1)]
  }

  /// `picojoules` in `unit` with one decimal and thousands separators (`1,234.5`).
  static func scaled(_ picojoules: Double, _ unit: Unit) -> String {
    grouped(picojoules / unit.picojoules, decimals: 1)
  }

  /// A count such as cycles, rounded to an integer, with thousands separators.
  static func count(_ value: Double) -> String { grouped(value, decimals: 0) }

  /// `12.5 µs`, `3.27 ms`, `1.2 s`: four significant digits.
  static func duration(_ microseconds: Double) -> String {
    if microseconds >= 1e6 { return significant(microseconds / 1e6, digits: 4) + " s" }
    if microseconds >= 1e3 { return significant(microseconds / 1e3, digits: 4) + " ms" }
    return significant(microseconds, digits: 4) + " µs"
  }

  /// A ratio with three decimals (`0.412`).
  static func ratio(_ value: Double) -> String { NumberFormatting.fixed(value, decimals: 3) }

  /// `value` with at most `digits` significant digits (`%g`: `0.003125`, `1.5625`, `2000`, `1.2e+07`).
  static func significant(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return String(value) }
    return String(format: "%.\(max(1, digits))g", value)
  }

  /// `value` with `decimals` decimals and thousands separators in the integer part.
  static func grouped(_ value: Double, decimals: Int) -> String {
    guard value.isFinite, abs(value) < 9e15 else { return String(value) }
    let text = NumberFormatting.fixed(value, decimals: decimals)
    let negative = text.hasPrefix("-")
    let body = negative ? String(text.dropFirst()) : text
    let parts = body.split(separator: ".", maxSplits: 1)
    guard let whole = parts.first, let integer = Int(whole) else { return text }
    let fraction = parts.count > 1 ? "." + parts[1] : ""
    return (negative ? "-" : "") + NumberFormatting.grouped(integer) + fraction
  }
}
