import Foundation
import NetworkEngine

/// What the commands need from a model file.
struct LoadedModel {
  /// The network as stored (BatchNorm not yet folded).
  var network: Network
  /// The model's name, when the file gives one.
  var name: String?
  /// Class labels in output order (may be empty).
  var classLabels: [String]
  /// How raw inputs become the network's float input.
  var preprocessing: InputPreprocessing
  /// Calibrated activation ranges of the folded network; nil when the file has none.
  var activationRanges: ActivationRanges?
}

/// Reads model files for the commands, turning every problem into a one-line `CommandFailure` that names the file.
enum ModelLoading {
  static func load(path: String) throws -> LoadedModel {
    try FileChecks.requireReadableFile(path, what: "model file")
    // PrecSearchIO's ModelFile reader is plugged in here once it exists.
    throw CommandFailure("cannot read model file '\(path)': model files are not supported by this build yet")
  }
}

/// A labeled set of 8-bit images, all of one shape, laid out HWC one image after another.
struct LabeledImageSet {
  /// Shape of one image.
  var shape: TensorShape
  /// `count * shape.elementCount` pixel values.
  var pixels: [UInt8]
  /// One class index per image.
  var labels: [Int]
  /// Where the images came from (shown in reports).
  var imagesPath: String
  /// Where the labels came from (shown in reports).
  var labelsPath: String

  /// Number of images.
  var count: Int { labels.count }

  /// The raw pixels of image `index`.
  func image(_ index: Int) -> ArraySlice<UInt8> {
    let size = shape.elementCount
    return pixels[(index * size)..<((index + 1) * size)]
  }
}

/// Finds and reads data sets given with `--data`.
enum DatasetLoading {
  /// File names of the IDX test split inside a directory (MNIST and Fashion-MNIST use these names).
  static let testImagesName = "t10k-images-idx3-ubyte"
  static let testLabelsName = "t10k-labels-idx1-ubyte"

  /// The images and labels files that `path` designates: a directory holding the IDX test split, or an IDX images
  /// file whose labels file has `labels-idx1` in place of `images-idx3` in its name.
  static func resolveIDXPaths(_ path: String) throws -> (images: String, labels: String) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CommandFailure("cannot read data '\(path)': no such file or directory")
    }
    if isDirectory.boolValue {
      let directory = URL(fileURLWithPath: path, isDirectory: true)
      let images = directory.appendingPathComponent(testImagesName).path
      let labels = directory.appendingPathComponent(testLabelsName).path
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
    return (url.path, labels)
  }

  /// Reads the labeled images that `path` designates (see `resolveIDXPaths`).
  static func load(path: String) throws -> LabeledImageSet {
    let files = try resolveIDXPaths(path)
    try FileChecks.requireReadableFile(files.images, what: "images file")
    try FileChecks.requireReadableFile(files.labels, what: "labels file")
    // PrecSearchIO's IDX reader is plugged in here once it exists.
    throw CommandFailure("cannot read data '\(path)': IDX files are not supported by this build yet")
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
