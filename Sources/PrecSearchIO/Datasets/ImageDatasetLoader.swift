import PrecSearchFormats
import Foundation

/// The on-disk formats of image data sets that precsearch reads.
public enum ImageDatasetFormat: String, Hashable, Sendable, Codable, CaseIterable {
  /// IDX files (MNIST, Fashion-MNIST): `train-*-ubyte`, `t10k-*-ubyte`.
  case idx
  /// CIFAR-10 binary version: `data_batch_1..5.bin`, `test_batch.bin`.
  case cifar10Binary
  /// FER2013: record files `train.bin`, `publictest.bin`, `privatetest.bin`, or the Kaggle `fer2013.csv`
  /// (`FER2013Reader`). Its published validation split is `PublicTest`.
  case fer2013
}

/// Finds and reads an image data set given only a directory (what a `--data PATH` option gets).
public enum ImageDatasetLoader {
  /// The format of the data set in `directory` and the directory that actually holds its files: `directory`
  /// itself, or its `cifar-10-batches-bin` subdirectory (where `cifar10-to-bin OUT` and the original archive put
  /// them). IDX is recognized by `train-images-idx3-ubyte` or `t10k-images-idx3-ubyte`, CIFAR-10 by
  /// `data_batch_1.bin` or `test_batch.bin`. Throws `DatasetError` when `directory` holds neither.
  public static func detect(directory: String) throws -> (format: ImageDatasetFormat, directory: String) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw DatasetError(file: directory, message: "no such directory")
    }
    let base = URL(fileURLWithPath: directory)
    for dir in [base, base.appendingPathComponent("cifar-10-batches-bin")] {
      func has(_ name: String) -> Bool { fm.fileExists(atPath: dir.appendingPathComponent(name).path) }
      if has("train-images-idx3-ubyte") || has("t10k-images-idx3-ubyte") { return (.idx, dir.path) }
      if has("data_batch_1.bin") || has("test_batch.bin") { return (.cifar10Binary, dir.path) }
    }
    if FER2013Reader.layout(directory: directory) != nil { return (.fer2013, base.path) }
    throw DatasetError(file: directory,
      message: "no known data set here: expected IDX files (train-images-idx3-ubyte, t10k-images-idx3-ubyte, ...), CIFAR-10 binary batches (data_batch_1.bin ... test_batch.bin, possibly in cifar-10-batches-bin/) or FER2013 (train.bin, publictest.bin, privatetest.bin, or fer2013.csv)")
  }

  /// Reads split `split` of the data set in `directory` (format detected as in `detect`); labels must be below
  /// `classCount` when it is given (CIFAR-10 labels are always checked against 10, FER2013's against 7). For
  /// FER2013, `.train` is `Training` and `.test` is `PrivateTest`. Throws `DatasetError`.
  public static func read(directory: String, split: PublishedSplit, classCount: Int? = nil) throws -> ImageDataset {
    let (format, dir) = try detect(directory: directory)
    switch format {
    case .idx: return try IDXReader.read(directory: dir, split: split, classCount: classCount)
    case .cifar10Binary: return try CIFAR10Reader.read(directory: dir, split: split)
    case .fer2013: return try FER2013Reader.read(directory: dir, split: split == .train ? .training : .privateTest)
    }
  }

  /// The validation split the data set in `directory` is published with (FER2013's `PublicTest`), or `nil` when it
  /// has none (IDX, CIFAR-10: validation images are held out of the training split instead). Throws `DatasetError`.
  public static func readPublishedValidation(directory: String) throws -> ImageDataset? {
    let (format, dir) = try detect(directory: directory)
    guard format == .fer2013 else { return nil }
    return try FER2013Reader.read(directory: dir, split: .publicTest)
  }
}
