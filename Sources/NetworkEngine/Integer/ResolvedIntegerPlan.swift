/// A read-only view of how the integer engine resolves one precision configuration: the stored width and format of
/// every tensor and, per node, the exact integer parameters its step runs with (shifts, saturation widths, bias at
/// the accumulator scale, window shifts, geometry). It is the same resolution `IntegerPlan` and
/// `MultiPrecisionPlan` execute (`ResolvedConfiguration`), exposed for code generators that must reproduce the
/// engine bit for bit (the C export, docs/export.md) instead of re-deriving the arithmetic.
public struct ResolvedIntegerPlan: Sendable {
  /// The configuration resolved.
  public let configuration: PrecisionConfiguration
  /// Stored bit-width of every node's output (as `IntegerPlan.storageBits`).
  public let storageBits: [Int]
  /// Fractional bits of every node's stored output (as `IntegerPlan.storageFractionalBits`).
  public let storageFractionalBits: [Int]
  /// One step per node of the folded network, in node order.
  public let steps: [ResolvedIntegerStep]

  /// Resolves `configuration` against `model` exactly as `IntegerPlan(model:configuration:)` does.
  ///
  /// - Throws: `PrecisionError` when the configuration does not fit the network.
  public init(model: FixedPointModel, configuration: PrecisionConfiguration) throws {
    let resolved = try ResolvedConfiguration(model: model, configuration: configuration)
    self.configuration = configuration
    storageBits = resolved.storageBits
    storageFractionalBits = resolved.storageFractionalBits
    steps = resolved.steps.map { step in
      switch step {
      case .weighted(let layer):
        return .weighted(ResolvedWeightedLayer(layerIndex: layer.layer, parameters: layer.parameters,
                                               geometry: layer.geometry, bias: layer.bias,
                                               biasCorrection: layer.biasCorrection,
                                               weightWindowShift: layer.weightWindowShift,
                                               channelWindowShifts: layer.channelWindowShifts))
      case .fixed(let fixed):
        switch fixed {
        case .input(let bits, let fractionalBits): return .input(bits: bits, fractionalBits: fractionalBits)
        case .weighted: preconditionFailure("weighted layers are resolved as .weighted")
        case .relu: return .relu
        case .relu6(let six): return .relu6(six: six)
        case .maxPool(let geometry): return .maxPool(geometry)
        case .avgPool(let geometry): return .avgPool(geometry)
        case .globalAvgPool: return .globalAvgPool
        case .add(let parameters): return .add(parameters)
        case .copy: return .copy
        }
      }
    }
  }
}

/// One node's integer step at a resolved configuration (see docs/arithmetic.md for each).
public enum ResolvedIntegerStep: Hashable, Sendable {
  /// The network input, quantized to `bits` with `fractionalBits`.
  case input(bits: Int, fractionalBits: Int)
  /// A Conv2D or Dense layer (Dense as a 1x1 convolution of a 1x1xN input).
  case weighted(ResolvedWeightedLayer)
  /// `max(q, 0)`.
  case relu
  /// `min(max(q, 0), six)`.
  case relu6(six: Int16)
  /// Maximum over the valid window elements.
  case maxPool(ConvGeometry)
  /// Rounded mean (ties to even) over the valid window elements.
  case avgPool(ConvGeometry)
  /// Rounded mean (ties to even) over all pixels, per channel.
  case globalAvgPool
  /// Aligned, exact, saturating sum, requantized into the output format.
  case add(AddParameters)
  /// A copy of the input codes (Flatten, and Softmax, whose probabilities are computed in Float outside).
  case copy
}

/// A weighted layer at one configuration, without its derived weight codes.
public struct ResolvedWeightedLayer: Hashable, Sendable {
  /// Index of the layer in `FixedPointModel.layers` (and in the configuration).
  public let layerIndex: Int
  /// Widths and shifts (every shift a right shift; negative means a saturating left shift).
  public let parameters: WeightedLayerParameters
  /// Window geometry (HWC; weights `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`).
  public let geometry: ConvGeometry
  /// Bias codes at the accumulator scale, saturated to +-2^62 (bias correction included).
  public let bias: [Int64]
  /// Bias correction (`QuantizationOptions.biasCorrection`): per output channel the correction at the accumulator
  /// scale (within +-2^62) that `bias` includes: `bias = BiasCorrection.corrected(bias: shifted master,
  /// correction:)`. Empty without it.
  public let biasCorrection: [Int64]
  /// The window shift the weight codes are derived with (`MasterPrecision.derive`); unused with per-channel
  /// formats.
  public let weightWindowShift: Int
  /// Per-channel weight formats (`FixedPointModel.LayerMaster.isPerChannel`): the window shift output channel c's
  /// codes are derived with. Empty for a per-tensor layer. The channels' requantization shifts are
  /// `parameters.outputShift(channel:)`.
  public let channelWindowShifts: [Int]

  /// The window shift output channel `c`'s codes are derived with.
  public func weightWindowShift(channel c: Int) -> Int {
    channelWindowShifts.isEmpty ? weightWindowShift : channelWindowShifts[c]
  }
}
