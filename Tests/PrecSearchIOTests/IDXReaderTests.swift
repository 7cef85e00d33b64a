import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct IDXReaderTests {
  static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

  static func imageFile(count: Int, rows: Int, columns: Int, pixels: [UInt8]) -> Data {
    Data(bigEndian(0x803) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(columns)) + pixels)
  }

  static func labelFile(_ labels: [UInt8]) -> Data { Data(bigEndian(0x801) + bigEndian(UInt32(labels.count)) + labels) }

  /// Writes a 3-image 2x3 set as train-* and returns the directory.
  func writeSplit(_ dir: TemporaryDirectory, prefix: String = "train", images: Data? = nil, labels: Data? = nil) throws {
    let pixels = (0..<18).map { UInt8($0 * 10) }
    try (images ?? Self.imageFile(count: 3, rows: 2, columns: 3, pixels: pixels))
      .write(to: URL(fileURLWithPath: dir.file("\(prefix)-images-idx3-ubyte")))
    try (labels ?? Self.labelFile([4, 0, 9])).write(to: URL(fileURLWithPath: dir.file("\(prefix)-labels-idx1-ubyte")))
  }

  @Test func readsImagesAndLabels() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try writeSplit(dir)
    try writeSplit(dir, prefix: "t10k", labels: Self.labelFile([1, 2, 3]))
    let train = try IDXReader.read(directory: dir.path, split: .train, classCount: 10)
    #expect(train.count == 3 && train.height == 2 && train.width == 3 && train.channels == 1)
    #expect(train.labels == [4, 0, 9])
    #expect(Array(train.image(1)) == [60, 70, 80, 90, 100, 110])
    #expect(train.label(2) == 9)
    let test = try IDXReader.read(directory: dir.path, split: .test)
    #expect(test.labels == [1, 2, 3])
    #expect(IDXReader.filePaths(directory: "/d", split: .test).images == "/d/t10k-images-idx3-ubyte")
  }

  func failure(_ dir: TemporaryDirectory, classCount: Int? = nil) -> String {
    errorText { _ = try IDXReader.read(directory: dir.path, split: .train, classCount: classCount) }
  }

  @Test func rejectsMalformedFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let good = Self.imageFile(count: 3, rows: 2, columns: 3, pixels: Array(repeating: 1, count: 18))
    // Truncated pixels: names the file, the offset where data ends, and what was announced.
    try writeSplit(dir, images: good.dropLast(1))
    var text = failure(dir)
    #expect(text.contains("train-images-idx3-ubyte") && text.contains("byte 33") && text.contains("truncated")
            && text.contains("18 pixel bytes"), "\(text)")
    // Trailing bytes.
    try writeSplit(dir, images: good + Data([7]))
    text = failure(dir)
    #expect(text.contains("byte 34") && text.contains("1 unexpected bytes"), "\(text)")
    // Truncated header.
    try writeSplit(dir, images: good.prefix(10))
    text = failure(dir)
    #expect(text.contains("truncated header") && text.contains("expected 16"), "\(text)")
    // Tiny file.
    try writeSplit(dir, images: Data([0, 0]))
    #expect(failure(dir).contains("4-byte IDX magic"))
    // Wrong magic: labels file given as images, gzip, something else.
    try writeSplit(dir, images: Self.labelFile([1, 2, 3]))
    text = failure(dir)
    #expect(text.contains("byte 0") && text.contains("0x00000801") && text.contains("expected 0x00000803") && text.contains("swapped"), "\(text)")
    try writeSplit(dir, images: Data([0x1F, 0x8B, 8, 0, 0, 0]))
    #expect(failure(dir).contains("gzip"))
    // Zero-sized images.
    try writeSplit(dir, images: Self.imageFile(count: 1, rows: 0, columns: 3, pixels: []))
    #expect(failure(dir).contains("at least 1x1"))
    // Count mismatch between the files.
    try writeSplit(dir, labels: Self.labelFile([1, 2]))
    text = failure(dir)
    #expect(text.contains("train-labels-idx1-ubyte") && text.contains("2 labels") && text.contains("3 images"), "\(text)")
    // Label out of range.
    try writeSplit(dir, labels: Self.labelFile([1, 12, 2]))
    text = failure(dir, classCount: 10)
    #expect(text.contains("byte 9") && text.contains("label 12 of item 1"), "\(text)")
    // Truncated labels.
    try writeSplit(dir, labels: Self.labelFile([1, 2, 3]).dropLast(2))
    #expect(failure(dir).contains("truncated"))
    // Huge dimensions do not overflow or allocate.
    try writeSplit(dir, images: Data(Self.bigEndian(0x803) + Self.bigEndian(.max) + Self.bigEndian(.max) + Self.bigEndian(.max)))
    #expect(failure(dir).contains("too large"))
    // Missing file.
    try writeSplit(dir)
    try FileManager.default.removeItem(atPath: dir.file("train-labels-idx1-ubyte"))
    #expect(failure(dir).contains("no such file"))
  }

  @Test func everyTruncationOfAValidFileIsRejected() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let good = Self.imageFile(count: 2, rows: 2, columns: 2, pixels: Array(1...8))
    for length in 0..<good.count {
      let path = dir.file("cut")
      try good.prefix(length).write(to: URL(fileURLWithPath: path))
      #expect(throws: DatasetError.self) { _ = try IDXReader.readImages(at: path) }
    }
  }
}

