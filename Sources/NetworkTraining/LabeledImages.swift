import NetworkEngine
import SeededRandom

/// A labeled image set in the engine's HWC layout: either preprocessed floats or raw 8-bit pixels plus the
/// preprocessing rule (kept raw to save memory; converted per mini-batch).
public struct LabeledImages: Sendable {
  /// How the pixels are stored.
  public enum Pixels: Sendable {
    /// Network-ready floats, `count * shape.elementCount` values, image after image.
    case preprocessed([Float])
    /// Raw 8-bit pixels, `count * shape.elementCount` values, and the rule that turns them into network inputs.
    case raw([UInt8], InputPreprocessing)
  }

  /// Shape of one image (HWC).
  public let shape: TensorShape
  /// The pixels.
  public let pixels: Pixels
  /// Class of each image, in `0..<classes`.
  public let labels: [Int]

  /// Number of images.
  public var count: Int { labels.count }

  /// Preprocessed images; `values.count` must be `labels.count * shape.elementCount`, all finite.
  public init(shape: TensorShape, preprocessed values: [Float], labels: [Int]) throws {
    try Self.check(shape: shape, valueCount: values.count, labels: labels)
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
      throw TrainingError("pixels[\(bad)]", "must be finite, got \(values[bad])")
    }
    self.shape = shape
    self.pixels = .preprocessed(values)
    self.labels = labels
  }

  /// Raw 8-bit images with their preprocessing; `raw.count` must be `labels.count * shape.elementCount`.
  public init(shape: TensorShape, raw: [UInt8], preprocessing: InputPreprocessing, labels: [Int]) throws {
    try Self.check(shape: shape, valueCount: raw.count, labels: labels)
    do { try preprocessing.validate(channels: shape.channels) } catch {
      throw TrainingError("preprocessing", "\(error)")
    }
    self.shape = shape
    self.pixels = .raw(raw, preprocessing)
    self.labels = labels
  }

  private static func check(shape: TensorShape, valueCount: Int, labels: [Int]) throws {
    guard shape.height >= 1, shape.width >= 1, shape.channels >= 1,
          shape.height <= 1 << 14, shape.width <= 1 << 14, shape.channels <= 1 << 14,
          shape.elementCount <= Network.maximumElementCount else {
      throw TrainingError("shape", "must have every dimension in 1...16384 and at most \(Network.maximumElementCount) elements, got \(shape)")
    }
    let (expected, overflow) = labels.count.multipliedReportingOverflow(by: shape.elementCount)
    guard !overflow, valueCount == expected else {
      throw TrainingError("pixels", "expected \(labels.count) images of \(shape) = \(labels.count) x \(shape.elementCount) values, got \(valueCount)")
    }
    if let bad = labels.firstIndex(where: { $0 < 0 }) {
      throw TrainingError("labels[\(bad)]", "must be >= 0, got \(labels[bad])")
    }
  }

  /// The images at `indices` (in that order), e.g. a validation hold-out.
  public func subset(_ indices: [Int]) throws -> LabeledImages {
    let n = shape.elementCount
    for (k, i) in indices.enumerated() where i < 0 || i >= count {
      throw TrainingError("indices[\(k)]", "must be in 0..<\(count), got \(i)")
    }
    let newLabels = indices.map { labels[$0] }
    switch pixels {
    case .preprocessed(let values):
      var out: [Float] = []
      out.reserveCapacity(indices.count * n)
      for i in indices { out.append(contentsOf: values[(i * n)..<((i + 1) * n)]) }
      return try LabeledImages(shape: shape, preprocessed: out, labels: newLabels)
    case let .raw(values, rule):
      var out: [UInt8] = []
      out.reserveCapacity(indices.count * n)
      for i in indices { out.append(contentsOf: values[(i * n)..<((i + 1) * n)]) }
      return try LabeledImages(shape: shape, raw: out, preprocessing: rule, labels: newLabels)
    }
  }
}

