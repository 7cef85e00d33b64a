import Foundation
import PrecSearchFormats

/// A data folder described by a `labels.csv` file (docs/cli.md, "Data sets"): a header row, a `label_index`
/// column of class indices, and columns of paths relative to the folder, one file per input. MLPerf Tiny's
/// test sets are laid out this way (`mlperf-tiny-ic`: `file,label_index`; `mlperf-tiny-kws`:
/// `file,label_index,label,mfcc_file`).
///
/// A path that does not exist relative to the folder is also looked for as `audio/LABEL/NAME` when the table
/// has a `label` column (MLPerf Tiny's keyword-spotting layout, where `file` is the clip's bare name).
public struct LabelsCSVFolder: Sendable {
  /// The name of the table file.
  public static let tableFileName = "labels.csv"
  /// The name of the class-index column.
  public static let labelIndexColumn = "label_index"

  /// One row of the table.
  public struct Row: Hashable, Sendable {
    /// 1-based line number in `labels.csv`.
    public var line: Int
    /// The class index.
    public var labelIndex: Int
    /// Every field of the row, in column order.
    public var fields: [String]
  }

  /// The folder.
  public let directory: String
  /// The column names, in file order.
  public let columns: [String]
  /// The rows, in file order (at least one).
  public let rows: [Row]
  /// SHA-256 of `labels.csv`.
  public let tableSHA256: String

