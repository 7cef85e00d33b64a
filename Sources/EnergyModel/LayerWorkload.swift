/// What one weighted layer (convolution or dense) does for one inference, independent of precision.
///
/// The energy model prices these counts; it never looks at the network itself. Glue code maps each weighted layer
/// of a network onto one `LayerWorkload`, in execution order.
///
/// Every count is in `0 ... LayerWorkload.maximumCount` (2^50); with bit widths of at most 32 the bit counts derived
/// from them stay below 2^55 and cannot overflow `Int`.
public struct LayerWorkload: Sendable, Hashable, Codable {
  /// The largest accepted count, 2^50 (about 1.1e15).
  public static let maximumCount: Int = 1 << 50

  /// The layer's name (unique within one workload list; measurement rows refer to layers by it).
  public var name: String
  /// Multiply-accumulates per inference.
  public var macs: Int
  /// Weights read per inference (each weight once), excluding biases.
  public var weightCount: Int
  /// Biases read per inference. They are stored at the table's `biasBits` (accumulator width), whatever the weight
  /// precision, and are charged to the weight-read memory term.
  public var biasCount: Int
  /// Activation elements read per inference (the layer's input tensor, each element once).
  public var inputElements: Int
  /// Activation elements written per inference (the layer's output tensor, each element once).
  public var outputElements: Int

  /// Creates a workload. Counts are validated by ``validate()`` (the estimator calls it).
  ///
  /// - Parameters:
  ///   - name: The layer name.
  ///   - macs: Multiply-accumulates per inference.
  ///   - weightCount: Weights read per inference, excluding biases.
  ///   - biasCount: Biases read per inference (default 0).
  ///   - inputElements: Activation elements read.
  ///   - outputElements: Activation elements written.
  public init(name: String, macs: Int, weightCount: Int, biasCount: Int = 0, inputElements: Int, outputElements: Int) {
    self.name = name
    self.macs = macs
    self.weightCount = weightCount
    self.biasCount = biasCount
    self.inputElements = inputElements
    self.outputElements = outputElements
  }

  /// Throws ``EnergyModelError/invalidWorkload(layer:field:value:expected:)`` if a count is negative or above
  /// ``maximumCount``.
  public func validate() throws {
    let fields: [(String, Int)] = [
      ("macs", macs), ("weightCount", weightCount), ("biasCount", biasCount),
      ("inputElements", inputElements), ("outputElements", outputElements),
    ]
    for (field, value) in fields where value < 0 || value > Self.maximumCount {
      throw EnergyModelError.invalidWorkload(
        layer: name, field: field, value: value, expected: "a count in 0...\(Self.maximumCount)")
    }
  }
}

/// A layer's precision: weight bits, input-activation bits and output-activation bits.
///
/// `outputBits` is the precision the layer's output is written at: the next layer's `activationBits`, or 16 for the
/// network output (see ``sequential(weightBits:activationBits:finalOutputBits:)``). Each width is in
/// `LayerPrecisionBits.validRange` (1...32); the table decides which pairs it can run.
public struct LayerPrecisionBits: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The widths accepted by validation, in bits.
  public static let validRange: ClosedRange<Int> = 1 ... 32

  /// Weight width, in bits.
  public var weightBits: Int
  /// Input-activation width, in bits.
  public var activationBits: Int
  /// Output-activation width, in bits (the next layer's input width; 16 for the network output).
  public var outputBits: Int

  /// Creates a precision triple.
  public init(weightBits: Int, activationBits: Int, outputBits: Int) {
    self.weightBits = weightBits
    self.activationBits = activationBits
    self.outputBits = outputBits
  }

  /// The same `bits` for weights, input and output activations.
  public static func uniform(_ bits: Int) -> LayerPrecisionBits {
    LayerPrecisionBits(weightBits: bits, activationBits: bits, outputBits: bits)
  }

  /// The precisions of a chain of layers: layer `i` writes its output at layer `i + 1`'s activation width, and the
  /// last layer at `finalOutputBits`.
  ///
  /// - Parameters:
  ///   - weightBits: Weight width per layer, in bits.
  ///   - activationBits: Input-activation width per layer, in bits; same count as `weightBits`.
  ///   - finalOutputBits: Output width of the last layer, in bits (default 16).
  /// - Throws: ``EnergyModelError/layerCountMismatch(workloads:precisions:)`` if the two lists differ in length.
  public static func sequential(weightBits: [Int], activationBits: [Int], finalOutputBits: Int = 16) throws
    -> [LayerPrecisionBits]
  {
    guard weightBits.count == activationBits.count else {
      throw EnergyModelError.layerCountMismatch(workloads: weightBits.count, precisions: activationBits.count)
    }
    return weightBits.indices.map { i in
      LayerPrecisionBits(
        weightBits: weightBits[i], activationBits: activationBits[i],
        outputBits: i + 1 < activationBits.count ? activationBits[i + 1] : finalOutputBits)
    }
  }

  /// `w8a4o8` style.
  public var description: String { "w\(weightBits)a\(activationBits)o\(outputBits)" }

  /// Throws ``EnergyModelError/invalidPrecision(layer:field:value:expected:)`` if a width is outside ``validRange``.
  public func validate(layer: String) throws {
    let fields: [(String, Int)] = [
      ("weightBits", weightBits), ("activationBits", activationBits), ("outputBits", outputBits),
    ]
    for (field, value) in fields where !Self.validRange.contains(value) {
      throw EnergyModelError.invalidPrecision(
        layer: layer, field: field, value: value,
        expected: "a width in \(Self.validRange.lowerBound)...\(Self.validRange.upperBound) bits")
    }
  }
}
