import PrecSearchFormats
import Foundation

/// The three canonical splits of FER2013 (the ICML 2013 facial expression challenge), named as in the `Usage`
/// column of the Kaggle `fer2013.csv`.
public enum FER2013Split: String, Hashable, Sendable, Codable, CaseIterable {
  /// `Training`: 28,709 images, the only ones trained on.
  case training = "Training"
  /// `PublicTest`: 3,589 images, the validation split (model selection, the precision search).
  case publicTest = "PublicTest"
  /// `PrivateTest`: 3,589 images, the test split (reported, never used for any choice).
  case privateTest = "PrivateTest"
}

/// The three splits of a FER2013 data set, read together.
public struct FER2013Splits: Hashable, Sendable {
  /// The `Training` images.
  public var training: ImageDataset
  /// The `PublicTest` images (validation).
  public var publicTest: ImageDataset
  /// The `PrivateTest` images (test).
  public var privateTest: ImageDataset

  /// Creates the splits.
  public init(training: ImageDataset, publicTest: ImageDataset, privateTest: ImageDataset) {
    self.training = training
    self.publicTest = publicTest
    self.privateTest = privateTest
  }

  /// The images of `split`.
  public subscript(split: FER2013Split) -> ImageDataset {
    switch split {
    case .training: return training
    case .publicTest: return publicTest
    case .privateTest: return privateTest
    }
  }
}

/// Reads FER2013: 48x48 grey faces, 7 expression classes, in either of two layouts.
///
/// - **Records** (the layout of `../shared/data/fer2013`): one file per split, `train.bin`, `publictest.bin`,
///   `privatetest.bin`, each a sequence of 2,305-byte records: 1 label byte (0...6), then 2,304 pixel bytes
///   (48 rows of 48, row-major). A file must hold a whole, non-zero number of records.
/// - **Kaggle CSV** (`fer2013.csv`): a header line naming the columns `emotion`, `pixels` and `Usage` (in any
///   order; the Kaggle file has `emotion,pixels,Usage`), then one line per image: the label (0...6), 2,304 pixel
///   values 0...255 separated by single spaces, and the split (`Training`, `PublicTest` or `PrivateTest`). Fields
///   may be enclosed in double quotes; lines may end in CRLF; blank lines are skipped.
///
/// Labels: 0 angry, 1 disgust, 2 fear, 3 happy, 4 sad, 5 surprise, 6 neutral. Every defect is a `DatasetError`
/// naming the file and the byte offset (records: of the record; CSV: of the line), and for CSV the line number and
/// field; nothing traps.
public enum FER2013Reader {
  /// Image rows and columns.
  public static let side = 48
  /// Pixels per image (48 x 48, one channel).
  public static let pixelCount = 48 * 48
  /// Bytes per record: 1 label + 2,304 pixels.
  public static let recordByteCount = 1 + 48 * 48
  /// Number of classes.
  public static let classCount = 7
  /// The class names, in label order.
  public static let classNames = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
  /// The file name of the Kaggle CSV.
  public static let csvFileName = "fer2013.csv"

  /// The two on-disk layouts.
  public enum Layout: String, Hashable, Sendable, Codable {
    /// One record file per split (`train.bin`, `publictest.bin`, `privatetest.bin`).
    case records
    /// The Kaggle `fer2013.csv`.
    case csv
  }

  /// The record file name of `split`: `train.bin`, `publictest.bin` or `privatetest.bin`.
  public static func recordFileName(split: FER2013Split) -> String {
    switch split {
    case .training: return "train.bin"
    case .publicTest: return "publictest.bin"
    case .privateTest: return "privatetest.bin"
    }
  }

  /// The layout of the FER2013 data set in `directory`, or `nil` when it holds none: `.records` when
  /// `publictest.bin` or `privatetest.bin` is there (a lone `train.bin` is too generic a name to count), else `.csv`
  /// when `fer2013.csv` is.
  public static func layout(directory: String) -> Layout? {
    let fm = FileManager.default
    let base = URL(fileURLWithPath: directory)
    func has(_ name: String) -> Bool { fm.fileExists(atPath: base.appendingPathComponent(name).path) }
    if has(recordFileName(split: .publicTest)) || has(recordFileName(split: .privateTest)) { return .records }
    if has(csvFileName) { return .csv }
    return nil
  }

  /// The files a split is read from in `directory`: its record file, or the CSV.
  public static func files(directory: String, split: FER2013Split) throws -> [String] {
    let base = URL(fileURLWithPath: directory)
    switch layout(directory: directory) {
    case .records: return [base.appendingPathComponent(recordFileName(split: split)).path]
    case .csv: return [base.appendingPathComponent(csvFileName).path]
    case nil: throw notFound(directory)
    }
  }

