import CKernels
import FixedPointArithmetic

/// The exact accumulator an optimized weighted layer uses. All three give results bit-identical to the Int64
/// reference; which one runs is a speed choice made once per layer at plan time.
///
/// Bound: |weight code| <= 2^(bw-1) and |activation code| <= 2^(ba-1), so every partial sum of the `fanIn` products
/// is an integer of magnitude <= 2^(bw + ba - 2 + ceilLog2(fanIn)).
///
/// Depthwise layers pick their own exact lanes from the same bound (Float, Double or Int64, see `DepthwiseLanes`).
public enum AccumulatorKind: String, Hashable, Sendable, Codable {
  /// Float32 lanes holding integers: exact because every partial sum is an integer below 2^24 in magnitude
  /// (bw + ba + ceilLog2(fanIn) <= 26). Fastest on CPUs with wide FMA units.
  case exactFloat32
  /// Int32 (bw + ba + ceilLog2(fanIn) <= 31).
  case int32
  /// Int64 (always exact: at most 2^(30 + 28)). The optimized kernels run it in Double lanes when
  /// bw + ba - 2 + ceilLog2(fanIn) <= 51 (exact likewise: every partial sum is an integer of at most 2^51).
  case int64
  /// Int32 lanes fed by 8-bit dot products: activation codes offset to unsigned bytes times signed weight bytes,
  /// minus offset * (sum of the weights) through the bias. Used when both widths are <= 8 and the layer is not
  /// grouped, in one of two forms (`Int8DotProductForm`):
  /// - AVX-512 VNNI `vpdpbusd` when the CPU has it: offset 128, paddedFanIn * 255 * 128 < 2^31;
  /// - else AVX2 `vpmaddubsw` + `vpmaddwd` (on AVX2 CPUs) when no Int16 lane can saturate: with `u` the largest
  ///   unsigned activation byte (2^(ba-1) - 1 when the input is provably non-negative, offset 0; else 2^ba - 1,
  ///   offset 2^(ba-1)) and |w| <= 2^(bw-1), the sum of two products is at most u * 2^bw in magnitude, which must be
  ///   <= 32767 (non-negative input: ba + bw <= 16, so 8 x 8 bits fits; signed: ba + bw <= 15), and
  ///   paddedFanIn * u * 2^(bw-1) < 2^31.
  case int8DotProduct

  /// True when this CPU runs the 8-bit dot-product kernel (checked once) and `KernelInstructionSet` is not capped
  /// below `.avx512`; read when a plan is made.
  public static var int8DotProductAvailable: Bool { precsearch_has_int8_dot_product() == 1 }

  /// The cheapest exact accumulator for a layer with the given widths, fan-in (after padding to the kernel's
  /// granule) and grouping, when nothing is known about the sign of its input.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int, paddedFanIn: Int, grouped: Bool)
    -> AccumulatorKind {
    resolve(weightBits: weightBits, activationBits: activationBits, fanIn: fanIn, paddedFanIn: paddedFanIn,
            grouped: grouped, inputIsNonNegative: false).kind
  }

  /// The cheapest exact accumulator and, for `.int8DotProduct`, its form; `inputIsNonNegative` says that every
  /// input code of the layer is provably >= 0 (see `WeightedLayerParameters.inputIsNonNegative`). Decided once, at
  /// plan time, from the CPU and the cap then in force.
  static func resolve(weightBits: Int, activationBits: Int, fanIn: Int, paddedFanIn: Int, grouped: Bool,
                      inputIsNonNegative: Bool) -> (kind: AccumulatorKind, int8Form: Int8DotProductForm?) {
    if !grouped, weightBits <= 8, activationBits <= 8 {
      if int8DotProductAvailable, paddedFanIn <= (Int(Int32.max) / (255 * 128)) {
        return (.int8DotProduct, .vectorNeuralNetwork)
      }
      if KernelInstructionSet.current >= .avx2,
         let form = Int8DotProductForm.pairs(weightBits: weightBits, activationBits: activationBits,
                                             paddedFanIn: paddedFanIn, inputIsNonNegative: inputIsNonNegative) {
        return (.int8DotProduct, form)
      }
    }
    return (choose(weightBits: weightBits, activationBits: activationBits, fanIn: fanIn), nil)
  }

  /// The cheapest exact accumulator among Float32, Int32 and Int64 for a layer.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int) -> AccumulatorKind {
    let bits = weightBits + activationBits + ceilLog2(fanIn)
    if bits <= 26 { return .exactFloat32 }
    if bits <= 31 { return .int32 }
    return .int64
  }
}

/// How an `.int8DotProduct` layer runs: the instructions, the offset that makes activation codes unsigned bytes,
/// and (AVX2) how many groups of 4 products the saturating Int16 lanes may sum before they are widened.
struct Int8DotProductForm: Hashable, Sendable {
  /// Added to every activation code (and the padding value): byte = code + offset, in 0...255.
  var activationOffset: Int
  /// nil: AVX-512 VNNI `vpdpbusd` (`precsearch_gemm_u8s8`). Else `precsearch_gemm_u8s8_pairs` with this many
  /// groups of 4 k accumulated in Int16 lanes between widenings (>= 1).
  var groupsPerFlush: Int?

  /// The VNNI form: offset 128, no Int16 lanes.
  static let vectorNeuralNetwork = Int8DotProductForm(activationOffset: 128, groupsPerFlush: nil)

  /// The AVX2 `vpmaddubsw` form, or nil when an Int16 lane could saturate or a sum leave Int32.
  ///
  /// Bytes: a non-negative input keeps its codes (offset 0, bytes in 0...2^(ba-1) - 1); a signed one is offset by
  /// 2^(ba-1) (bytes in 0...2^ba - 1). Weights lie in [-2^(bw-1), 2^(bw-1) - 1]. One `vpmaddubsw` lane holds
  /// u1 w1 + u2 w2, of magnitude at most pairBound = maxByte * 2^bw; after `groupsPerFlush` groups it holds at most
  /// groupsPerFlush * pairBound, which must be <= 32767 (no saturation, no wrap-around); so groupsPerFlush =
  /// 32767 / pairBound, and the form exists only when that is >= 1. The Int32 sum is at most
  /// paddedFanIn * maxByte * 2^(bw-1) < 2^31.
  static func pairs(weightBits: Int, activationBits: Int, paddedFanIn: Int, inputIsNonNegative: Bool)
    -> Int8DotProductForm? {
    let offset = inputIsNonNegative ? 0 : 1 << (activationBits - 1)
    let maxByte = inputIsNonNegative ? (1 << (activationBits - 1)) - 1 : (1 << activationBits) - 1
    let pairBound = maxByte << weightBits  // >= 4: activation bits >= 2
    let groups = 32767 / pairBound
    guard groups >= 1, paddedFanIn * (maxByte << (weightBits - 1)) < 1 << 31 else { return nil }
    return Int8DotProductForm(activationOffset: offset, groupsPerFlush: min(groups, 1 << 12))
  }
}
