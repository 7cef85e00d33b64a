/// The shape of one activation tensor of one inference: height x width x channels.
///
/// precsearch uses one tensor layout everywhere: **HWC** (row-major, channels fastest; TFLite's NHWC with the batch
/// dimension dropped). The element at row `y`, column `x`, channel `c` sits at index `(y * width + x) * channels + c`.
/// A flat vector (after `Flatten`, `GlobalAvgPool` or `Dense`) has shape `1 x 1 x n`.
public struct TensorShape: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Rows (>= 1).
  public var height: Int
  /// Columns (>= 1).
  public var width: Int
  /// Channels (>= 1).
  public var channels: Int

  /// Creates a shape; validation happens in `Network.init`.
  public init(height: Int, width: Int, channels: Int) {
    self.height = height
    self.width = width
    self.channels = channels
  }

  /// A flat `1 x 1 x count` shape.
  public static func flat(_ count: Int) -> TensorShape { TensorShape(height: 1, width: 1, channels: count) }

  /// Number of elements. Validated shapes keep this below `Network.maximumElementCount`.
  public var elementCount: Int { height * width * channels }

  /// Index of element (y, x, c) in the HWC layout.
  @inlinable public func index(y: Int, x: Int, c: Int) -> Int { (y * width + x) * channels + c }

  /// `HxWxC`, e.g. `32x32x3`.
  public var description: String { "\(height)x\(width)x\(channels)" }
}