  /// Split `split` of the FER2013 data set in `directory` (layout as in ``layout(directory:)``). Throws
  /// `DatasetError`, naming a missing file.
  public static func read(directory: String, split: FER2013Split) throws -> ImageDataset {
    let base = URL(fileURLWithPath: directory)
    switch layout(directory: directory) {
    case .records: return try readRecords(file: base.appendingPathComponent(recordFileName(split: split)).path)
    case .csv: return try readCSV(file: base.appendingPathComponent(csvFileName).path)[split]
    case nil: throw notFound(directory)
    }
  }

  /// All three splits of the FER2013 data set in `directory` (the CSV is parsed once). Throws `DatasetError`.
  public static func read(directory: String) throws -> FER2013Splits {
    let base = URL(fileURLWithPath: directory)
    switch layout(directory: directory) {
    case .records:
      func one(_ split: FER2013Split) throws -> ImageDataset {
        try readRecords(file: base.appendingPathComponent(recordFileName(split: split)).path)
      }
      return FER2013Splits(training: try one(.training), publicTest: try one(.publicTest),
                           privateTest: try one(.privateTest))
    case .csv: return try readCSV(file: base.appendingPathComponent(csvFileName).path)
    case nil: throw notFound(directory)
    }
  }

  static func notFound(_ directory: String) -> DatasetError {
    DatasetError(file: directory, message: "no FER2013 data here: expected the record files train.bin, "
      + "publictest.bin and privatetest.bin, or the Kaggle fer2013.csv")
  }

  static func readBytes(_ path: String) throws -> Data {
    do { return try FileIO.readData(at: path) } catch let e as FileAccessError {
      throw DatasetError(file: path, message: e.message)
    }
  }

  // MARK: - Records

  /// One record file (`train.bin`, `publictest.bin`, `privatetest.bin`) of `side` x `side` images (48 in
  /// FER2013; another size for a copy made for a model with another input size). Throws `DatasetError` naming the
  /// file and the offset of the defect.
  public static func readRecords(file path: String, side: Int = side) throws -> ImageDataset {
    try readRecords(data: try readBytes(path), file: path, side: side)
  }

  /// Records in memory; `file` names them in errors.
  public static func readRecords(data: Data, file: String, side: Int = side) throws -> ImageDataset {
    guard (1...4096).contains(side) else {
      throw DatasetError(file: file, message: "record image side \(side) is outside 1...4096")
    }
    let pixelCount = side * side
    let recordByteCount = 1 + pixelCount
    guard !data.isEmpty else {
      throw DatasetError(file: file, offset: 0, message: "empty file, expected \(recordByteCount)-byte FER2013 records "
        + "(1 label byte + \(pixelCount) pixels, \(side)x\(side))")
    }
    guard data.count % recordByteCount == 0 else {
      let whole = data.count / recordByteCount
      throw DatasetError(file: file, offset: whole * recordByteCount,
        message: "truncated or malformed: \(data.count) bytes is not a multiple of the \(recordByteCount)-byte record "
          + "size of \(side)x\(side) images (\(whole) whole records, then \(data.count - whole * recordByteCount) bytes)"
          + (side == Self.side ? "; a copy with other image sizes is read for a model whose input has that size" : ""))
    }
    let count = data.count / recordByteCount
    var labels = [UInt8](repeating: 0, count: count)
    var pixels = [UInt8](repeating: 0, count: count * pixelCount)
    var bad: (record: Int, label: UInt8)?
    data.withUnsafeBytes { raw in
      pixels.withUnsafeMutableBytes { out in
        for r in 0..<count {
          let record = r * recordByteCount
          let label = raw[record]
          guard Int(label) < classCount else { bad = (r, label); return }
          labels[r] = label
          out.baseAddress!.advanced(by: r * pixelCount)
            .copyMemory(from: raw.baseAddress!.advanced(by: record + 1), byteCount: pixelCount)
        }
      }
    }
    if let bad {
      throw DatasetError(file: file, offset: bad.record * recordByteCount,
        message: "record \(bad.record) has label \(bad.label), expected 0...\(classCount - 1) (\(labelList))")
    }
    return ImageDataset(unchecked: side, side, 1, pixels, labels)
  }