@Suite struct IDXWriterAndLoaderTests {
  @Test func writerRoundTripsThroughTheReader() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let set = try ImageDataset(height: 3, width: 2, channels: 1, pixels: (0..<24).map { UInt8($0 * 9) }, labels: [3, 1, 4, 1])
    try IDXWriter.write(set, directory: dir.path, prefix: "validation")
    #expect(try IDXReader.read(directory: dir.path, prefix: "validation", classCount: 10) == set)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.file("validation-labels-idx1-ubyte"))))
    #expect(bytes == [0, 0, 8, 1, 0, 0, 0, 4, 3, 1, 4, 1])
    let rgb = try ImageDataset(height: 1, width: 1, channels: 3, pixels: [1, 2, 3], labels: [0])
    #expect(throws: DatasetError.self) { try IDXWriter.write(rgb, directory: dir.path, prefix: "x") }
  }

  @Test func loaderDetectsTheFormat() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let text = errorText { _ = try ImageDatasetLoader.detect(directory: dir.path) }
    #expect(text.contains("no known data set"), "\(text)")
    #expect(errorText { _ = try ImageDatasetLoader.detect(directory: dir.file("missing")) }.contains("no such directory"))
    // CIFAR-10 in the subdirectory cifar10-to-bin writes.
    let cifar = dir.file("cifar-10-batches-bin")
    try FileManager.default.createDirectory(atPath: cifar, withIntermediateDirectories: true)
    try Data(CIFAR10ReaderTests.record(label: 7)).write(to: URL(fileURLWithPath: cifar + "/test_batch.bin"))
    let detected = try ImageDatasetLoader.detect(directory: dir.path)
    #expect(detected.format == .cifar10Binary && detected.directory.hasSuffix("cifar-10-batches-bin"))
    #expect(try ImageDatasetLoader.read(directory: dir.path, split: .test).labels == [7])
    // IDX next to it wins (checked first in the directory itself).
    let set = try ImageDataset(height: 1, width: 1, channels: 1, pixels: [5], labels: [2])
    try IDXWriter.write(set, directory: dir.path, prefix: "t10k")
    #expect(try ImageDatasetLoader.detect(directory: dir.path).format == .idx)
    #expect(try ImageDatasetLoader.read(directory: dir.path, split: .test, classCount: 10) == set)
  }
}