  /// Whether `directory` holds a `labels.csv`.
  public static func hasLayout(directory: String) -> Bool {
    FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent(tableFileName).path)
  }

  /// Reads `DIRECTORY/labels.csv`. Throws `DatasetError` naming the file and line for a missing `label_index`
  /// column, a row with another number of fields than the header, a label that is not a decimal integer below
  /// 256, or a table without rows.
  public init(directory: String) throws {
    let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.tableFileName).path
    let data: Data
    do { data = try FileIO.readData(at: path) } catch let e as FileAccessError {
      throw DatasetError(file: path, message: e.message)
    }
    try self.init(table: data, directory: directory)
  }

  /// Parses the bytes of a `labels.csv` that sits in `directory` (files are only looked at when read).
  public init(table data: Data, directory: String) throws {
    let path = URL(fileURLWithPath: directory).appendingPathComponent(Self.tableFileName).path
    var columns: [String] = []
    var rows: [Row] = []
    try data.withUnsafeBytes { raw in
      var parser = CSVLineParser(bytes: raw.bindMemory(to: UInt8.self), file: path)
      guard let header = try parser.nextLine() else {
        throw DatasetError(file: path, offset: 0, message: "empty file; expected a header row naming the columns, one of them '\(Self.labelIndexColumn)'")
      }
      columns = header.fields.map { parser.text(of: $0).trimmingCharacters(in: .whitespaces) }
      guard let labelColumn = columns.firstIndex(of: Self.labelIndexColumn) else {
        throw DatasetError(file: path, offset: header.start,
          message: "line 1: no '\(Self.labelIndexColumn)' column in the header (found: \(columns.joined(separator: ", ")))")
      }
      guard columns.count >= 2 else {
        throw DatasetError(file: path, offset: header.start, message: "line 1: expected a '\(Self.labelIndexColumn)' column and at least one column of file paths")
      }
      while let line = try parser.nextLine() {
        guard line.fields.count == columns.count else {
          throw DatasetError(file: path, offset: line.start,
            message: "line \(line.number): \(line.fields.count) fields, expected \(columns.count) (as in the header)")
        }
        guard let label = parser.integer(in: line.fields[labelColumn]), label < 256 else {
          throw DatasetError(file: path, offset: line.fields[labelColumn].lowerBound,
            message: "line \(line.number): label_index '\(parser.text(of: line.fields[labelColumn], limit: 40))' is not a class index (0 to 255)")
        }
        rows.append(Row(line: line.number, labelIndex: label,
                        fields: line.fields.map { parser.text(of: $0, limit: 4096).trimmingCharacters(in: .whitespaces) }))
      }
    }
    guard !rows.isEmpty else { throw DatasetError(file: path, offset: data.count, message: "no rows after the header") }
    self.directory = directory
    self.columns = columns
    self.rows = rows
    tableSHA256 = sha256Hex(of: data)
  }

  /// The path of `labels.csv`.
  public var tablePath: String { URL(fileURLWithPath: directory).appendingPathComponent(Self.tableFileName).path }

  /// The columns that may hold file paths (all but `label_index` and `label`).
  public var pathColumns: [String] { columns.filter { $0 != Self.labelIndexColumn && $0 != "label" } }

  /// The file a row names in `column`: relative to the folder, else `audio/LABEL/NAME` when the table has a
  /// `label` column and that file exists. Absolute paths and `..` components are refused (a table must not
  /// point outside its folder).
  public func file(row: Row, column: Int) throws -> String {
    let value = row.fields[column]
    guard !value.isEmpty else {
      throw DatasetError(file: tablePath, message: "line \(row.line): the '\(columns[column])' field is empty")
    }
    guard !value.hasPrefix("/"), !value.split(separator: "/").contains("..") else {
      throw DatasetError(file: tablePath,
        message: "line \(row.line): '\(value)' points outside the folder; expected a path relative to it")
    }
    let base = URL(fileURLWithPath: directory)
    let direct = base.appendingPathComponent(value).path
    if FileManager.default.fileExists(atPath: direct) { return direct }
    if let labelColumn = columns.firstIndex(of: "label") {
      let nested = base.appendingPathComponent("audio").appendingPathComponent(row.fields[labelColumn])
        .appendingPathComponent(value).path
      if FileManager.default.fileExists(atPath: nested) { return nested }
    }
    throw DatasetError(file: tablePath, message: "line \(row.line): '\(value)' (column '\(columns[column])') does not exist in '\(directory)'")
  }

  /// The index of the column named `name`, or a `DatasetError` listing the path columns.
  public func column(named name: String) throws -> Int {
    guard let index = columns.firstIndex(of: name), pathColumns.contains(name) else {
      throw DatasetError(file: tablePath,
        message: "no path column '\(name)'; the path columns are \(pathColumns.map { "'\($0)'" }.joined(separator: ", "))")
    }
    return index
  }

  /// The first path column whose first row names a WAV file, if any.
  public var wavColumn: Int? {
    guard let first = rows.first else { return nil }
    return pathColumns.compactMap { columns.firstIndex(of: $0) }.first { first.fields[$0].lowercased().hasSuffix(".wav") }
  }

  /// The first path column whose first row's file holds exactly `byteCount` bytes (one input tensor), if any,
  /// with the sizes seen (for an error message).
  public func tensorColumn(byteCount: Int) -> (column: Int?, sizes: [String]) {
    guard let first = rows.first else { return (nil, []) }
    var sizes: [String] = []
    for name in pathColumns {
      let index = columns.firstIndex(of: name)!
      guard let path = try? file(row: first, column: index),
            let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.intValue else {
        sizes.append("'\(name)': not a readable file"); continue
      }
      if size == byteCount { return (index, sizes) }
      sizes.append("'\(name)': \(size) bytes")
    }
    return (nil, sizes)
  }

  /// Reads the raw tensor file of every row in `column`: each must hold exactly `height * width * channels`
  /// bytes, stored as the engine's bytes by `encoding`. Throws `DatasetError` naming the file otherwise.
  public func tensors(column: Int, height: Int, width: Int, channels: Int, encoding: InputEncoding) throws -> ImageDataset {
    let byteCount = height * width * channels
    var pixels: [UInt8] = []
    pixels.reserveCapacity(rows.count * byteCount)
    for row in rows {
      let path = try file(row: row, column: column)
      let bytes: Data
      do { bytes = try FileIO.readData(at: path) } catch let e as FileAccessError {
        throw DatasetError(file: path, message: e.message)
      }
      guard bytes.count == byteCount else {
        throw DatasetError(file: path, message: "\(bytes.count) bytes, expected \(byteCount) (one \(height)x\(width)x\(channels) "
          + "input tensor of \(encoding.rawValue) values; line \(row.line) of \(Self.tableFileName))")
      }
      pixels.append(contentsOf: bytes.map(encoding.engineByte))
    }
    return try ImageDataset(height: height, width: width, channels: channels, pixels: pixels, labels: labels)
  }

  /// The class index of every row, as bytes.
  public var labels: [UInt8] { rows.map { UInt8($0.labelIndex) } }
}
