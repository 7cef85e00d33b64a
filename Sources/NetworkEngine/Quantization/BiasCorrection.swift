import FixedPointArithmetic

/// Bias correction per (weighted layer, weight bit-width) (docs/arithmetic.md, "Bias correction"): the expected
/// output shift that deriving b-bit weights from the 16-bit master causes, `sum_k (w_b[c,k] - w16[c,k]) * E[x_k]`,
/// subtracted from the bias at the accumulator scale. `E[x_k]` is the calibration mean of the layer's input at the
/// input channel weight k reads (`ActivationRange.channelMeans`) times the fraction of output positions at which
/// weight k's tap meets the input rather than the zero padding (`tapFractions(_:)`). The one owner of the setting and its names, used
/// by `--bias-correction` and recorded as `model.biasCorrection` in a Pareto JSON (absent: `off`).
public enum BiasCorrection: String, CaseIterable, Codable, Hashable, Sendable {
  /// No correction: the bias is the master's, shifted (as before the setting existed).
  case off
  /// The bias of every weighted layer is corrected by the expected shift of its derived weights.
  case on

  /// The setting of `options`.
  public init(_ options: QuantizationOptions) { self = options.biasCorrection ? .on : .off }

  /// `options` with this setting.
  public func applied(to options: QuantizationOptions) -> QuantizationOptions {
    var result = options
    result.biasCorrection = self == .on
    return result
  }

  /// The table of one layer: `table[b][c]` for b in 0...16 (entries below `LayerPrecision.minimumBits` empty) is
  /// `D = sum over channel c's weights k of (derive(q_k, b, s_c,b) * 2^(16 - b - s_c,b) - q_k) * means[inputChannel(k)]
  /// * tapFractions[tap(k)]`, summed in Double in weight order: the expected error of output channel c in units of
  /// 2^-f16_c (its master fraction) times the input's real units. Each term's code difference is an exact integer.
  /// Weight k of a channel reads tap `k / perGroup` and input channel `group * perGroup + k % perGroup`, with
  /// `perGroup = means.count / groups`.
  ///
  /// - Parameters:
  ///   - codes: The layer's 16-bit master codes, `[outputChannels][fanIn]` (each output channel's `fanIn` codes
  ///     contiguous; for Conv2D `fanIn = kernelHeight * kernelWidth * inputChannels / groups`, channels fastest).
  ///   - outputChannels: Output channels of the layer.
  ///   - groups: Channel groups (1 for Dense and ordinary Conv2D).
  ///   - means: One calibration mean per input channel of the layer's input tensor.
  ///   - tapFractions: Per kernel tap (row-major), the fraction of output positions where it meets the input
  ///     (`tapFractions(_:)`); `[1]` for Dense.
  ///   - windowShift: The window shift of output channel c at b bits.
  public static func table(codes: [Int16], outputChannels: Int, groups: Int, means: [Float], tapFractions: [Double],
                           windowShift: (_ channel: Int, _ bits: Int) -> Int) -> [[Double]] {
    let fanIn = codes.count / max(outputChannels, 1)
    let perGroup = means.count / max(groups, 1)
    let outputsPerGroup = outputChannels / max(groups, 1)
    var table = Array(repeating: [Double](), count: LayerPrecision.maximumBits + 1)
    for b in LayerPrecision.minimumBits...LayerPrecision.maximumBits {
      table[b] = (0..<outputChannels).map { c in
        let s = windowShift(c, b)
        let scale = Double(sign: .plus, exponent: 16 - b - s, significand: 1)
        let firstInput = (c / max(outputsPerGroup, 1)) * perGroup
        var sum = 0.0
        for k in 0..<fanIn {
          let q = codes[c * fanIn + k]
          let error = Double(MasterPrecision.derive(q, toBitWidth: b, windowShift: s)) * scale - Double(q)
          if error != 0 {
            sum += error * (Double(means[firstInput + k % max(perGroup, 1)]) * tapFractions[k / max(perGroup, 1)])
          }
        }
        return sum
      }
    }
    return table
  }

  /// Per tap (ky, kx) of `geometry`'s kernel, row-major: the number of output positions whose tap position
  /// `(oy * strideHeight - padTop + ky * dilationHeight, ox * strideWidth - padLeft + kx * dilationWidth)` lies
  /// inside the input, divided by the number of output positions (padded positions read 0).
  public static func tapFractions(_ geometry: ConvGeometry) -> [Double] {
    func valid(_ outputs: Int, _ inputs: Int, stride: Int, pad: Int, dilation: Int, tap: Int) -> Int {
      (0..<outputs).filter { (0..<inputs).contains($0 * stride - pad + tap * dilation) }.count
    }
    let positions = Double(max(geometry.outputPixels, 1))
    var fractions: [Double] = []
    for ky in 0..<geometry.kernelHeight {
      let rows = valid(geometry.output.height, geometry.input.height, stride: geometry.strideHeight,
                       pad: geometry.padTop, dilation: geometry.dilationHeight, tap: ky)
      for kx in 0..<geometry.kernelWidth {
        let columns = valid(geometry.output.width, geometry.input.width, stride: geometry.strideWidth,
                            pad: geometry.padLeft, dilation: geometry.dilationWidth, tap: kx)
        fractions.append(Double(rows * columns) / positions)
      }
    }
    return fractions
  }

  /// The correction of one output channel at the accumulator scale: `round(D * 2^(f_a - (16 - b - s)))` (ties to
  /// even), saturated to +-2^62, where `D` is the table entry (`table(codes:outputChannels:groups:means:windowShift:)`),
  /// `f_a` the fractional bits of the layer's input codes and `16 - b - s` the bits the weight derivation drops.
  public static func accumulatorCorrection(_ d: Double, inputFractionalBits fa: Int, droppedWeightBits: Int) -> Int64 {
    let limit = Int64(1) << 62
    let value = Int64(saturating: scaledByPowerOfTwo(d, fa - droppedWeightBits), rounding: .toNearestOrEven)
    return min(max(value, -limit), limit)
  }

  /// The corrected bias at the accumulator scale: `saturate_±2^62(bias - correction)`, for `bias` and `correction`
  /// each within +-2^62 (the difference is computed with saturation, which the clamp makes exact).
  public static func corrected(bias: Int64, correction: Int64) -> Int64 {
    let limit = Int64(1) << 62
    return min(max(bias.subtractingWithSaturation(correction), -limit), limit)
  }
}