/// The random transformation of one training sample (drawn on the calling thread, applied by a shard).
struct SampleTransform: Sendable {
  /// Rows to shift down (negative: up).
  var shiftY: Int32 = 0
  /// Columns to shift right (negative: left).
  var shiftX: Int32 = 0
  /// Mirror left-right (before shifting).
  var flip: Bool = false
  /// Bands of rows set to 0 after the shift and flip (`SpectrogramMasking` time masks).
  var maskedRows: [Range<Int>] = []
  /// Bands of columns set to 0 after the shift and flip (frequency masks).
  var maskedColumns: [Range<Int>] = []

  static let identity = SampleTransform()

  /// Draws one sample's transformation for an input of `height` x `width` pixels. The draws, in order: the shift
  /// (y, x), the flip, then per time mask its width and start, then per frequency mask its width and start.
  static func draw(_ augmentation: ImageAugmentation, height: Int, width: Int,
                   using generator: inout some RandomNumberGenerator) -> SampleTransform {
    var t = SampleTransform()
    if augmentation.cropPadding > 0 {
      let p = augmentation.cropPadding
      t.shiftY = Int32(RandomDraws.uniform(in: -p...p, using: &generator))
      t.shiftX = Int32(RandomDraws.uniform(in: -p...p, using: &generator))
    }
    if augmentation.horizontalFlip { t.flip = RandomDraws.coin(using: &generator) }
    let masking = augmentation.masking
    if !masking.isIdentity {
      t.maskedRows = drawBands(masking.timeMasks, maximumWidth: masking.maximumTimeWidth, extent: height, using: &generator)
      t.maskedColumns = drawBands(masking.frequencyMasks, maximumWidth: masking.maximumFrequencyWidth, extent: width,
                                  using: &generator)
    }
    return t
  }

  /// `count` bands of width uniform in `0...min(maximumWidth, extent)`, each starting uniformly where it fits.
  static func drawBands(_ count: Int, maximumWidth: Int, extent: Int,
                        using generator: inout some RandomNumberGenerator) -> [Range<Int>] {
    let widest = min(max(maximumWidth, 0), max(extent, 0))
    guard widest > 0 else { return [] }
    var bands: [Range<Int>] = []
    for _ in 0..<max(count, 0) {
      let width = RandomDraws.uniform(in: 0...widest, using: &generator)
      let start = RandomDraws.uniform(in: 0...(extent - width), using: &generator)
      if width > 0 { bands.append(start..<(start + width)) }
    }
    return bands
  }
}

/// Per-channel map raw -> network input, computed exactly as `InputPreprocessing.apply` does
/// (`(raw * scale - mean[c]) / standardDeviation[c]`), and the fill value of padded pixels (a raw 0).
struct PixelDecoder: Sendable {
  var scale: Float
  var mean: [Float]
  var deviation: [Float]
  var fill: [Float]

  init(_ rule: InputPreprocessing, channels: Int) {
    let means = (0..<channels).map { rule.mean.count == 1 ? rule.mean[0] : rule.mean[$0] }
    let deviations = (0..<channels).map {
      rule.standardDeviation.count == 1 ? rule.standardDeviation[0] : rule.standardDeviation[$0]
    }
    scale = rule.scale
    mean = means
    deviation = deviations
    fill = (0..<channels).map { c in (Float(0) * rule.scale - means[c]) / deviations[c] }
  }
}

extension LabeledImages {
  /// Writes image `index`, transformed by `transform`, as network input (HWC floats) to `destination`.
  func write(_ index: Int, transform: SampleTransform, decoder: PixelDecoder?, to destination: UnsafeMutablePointer<Float>) {
    writeShifted(index, transform: transform, decoder: decoder, to: destination)
    let h = shape.height, w = shape.width, c = shape.channels
    // Masks: 0 is the standardized mean (SpectrogramMasking).
    for band in transform.maskedRows {
      (destination + band.lowerBound * w * c).update(repeating: 0, count: band.count * w * c)
    }
    for band in transform.maskedColumns {
      for y in 0..<h { (destination + (y * w + band.lowerBound) * c).update(repeating: 0, count: band.count * c) }
    }
  }

