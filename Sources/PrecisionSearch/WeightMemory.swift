public import EnergyModel
public import NetworkEngine

/// The memory the weights and biases of one configuration occupy.
public struct WeightMemory: Hashable, Sendable, Codable {
  /// Bits of all weights, each at its layer's weight width.
  public var weightBits: Int
  /// Bits of all biases, each at `biasBitsPerValue` (biases live at accumulator scale whatever the weight width).
  public var biasBits: Int

  /// The footprint of `configuration` on layers `workloads` (one per configuration layer).
  ///
  /// - Parameter biasBitsPerValue: bits per stored bias (an energy table's `biasBits`).
  /// Counts are at most 2^50 per layer and widths at most 64, so no sum can overflow `Int`.
  public init(workloads: [LayerWorkload], configuration: PrecisionConfiguration, biasBitsPerValue: Int) {
    weightBits = zip(workloads, configuration.layers).reduce(0) { $0 + $1.0.weightCount * $1.1.weightBits }
    biasBits = workloads.reduce(0) { $0 + $1.biasCount * biasBitsPerValue }
  }

  /// Total bytes, rounded up.
  public var bytes: Int { (weightBits + biasBits + 7) / 8 }
}
