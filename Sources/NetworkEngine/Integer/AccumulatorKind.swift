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
  /// Int32 lanes fed by 8-bit dot products (AVX-512 VNNI `vpdpbusd`): activation codes offset by +128 to unsigned
  /// bytes times signed weight bytes, minus 128 * (sum of the weights). Used when both widths are <= 8, the layer is
  /// not grouped, the CPU has the instructions, and paddedFanIn * 255 * 128 < 2^31 (so no sum leaves Int32).
  case int8DotProduct

  /// True when this CPU runs the 8-bit dot-product kernel (checked once) and `KernelInstructionSet` is not capped
  /// below `.avx512`; read when a plan is made.
  public static var int8DotProductAvailable: Bool { precsearch_has_int8_dot_product() == 1 }

  /// The cheapest exact accumulator for a layer with the given widths, fan-in (after padding to the kernel's
  /// granule) and grouping.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int, paddedFanIn: Int, grouped: Bool)
    -> AccumulatorKind {
    if int8DotProductAvailable, !grouped, weightBits <= 8, activationBits <= 8,
       paddedFanIn <= (Int(Int32.max) / (255 * 128)) {
      return .int8DotProduct
    }
    return choose(weightBits: weightBits, activationBits: activationBits, fanIn: fanIn)
  }

  /// The cheapest exact accumulator among Float32, Int32 and Int64 for a layer.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int) -> AccumulatorKind {
    let bits = weightBits + activationBits + ceilLog2(fanIn)
    if bits <= 26 { return .exactFloat32 }
    if bits <= 31 { return .int32 }
    return .int64
  }
}
