import EnergyModel
import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

/// Energy table files: canonical writing, strict reading, checksums, the committed preset files, and
/// `--energy-model` resolution.
@Suite struct EnergyTableFileTests {
  static let presets = EnergyTable.presetNames

  /// The repository root, from this file's path (Tests/PrecSearchIOTests/<file>).
  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  static func decodeError(_ text: String) -> String? {
    do {
      _ = try EnergyTableFile.decode(Data(text.utf8), file: "t.json")
      return nil
    } catch {
      return "\(error)"
    }
  }

  /// The preset as a mutable JSON object, edited by `change`, then serialized.
  static func editedPreset(_ name: String, _ change: (inout [String: JSONValue]) -> Void) throws -> String {
    guard case .object(var members) = EnergyTableFile.jsonValue(of: try EnergyTable.preset(named: name)) else {
      Issue.record("not an object")
      return ""
    }
    change(&members)
    return try JSONValue.object(members).serialized()
  }

  @Test(arguments: presets)
  func presetsRoundTripAndTheCanonicalFormIsAFixedPoint(name: String) throws {
    let table = try EnergyTable.preset(named: name)
    let data = try EnergyTableFile.canonicalData(EnergyTableDocument(table: table))
    let decoded = try EnergyTableFile.decode(data, file: "x")
    #expect(decoded.table == table)
    #expect(decoded.calibration == nil)
    #expect(try EnergyTableFile.canonicalData(decoded) == data)
    #expect(data.last == 0x0A)
    // Compact text of the same table reads back to the same table and the same checksum.
    let compact = try EnergyTableFile.jsonValue(of: table).serialized(pretty: false)
    let fromCompact = try EnergyTableFile.decode(Data(compact.utf8), file: "compact")
    #expect(fromCompact.table == table)
    #expect(try EnergyTableFile.checksum(of: fromCompact) == sha256Hex(of: data))
  }

  /// The committed files under Experiments/energy-tables are exactly what the code writes (regenerate them with
  /// `precsearch calibrate --export-preset NAME --output Experiments/energy-tables/NAME.json`).
  @Test(arguments: presets)
  func committedPresetFilesEqualTheGeneratedBytes(name: String) throws {
    let path = Self.repositoryRoot.appendingPathComponent("Experiments/energy-tables/\(name).json").path
    let committed = try FileIO.readData(at: path)
    let generated = try EnergyTableFile.canonicalData(EnergyTableDocument(table: try EnergyTable.preset(named: name)))
    #expect(committed == generated, "regenerate \(path) with precsearch calibrate --export-preset \(name)")
    #expect(try EnergyTableFile.resolve(path).checksum == sha256Hex(of: committed))
    #expect(try EnergyTableFile.resolve(name).checksum == sha256Hex(of: committed))
  }

  /// The hand-written JSON form has exactly the members and values of the module's `Codable` form, so the two
  /// cannot drift apart (numbers compared by value: Foundation may write 200.0 as 200).
  @Test(arguments: presets)
  func jsonFormMatchesTheCodableConformance(name: String) throws {
    let table = try EnergyTable.preset(named: name)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let viaCodable = try JSONValue.parse(Array(try encoder.encode(table)))
    func normalized(_ value: JSONValue) -> JSONValue {
      switch value {
      case .integer(let i): return .number(Double(i))
      case .array(let a): return .array(a.map(normalized))
      case .object(let o): return .object(o.mapValues(normalized))
      default: return value
      }
    }
    #expect(normalized(viaCodable) == normalized(EnergyTableFile.jsonValue(of: table)))
    // And the module's decoder reads our files.
    let decoded = try JSONDecoder().decode(EnergyTable.self, from: try EnergyTableFile.canonicalData(
      EnergyTableDocument(table: table)))
    #expect(decoded == table)
  }