  /// Writes image `index` shifted and flipped by `transform` (no masks).
  private func writeShifted(_ index: Int, transform: SampleTransform, decoder: PixelDecoder?,
                            to destination: UnsafeMutablePointer<Float>) {
    let h = shape.height, w = shape.width, c = shape.channels, n = shape.elementCount
    let dy = Int(transform.shiftY), dx = Int(transform.shiftX)
    switch pixels {
    case .preprocessed(let values):
      values.withUnsafeBufferPointer { vp in
        let src = vp.baseAddress! + index * n
        if dy == 0, dx == 0, !transform.flip { destination.update(from: src, count: n); return }
        for y in 0..<h {
          let sy = y - dy
          for x in 0..<w {
            let dst = destination + (y * w + x) * c
            var sx = x - dx
            if sy < 0 || sy >= h || sx < 0 || sx >= w { dst.update(repeating: 0, count: c); continue }
            if transform.flip { sx = w - 1 - sx }
            dst.update(from: src + (sy * w + sx) * c, count: c)
          }
        }
      }
    case .raw(let values, _):
      let decoder = decoder!
      values.withUnsafeBufferPointer { vp in
        decoder.mean.withUnsafeBufferPointer { mp in
          decoder.deviation.withUnsafeBufferPointer { dp in
          decoder.fill.withUnsafeBufferPointer { fp in
            let scale = decoder.scale
            let src = vp.baseAddress! + index * n
            for y in 0..<h {
              let sy = y - dy
              for x in 0..<w {
                let dst = destination + (y * w + x) * c
                var sx = x - dx
                if sy < 0 || sy >= h || sx < 0 || sx >= w {
                  for k in 0..<c { dst[k] = fp[k] }
                  continue
                }
                if transform.flip { sx = w - 1 - sx }
                let s = src + (sy * w + sx) * c
                for k in 0..<c { dst[k] = (Float(s[k]) * scale - mp[k]) / dp[k] }
              }
            }
          }
          }
        }
      }
    }
  }
}

extension InputPreprocessing {
  /// The preprocessing that maps raw 8-bit pixels to zero mean and unit standard deviation per channel over
  /// `images` (HWC, `channels` channels): `scale` as given (e.g. 1/255), `mean[c]` and `standardDeviation[c]` of
  /// `raw * scale` (population statistics, computed in Double). Channels with zero deviation get 1.
  /// Throws `TrainingError` when `channels < 1`, `scale` is not finite and positive, or the pixel count is not a
  /// multiple of `channels` (or is zero).
  public static func fitted(to raw: [UInt8], channels: Int, scale: Float = 1.0 / 255) throws -> InputPreprocessing {
    guard channels >= 1 else { throw TrainingError("channels", "must be >= 1, got \(channels)") }
    guard scale.isFinite, scale > 0 else { throw TrainingError("scale", "must be finite and > 0, got \(scale)") }
    guard !raw.isEmpty, raw.count % channels == 0 else {
      throw TrainingError("raw", "needs a positive multiple of \(channels) values, got \(raw.count)")
    }
    // Exact integer histograms per channel, then Double moments: independent of the summation order.
    var histogram = Array(repeating: [Int](repeating: 0, count: 256), count: channels)
    var c = 0
    for v in raw {
      histogram[c][Int(v)] += 1
      c += 1
      if c == channels { c = 0 }
    }
    var means: [Float] = [], deviations: [Float] = []
    for h in histogram {
      let n = Double(h.reduce(0, +))
      var sum = 0.0
      for (v, k) in h.enumerated() { sum += Double(k) * Double(v) * Double(scale) }
      let mean = sum / n
      var squares = 0.0
      for (v, k) in h.enumerated() {
        let d = Double(v) * Double(scale) - mean
        squares += Double(k) * d * d
      }
      let deviation = (squares / n).squareRoot()
      means.append(Float(mean))
      deviations.append(deviation > 0 ? Float(deviation) : 1)
    }
    return InputPreprocessing(scale: scale, mean: means, standardDeviation: deviations)
  }
}