  /// `0 angry, 1 disgust, ...`.
  static var labelList: String { classNames.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", ") }

  /// Writes `dataset` (48x48x1, labels below 7) as a record file, atomically (tests and conversions).
  public static func writeRecords(_ dataset: ImageDataset, to path: String) throws {
    guard dataset.height == side, dataset.width == side, dataset.channels == 1 else {
      throw DatasetError(file: path, message: "FER2013 records hold 48x48x1 images; this data set has \(dataset.shape)")
    }
    if let bad = dataset.labels.firstIndex(where: { Int($0) >= classCount }) {
      throw DatasetError(file: path, message: "image \(bad) has label \(dataset.labels[bad]), expected 0...\(classCount - 1)")
    }
    var bytes = Data(capacity: dataset.count * recordByteCount)
    for i in 0..<dataset.count {
      bytes.append(dataset.labels[i])
      bytes.append(contentsOf: dataset.image(i))
    }
    try FileIO.writeAtomically(bytes, to: path)
  }

  // MARK: - Kaggle CSV

  /// The Kaggle `fer2013.csv` (or a file in its layout), split by its `Usage` column, in file order. Throws
  /// `DatasetError` naming the file, the byte offset and number of the line, and the field.
  public static func readCSV(file path: String) throws -> FER2013Splits {
    try readCSV(data: try readBytes(path), file: path)
  }

  /// CSV text in memory; `file` names it in errors.
  public static func readCSV(data: Data, file: String) throws -> FER2013Splits {
    var pixels: [[UInt8]] = [[], [], []]
    var labels: [[UInt8]] = [[], [], []]
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let bytes = raw.bindMemory(to: UInt8.self)
      var parser = CSVLineParser(bytes: bytes, file: file)
      // Header.
      guard let header = try parser.nextLine() else {
        throw DatasetError(file: file, offset: 0, message: "empty file, expected the header line 'emotion,pixels,Usage'")
      }
      let names = header.fields.map { parser.text(of: $0).trimmingCharacters(in: .whitespaces).lowercased() }
      func column(_ name: String) throws -> Int {
        guard let i = names.firstIndex(of: name.lowercased()) else {
          throw DatasetError(file: file, offset: header.start, message: "line 1: the header has no '\(name)' column "
            + "(found \(names.map { "'\($0)'" }.joined(separator: ", "))); expected 'emotion,pixels,Usage'")
        }
        return i
      }
      let emotionColumn = try column("emotion"), pixelsColumn = try column("pixels"), usageColumn = try column("Usage")
      let columnCount = names.count
      while let line = try parser.nextLine() {
        func fail(_ field: String, _ message: String) -> DatasetError {
          DatasetError(file: file, offset: line.start, message: "line \(line.number), field '\(field)': \(message)")
        }
        guard line.fields.count == columnCount else {
          throw DatasetError(file: file, offset: line.start,
            message: "line \(line.number): \(line.fields.count) fields, expected \(columnCount) (\(names.joined(separator: ",")))"
              + (line.isLast && line.fields.count < columnCount ? "; the file is truncated" : ""))
        }
        // Label.
        let emotion = line.fields[emotionColumn]
        guard let label = parser.integer(in: emotion), label < classCount else {
          throw fail("emotion", "'\(parser.text(of: emotion, limit: 20))' is not a class index 0...\(classCount - 1) (\(labelList))")
        }
        // Split.
        let usageText = parser.text(of: line.fields[usageColumn]).trimmingCharacters(in: .whitespaces)
        guard let usage = FER2013Split(rawValue: usageText) else {
          throw fail("Usage", "'\(usageText.prefix(30))' is not a split; expected Training, PublicTest or PrivateTest")
        }
        let slot = usage == .training ? 0 : usage == .publicTest ? 1 : 2
        // Pixels: exactly 2,304 decimal values 0...255 separated by single spaces (leading/trailing blanks allowed).
        let field = line.fields[pixelsColumn]
        // (No per-line reserveCapacity: reserving exactly one more image per line would reallocate and copy the
        // whole array every line; appending grows it geometrically.)
        let before = pixels[slot].count
        var value = -1, count = 0
        var index = field.lowerBound
        func flush() throws {
          guard value >= 0 else { return }
          guard count < pixelCount else {
            throw fail("pixels", "more than \(pixelCount) values, expected \(pixelCount) (48x48)")
          }
          pixels[slot].append(UInt8(value))
          count += 1
          value = -1
        }
        while index < field.upperBound {
          let c = bytes[index]
          if c >= 0x30 && c <= 0x39 {
            value = (value < 0 ? 0 : value * 10) + Int(c - 0x30)
            guard value <= 255 else {
              pixels[slot].removeSubrange(before...)
              throw fail("pixels", "value \(count + 1) is above 255 (8-bit grey expected)")
            }
          } else if c == 0x20 || c == 0x09 {
            try flush()
          } else {
            pixels[slot].removeSubrange(before...)
            throw fail("pixels", "unexpected character '\(Character(Unicode.Scalar(c)))' in value \(count + 1); "
              + "expected \(pixelCount) integers 0...255 separated by spaces")
          }
          index += 1
        }
        try flush()
        guard count == pixelCount else {
          throw fail("pixels", "\(count) values, expected \(pixelCount) (48x48)"
            + (line.isLast ? "; the file is truncated" : ""))
        }
        labels[slot].append(UInt8(label))
      }
      guard labels.contains(where: { !$0.isEmpty }) else {
        throw DatasetError(file: file, offset: data.count, message: "no image lines after the header")
      }
    }
    func set(_ slot: Int) -> ImageDataset { ImageDataset(unchecked: side, side, 1, pixels[slot], labels[slot]) }
    return FER2013Splits(training: set(0), publicTest: set(1), privateTest: set(2))
  }
}

