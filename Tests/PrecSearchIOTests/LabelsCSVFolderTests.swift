import Foundation
import PrecSearchFormats
import PrecSearchIO
import PrecSearchTestSupport
import SeededRandom
import Testing

@Suite("labels.csv folders, stratified halves and bilinear resizing")
struct LabelsCSVFolderTests {
  /// A folder with `labels.csv` and one raw file per row.
  static func folder(_ table: String, files: [String: [UInt8]]) throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory("labels-csv")
    try Data(table.utf8).write(to: URL(fileURLWithPath: directory.file("labels.csv")))
    for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
      let url = URL(fileURLWithPath: directory.file(name))
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    }
    return directory
  }

  @Test("reads raw tensors, picks the column by size, flips int8 to the engine's bytes")
  func readsTensors() throws {
    let directory = try Self.folder("file,label_index,features\nimages/a.bin,2,f/a.bin\nimages/b.bin,0,f/b.bin\n", files: [
      "images/a.bin": [0, 1, 2, 3, 4, 5], "images/b.bin": [250, 251, 252, 253, 254, 255],
      "f/a.bin": [0x80, 0xFF, 0x00, 0x7F], "f/b.bin": [1, 2, 3, 4],
    ])
    defer { directory.cleanup() }
    let folder = try LabelsCSVFolder(directory: directory.path)
    #expect(folder.columns == ["file", "label_index", "features"])
    #expect(folder.labels == [2, 0])
    #expect(folder.tensorColumn(byteCount: 6).column == 0)
    #expect(folder.tensorColumn(byteCount: 4).column == 2)
    #expect(folder.tensorColumn(byteCount: 5).column == nil)
    let images = try folder.tensors(column: 0, height: 1, width: 2, channels: 3, encoding: .uint8)
    #expect(images.pixels == [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255])
    // int8 -128, -1, 0, 127 become the offset-binary bytes 0, 127, 128, 255.
    let features = try folder.tensors(column: 2, height: 2, width: 2, channels: 1, encoding: .int8)
    #expect(Array(features.image(0)) == [0x00, 0x7F, 0x80, 0xFF])
    #expect(throws: DatasetError.self) { _ = try folder.tensors(column: 2, height: 1, width: 2, channels: 3, encoding: .uint8) }
    #expect(throws: DatasetError.self) { _ = try folder.column(named: "label_index") }
  }

  @Test("finds MLPerf Tiny's bare WAV names under audio/LABEL/")
  func audioLayout() throws {
    let directory = try Self.folder("file,label_index,label\nclip.wav,7,stop\n", files: ["audio/stop/clip.wav": [1]])
    defer { directory.cleanup() }
    let folder = try LabelsCSVFolder(directory: directory.path)
    #expect(folder.wavColumn == 0)
    #expect(try folder.file(row: folder.rows[0], column: 0).hasSuffix("audio/stop/clip.wav"))
  }

  @Test("malformed tables get errors naming the file and line", arguments: [
    ("", "empty file"),
    ("file,label\na.bin,1\n", "no 'label_index' column"),
    ("label_index\n1\n", "at least one column of file paths"),
    ("file,label_index\na.bin,1,extra\n", "line 2: 3 fields, expected 2"),
    ("file,label_index\na.bin,-1\n", "line 2: label_index '-1' is not a class index"),
    ("file,label_index\na.bin,256\n", "is not a class index (0 to 255)"),
    ("file,label_index\n", "no rows after the header"),
    ("file,label_index\n\"a.bin,1\n", "quoted field is not closed"),
  ])
  func malformed(table: String, message: String) throws {
    let directory = try Self.folder(table, files: [:])
    defer { directory.cleanup() }
    let error = #expect(throws: DatasetError.self) { _ = try LabelsCSVFolder(directory: directory.path) }
    #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    #expect(error?.file?.hasSuffix("labels.csv") == true)
  }

  @Test("paths outside the folder, missing and empty ones are refused")
  func badPaths() throws {
    let directory = try Self.folder("file,label_index\n../x.bin,1\n/etc/passwd,1\nmissing.bin,1\n,1\n", files: [:])
    defer { directory.cleanup() }
    let folder = try LabelsCSVFolder(directory: directory.path)
    for (row, message) in zip(folder.rows, ["outside the folder", "outside the folder", "does not exist", "is empty"]) {
      let error = #expect(throws: DatasetError.self) { _ = try folder.file(row: row, column: 0) }
      #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }
  }

  @Test("stratified halves: per class half (rounded down) to validation, seeded, disjoint and covering")
  func halves() throws {
    var generator = SplitMix64(seed: 5)
    let labels = (0..<101).map { _ in UInt8.random(in: 0..<4, using: &generator) }
    let data = try ImageDataset(height: 1, width: 1, channels: 1, pixels: (0..<101).map { UInt8($0) }, labels: labels)
    let split = try StratifiedHalves(splitting: data, seed: 1)
    #expect(Set(split.validationIndices).isDisjoint(with: split.testIndices))
    #expect((split.validationIndices + split.testIndices).sorted() == Array(0..<101))
    for label in 0..<4 {
      let total = labels.filter { $0 == label }.count
      #expect(split.validation.labels.filter { $0 == label }.count == total / 2)
    }
    #expect(try StratifiedHalves(splitting: data, seed: 1).validationIndices == split.validationIndices)
    #expect(try StratifiedHalves(splitting: data, seed: 2).validationIndices != split.validationIndices)
    let single = try ImageDataset(height: 1, width: 1, channels: 1, pixels: [0], labels: [0])
    #expect(throws: DatasetError.self) { _ = try StratifiedHalves(splitting: single, seed: 1) }
  }

  /// The resizing rule computed independently (the 11-bit weights and OpenCV's vectorized vertical step are the
  /// definition; see ImageResize), for comparison.
  static func referenceResize(_ source: [[Double]], height: Int, width: Int) -> [[UInt8]] {
    func taps(_ n: Int, _ m: Int) -> [(Int, Int, Double, Double)] {
      (0..<m).map { d in
        let position = Double(Float((Double(d) + 0.5) * (Double(n) / Double(m)) - 0.5))
        var s = Int(position.rounded(.down)), f = position - Double(s)
        if s < 0 { s = 0; f = 0 }
        if s >= n - 1 { s = n - 1; f = 0 }
        let w1 = (Double(Float(f)) * 2048).rounded(.toNearestOrEven)
        let w0 = (Double(1 - Float(f)) * 2048).rounded(.toNearestOrEven)
        return (s, min(s + 1, n - 1), w0, w1)
      }
    }
    let rows = taps(source.count, height), columns = taps(source[0].count, width)
    return rows.map { r in
      columns.map { c in
        let top = Int(source[r.0][c.0] * c.2 + source[r.0][c.1] * c.3)
        let bottom = Int(source[r.1][c.0] * c.2 + source[r.1][c.1] * c.3)
        let high = (Int(r.2) * (top / 16)) / 65_536 + (Int(r.3) * (bottom / 16)) / 65_536  // all terms are >= 0
        return UInt8(clamping: (high + 2) / 4)
      }
    }
  }

  @Test("bilinear resizing follows the rule exactly (up, down, odd sizes, identity)",
        arguments: [(4, 4, 8, 8), (48, 48, 64, 64), (7, 5, 3, 11), (32, 32, 16, 16), (3, 3, 3, 3)])
  func resize(sourceHeight: Int, sourceWidth: Int, height: Int, width: Int) throws {
    var generator = SplitMix64(seed: UInt64(sourceHeight * 1000 + width))
    let pixels = (0..<(sourceHeight * sourceWidth)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let data = try ImageDataset(height: sourceHeight, width: sourceWidth, channels: 1, pixels: pixels, labels: [3])
    let resized = try ImageResize.bilinear(data, height: height, width: width)
    #expect(resized.shape.height == height && resized.shape.width == width && resized.labels == [3])
    let source = (0..<sourceHeight).map { y in (0..<sourceWidth).map { Double(pixels[y * sourceWidth + $0]) } }
    #expect(resized.pixels == Self.referenceResize(source, height: height, width: width).flatMap { $0 })
    if sourceHeight == height && sourceWidth == width { #expect(resized.pixels == pixels) }
    #expect(throws: DatasetError.self) { _ = try ImageResize.bilinear(data, height: 0, width: 4) }
  }

  @Test("a constant image stays constant and channels stay apart")
  func resizeChannels() throws {
    let pixel: [UInt8] = [200, 0, 17]
    let pixels = Array([[UInt8]](repeating: pixel, count: 25).joined())
    let data = try ImageDataset(height: 5, width: 5, channels: 3, pixels: pixels, labels: [0])
    let resized = try ImageResize.bilinear(data, height: 9, width: 2)
    #expect(resized.pixels == Array([[UInt8]](repeating: pixel, count: 18).joined()))
  }
}
