import PrecSearchFormats
import NetworkEngine

/// A labelled set of 8-bit images, all of one size, stored contiguously: image `i` occupies
/// `pixels[i * imageByteCount ..< (i + 1) * imageByteCount]` in HWC order (row-major, channels fastest), the
/// layout of the network input (`TensorShape`). Labels are class indices.
public struct ImageDataset: Hashable, Sendable {
  /// Image rows (>= 1).
  public private(set) var height: Int
  /// Image columns (>= 1).
  public private(set) var width: Int
  /// Channels per pixel (1 for grey, 3 for RGB).
  public private(set) var channels: Int
  /// All pixels, image after image, each image HWC.
  public private(set) var pixels: [UInt8]
  /// One class index per image.
  public private(set) var labels: [UInt8]

  /// Creates a data set; throws `DatasetError` unless the sizes are >= 1 and `pixels.count` equals
  /// `labels.count * height * width * channels`.
  public init(height: Int, width: Int, channels: Int, pixels: [UInt8], labels: [UInt8]) throws {
    guard height >= 1, width >= 1, channels >= 1 else {
      throw DatasetError(file: nil, message: "image size \(height)x\(width)x\(channels) must be at least 1x1x1")
    }
    let (hw, o1) = height.multipliedReportingOverflow(by: width)
    let (size, o2) = hw.multipliedReportingOverflow(by: channels)
    let (total, o3) = size.multipliedReportingOverflow(by: labels.count)
    guard !o1, !o2, !o3, total == pixels.count else {
      throw DatasetError(file: nil,
        message: "\(pixels.count) pixel bytes do not make \(labels.count) images of \(height)x\(width)x\(channels)")
    }
    self.height = height
    self.width = width
    self.channels = channels
    self.pixels = pixels
    self.labels = labels
  }

  /// Number of images.
  public var count: Int { labels.count }
  /// Bytes per image (height x width x channels).
  public var imageByteCount: Int { height * width * channels }
  /// The shape of one image as a network input.
  public var shape: TensorShape { TensorShape(height: height, width: width, channels: channels) }

  /// The pixels of image `i` (HWC). `i` must be in `0..<count`.
  public func image(_ i: Int) -> ArraySlice<UInt8> {
    pixels[i * imageByteCount ..< (i + 1) * imageByteCount]
  }

  /// The label of image `i`. `i` must be in `0..<count`.
  public func label(_ i: Int) -> UInt8 { labels[i] }

  /// The images at `indices`, in that order. Every index must be in `0..<count`.
  public func subset(_ indices: [Int]) -> ImageDataset {
    let n = imageByteCount
    var p: [UInt8] = []
    p.reserveCapacity(indices.count * n)
    var l: [UInt8] = []
    l.reserveCapacity(indices.count)
    for i in indices {
      p.append(contentsOf: pixels[i * n ..< (i + 1) * n])
      l.append(labels[i])
    }
    return ImageDataset(unchecked: height, width, channels, p, l)
  }

  /// The images of `parts` one after the other; throws `DatasetError` when `parts` is empty or image sizes differ.
  public static func concatenating(_ parts: [ImageDataset]) throws -> ImageDataset {
    guard let head = parts.first else { throw DatasetError(file: nil, message: "nothing to concatenate") }
    for p in parts where p.shape != head.shape {
      throw DatasetError(file: nil, message: "cannot concatenate \(head.shape) images with \(p.shape) images")
    }
    return ImageDataset(unchecked: head.height, head.width, head.channels,
                        parts.flatMap(\.pixels), parts.flatMap(\.labels))
  }

  /// Number of images per class `0..<classes` (labels >= `classes` are not counted).
  public func classHistogram(classes: Int) -> [Int] {
    var h = Array(repeating: 0, count: max(classes, 0))
    for l in labels where Int(l) < h.count { h[Int(l)] += 1 }
    return h
  }

  init(unchecked height: Int, _ width: Int, _ channels: Int, _ pixels: [UInt8], _ labels: [UInt8]) {
    self.height = height
    self.width = width
    self.channels = channels
    self.pixels = pixels
    self.labels = labels
  }
}

/// The splits a data set is published with (the files its authors distribute).
public enum PublishedSplit: String, Hashable, Sendable, Codable, CaseIterable {
  /// The training files (IDX `train-*`, CIFAR-10 `data_batch_1..5.bin`).
  case train
  /// The test files (IDX `t10k-*`, CIFAR-10 `test_batch.bin`).
  case test
}
