import EnergyModel
import Foundation

// Energy tables as files: the JSON form of an `EnergyTable` (docs/energy-model.md, section 2), read strictly and
// written canonically (keys sorted, one fixed layout, atomic), with a SHA-256 checksum for provenance and the
// `--energy-model NAME|FILE` resolution every command shares.

/// Where a calibrated table came from: the base table, the measurements, the model and the fit statistics.
///
/// Stored in a table file under the top-level key `calibration` (absent in hand-written and preset tables).
public struct EnergyCalibrationProvenance: Sendable, Hashable, Codable {
  /// One coefficient before and after the fit (unit in its name, see ``EnergyTable/calibrationCoefficientNames``).
  public struct Coefficient: Sendable, Hashable, Codable {
    /// Coefficient name, a JSON path into the table (e.g. `memory.weightRead.energyPerBitPicojoules`).
    public var name: String
    /// Value in the base table.
    public var baseValue: Double
    /// Value in the fitted table (equal to `baseValue` when fixed).
    public var fittedValue: Double
    /// Standard error of `fittedValue`, same unit; nil when fixed, at the zero bound, or not estimable.
    public var standardError: Double?
    /// Whether the coefficient was held at its base value.
    public var isFixed: Bool
    /// Whether the fit pushed the coefficient to zero (the non-negativity bound).
    public var isAtZeroBound: Bool

    /// Creates a coefficient record.
    public init(name: String, baseValue: Double, fittedValue: Double, standardError: Double?, isFixed: Bool,
                isAtZeroBound: Bool) {
      self.name = name
      self.baseValue = baseValue
      self.fittedValue = fittedValue
      self.standardError = standardError
      self.isFixed = isFixed
      self.isAtZeroBound = isAtZeroBound
    }
  }

  /// Tool and version that ran the fit, e.g. `precsearch 0.1.0`.
  public var tool: String
  /// Name of the base table (a preset name or the `name` field of a table file).
  public var baseTableName: String
  /// SHA-256 (hex) of the base table's canonical JSON (``EnergyTableFile/checksum(of:)``).
  public var baseTableChecksum: String
  /// The measurements file as given on the command line.
  public var measurementsFile: String
  /// SHA-256 (hex) of the measurements file's bytes.
  public var measurementsChecksum: String
  /// Number of measurement rows fitted (>= 1).
  public var rowCount: Int
  /// The model name (from its file).
  public var modelName: String
  /// SHA-256 (hex) of the model in the single-file layout (`ModelFile.singleFileData()`), the same whichever layout
  /// or path it was read from.
  public var modelChecksum: String
  /// `relative` or `absolute` (``CalibrationWeighting``).
  public var weighting: String
  /// Coefficients held at their base value, in coefficient order.
  public var fixedCoefficients: [String]
  /// Coefficient of determination of the fitted predictions; nil when every measurement is equal.
  public var rSquared: Double?
  /// Mean absolute percentage error in sample, in percent.
  public var meanAbsolutePercentageError: Double
  /// Largest absolute percentage error in sample, in percent.
  public var maximumAbsolutePercentageError: Double
  /// Leave-one-out mean absolute percentage error, in percent; nil when a fold cannot determine a coefficient.
  public var leaveOneOutMeanAbsolutePercentageError: Double?
  /// Leave-one-out largest absolute percentage error, in percent; nil as above.
  public var leaveOneOutMaximumAbsolutePercentageError: Double?
  /// Every coefficient, in ``EnergyTable/calibrationCoefficientNames`` order.
  public var coefficients: [Coefficient]