  @Test func calibrationProvenanceRoundTrips() throws {
    var table = EnergyTable.subwordParallel16x8x4
    table.name = "fitted"
    let provenance = EnergyCalibrationProvenance(
      tool: "precsearch 0.1.0", baseTableName: "swp-16-8-4", baseTableChecksum: String(repeating: "a", count: 64),
      measurementsFile: "m.csv", measurementsChecksum: String(repeating: "b", count: 64), rowCount: 12,
      modelName: "lenet", modelChecksum: String(repeating: "c", count: 64), weighting: "relative",
      fixedCoefficients: ["leakagePowerMicrowatts"], rSquared: nil, meanAbsolutePercentageError: 0.5,
      maximumAbsolutePercentageError: 2, leaveOneOutMeanAbsolutePercentageError: 0.75,
      leaveOneOutMaximumAbsolutePercentageError: nil,
      coefficients: [
        .init(name: "leakagePowerMicrowatts", baseValue: 2000, fittedValue: 2000, standardError: nil, isFixed: true,
              isAtZeroBound: false),
        .init(name: "memory.weightRead.energyPerBitPicojoules", baseValue: 1.5625, fittedValue: 1.25,
              standardError: 0.01, isFixed: false, isAtZeroBound: false),
      ])
    let document = EnergyTableDocument(table: table, calibration: provenance)
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.file("fitted.json")
    try EnergyTableFile.write(document, to: path)
    #expect(try EnergyTableFile.read(from: path) == document)
    #expect(try sha256Hex(ofFile: path) == EnergyTableFile.checksum(of: document))
    // The provenance is part of the checksum.
    #expect(try EnergyTableFile.checksum(of: document) != EnergyTableFile.checksum(of: table))
    let resolved = try EnergyTableFile.resolve(path)
    #expect(resolved.calibration == provenance && resolved.sourceKind == "file" && resolved.path == path)
    // Only the table file is left in the directory (atomic write through a temporary file).
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["fitted.json"])
  }

  @Test func strictReadingNamesTheField() throws {
    let name = "swp-16-8-4"
    func error(_ change: (inout [String: JSONValue]) -> Void) throws -> String? {
      Self.decodeError(try Self.editedPreset(name, change))
    }
    #expect(try error { $0["extra"] = 1 }
      == "energy table file 't.json': extra: unknown field (not in this schema version): \"extra\"")
    #expect(try error { $0["name"] = nil } == "energy table file 't.json': name: missing required field")
    #expect(try error { $0["schemaVersion"] = 2; $0["newThing"] = true }
      == "energy table file 't.json': schemaVersion: is 2; this version of precsearch reads energy tables with"
      + " schemaVersion 1")
    #expect(try error { $0["parallelMACUnits"] = ["value": 1.5, "provenance": "assumption", "source": "s"] }
      == "energy table file 't.json': parallelMACUnits.value: expected an integer, found number 1.5")
    #expect(try error { $0["leakagePowerMicrowatts"] = ["value": "2", "provenance": "assumption", "source": "s"] }
      == "energy table file 't.json': leakagePowerMicrowatts.value: expected a number, found string")
    #expect(try error { $0["clockFrequencyMegahertz"] = ["value": 200, "provenance": "guess", "source": "s"] }
      == "energy table file 't.json': clockFrequencyMegahertz.provenance: is 'guess'; expected one of 'published',"
      + " 'derived', 'assumption', 'fitted'")
    #expect(try error { $0["compute"] = ["kind": "analog"] }
      == "energy table file 't.json': compute.kind: is 'analog'; expected 'modes' or 'bitGranular'")
    // Values are range-checked by the table's own validation, with the JSON path.
    #expect(try error { members in
      guard case .object(var compute) = members["compute"], case .array(var modes) = compute["modes"],
            case .object(var mode) = modes[1] else { return }
      mode["macsPerCycle"] = 0
      modes[1] = .object(mode)
      compute["modes"] = .array(modes)
      members["compute"] = .object(compute)
    } == "energy table file 't.json': compute.modes[1].macsPerCycle: is 0; expected an integer in 1...4096")
    #expect(try error { $0["memory"] = [
      "weightRead": ["level": "DRAM", "energyPerBitPicojoules": ["value": -1, "provenance": "assumption", "source": "s"]],
      "activationRead": ["level": "x", "energyPerBitPicojoules": ["value": 1, "provenance": "assumption", "source": "s"]],
      "activationWrite": ["level": "x", "energyPerBitPicojoules": ["value": 1, "provenance": "assumption", "source": "s"]],
    ] } == "energy table file 't.json': memory.weightRead.energyPerBitPicojoules.value: is -1.0; expected a number in"
      + " 0...1e12")
    #expect(Self.decodeError("{\"schemaVersion\": 1,")?.hasPrefix("energy table file 't.json': JSON syntax error at line 1")
      == true)
    #expect(Self.decodeError("[]") == "energy table file 't.json': expected an object, found array")
  }

  @Test func bitGranularFieldsAreCheckedToo() throws {
    let text = try Self.editedPreset("horowitz45-bitwise") { members in
      guard case .object(var compute) = members["compute"], case .object(var datapath) = compute["bitGranular"] else {
        return
      }
      datapath["accumulatorGuardBits"] = ["value": 65, "provenance": "assumption", "source": "s"]
      compute["bitGranular"] = .object(datapath)
      members["compute"] = .object(compute)
    }
    #expect(Self.decodeError(text)
      == "energy table file 't.json': compute.bitGranular.accumulatorGuardBits.value: is 65; expected an integer in 0...64")
  }

  @Test func resolutionPrefersPresetsThenFilesAndSuggestsCloseNames() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let preset = try EnergyTableFile.resolve("horowitz45-bitwise")
    #expect(preset.table == .horowitz45Bitwise && preset.source == .preset(name: "horowitz45-bitwise"))
    #expect(preset.path == nil && preset.sourceKind == "preset")

    var custom = EnergyTable.subwordParallel16x8x4
    custom.name = "dram-weights"
    custom.memory.weightRead = MemoryAccessEnergy(
      level: "DRAM", energyPerBitPicojoules: Sourced(20, .published, source: "Horowitz: 640 pJ per 32-bit read"))
    let path = directory.file("dram.json")
    try EnergyTableFile.write(EnergyTableDocument(table: custom), to: path)
    let file = try EnergyTableFile.resolve(path)
    #expect(file.table == custom && file.source == .file(path: path))

    #expect(throws: UnknownEnergyModelError(value: "swp-16-8", presetNames: EnergyTable.presetNames,
                                            suggestion: "swp-16-8-4")) {
      try EnergyTableFile.resolve("swp-16-8")
    }
    let missing = directory.file("none.json")
    do {
      _ = try EnergyTableFile.resolve(missing)
      Issue.record("resolved a missing file")
    } catch let error as UnknownEnergyModelError {
      #expect(error.suggestion == nil)
      #expect(error.description == "unknown energy model '\(missing)': it is neither a preset name"
        + " (horowitz45-bitwise, swp-16-8-4) nor an existing energy table file")
    }
    // A directory is not a table file.
    #expect(throws: EnergyTableFileError(file: directory.path, field: "", message: "is a directory, expected a file")) {
      try EnergyTableFile.resolve(directory.path)
    }
  }

  @Test func writingRefusesAnInvalidTableAndLeavesNoFile() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    var table = EnergyTable.subwordParallel16x8x4
    table.clockFrequencyMegahertz.value = 0
    let path = directory.file("bad.json")
    #expect(throws: EnergyTableFileError(file: path, field: "clockFrequencyMegahertz.value",
                                         message: "is 0.0; expected a frequency in 1e-6...1e6 MHz")) {
      try EnergyTableFile.write(EnergyTableDocument(table: table), to: path)
    }
    #expect(!FileManager.default.fileExists(atPath: path))
  }
}
