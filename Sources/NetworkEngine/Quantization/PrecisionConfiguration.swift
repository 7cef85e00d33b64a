/// The bit-widths of one weighted layer: its weights and its input activations, each in 2...16.
public struct LayerPrecision: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Smallest supported bit-width.
  public static let minimumBits = 2
  /// Largest supported bit-width (the master precision).
  public static let maximumBits = 16
  /// Weight bit-width.
  public var weightBits: Int
  /// Input-activation bit-width.
  public var activationBits: Int
  /// Creates a precision pair (validated by `PrecisionConfiguration.validate(for:)`).
  public init(weightBits: Int, activationBits: Int) {
    self.weightBits = weightBits
    self.activationBits = activationBits
  }
  /// `w8a4` style.
  public var description: String { "w\(weightBits)a\(activationBits)" }
}

/// A precision for every weighted layer (Conv2D, Dense) of a network, in `Network.weightedLayerIndices` order.
///
/// This is the search genome: what a user or the search chooses. Everything concrete (derived weight codes, shifts,
/// accumulator types) is derived from it by `IntegerPlan`.
public struct PrecisionConfiguration: Hashable, Sendable, Codable, CustomStringConvertible {
  /// One pair per weighted layer.
  public var layers: [LayerPrecision]

  /// Creates a per-layer configuration.
  public init(layers: [LayerPrecision]) { self.layers = layers }

  /// Creates a configuration from parallel lists of weight and activation bits.
  public init(weightBits: [Int], activationBits: [Int]) throws {
    guard weightBits.count == activationBits.count else {
      throw PrecisionError("weight bits list has \(weightBits.count) values but activation bits list has \(activationBits.count)")
    }
    layers = zip(weightBits, activationBits).map { LayerPrecision(weightBits: $0, activationBits: $1) }
  }

  /// The same pair for all `layerCount` layers.
  public static func uniform(weightBits: Int, activationBits: Int, layerCount: Int) -> PrecisionConfiguration {
    PrecisionConfiguration(layers: Array(repeating: LayerPrecision(weightBits: weightBits, activationBits: activationBits),
                                         count: layerCount))
  }

  /// `bits` for weights and activations of all `layerCount` layers.
  public static func uniform(_ bits: Int, layerCount: Int) -> PrecisionConfiguration {
    uniform(weightBits: bits, activationBits: bits, layerCount: layerCount)
  }

  /// Checks the layer count against `network` and every width against 2...16.
  public func validate(for network: Network) throws {
    let names = network.weightedLayerNames
    guard layers.count == names.count else {
      throw PrecisionError("the configuration has \(layers.count) layer precisions but the network has \(names.count) weighted layers (\(names.joined(separator: ", ")))")
    }
    let range = LayerPrecision.minimumBits...LayerPrecision.maximumBits
    for (p, name) in zip(layers, names) {
      guard range.contains(p.weightBits) else {
        throw PrecisionError("layer '\(name)': weight bits \(p.weightBits) outside \(range.lowerBound)...\(range.upperBound)")
      }
      guard range.contains(p.activationBits) else {
        throw PrecisionError("layer '\(name)': activation bits \(p.activationBits) outside \(range.lowerBound)...\(range.upperBound)")
      }
    }
  }

  /// `w8a8,w4a8,...`.
  public var description: String { layers.map(\.description).joined(separator: ",") }
}

/// An invalid precision configuration or request.
public struct PrecisionError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What is wrong and what was expected.
  public var description: String
  /// Creates an error.
  public init(_ description: String) { self.description = description }
}