/// Splits CSV bytes into lines and comma-separated fields (double quotes group a field; `""` inside quotes is a
/// quote character and stays in the field's byte range, which FER2013 never needs).
struct CSVLineParser {
  struct Line {
    /// 1-based line number.
    var number: Int
    /// Byte offset of the line's first byte.
    var start: Int
    /// Byte ranges of the fields, without enclosing quotes.
    var fields: [Range<Int>]
    /// True when the line ends at the end of the file without a line break.
    var isLast: Bool
  }

  let bytes: UnsafeBufferPointer<UInt8>
  let file: String
  var position = 0
  var lineNumber = 0

  init(bytes: UnsafeBufferPointer<UInt8>, file: String) {
    self.bytes = bytes
    self.file = file
    // A UTF-8 byte order mark is skipped.
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
  }

  /// The next non-blank line, or nil at the end.
  mutating func nextLine() throws -> Line? {
    while position < bytes.count {
      lineNumber += 1
      let start = position
      var fields: [Range<Int>] = []
      var fieldStart = position
      var quoted = false, quoteStart = 0
      var end = position
      var sawBreak = false
      while end < bytes.count {
        let c = bytes[end]
        if quoted {
          if c == 0x22 {
            if end + 1 < bytes.count && bytes[end + 1] == 0x22 { end += 2; continue }
            quoted = false
          }
          end += 1
          continue
        }
        if c == 0x22 && end == fieldStart { quoted = true; quoteStart = end; end += 1; continue }
        if c == 0x2C { fields.append(Self.unquoted(fieldStart..<end, bytes)); fieldStart = end + 1 }
        if c == 0x0A { sawBreak = true; break }
        end += 1
      }
      if quoted {
        throw DatasetError(file: file, offset: quoteStart,
          message: "line \(lineNumber): a quoted field is not closed before the end of the file; the file is truncated")
      }
      var lineEnd = end
      if lineEnd > fieldStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      fields.append(Self.unquoted(fieldStart..<max(lineEnd, fieldStart), bytes))
      position = sawBreak ? end + 1 : end
      // Blank lines (nothing but spaces and a line break) are skipped.
      if fields.count == 1 && (start..<lineEnd).allSatisfy({ bytes[$0] == 0x20 || bytes[$0] == 0x0D }) { continue }
      return Line(number: lineNumber, start: start, fields: fields, isLast: !sawBreak)
    }
    return nil
  }

  static func unquoted(_ range: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
    if range.count >= 2 && bytes[range.lowerBound] == 0x22 && bytes[range.upperBound - 1] == 0x22 {
      return (range.lowerBound + 1)..<(range.upperBound - 1)
    }
    return range
  }

  /// The field as text (at most `limit` bytes), for headers and messages.
  func text(of range: Range<Int>, limit: Int = 200) -> String {
    let upper = min(range.upperBound, range.lowerBound + limit)
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<upper]), as: UTF8.self)
  }

  /// The field as a small non-negative decimal integer (surrounding spaces allowed), or nil.
  func integer(in range: Range<Int>) -> Int? {
    var value = 0, digits = 0
    var i = range.lowerBound, end = range.upperBound
    while i < end && bytes[i] == 0x20 { i += 1 }
    while end > i && bytes[end - 1] == 0x20 { end -= 1 }
    while i < end {
      let c = bytes[i]
      guard c >= 0x30 && c <= 0x39, digits < 6 else { return nil }
      value = value * 10 + Int(c - 0x30)
      digits += 1
      i += 1
    }
    return digits > 0 ? value : nil
  }
}
