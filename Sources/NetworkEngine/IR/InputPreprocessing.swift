/// How raw input values (e.g. 8-bit pixels) become the network's float input:
/// `x = (raw * scale - mean[c]) / standardDeviation[c]` for channel `c` of the HWC input.
public struct InputPreprocessing: Hashable, Sendable, Codable {
  /// Multiplier applied to every raw value first (e.g. 1/255).
  public var scale: Float
  /// Per-channel mean subtracted after scaling (one value, or one per input channel).
  public var mean: [Float]
  /// Per-channel standard deviation divided by last (one value, or one per input channel; all > 0).
  public var standardDeviation: [Float]

  /// Creates a preprocessing rule.
  public init(scale: Float, mean: [Float], standardDeviation: [Float]) {
    self.scale = scale
    self.mean = mean
    self.standardDeviation = standardDeviation
  }

  /// Raw values passed through unchanged.
  public static let identity = InputPreprocessing(scale: 1, mean: [0], standardDeviation: [1])

  /// Checks finiteness, positive deviations, and that each list has 1 or `channels` entries.
  public func validate(channels: Int) throws {
    guard scale.isFinite else { throw NetworkError(node: "input", "preprocessing scale must be finite, got \(scale)") }
    for (label, list) in [("mean", mean), ("standardDeviation", standardDeviation)] {
      guard list.count == 1 || list.count == channels else {
        throw NetworkError(node: "input", "preprocessing \(label) needs 1 or \(channels) values, got \(list.count)")
      }
      guard list.allSatisfy(\.isFinite) else { throw NetworkError(node: "input", "preprocessing \(label) must be finite") }
    }
    guard standardDeviation.allSatisfy({ $0 > 0 }) else {
      throw NetworkError(node: "input", "preprocessing standardDeviation values must be > 0")
    }
  }

  /// Applies the rule to raw values laid out HWC with `channels` channels.
  public func apply<R: BinaryInteger>(_ raw: some Collection<R>, channels: Int) -> [Float] {
    var out: [Float] = []
    out.reserveCapacity(raw.count)
    var c = 0
    for v in raw {
      let m = mean.count == 1 ? mean[0] : mean[c]
      let s = standardDeviation.count == 1 ? standardDeviation[0] : standardDeviation[c]
      out.append((Float(v) * scale - m) / s)
      c += 1
      if c == channels { c = 0 }
    }
    return out
  }
}
