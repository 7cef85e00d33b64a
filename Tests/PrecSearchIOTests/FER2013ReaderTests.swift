import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct FER2013ReaderTests {
  /// Pixel `p` of test image `i`: `(i * 31 + p * 7) mod 256`.
  static func pixels(_ i: Int) -> [UInt8] { (0..<2304).map { UInt8((i * 31 + $0 * 7) % 256) } }

  static func record(_ i: Int, label: UInt8) -> [UInt8] { [label] + pixels(i) }

  static func csvLine(_ i: Int, label: Int, usage: String) -> String {
    "\(label)," + pixels(i).map(String.init).joined(separator: " ") + ",\(usage)"
  }

  func write(_ bytes: [UInt8], _ name: String, in dir: TemporaryDirectory) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: dir.file(name)))
  }

  func write(_ text: String, _ name: String, in dir: TemporaryDirectory) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file(name)))
  }

  @Test func readsRecordFilesAndDetectsTheDirectory() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try write(Self.record(0, label: 3) + Self.record(1, label: 6), "train.bin", in: dir)
    try write(Self.record(2, label: 0), "publictest.bin", in: dir)
    try write(Self.record(3, label: 5) + Self.record(4, label: 1), "privatetest.bin", in: dir)
    #expect(FER2013Reader.layout(directory: dir.path) == .records)
    let splits = try FER2013Reader.read(directory: dir.path)
    #expect(splits.training.labels == [3, 6] && splits.publicTest.labels == [0] && splits.privateTest.labels == [5, 1])
    #expect(splits.training.shape.height == 48 && splits.training.shape.width == 48 && splits.training.channels == 1)
    #expect(Array(splits.training.image(1)) == Self.pixels(1))
    #expect(Array(splits.privateTest.image(0)) == Self.pixels(3))
    // Through the generic loader: train = Training, test = PrivateTest, validation = PublicTest.
    let (format, _) = try ImageDatasetLoader.detect(directory: dir.path)
    #expect(format == .fer2013)
    #expect(try ImageDatasetLoader.read(directory: dir.path, split: .test).labels == [5, 1])
    #expect(try ImageDatasetLoader.read(directory: dir.path, split: .train).labels == [3, 6])
    #expect(try ImageDatasetLoader.readPublishedValidation(directory: dir.path)?.labels == [0])
    // Round trip through the writer.
    try FER2013Reader.writeRecords(splits.privateTest, to: dir.file("copy.bin"))
    #expect(try FER2013Reader.readRecords(file: dir.file("copy.bin")) == splits.privateTest)
  }

  @Test func rejectsMalformedRecordFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file("train.bin")
    let two = Self.record(0, label: 1) + Self.record(1, label: 2)
    for cut in [1, 100, 2304, 2306] {
      try write(Array(two.prefix(two.count - cut)), "train.bin", in: dir)
      let text = errorText { _ = try FER2013Reader.readRecords(file: path) }
      let whole = (two.count - cut) / 2305
      #expect(text.contains("train.bin") && text.contains("byte \(whole * 2305)") && text.contains("truncated"), "\(text)")
    }
    try write([], "train.bin", in: dir)
    #expect(errorText { _ = try FER2013Reader.readRecords(file: path) }.contains("empty"))
    try write(Self.record(0, label: 1) + Self.record(1, label: 7), "train.bin", in: dir)
    let text = errorText { _ = try FER2013Reader.readRecords(file: path) }
    #expect(text.contains("byte 2305") && text.contains("record 1 has label 7"), "\(text)")
    // A missing split file is named.
    try write(Self.record(0, label: 1), "publictest.bin", in: dir)
    let missing = errorText { _ = try FER2013Reader.read(directory: dir.path, split: .privateTest) }
    #expect(missing.contains("privatetest.bin") && missing.contains("no such file"), "\(missing)")
  }

  @Test func readsTheKaggleCSVLayout() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let lines = ["emotion,pixels,Usage",
                 Self.csvLine(0, label: 0, usage: "Training"),
                 Self.csvLine(1, label: 4, usage: "PrivateTest"),
                 Self.csvLine(2, label: 2, usage: "Training"),
                 "",
                 Self.csvLine(3, label: 6, usage: "PublicTest")]
    try write(lines.joined(separator: "\r\n") + "\r\n", "fer2013.csv", in: dir)
    #expect(FER2013Reader.layout(directory: dir.path) == .csv)
    let splits = try FER2013Reader.read(directory: dir.path)
    #expect(splits.training.labels == [0, 2] && splits.publicTest.labels == [6] && splits.privateTest.labels == [4])
    #expect(Array(splits.training.image(1)) == Self.pixels(2))
    #expect(Array(splits.privateTest.image(0)) == Self.pixels(1))
    #expect(try FER2013Reader.read(directory: dir.path, split: .publicTest).labels == [6])

    // Other column orders, quoted fields, no final line break, a byte order mark.
    let pixelsText = Self.pixels(5).map(String.init).joined(separator: " ")
    try write("\u{FEFF}Usage,emotion,pixels\n\"PublicTest\",\"5\",\" \(pixelsText) \"", "other.csv", in: dir)
    let other = try FER2013Reader.readCSV(file: dir.file("other.csv"))
    #expect(other.publicTest.labels == [5] && Array(other.publicTest.image(0)) == Self.pixels(5))
    #expect(other.training.count == 0 && other.privateTest.count == 0)
  }

  @Test func rejectsMalformedCSVWithLineAndField() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file("fer2013.csv")
    let header = "emotion,pixels,Usage\n"
    let good = Self.csvLine(0, label: 1, usage: "Training") + "\n"
    let pixelsText = Self.pixels(1).map(String.init).joined(separator: " ")
    let cases: [(String, [String])] = [
      ("", ["empty file"]),
      ("emotion,image,Usage\n" + good, ["line 1", "no 'pixels' column"]),
      (header + good + "9,\(pixelsText),Training\n", ["line 3", "field 'emotion'", "'9'"]),
      (header + good + "x,\(pixelsText),Training\n", ["line 3", "field 'emotion'"]),
      (header + good + "1,\(pixelsText),Validation\n", ["line 3", "field 'Usage'", "Validation"]),
      (header + good + "1,\(pixelsText) 7,Training\n", ["line 3", "field 'pixels'", "more than 2304"]),
      (header + good + "1,1 2 3,Training\n", ["line 3", "field 'pixels'", "3 values, expected 2304"]),
      (header + good + "1,\(pixelsText.replacingOccurrences(of: " 7 ", with: " 256 ")),Training\n",
       ["line 3", "field 'pixels'", "above 255"]),
      (header + good + "1,\(pixelsText.replacingOccurrences(of: " 7 ", with: " -7 ")),Training\n",
       ["line 3", "field 'pixels'", "unexpected character '-'"]),
      (header + good + "1,\(pixelsText)\n", ["line 3", "2 fields, expected 3"]),
      (header + String(good.prefix(1000)), ["line 2", "truncated"]),
      (header + "1,\"\(pixelsText),Training\n", ["line 2", "quoted field", "truncated"]),
      (header, ["no image lines"]),
    ]
    for (text, expected) in cases {
      try write(text, "fer2013.csv", in: dir)
      let message = errorText { _ = try FER2013Reader.readCSV(file: path) }
      #expect(message.contains("fer2013.csv"), "\(message)")
      for part in expected { #expect(message.contains(part), "\(part) not in: \(message)") }
    }
    // The offset is that of the offending line.
    try write(header + good + "9,\(pixelsText),Training\n", "fer2013.csv", in: dir)
    let message = errorText { _ = try FER2013Reader.readCSV(file: path) }
    #expect(message.contains("byte \(header.utf8.count + good.utf8.count)"), "\(message)")
  }

  /// The real FER2013 record files of ../shared/data/fer2013 (skipped, with the reason, where they are absent):
  /// canonical split sizes, 7 classes.
  @Test(.enabled(if: SharedData.isAvailable("data/fer2013/train.bin"), SharedData.reason("data/fer2013")))
  func readsTheSharedFER2013() throws {
    let directory = SharedData.path("data/fer2013")
    #expect(FER2013Reader.layout(directory: directory) == .records)
    let splits = try FER2013Reader.read(directory: directory)
    #expect(splits.training.count == 28_709)
    #expect(splits.publicTest.count == 3_589)
    #expect(splits.privateTest.count == 3_589)
    #expect(splits.training.classHistogram(classes: 7).allSatisfy { $0 > 0 })
  }
}