  /// Creates a provenance record.
  public init(
    tool: String, baseTableName: String, baseTableChecksum: String, measurementsFile: String,
    measurementsChecksum: String, rowCount: Int, modelName: String, modelChecksum: String, weighting: String,
    fixedCoefficients: [String], rSquared: Double?, meanAbsolutePercentageError: Double,
    maximumAbsolutePercentageError: Double, leaveOneOutMeanAbsolutePercentageError: Double?,
    leaveOneOutMaximumAbsolutePercentageError: Double?, coefficients: [Coefficient]
  ) {
    self.tool = tool
    self.baseTableName = baseTableName
    self.baseTableChecksum = baseTableChecksum
    self.measurementsFile = measurementsFile
    self.measurementsChecksum = measurementsChecksum
    self.rowCount = rowCount
    self.modelName = modelName
    self.modelChecksum = modelChecksum
    self.weighting = weighting
    self.fixedCoefficients = fixedCoefficients
    self.rSquared = rSquared
    self.meanAbsolutePercentageError = meanAbsolutePercentageError
    self.maximumAbsolutePercentageError = maximumAbsolutePercentageError
    self.leaveOneOutMeanAbsolutePercentageError = leaveOneOutMeanAbsolutePercentageError
    self.leaveOneOutMaximumAbsolutePercentageError = leaveOneOutMaximumAbsolutePercentageError
    self.coefficients = coefficients
  }
}

/// The contents of an energy table file: the table and, for a calibrated table, its provenance.
public struct EnergyTableDocument: Sendable, Hashable {
  /// The price table (schema in docs/energy-model.md, section 2).
  public var table: EnergyTable
  /// How the table was fitted; nil for tables that were not produced by `precsearch calibrate`.
  public var calibration: EnergyCalibrationProvenance?

  /// Creates a document.
  public init(table: EnergyTable, calibration: EnergyCalibrationProvenance? = nil) {
    self.table = table
    self.calibration = calibration
  }
}

/// An energy table file that cannot be read or written, or an `--energy-model` value that names nothing.
public struct EnergyTableFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file's path (or the value given, for an unknown name).
  public var file: String
  /// A JSON path such as `compute.modes[1].macsPerCycle`; empty for the whole file.
  public var field: String
  /// What is wrong and what was expected.
  public var message: String

  /// Creates an error.
  public init(file: String, field: String, message: String) {
    self.file = file
    self.field = field
    self.message = message
  }

  /// `energy table file 'PATH': FIELD: MESSAGE`.
  public var description: String {
    field.isEmpty ? "energy table file '\(file)': \(message)" : "energy table file '\(file)': \(field): \(message)"
  }
}

/// An `--energy-model` (or `--base`) value that is neither a preset name nor an existing file.
public struct UnknownEnergyModelError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The value as given.
  public var value: String
  /// The preset names (``EnergyTable/presetNames``).
  public var presetNames: [String]
  /// A preset name close to `value`, if one is.
  public var suggestion: String?

  /// Creates an error.
  public init(value: String, presetNames: [String], suggestion: String?) {
    self.value = value
    self.presetNames = presetNames
    self.suggestion = suggestion
  }

  /// `unknown energy model 'X': not a preset name (a, b) and no file at that path[; did you mean 'a'?]`.
  public var description: String {
    "unknown energy model '\(value)': it is neither a preset name (\(presetNames.joined(separator: ", "))) nor an"
      + " existing energy table file" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
  }
}

/// An energy table chosen by `--energy-model NAME|FILE`: the table, where it came from, and its checksum.
public struct ResolvedEnergyTable: Sendable, Hashable {
  /// Where a table came from.
  public enum Source: Sendable, Hashable {
    /// A built-in preset (``EnergyTable/presetNames``).
    case preset(name: String)
    /// A table file at this path.
    case file(path: String)
  }

  /// The table (validated).
  public var table: EnergyTable
  /// Preset or file.
  public var source: Source
  /// SHA-256 (hex) of the table's canonical JSON document (``EnergyTableFile/checksum(of:)``).
  public var checksum: String
  /// The calibration provenance stored in the file, if any.
  public var calibration: EnergyCalibrationProvenance?

  /// `preset` or `file`.
  public var sourceKind: String {
    switch source {
    case .preset: return "preset"
    case .file: return "file"
    }
  }

  /// The file path for a file table; nil for a preset.
  public var path: String? {
    if case .file(let path) = source { return path }
    return nil
  }
}

