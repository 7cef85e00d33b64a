import Foundation
import NetworkEngine
import PrecSearchIO

/// Reads model files for the commands. Every defect becomes a one-line error naming the file (PrecSearchIO's
/// `ModelFileError`), printed as `Error: ...` with exit status 1.
enum ModelLoading {
  static func load(path: String) throws -> ModelFile {
    try FileChecks.requireReadableFile(path, what: "model file")
    return try ModelFile.read(from: path)
  }
}

/// A labeled image set and the files it was read from.
struct LoadedDataset {
  /// The images (HWC, 8-bit) and their class indices.
  var images: ImageDataset
  /// Where the images came from (shown in reports).
  var imagesPath: String
  /// Where the labels came from (shown in reports).
  var labelsPath: String
}

/// Finds and reads data sets given with `--data`.
enum DatasetLoading {
  /// File names of the IDX test split inside a directory (MNIST and Fashion-MNIST use these names).
  static let testImagesName = URL(fileURLWithPath: IDXReader.filePaths(directory: "/", split: .test).images).lastPathComponent
  static let testLabelsName = URL(fileURLWithPath: IDXReader.filePaths(directory: "/", split: .test).labels).lastPathComponent

  /// The images and labels files that `path` designates: a directory holding the IDX test split, or an IDX images
  /// file whose labels file has `labels-idx1` in place of `images-idx3` in its name.
  static func resolveIDXPaths(_ path: String) throws -> (images: String, labels: String) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read data '\(path)': no such file or directory")
    }
    if isDirectory.boolValue {
      let (images, labels) = IDXReader.filePaths(directory: path, split: .test)
      for file in [images, labels] where !FileManager.default.fileExists(atPath: file) {
        let hint = FileManager.default.fileExists(atPath: file + ".gz") ? " (found '\(file).gz'; decompress it with gunzip)" : ""
        throw CommandFailure("cannot read data '\(path)': the directory has no '\(URL(fileURLWithPath: file).lastPathComponent)'\(hint); "
          + "expected the IDX test split '\(testImagesName)' and '\(testLabelsName)'")
      }
      return (images, labels)
    }
    let url = URL(fileURLWithPath: path)
    let name = url.lastPathComponent
    guard name.contains("images-idx3") else {
      throw CommandFailure("cannot read data '\(path)': expected a directory with the IDX test split or an IDX images "
        + "file whose name contains 'images-idx3' (its labels file is found by replacing that with 'labels-idx1')")
    }
    let labels = url.deletingLastPathComponent()
      .appendingPathComponent(name.replacingOccurrences(of: "images-idx3", with: "labels-idx1")).path
    guard FileManager.default.fileExists(atPath: labels) else {
      throw CommandFailure("cannot read data '\(path)': its labels file '\(labels)' does not exist")
    }
    return (path, labels)
  }

  /// Reads the labeled images that `path` designates (see `resolveIDXPaths`); with `classCount`, every label must
  /// be below it. Malformed files give PrecSearchIO's `DatasetError`, which names the file and byte offset.
  static func load(path: String, classCount: Int?) throws -> LoadedDataset {
    let files = try resolveIDXPaths(path)
    let images = try IDXReader.read(images: files.images, labels: files.labels, classCount: classCount)
    return LoadedDataset(images: images, imagesPath: files.images, labelsPath: files.labels)
  }
}

/// Up-front checks that give clear messages before a reader sees a file.
enum FileChecks {
  static func requireReadableFile(_ path: String, what: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read \(what) '\(path)': no such file")
    }
    guard !isDirectory.boolValue else { throw CommandFailure("cannot read \(what) '\(path)': it is a directory") }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw CommandFailure("cannot read \(what) '\(path)': permission denied")
    }
  }
}
