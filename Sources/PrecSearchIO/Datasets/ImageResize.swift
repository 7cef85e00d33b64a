import PrecSearchFormats

/// Bilinear resizing of 8-bit images, for `--resize HxW` (a model whose input size differs from its data's).
///
/// The rule is OpenCV's `cv::resize` with `INTER_LINEAR` on 8-bit images, written from its definition
/// (imgproc/src/resize.cpp): the source coordinate of destination pixel `d` is `(d + 0.5) * source / destination
/// - 0.5` (half-pixel centres, computed in double and rounded to float), its floor `s` and fraction `f` (both
/// clamped to the edge: `s < 0` gives `s = 0, f = 0`; `s >= size - 1` gives `s = size - 1, f = 0`); the weights
/// `1 - f` and `f` become 11-bit integers (`round(w * 2048)`, ties to even); rows are interpolated horizontally
/// into 32-bit sums `S = a0 * p0 + a1 * p1`, then vertically as OpenCV's vectorized loop does:
/// `((b0 * (S0 >> 4)) >> 16 + (b1 * (S1 >> 4)) >> 16 + 2) >> 2`, clamped to 0...255.
///
/// OpenCV finishes each row's last few values (fewer than a vector) with the exact `(b0 * S0 + b1 * S1 + 2^21) >> 22`
/// instead, which can be 1 lower; `Experiments/import-check/resize_check.py` measures the agreement with
/// `cv2.resize` (99.75 % of pixels equal, the others +1; docs/cli.md).
public enum ImageResize {
  /// One axis's source index and 11-bit weights per destination position.
  struct AxisTaps {
    var index: [Int]
    var weight0: [Int32]
    var weight1: [Int32]

    init(source: Int, destination: Int) {
      let scale = 1 / (Double(destination) / Double(source))
      index = []; weight0 = []; weight1 = []
      for d in 0..<destination {
        var f = Float((Double(d) + 0.5) * scale - 0.5)
        var s = Int(f.rounded(.down))
        f -= Float(s)
        if s < 0 { f = 0; s = 0 }
        if s >= source - 1 { f = 0; s = source - 1 }
        index.append(s)
        weight0.append(Int32(((1 - f) * 2048).rounded(.toNearestOrEven)))
        weight1.append(Int32((f * 2048).rounded(.toNearestOrEven)))
      }
    }
  }

  /// `dataset`'s images resized to `height` x `width` (channels and labels unchanged). Throws `DatasetError`
  /// unless both sizes are in 1...4096.
  public static func bilinear(_ dataset: ImageDataset, height: Int, width: Int) throws -> ImageDataset {
    guard (1...4096).contains(height), (1...4096).contains(width) else {
      throw DatasetError(file: nil, message: "cannot resize to \(height)x\(width); expected sizes from 1 to 4096")
    }
    if dataset.height == height && dataset.width == width { return dataset }
    let channels = dataset.channels
    let rows = AxisTaps(source: dataset.height, destination: height)
    let columns = AxisTaps(source: dataset.width, destination: width)
    let sourceRowLength = dataset.width * channels
    let rowLength = width * channels
    var pixels = [UInt8](repeating: 0, count: dataset.count * height * rowLength)
    var horizontal = [[Int32]](repeating: [Int32](repeating: 0, count: rowLength), count: 2)
    for image in 0..<dataset.count {
      let source = dataset.image(image)
      let base = source.startIndex
      for y in 0..<height {
        let sourceRows = [rows.index[y], min(rows.index[y] + 1, dataset.height - 1)]
        for (slot, sourceRow) in sourceRows.enumerated() {
          let rowStart = base + sourceRow * sourceRowLength
          for x in 0..<width {
            let left = rowStart + columns.index[x] * channels
            let right = rowStart + min(columns.index[x] + 1, dataset.width - 1) * channels
            for c in 0..<channels {
              horizontal[slot][x * channels + c] = Int32(source[left + c]) * columns.weight0[x]
                + Int32(source[right + c]) * columns.weight1[x]
            }
          }
        }
        let out = (image * height + y) * rowLength
        let beta0 = rows.weight0[y], beta1 = rows.weight1[y]
        for i in 0..<rowLength {
          let sum = (beta0 * (horizontal[0][i] >> 4)) >> 16 + (beta1 * (horizontal[1][i] >> 4)) >> 16
          pixels[out + i] = UInt8(clamping: (sum + 2) >> 2)
        }
      }
    }
    return ImageDataset(unchecked: height, width, channels, pixels, dataset.labels)
  }
}
