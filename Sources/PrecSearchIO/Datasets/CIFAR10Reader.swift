import PrecSearchFormats
import Foundation

/// Reads the binary version of CIFAR-10 (`data_batch_1.bin` ... `data_batch_5.bin`, `test_batch.bin`).
///
/// Each record is 3073 bytes: one label byte (0...9), then 3072 pixel bytes channel-major (1024 red, 1024 green,
/// 1024 blue, each 32x32 row-major). Records are converted to HWC (`ImageDataset`'s layout) on load. A file must
/// hold a whole number of records and every label must be below 10.
public enum CIFAR10Reader {
  /// Image rows and columns.
  public static let side = 32
  /// Channels (RGB).
  public static let channels = 3
  /// Bytes per record: 1 label + 32 * 32 * 3 pixels.
  public static let recordByteCount = 1 + 32 * 32 * 3
  /// Number of classes.
  public static let classCount = 10
  /// The class names, in label order.
  public static let classNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

  /// The file names of a split: `data_batch_1.bin` ... `data_batch_5.bin` for `.train`, `test_batch.bin` for
  /// `.test`.
  public static func fileNames(split: PublishedSplit) -> [String] {
    split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
  }

  /// One batch file. Throws `DatasetError` naming the file and offset.
  public static func read(file path: String) throws -> ImageDataset {
    let data: Data
    do { data = try FileIO.readData(at: path) } catch let e as FileAccessError {
      throw DatasetError(file: path, message: e.message)
    }
    guard !data.isEmpty else { throw DatasetError(file: path, offset: 0, message: "empty file, expected 3073-byte records") }
    guard data.count % recordByteCount == 0 else {
      let whole = data.count / recordByteCount
      throw DatasetError(file: path, offset: whole * recordByteCount,
        message: "truncated or malformed: \(data.count) bytes is not a multiple of the \(recordByteCount)-byte record size (\(whole) whole records, then \(data.count - whole * recordByteCount) bytes)")
    }
    let count = data.count / recordByteCount
    let plane = side * side
    var labels = [UInt8](repeating: 0, count: count)
    var pixels = [UInt8](repeating: 0, count: count * plane * channels)
    var badRecord: Int?
    data.withUnsafeBytes { raw in
      pixels.withUnsafeMutableBufferPointer { out in
        for r in 0..<count {
          let record = r * recordByteCount
          let label = raw[record]
          if label >= classCount { badRecord = r; return }
          labels[r] = label
          let image = r * plane * channels
          for c in 0..<channels {
            let source = record + 1 + c * plane
            for p in 0..<plane { out[image + p * channels + c] = raw[source + p] }
          }
        }
      }
    }
    if let r = badRecord {
      throw DatasetError(file: path, offset: r * recordByteCount,
        message: "record \(r) has label \(data[data.startIndex + r * recordByteCount]), expected 0...9")
    }
    return ImageDataset(unchecked: side, side, channels, pixels, labels)
  }

  /// Several batch files concatenated in the given order. Throws `DatasetError`.
  public static func read(files: [String]) throws -> ImageDataset {
    try ImageDataset.concatenating(try files.map { try read(file: $0) })
  }

  /// The split `split` of the CIFAR-10 binary files in `directory` (names as in `fileNames`), in file order.
  /// Throws `DatasetError`, naming the missing file when one is absent.
  public static func read(directory: String, split: PublishedSplit) throws -> ImageDataset {
    let dir = URL(fileURLWithPath: directory)
    return try read(files: fileNames(split: split).map { dir.appendingPathComponent($0).path })
  }
}