/// Reads, writes and identifies energy table files (JSON, docs/energy-model.md section 2, plus the optional
/// `calibration` member).
///
/// Canonical form: ``JSONValue/serialized(pretty:)`` of the document (keys sorted, two-space indentation, numbers
/// in Swift's shortest round-trip form, `Double` fields always with a fraction or exponent, `Int` fields as
/// integers) followed by one newline. Writing always produces the canonical form, so the checksum of a table
/// equals `sha256sum` of a file written by precsearch. Reading is strict: unknown members, wrong types, a missing
/// member and out-of-range values are errors naming the JSON path; nothing traps.
public enum EnergyTableFile {
  // MARK: Identity

  /// The canonical bytes of `document` (UTF-8 JSON followed by a newline).
  ///
  /// - Throws: ``EnergyTableFileError`` if a number is not finite (a validated table never has one).
  public static func canonicalData(_ document: EnergyTableDocument, file: String = "") throws -> Data {
    do {
      return Data((try jsonValue(of: document).serialized(pretty: true) + "\n").utf8)
    } catch {
      throw EnergyTableFileError(file: file, field: error.path, message: error.message)
    }
  }

  /// The canonical text of `document` (see ``canonicalData(_:file:)``).
  public static func canonicalText(_ document: EnergyTableDocument) throws -> String {
    String(decoding: try canonicalData(document), as: UTF8.self)
  }

  /// SHA-256 (64 lowercase hex digits) of the canonical bytes of `document`: the same table and provenance give
  /// the same checksum however the file was formatted.
  public static func checksum(of document: EnergyTableDocument) throws -> String {
    sha256Hex(of: try canonicalData(document))
  }

  /// SHA-256 of the canonical bytes of `table` without calibration provenance (the checksum of a preset).
  public static func checksum(of table: EnergyTable) throws -> String {
    try checksum(of: EnergyTableDocument(table: table))
  }

  // MARK: Files

  /// Validates `document.table` and writes the canonical bytes to `path` atomically.
  ///
  /// - Throws: ``EnergyTableFileError`` for an invalid table (naming the field), `FileAccessError` when the file
  ///   cannot be written.
  public static func write(_ document: EnergyTableDocument, to path: String) throws {
    try validate(document.table, file: path)
    try FileIO.writeAtomically(try canonicalData(document, file: path), to: path)
  }

  /// Reads and validates the table file at `path`.
  ///
  /// - Throws: ``EnergyTableFileError`` naming the file and, where there is one, the JSON path.
  public static func read(from path: String) throws -> EnergyTableDocument {
    let data: Data
    do { data = try FileIO.readData(at: path) } catch let error as FileAccessError {
      throw EnergyTableFileError(file: path, field: "", message: error.message)
    }
    return try decode(data, file: path)
  }

  /// Parses and validates table JSON; `file` names the source in errors.
  ///
  /// - Throws: ``EnergyTableFileError``.
  public static func decode(_ data: Data, file: String) throws -> EnergyTableDocument {
    let root: JSONValue
    do { root = try JSONValue.parse(Array(data)) } catch {
      throw EnergyTableFileError(file: file, field: "", message: error.description)
    }
    let document: EnergyTableDocument
    do { document = try Reader.document(root) } catch {
      throw EnergyTableFileError(file: file, field: error.path, message: error.message)
    }
    try validate(document.table, file: file)
    return document
  }

  /// Resolves an `--energy-model` (or `--base`) value: a preset name first, then a path to a table file.
  ///
  /// A file whose path equals a preset name is reached as `./NAME`.
  ///
  /// - Throws: ``UnknownEnergyModelError`` when `value` is neither a preset nor an existing path (with a close
  ///   preset name as suggestion); ``EnergyTableFileError`` for a malformed or invalid file.
  public static func resolve(_ value: String) throws -> ResolvedEnergyTable {
    if EnergyTable.presetNames.contains(value) {
      let table = try EnergyTable.preset(named: value)
      return ResolvedEnergyTable(table: table, source: .preset(name: value), checksum: try checksum(of: table))
    }
    guard FileManager.default.fileExists(atPath: value) else {
      throw UnknownEnergyModelError(value: value, presetNames: EnergyTable.presetNames,
                                    suggestion: closestPresetName(to: value))
    }
    let document = try read(from: value)
    return ResolvedEnergyTable(table: document.table, source: .file(path: value),
                               checksum: try checksum(of: document), calibration: document.calibration)
  }

