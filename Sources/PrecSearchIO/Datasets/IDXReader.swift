import PrecSearchFormats
import Foundation

/// Reads IDX files (the MNIST / Fashion-MNIST format): a big-endian header, then unsigned bytes.
///
/// Header: two zero bytes, the element type (0x08 = unsigned byte, the only type accepted), the number of
/// dimensions, then one big-endian UInt32 size per dimension. Images: magic 0x00000803, dimensions
/// (count, rows, columns), then `count * rows * columns` bytes. Labels: magic 0x00000801, dimension (count),
/// then `count` bytes. The file must end exactly after the data.
public enum IDXReader {
  /// Magic number of a 3-dimensional unsigned-byte IDX file (images).
  public static let imagesMagic: UInt32 = 0x0000_0803
  /// Magic number of a 1-dimensional unsigned-byte IDX file (labels).
  public static let labelsMagic: UInt32 = 0x0000_0801

  /// The image file of `path` as (count, rows, columns, pixels). Throws `DatasetError` naming the file and offset.
  public static func readImages(at path: String) throws -> (count: Int, height: Int, width: Int, pixels: [UInt8]) {
    let bytes = try readBytes(path)
    let dims = try header(bytes, file: path, magic: imagesMagic, dimensionNames: ["image count", "rows", "columns"])
    guard dims[1] >= 1, dims[2] >= 1 else {
      throw DatasetError(file: path, offset: 8, message: "image size \(dims[1])x\(dims[2]) must be at least 1x1")
    }
    let start = 16
    let pixels = try payload(bytes, file: path, start: start, dims: dims, what: "pixel")
    return (dims[0], dims[1], dims[2], pixels)
  }

  /// The label file of `path`. When `classCount` is given, every label must be below it.
  /// Throws `DatasetError` naming the file and offset.
  public static func readLabels(at path: String, classCount: Int? = nil) throws -> [UInt8] {
    let bytes = try readBytes(path)
    let dims = try header(bytes, file: path, magic: labelsMagic, dimensionNames: ["label count"])
    let labels = try payload(bytes, file: path, start: 8, dims: dims, what: "label")
    if let classCount, let bad = labels.firstIndex(where: { Int($0) >= classCount }) {
      throw DatasetError(file: path, offset: 8 + bad,
        message: "label \(labels[bad]) of item \(bad) is not a class index below \(classCount)")
    }
    return labels
  }

  /// An image file and its label file as one data set (1 channel). The counts must match; with `classCount`,
  /// every label must be below it. Throws `DatasetError`.
  public static func read(images: String, labels: String, classCount: Int? = nil) throws -> ImageDataset {
    let i = try readImages(at: images)
    let l = try readLabels(at: labels, classCount: classCount)
    guard i.count == l.count else {
      throw DatasetError(file: labels, offset: 4,
        message: "\(l.count) labels, but the image file '\(images)' holds \(i.count) images")
    }
    return ImageDataset(unchecked: i.height, i.width, 1, i.pixels, l)
  }

  /// The file-name prefix of a published split: `train` or `t10k`.
  public static func filePrefix(split: PublishedSplit) -> String { split == .train ? "train" : "t10k" }

  /// The paths `DIRECTORY/PREFIX-images-idx3-ubyte` and `DIRECTORY/PREFIX-labels-idx1-ubyte`.
  public static func filePaths(directory: String, prefix: String) -> (images: String, labels: String) {
    let dir = URL(fileURLWithPath: directory)
    return (dir.appendingPathComponent("\(prefix)-images-idx3-ubyte").path,
            dir.appendingPathComponent("\(prefix)-labels-idx1-ubyte").path)
  }

  /// The standard file names of a split in `directory`: `train-images-idx3-ubyte` / `train-labels-idx1-ubyte`
  /// for `.train`, `t10k-images-idx3-ubyte` / `t10k-labels-idx1-ubyte` for `.test`.
  public static func filePaths(directory: String, split: PublishedSplit) -> (images: String, labels: String) {
    filePaths(directory: directory, prefix: filePrefix(split: split))
  }

  /// The split `split` of the IDX data set in `directory` (file names as in `filePaths`). Throws `DatasetError`.
  public static func read(directory: String, split: PublishedSplit, classCount: Int? = nil) throws -> ImageDataset {
    try read(directory: directory, prefix: filePrefix(split: split), classCount: classCount)
  }

  /// The IDX pair `PREFIX-images-idx3-ubyte` + `PREFIX-labels-idx1-ubyte` in `directory` (e.g. prefix
  /// `validation` for a held-out split written by `IDXWriter`). Throws `DatasetError`.
  public static func read(directory: String, prefix: String, classCount: Int? = nil) throws -> ImageDataset {
    let (images, labels) = filePaths(directory: directory, prefix: prefix)
    return try read(images: images, labels: labels, classCount: classCount)
  }

