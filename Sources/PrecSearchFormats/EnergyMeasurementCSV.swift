import EnergyModel
import Foundation

// The calibration CSV (docs/energy-model.md, section 5.1): one measured energy per row, for a whole network at a
// configuration or for one layer at one precision. Read strictly; every error names the file, the line and the
// column.

/// A malformed measurements file: names the file, the line (1-based, counting the header as line 1) and the column.
public struct EnergyMeasurementCSVError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file's path (or the name given to in-memory text).
  public var file: String
  /// 1-based line number; nil for a problem with the whole file.
  public var line: Int?
  /// The column's header name (e.g. `energy_pj`); nil when the problem is not in one column.
  public var column: String?
  /// 1-based column position; nil when the problem is not in one column.
  public var columnNumber: Int?
  /// What is wrong and what was expected.
  public var message: String

  /// Creates an error.
  public init(file: String, line: Int?, column: String? = nil, columnNumber: Int? = nil, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.columnNumber = columnNumber
    self.message = message
  }

  /// `measurements file 'F', line 7, column 5 (energy_pj): MESSAGE` (parts omitted when unknown).
  public var description: String {
    var text = "measurements file '\(file)'"
    if let line { text += ", line \(line)" }
    if let columnNumber { text += ", column \(columnNumber)" }
    if let column { text += columnNumber == nil ? ", column '\(column)'" : " (\(column))" }
    return text + ": " + message
  }
}

/// One row of a measurements file, checked for syntax but not yet matched against a network.
public struct EnergyMeasurementRow: Sendable, Hashable {
  /// Whether a row measures a whole network or one layer.
  public enum Scope: String, Sendable, Hashable, CaseIterable {
    /// The energy of one inference of the whole network at a configuration.
    case network
    /// The energy of one layer at one precision, per inference.
    case layer
  }

  /// 1-based line number in the file (for messages).
  public var line: Int
  /// The row's `id` (unique within the file).
  public var identifier: String
  /// `network` or `layer`.
  public var scope: Scope
  /// The layer's name for a layer row; nil for a network row.
  public var layerName: String?
  /// Weight widths in bits: one per weighted layer (or one for all) in a network row, exactly one in a layer row.
  public var weightBits: [Int]
  /// Input-activation widths in bits, same shape as `weightBits`.
  public var activationBits: [Int]
  /// Output widths in bits; nil means chained (network rows only; see
  /// ``EnergyMeasurementCSV/measurements(layerNames:chainedOutputBits:)``).
  public var outputBits: [Int]?
  /// Measured energy per inference, in pJ (finite, > 0).
  public var measuredPicojoules: Double

  /// Creates a row.
  public init(line: Int, identifier: String, scope: Scope, layerName: String?, weightBits: [Int],
              activationBits: [Int], outputBits: [Int]?, measuredPicojoules: Double) {
    self.line = line
    self.identifier = identifier
    self.scope = scope
    self.layerName = layerName
    self.weightBits = weightBits
    self.activationBits = activationBits
    self.outputBits = outputBits
    self.measuredPicojoules = measuredPicojoules
  }
}

/// A parsed measurements file.
///
/// Format (RFC 4180 subset): UTF-8 (an initial byte-order mark is skipped), comma-separated, LF or CRLF line
/// ends, fields optionally in double quotes with `""` for a quote inside; spaces around an unquoted field are
/// ignored; empty lines are skipped. The first line is the header; columns may come in any order:
///
/// | Column | Required | Content |
/// |---|---|---|
/// | `id` | yes | unique row label |
/// | `scope` | yes | `network` or `layer` |
/// | `layer` | no (column) | the layer name for `layer` rows, empty for `network` rows |
/// | `weight_bits` | yes | network: one width per weighted layer separated by `;` (or one width for all); layer: one width |
/// | `activation_bits` | yes | same shape as `weight_bits` |
/// | `output_bits` | no (column) | layer rows: required, one width; network rows: empty (chained) or same shape |
/// | `energy_pj` | yes | measured energy per inference in pJ, a plain decimal number, finite and > 0 |
///
/// Widths are integers in ``LayerPrecisionBits/validRange`` (the energy table decides which pairs it runs).
/// Unknown or repeated columns are rejected.
public struct EnergyMeasurementCSV: Sendable, Hashable {
  /// Column names this reader knows, in documentation order.
  public static let columnNames = ["id", "scope", "layer", "weight_bits", "activation_bits", "output_bits", "energy_pj"]
  /// Columns that must be present.
  public static let requiredColumnNames = ["id", "scope", "weight_bits", "activation_bits", "energy_pj"]
  /// The most rows a file may hold (a calibration needs tens to hundreds).
  public static let maximumRowCount = 1_000_000