  /// A preset name that starts with `value` (at least 3 characters), else the one within edit distance 3 of
  /// `value`, the first of the closest; nil when none is that close.
  static func closestPresetName(to value: String) -> String? {
    if value.count >= 3, let name = EnergyTable.presetNames.first(where: { $0.hasPrefix(value) }) { return name }
    var best: (name: String, distance: Int)?
    for name in EnergyTable.presetNames {
      let distance = editDistance(Array(value.unicodeScalars), Array(name.unicodeScalars))
      if distance <= 3, distance < (best?.distance ?? Int.max) { best = (name, distance) }
    }
    return best?.name
  }

  private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      previous = current
    }
    return previous[b.count]
  }

  private static func validate(_ table: EnergyTable, file: String) throws {
    do { try table.validate() } catch let error as EnergyModelError {
      switch error {
      case .invalidTable(let field, let value, let expected):
        throw EnergyTableFileError(file: file, field: field, message: "is \(value); expected \(expected)")
      case .unsupportedSchemaVersion:
        throw EnergyTableFileError(file: file, field: "schemaVersion", message: error.description)
      default:
        throw EnergyTableFileError(file: file, field: "", message: error.description)
      }
    }
  }

  // MARK: Encoding

  /// The document as a JSON value (the table's members at the top level, plus `calibration` when present).
  public static func jsonValue(of document: EnergyTableDocument) -> JSONValue {
    guard case .object(var members) = jsonValue(of: document.table) else { return .null }
    if let calibration = document.calibration { members["calibration"] = jsonValue(of: calibration) }
    return .object(members)
  }

  /// The table as a JSON value (schema version 1).
  public static func jsonValue(of table: EnergyTable) -> JSONValue {
    let compute: JSONValue
    switch table.compute {
    case .modes(let modes):
      compute = ["kind": "modes", "modes": .array(modes.map(jsonValue(of:)))]
    case .bitGranular(let datapath):
      compute = [
        "kind": "bitGranular",
        "bitGranular": [
          "maxWeightBits": .integer(datapath.maxWeightBits),
          "maxActivationBits": .integer(datapath.maxActivationBits),
          "macsPerCycle": .integer(datapath.macsPerCycle),
          "provenance": .string(datapath.provenance.rawValue),
          "source": .string(datapath.source),
          "multiplierEnergyPerBitProductPicojoules": sourced(datapath.multiplierEnergyPerBitProductPicojoules),
          "adderEnergyPerAccumulatorBitPicojoules": sourced(datapath.adderEnergyPerAccumulatorBitPicojoules),
          "accumulatorGuardBits": sourced(datapath.accumulatorGuardBits),
          "maxAccumulatorBits": sourced(datapath.maxAccumulatorBits),
        ],
      ]
    }
    func memory(_ access: MemoryAccessEnergy) -> JSONValue {
      ["level": .string(access.level), "energyPerBitPicojoules": sourced(access.energyPerBitPicojoules)]
    }
    return [
      "schemaVersion": .integer(table.schemaVersion),
      "name": .string(table.name),
      "summary": .string(table.summary),
      "technology": .string(table.technology),
      "compute": compute,
      "memory": [
        "weightRead": memory(table.memory.weightRead),
        "activationRead": memory(table.memory.activationRead),
        "activationWrite": memory(table.memory.activationWrite),
      ],
      "leakagePowerMicrowatts": sourced(table.leakagePowerMicrowatts),
      "clockFrequencyMegahertz": sourced(table.clockFrequencyMegahertz),
      "parallelMACUnits": sourced(table.parallelMACUnits),
      "biasBits": sourced(table.biasBits),
      "notes": .array(table.notes.map(JSONValue.string)),
    ]
  }

  private static func jsonValue(of mode: MACMode) -> JSONValue {
    [
      "name": .string(mode.name),
      "maxWeightBits": .integer(mode.maxWeightBits),
      "maxActivationBits": .integer(mode.maxActivationBits),
      "macsPerCycle": .integer(mode.macsPerCycle),
      "energyPerMACPicojoules": sourced(mode.energyPerMACPicojoules),
      "provenance": .string(mode.provenance.rawValue),
      "source": .string(mode.source),
    ]
  }

  private static func sourced(_ number: Sourced<Double>) -> JSONValue {
    ["value": .number(number.value), "provenance": .string(number.provenance.rawValue), "source": .string(number.source)]
  }

  private static func sourced(_ number: Sourced<Int>) -> JSONValue {
    ["value": .integer(number.value), "provenance": .string(number.provenance.rawValue), "source": .string(number.source)]
  }

  private static func jsonValue(of calibration: EnergyCalibrationProvenance) -> JSONValue {
    func optional(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
    return [
      "tool": .string(calibration.tool),
      "baseTableName": .string(calibration.baseTableName),
      "baseTableChecksum": .string(calibration.baseTableChecksum),
      "measurementsFile": .string(calibration.measurementsFile),
      "measurementsChecksum": .string(calibration.measurementsChecksum),
      "rowCount": .integer(calibration.rowCount),
      "modelName": .string(calibration.modelName),
      "modelChecksum": .string(calibration.modelChecksum),
      "weighting": .string(calibration.weighting),
      "fixedCoefficients": .array(calibration.fixedCoefficients.map(JSONValue.string)),
      "rSquared": optional(calibration.rSquared),
      "meanAbsolutePercentageError": .number(calibration.meanAbsolutePercentageError),
      "maximumAbsolutePercentageError": .number(calibration.maximumAbsolutePercentageError),
      "leaveOneOutMeanAbsolutePercentageError": optional(calibration.leaveOneOutMeanAbsolutePercentageError),
      "leaveOneOutMaximumAbsolutePercentageError": optional(calibration.leaveOneOutMaximumAbsolutePercentageError),
      "coefficients": .array(calibration.coefficients.map { c in
        [
          "name": .string(c.name), "baseValue": .number(c.baseValue), "fittedValue": .number(c.fittedValue),
          "standardError": optional(c.standardError), "isFixed": .bool(c.isFixed),
          "isAtZeroBound": .bool(c.isAtZeroBound),
        ]
      }),
    ]
  }

  // MARK: Decoding

  /// Strict readers for each part of the schema; every error carries its JSON path.
  private enum Reader {
    static func document(_ root: JSONValue) throws(SchemaError) -> EnergyTableDocument {
      var object = try StrictObject(root, path: "")
      // The version first, so that a newer file gets a version message rather than an unknown-field one.
      let version = try object.integer("schemaVersion")
      guard version == EnergyTable.currentSchemaVersion else {
        throw SchemaError(path: "schemaVersion", message: "is \(version); this version of precsearch reads energy"
          + " tables with schemaVersion \(EnergyTable.currentSchemaVersion)")
      }
      let table = EnergyTable(
        schemaVersion: version, name: try object.string("name"), summary: try object.string("summary"),
        technology: try object.string("technology"), compute: try compute(try object.required("compute")),
        memory: try memory(try object.required("memory")),
        leakagePowerMicrowatts: try sourcedDouble(try object.required("leakagePowerMicrowatts"),
                                                  path: "leakagePowerMicrowatts"),
        clockFrequencyMegahertz: try sourcedDouble(try object.required("clockFrequencyMegahertz"),
                                                   path: "clockFrequencyMegahertz"),
        parallelMACUnits: try sourcedInteger(try object.required("parallelMACUnits"), path: "parallelMACUnits"),
        biasBits: try sourcedInteger(try object.required("biasBits"), path: "biasBits"),
        notes: try object.strings("notes"))
      var calibration: EnergyCalibrationProvenance?
      if let value = object.optional("calibration") { calibration = try provenance(value, path: "calibration") }
      try object.finish()
      return EnergyTableDocument(table: table, calibration: calibration)
    }

    static func compute(_ value: JSONValue) throws(SchemaError) -> ComputeDatapath {
      var object = try StrictObject(value, path: "compute")
      let kind = try object.string("kind")
      let result: ComputeDatapath
      switch kind {
      case "modes":
        let list = try object.array("modes")
        var modes: [MACMode] = []
        for (i, element) in list.enumerated() { modes.append(try mode(element, path: "compute.modes[\(i)]")) }
        result = .modes(modes)
      case "bitGranular":
        result = .bitGranular(try bitGranular(try object.required("bitGranular")))
      default:
        throw SchemaError(path: "compute.kind", message: "is '\(kind)'; expected 'modes' or 'bitGranular'")
      }
      try object.finish()
      return result
    }

    static func mode(_ value: JSONValue, path: String) throws(SchemaError) -> MACMode {
      var object = try StrictObject(value, path: path)
      let mode = MACMode(
        name: try object.string("name"), maxWeightBits: try object.integer("maxWeightBits"),
        maxActivationBits: try object.integer("maxActivationBits"), macsPerCycle: try object.integer("macsPerCycle"),
        energyPerMACPicojoules: try sourcedDouble(try object.required("energyPerMACPicojoules"),
                                                  path: path + ".energyPerMACPicojoules"),
        provenance: try provenance(&object), source: try object.string("source"))
      try object.finish()
      return mode
    }

    static func bitGranular(_ value: JSONValue) throws(SchemaError) -> BitGranularDatapath {
      let path = "compute.bitGranular"
      var object = try StrictObject(value, path: path)
      let datapath = BitGranularDatapath(
        maxWeightBits: try object.integer("maxWeightBits"), maxActivationBits: try object.integer("maxActivationBits"),
        macsPerCycle: try object.integer("macsPerCycle"), provenance: try provenance(&object),
        source: try object.string("source"),
        multiplierEnergyPerBitProductPicojoules: try sourcedDouble(
          try object.required("multiplierEnergyPerBitProductPicojoules"),
          path: path + ".multiplierEnergyPerBitProductPicojoules"),
        adderEnergyPerAccumulatorBitPicojoules: try sourcedDouble(
          try object.required("adderEnergyPerAccumulatorBitPicojoules"),
          path: path + ".adderEnergyPerAccumulatorBitPicojoules"),
        accumulatorGuardBits: try sourcedInteger(try object.required("accumulatorGuardBits"),
                                                 path: path + ".accumulatorGuardBits"),
        maxAccumulatorBits: try sourcedInteger(try object.required("maxAccumulatorBits"),
                                               path: path + ".maxAccumulatorBits"))
      try object.finish()
      return datapath
    }

    static func memory(_ value: JSONValue) throws(SchemaError) -> MemoryEnergies {
      var object = try StrictObject(value, path: "memory")
      func access(_ key: String, _ object: inout StrictObject) throws(SchemaError) -> MemoryAccessEnergy {
        let path = "memory." + key
        var member = try StrictObject(try object.required(key), path: path)
        let result = MemoryAccessEnergy(
          level: try member.string("level"),
          energyPerBitPicojoules: try sourcedDouble(try member.required("energyPerBitPicojoules"),
                                                    path: path + ".energyPerBitPicojoules"))
        try member.finish()
        return result
      }
      let result = MemoryEnergies(weightRead: try access("weightRead", &object),
                                  activationRead: try access("activationRead", &object),
                                  activationWrite: try access("activationWrite", &object))
      try object.finish()
      return result
    }

    static func provenance(_ object: inout StrictObject) throws(SchemaError) -> Provenance {
      let text = try object.string("provenance")
      guard let provenance = Provenance(rawValue: text) else {
        throw SchemaError(path: object.childPath("provenance"), message: "is '\(text)'; expected one of "
          + Provenance.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))
      }
      return provenance
    }

    static func sourcedDouble(_ value: JSONValue, path: String) throws(SchemaError) -> Sourced<Double> {
      var object = try StrictObject(value, path: path)
      let number = try object.required("value")
      guard let double = number.doubleValue else {
        throw SchemaError(path: path + ".value", message: "expected a number, found \(number.typeName)")
      }
      let result = Sourced(double, try provenance(&object), source: try object.string("source"))
      try object.finish()
      return result
    }

    static func sourcedInteger(_ value: JSONValue, path: String) throws(SchemaError) -> Sourced<Int> {
      var object = try StrictObject(value, path: path)
      let result = Sourced(try object.integer("value"), try provenance(&object), source: try object.string("source"))
      try object.finish()
      return result
    }

    static func number(_ object: inout StrictObject, _ key: String) throws(SchemaError) -> Double {
      let value = try object.required(key)
      guard let double = value.doubleValue else {
        throw SchemaError(path: object.childPath(key), message: "expected a number, found \(value.typeName)")
      }
      return double
    }

    static func optionalNumber(_ object: inout StrictObject, _ key: String) throws(SchemaError) -> Double? {
      let value = try object.required(key)
      if value == .null { return nil }
      guard let double = value.doubleValue else {
        throw SchemaError(path: object.childPath(key), message: "expected a number or null, found \(value.typeName)")
      }
      return double
    }

    static func bool(_ object: inout StrictObject, _ key: String) throws(SchemaError) -> Bool {
      let value = try object.required(key)
      guard let bool = value.boolValue else {
        throw SchemaError(path: object.childPath(key), message: "expected true or false, found \(value.typeName)")
      }
      return bool
    }

    static func provenance(_ value: JSONValue, path: String) throws(SchemaError) -> EnergyCalibrationProvenance {
      var object = try StrictObject(value, path: path)
      let list = try object.array("coefficients")
      var coefficients: [EnergyCalibrationProvenance.Coefficient] = []
      for (i, element) in list.enumerated() {
        var c = try StrictObject(element, path: "\(path).coefficients[\(i)]")
        coefficients.append(EnergyCalibrationProvenance.Coefficient(
          name: try c.string("name"), baseValue: try number(&c, "baseValue"),
          fittedValue: try number(&c, "fittedValue"), standardError: try optionalNumber(&c, "standardError"),
          isFixed: try bool(&c, "isFixed"), isAtZeroBound: try bool(&c, "isAtZeroBound")))
        try c.finish()
      }
      let result = EnergyCalibrationProvenance(
        tool: try object.string("tool"), baseTableName: try object.string("baseTableName"),
        baseTableChecksum: try object.string("baseTableChecksum"),
        measurementsFile: try object.string("measurementsFile"),
        measurementsChecksum: try object.string("measurementsChecksum"),
        rowCount: try object.integer("rowCount", in: 1...Int.max), modelName: try object.string("modelName"),
        modelChecksum: try object.string("modelChecksum"), weighting: try object.string("weighting"),
        fixedCoefficients: try object.strings("fixedCoefficients"), rSquared: try optionalNumber(&object, "rSquared"),
        meanAbsolutePercentageError: try number(&object, "meanAbsolutePercentageError"),
        maximumAbsolutePercentageError: try number(&object, "maximumAbsolutePercentageError"),
        leaveOneOutMeanAbsolutePercentageError: try optionalNumber(&object, "leaveOneOutMeanAbsolutePercentageError"),
        leaveOneOutMaximumAbsolutePercentageError: try optionalNumber(
          &object, "leaveOneOutMaximumAbsolutePercentageError"),
        coefficients: coefficients)
      try object.finish()
      return result
    }
  }
}