  static func readBytes(_ path: String) throws -> [UInt8] {
    do { return [UInt8](try FileIO.readData(at: path)) } catch let e as FileAccessError {
      throw DatasetError(file: path, message: e.message)
    }
  }

  static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset ..< offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// Checks the magic and returns the dimension sizes.
  static func header(_ bytes: [UInt8], file: String, magic: UInt32, dimensionNames: [String]) throws -> [Int] {
    let headerLength = 4 + 4 * dimensionNames.count
    guard bytes.count >= 4 else {
      throw DatasetError(file: file, offset: 0, message: "truncated: \(bytes.count) bytes, expected a 4-byte IDX magic number")
    }
    let found = bigEndianUInt32(bytes, at: 0)
    guard found == magic else {
      let hex = { (v: UInt32) in "0x" + String(repeating: "0", count: 8 - String(v, radix: 16).count) + String(v, radix: 16) }
      var hint = ""
      if found == imagesMagic || found == labelsMagic { hint = " (an IDX \(found == imagesMagic ? "image" : "label") file: were the image and label paths swapped?)" }
      else if bytes[0] == 0x1F && bytes[1] == 0x8B { hint = " (a gzip file: decompress it first)" }
      throw DatasetError(file: file, offset: 0,
        message: "magic number \(hex(found)), expected \(hex(magic)) (unsigned bytes, \(dimensionNames.count) dimension\(dimensionNames.count == 1 ? "" : "s"))\(hint)")
    }
    guard bytes.count >= headerLength else {
      throw DatasetError(file: file, offset: bytes.count,
        message: "truncated header: \(bytes.count) bytes, expected \(headerLength) (magic + \(dimensionNames.joined(separator: ", ")))")
    }
    return dimensionNames.indices.map { Int(bigEndianUInt32(bytes, at: 4 + 4 * $0)) }
  }

  /// The data bytes after the header, which must be exactly the product of `dims`.
  static func payload(_ bytes: [UInt8], file: String, start: Int, dims: [Int], what: String) throws -> [UInt8] {
    var expected = 1
    for d in dims {
      let (p, overflow) = expected.multipliedReportingOverflow(by: d)
      guard !overflow else { throw DatasetError(file: file, offset: 4, message: "dimensions \(dims) are too large") }
      expected = p
    }
    let available = bytes.count - start
    guard available == expected else {
      if available < expected {
        throw DatasetError(file: file, offset: bytes.count,
          message: "truncated: the header \(dims) announces \(expected) \(what) bytes from offset \(start), the file ends after \(available)")
      }
      throw DatasetError(file: file, offset: start + expected,
        message: "\(available - expected) unexpected bytes after the \(expected) \(what) bytes the header \(dims) announces")
    }
    return Array(bytes[start...])
  }
}

/// Writes single-channel data sets as IDX image and label files (the format `IDXReader` reads), e.g. to ship a
/// held-out validation split.
public enum IDXWriter {
  /// Writes `dataset` (which must have 1 channel and fewer than 2^32 images) to `images` and `labels`, each
  /// atomically. Throws `DatasetError` for a multi-channel data set, `FileAccessError` when a file cannot be written.
  public static func write(_ dataset: ImageDataset, images: String, labels: String) throws {
    guard dataset.channels == 1 else {
      throw DatasetError(file: images, message: "IDX image files hold 1 channel; this data set has \(dataset.channels)")
    }
    guard dataset.count <= Int(UInt32.max), dataset.height <= Int(UInt32.max), dataset.width <= Int(UInt32.max) else {
      throw DatasetError(file: images, message: "sizes above 2^32 - 1 do not fit an IDX header")
    }
    func bigEndian(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
    var imageBytes = Data(bigEndian(Int(IDXReader.imagesMagic)) + bigEndian(dataset.count) + bigEndian(dataset.height)
                          + bigEndian(dataset.width))
    imageBytes.append(contentsOf: dataset.pixels)
    var labelBytes = Data(bigEndian(Int(IDXReader.labelsMagic)) + bigEndian(dataset.count))
    labelBytes.append(contentsOf: dataset.labels)
    try FileIO.writeAtomically(imageBytes, to: images)
    try FileIO.writeAtomically(labelBytes, to: labels)
  }

  /// Writes `dataset` as `DIRECTORY/PREFIX-images-idx3-ubyte` and `DIRECTORY/PREFIX-labels-idx1-ubyte`.
  public static func write(_ dataset: ImageDataset, directory: String, prefix: String) throws {
    let (images, labels) = IDXReader.filePaths(directory: directory, prefix: prefix)
    try write(dataset, images: images, labels: labels)
  }
}