  /// The file's path (or the name given to in-memory text).
  public var file: String
  /// The rows, in file order.
  public var rows: [EnergyMeasurementRow]
  /// SHA-256 (hex) of the file's bytes.
  public var checksum: String

  /// Number of network rows.
  public var networkRowCount: Int { rows.count { $0.scope == .network } }
  /// Number of layer rows.
  public var layerRowCount: Int { rows.count { $0.scope == .layer } }

  /// Reads and parses the file at `path`.
  ///
  /// - Throws: ``EnergyMeasurementCSVError`` naming the file, line and column.
  public static func read(from path: String) throws -> EnergyMeasurementCSV {
    let data: Data
    do { data = try FileIO.readData(at: path) } catch let error as FileAccessError {
      throw EnergyMeasurementCSVError(file: path, line: nil, message: error.message)
    }
    return try parse(data, file: path)
  }

  /// Parses CSV bytes; `file` names them in errors.
  ///
  /// - Throws: ``EnergyMeasurementCSVError`` naming the file, line and column.
  public static func parse(_ data: Data, file: String) throws -> EnergyMeasurementCSV {
    let bytes = Array(data)
    guard let text = String(validating: bytes, as: UTF8.self) else {
      // Decode scalar by scalar to name the line of the first invalid byte.
      var iterator = bytes.makeIterator()
      var decoder = UTF8()
      var line = 1
      decoding: while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
        case .emptyInput, .error: break decoding
        }
      }
      throw EnergyMeasurementCSVError(file: file, line: line, message: "the file is not valid UTF-8 text")
    }
    let records = try splitRecords(text, file: file)
    guard let header = records.first else {
      throw EnergyMeasurementCSVError(file: file, line: nil, message: "the file is empty; expected a header line ("
        + columnNames.joined(separator: ",") + ") and at least one row")
    }
    var position: [String: Int] = [:]
    for (index, name) in header.fields.enumerated() {
      let column = name.trimmingCharacters(in: .whitespaces)
      guard columnNames.contains(column) else {
        throw EnergyMeasurementCSVError(file: file, line: header.line, column: column, columnNumber: index + 1,
          message: "unknown column '\(column)'; expected the columns " + columnNames.joined(separator: ", "))
      }
      if let earlier = position[column] {
        throw EnergyMeasurementCSVError(file: file, line: header.line, column: column, columnNumber: index + 1,
          message: "column '\(column)' appears twice (also column \(earlier + 1))")
      }
      position[column] = index
    }
    for column in requiredColumnNames where position[column] == nil {
      throw EnergyMeasurementCSVError(file: file, line: header.line, column: column,
        message: "missing required column '\(column)'; the header must name " + requiredColumnNames.joined(separator: ", ")
          + " (layer and output_bits are optional)")
    }
    guard records.count > 1 else {
      throw EnergyMeasurementCSVError(file: file, line: nil, message: "the file has a header but no measurement rows")
    }
    guard records.count - 1 <= maximumRowCount else {
      throw EnergyMeasurementCSVError(file: file, line: records[maximumRowCount + 1].line,
        message: "more than \(maximumRowCount) rows")
    }
    var rows: [EnergyMeasurementRow] = []
    var firstLineOfIdentifier: [String: Int] = [:]
    for record in records.dropFirst() {
      guard record.fields.count == header.fields.count else {
        throw EnergyMeasurementCSVError(file: file, line: record.line,
          message: "\(record.fields.count) fields but the header has \(header.fields.count) columns")
      }
      var fields = FieldReader(file: file, record: record, position: position)
      let row = try fields.row()
      if let earlier = firstLineOfIdentifier[row.identifier] {
        throw EnergyMeasurementCSVError(file: file, line: record.line, column: "id", columnNumber: position["id"]! + 1,
          message: "id '\(row.identifier)' is also used on line \(earlier); ids must be unique")
      }
      firstLineOfIdentifier[row.identifier] = record.line
      rows.append(row)
    }
    return EnergyMeasurementCSV(file: file, rows: rows, checksum: sha256Hex(of: data))
  }

  /// Matches the rows against a network's weighted layers and returns the calibrator's measurements.
  ///
  /// - Parameters:
  ///   - layerNames: The network's weighted layers, in order (as `precsearch inspect` lists them).
  ///   - chainedOutputBits: For a network row without `output_bits`: the output width of every layer given the
  ///     expanded weight and activation widths. The default is the chain rule: layer i's output is written at
  ///     layer i+1's activation width, the last layer's at 16 bits. Its errors are reported with the row's line.
  /// - Throws: ``EnergyMeasurementCSVError`` naming the line and column (unknown layer, wrong number of widths).
  public func measurements(
    layerNames: [String],
    chainedOutputBits: ([Int], [Int]) throws -> [Int] = { _, activations in Array(activations.dropFirst()) + [16] }
  ) throws -> [EnergyMeasurement] {
    var result: [EnergyMeasurement] = []
    result.reserveCapacity(rows.count)
    for row in rows {
      func fail(_ column: String, _ message: String) -> EnergyMeasurementCSVError {
        EnergyMeasurementCSVError(file: file, line: row.line, column: column, message: message)
      }
      switch row.scope {
      case .layer:
        guard let name = row.layerName, layerNames.contains(name) else {
          throw fail("layer", "'\(row.layerName ?? "")' is not a weighted layer of the model; expected one of "
            + layerNames.joined(separator: ", "))
        }
        let output = row.outputBits?.first ?? 16
        result.append(EnergyMeasurement(
          identifier: row.identifier, layerName: name,
          precisions: [LayerPrecisionBits(weightBits: row.weightBits[0], activationBits: row.activationBits[0],
                                          outputBits: output)],
          measuredPicojoules: row.measuredPicojoules))
      case .network:
        func expand(_ list: [Int], _ column: String) throws -> [Int] {
          if list.count == 1 { return Array(repeating: list[0], count: layerNames.count) }
          guard list.count == layerNames.count else {
            throw fail(column, "\(list.count) widths but the model has \(layerNames.count) weighted layers ("
              + layerNames.joined(separator: ", ") + "); give one width per layer separated by ';', or one for all")
          }
          return list
        }
        let weights = try expand(row.weightBits, "weight_bits")
        let activations = try expand(row.activationBits, "activation_bits")
        let outputs: [Int]
        if let given = row.outputBits {
          outputs = try expand(given, "output_bits")
        } else {
          do { outputs = try chainedOutputBits(weights, activations) } catch { throw fail("output_bits", "\(error)") }
          guard outputs.count == layerNames.count else {
            throw fail("output_bits", "the chained output widths have \(outputs.count) entries for"
              + " \(layerNames.count) layers")
          }
        }
        result.append(EnergyMeasurement(
          identifier: row.identifier, layerName: nil,
          precisions: layerNames.indices.map {
            LayerPrecisionBits(weightBits: weights[$0], activationBits: activations[$0], outputBits: outputs[$0])
          },
          measuredPicojoules: row.measuredPicojoules))
      }
    }
    return result
  }

  /// CSV text for `rows` in the documented column order (used to write test and example files); a row with nil
  /// `outputBits` gets an empty `output_bits` field. Energies are written in Swift's shortest round-trip form.
  public static func text(_ rows: [EnergyMeasurementRow]) -> String {
    func widths(_ list: [Int]) -> String { list.map(String.init).joined(separator: ";") }
    func quoted(_ field: String) -> String {
      guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
      return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    var text = columnNames.joined(separator: ",") + "\n"
    for row in rows {
      text += [
        quoted(row.identifier), row.scope.rawValue, quoted(row.layerName ?? ""), widths(row.weightBits),
        widths(row.activationBits), row.outputBits.map(widths) ?? "", "\(row.measuredPicojoules)",
      ].joined(separator: ",") + "\n"
    }
    return text
  }

  // MARK: Syntax

  /// One CSV record: its fields and the line it starts on.
  struct Record {
    var line: Int
    var fields: [String]
  }

  /// Splits text into records (RFC 4180 quoting); skips empty lines and an initial byte-order mark.
  static func splitRecords(_ text: String, file: String) throws -> [Record] {
    var records: [Record] = []
    var fields: [String] = []
    var field = ""
    var line = 1
    var recordLine = 1
    var inQuotes = false
    var fieldWasQuoted = false
    var afterClosingQuote = false
    var scalars = Array(text.unicodeScalars)
    if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
    func endField() {
      fields.append(fieldWasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
      field = ""
      fieldWasQuoted = false
      afterClosingQuote = false
    }
    func endRecord() {
      endField()
      if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
      fields = []
    }
    var i = 0
    while i < scalars.count {
      let c = scalars[i]
      i += 1
      if inQuotes {
        if c == "\"" {
          if i < scalars.count, scalars[i] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
            afterClosingQuote = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case ",":
        endField()
      case "\n", "\r":
        if c == "\r", i < scalars.count, scalars[i] == "\n" { i += 1 }
        endRecord()
        line += 1
        recordLine = line
      case "\"":
        guard field.trimmingCharacters(in: .whitespaces).isEmpty, !fieldWasQuoted else {
          throw EnergyMeasurementCSVError(file: file, line: line, columnNumber: fields.count + 1,
            message: "a quote inside an unquoted field; quote the whole field and double the quotes inside")
        }
        field = ""
        inQuotes = true
        fieldWasQuoted = true
      default:
        if afterClosingQuote, c != " ", c != "\t" {
          throw EnergyMeasurementCSVError(file: file, line: line, columnNumber: fields.count + 1,
            message: "text after the closing quote of a quoted field")
        }
        if !afterClosingQuote { field.unicodeScalars.append(c) }
      }
    }
    if inQuotes {
      throw EnergyMeasurementCSVError(file: file, line: recordLine, columnNumber: fields.count + 1,
        message: "a quoted field is not closed before the end of the file")
    }
    if !field.isEmpty || fieldWasQuoted || !fields.isEmpty { endRecord() }
    return records
  }

  /// Reads the typed fields of one record.
  struct FieldReader {
    let file: String
    let record: Record
    let position: [String: Int]

    func fail(_ column: String, _ message: String) -> EnergyMeasurementCSVError {
      EnergyMeasurementCSVError(file: file, line: record.line, column: column,
                                columnNumber: position[column].map { $0 + 1 }, message: message)
    }

    func text(_ column: String) -> String {
      guard let index = position[column] else { return "" }
      return record.fields[index]
    }

    mutating func row() throws -> EnergyMeasurementRow {
      let identifier = text("id")
      guard !identifier.isEmpty else { throw fail("id", "the id is empty; every row needs a unique id") }
      let scopeText = text("scope")
      guard let scope = EnergyMeasurementRow.Scope(rawValue: scopeText) else {
        throw fail("scope", "'\(scopeText)' is not a scope; expected 'network' or 'layer'")
      }
      let layer = text("layer")
      let weights = try widths("weight_bits", scope: scope)
      let activations = try widths("activation_bits", scope: scope)
      guard weights.count == activations.count || weights.count == 1 || activations.count == 1 else {
        throw fail("activation_bits", "\(activations.count) widths but weight_bits has \(weights.count); give the"
          + " same number (or one for all layers)")
      }
      var outputs: [Int]?
      if !text("output_bits").isEmpty { outputs = try widths("output_bits", scope: scope) }
      switch scope {
      case .layer:
        guard !layer.isEmpty else { throw fail("layer", "a layer row needs the layer's name") }
        guard outputs != nil else {
          throw fail("output_bits", "a layer row needs the width its output is written at (e.g. the next layer's"
            + " activation bits, 16 for the last layer)")
        }
      case .network:
        guard layer.isEmpty else {
          throw fail("layer", "a network row must leave the layer empty (found '\(layer)'); use scope 'layer' for"
            + " a one-layer measurement")
        }
      }
      return EnergyMeasurementRow(
        line: record.line, identifier: identifier, scope: scope, layerName: scope == .layer ? layer : nil,
        weightBits: weights, activationBits: activations, outputBits: outputs,
        measuredPicojoules: try energy())
    }

    func widths(_ column: String, scope: EnergyMeasurementRow.Scope) throws -> [Int] {
      let value = text(column)
      guard !value.isEmpty else { throw fail(column, "the value is empty; expected a width in bits") }
      let items = value.split(separator: ";", omittingEmptySubsequences: false)
        .map { $0.trimmingCharacters(in: .whitespaces) }
      if scope == .layer, items.count != 1 {
        throw fail(column, "'\(value)' has \(items.count) widths; a layer row takes exactly one")
      }
      let range = LayerPrecisionBits.validRange
      var result: [Int] = []
      for (i, item) in items.enumerated() {
        let location = items.count > 1 ? " (item \(i + 1) of \(items.count))" : ""
        guard !item.isEmpty, item.allSatisfy({ $0.isASCII && $0.isNumber }), let bits = Int(item) else {
          throw fail(column, "'\(item)'\(location) is not an integer; expected widths in"
            + " \(range.lowerBound)...\(range.upperBound) bits separated by ';'")
        }
        guard range.contains(bits) else {
          throw fail(column, "\(bits)\(location) is outside \(range.lowerBound)...\(range.upperBound) bits")
        }
        result.append(bits)
      }
      return result
    }

    func energy() throws -> Double {
      let value = text("energy_pj")
      // A plain decimal: digits, one optional point, an optional exponent; no sign, hex, inf or nan.
      let allowed = value.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+" || $0 == "-") }
      guard !value.isEmpty, allowed, value.first?.isNumber == true || value.first == ".", let energy = Double(value)
      else {
        throw fail("energy_pj", "'\(value)' is not a number; expected the measured energy per inference in pJ, e.g."
          + " 921000 or 9.21e5")
      }
      guard energy.isFinite, energy > 0 else {
        throw fail("energy_pj", "'\(value)' is not a finite energy > 0 pJ")
      }
      return energy
    }
  }
}
