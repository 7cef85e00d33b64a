import CKernels

/// Scalars the blocked GEMM micro-kernel runs on: Float and Double (exact for small enough integers, see below),
/// Int32 and Int64.
@usableFromInline protocol GEMMScalar: SIMDScalar, Numeric, Hashable, Codable {
  /// `GEMMKernel.run` in this scalar: the C kernel of `CKernels` (fused multiply-adds for Float and Double,
  /// wrapping integer lanes).
  static func blockedGEMM(a: UnsafePointer<Self>, rows: Int64, rowStride: Int64, segmentOffsets: UnsafePointer<Int64>,
                          segmentCount: Int64, segmentLength: Int64, b: UnsafePointer<Self>, columnStride: Int64,
                          c: UnsafeMutablePointer<Self>)
  /// Conversion from a stored Int16 code.
  init(code: Int16)
  /// The value as Int64 (exact for every value the kernels produce), without traps so that loops vectorize.
  var int64: Int64 { get }
}

extension Float: GEMMScalar {
  @inlinable @inline(__always)
  static func blockedGEMM(a: UnsafePointer<Self>, rows: Int64, rowStride: Int64, segmentOffsets: UnsafePointer<Int64>,
                          segmentCount: Int64, segmentLength: Int64, b: UnsafePointer<Self>, columnStride: Int64,
                          c: UnsafeMutablePointer<Self>) {
    precsearch_gemm_f32(a, rows, rowStride, segmentOffsets, segmentCount, segmentLength, b, columnStride, c)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  /// Only called on integral values below 2^24 in magnitude (the exactness precondition of the Float path):
  /// adding 1.5 * 2^52 in Double puts the integer in the low mantissa bits exactly (valid for |v| < 2^51).
  @inlinable @inline(__always) var int64: Int64 {
    let magic = 6_755_399_441_055_744.0
    return Int64(bitPattern: (Double(self) + magic).bitPattern) &- Int64(bitPattern: magic.bitPattern)
  }
}

/// Double lanes run the layers of Int64 accumulator kind whose bound is small enough (see
/// `WeightedLayerKernel.GEMMWeights.double`): every partial sum is an integer of magnitude <= 2^51, so each fused
/// multiply-add is exact and the result is the Int64 sum.
extension Double: GEMMScalar {
  @inlinable @inline(__always)
  static func blockedGEMM(a: UnsafePointer<Self>, rows: Int64, rowStride: Int64, segmentOffsets: UnsafePointer<Int64>,
                          segmentCount: Int64, segmentLength: Int64, b: UnsafePointer<Self>, columnStride: Int64,
                          c: UnsafeMutablePointer<Self>) {
    precsearch_gemm_f64(a, rows, rowStride, segmentOffsets, segmentCount, segmentLength, b, columnStride, c)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  /// Only called on integral values of magnitude <= 2^51 (the exactness precondition of the Double path).
  @inlinable @inline(__always) var int64: Int64 { exactInt64 }
}

extension Int32: GEMMScalar {
  @inlinable @inline(__always)
  static func blockedGEMM(a: UnsafePointer<Self>, rows: Int64, rowStride: Int64, segmentOffsets: UnsafePointer<Int64>,
                          segmentCount: Int64, segmentLength: Int64, b: UnsafePointer<Self>, columnStride: Int64,
                          c: UnsafeMutablePointer<Self>) {
    precsearch_gemm_i32(a, rows, rowStride, segmentOffsets, segmentCount, segmentLength, b, columnStride, c)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  @inlinable @inline(__always) var int64: Int64 { Int64(self) }
}

extension Int64: GEMMScalar {
  @inlinable @inline(__always)
  static func blockedGEMM(a: UnsafePointer<Self>, rows: Int64, rowStride: Int64, segmentOffsets: UnsafePointer<Int64>,
                          segmentCount: Int64, segmentLength: Int64, b: UnsafePointer<Self>, columnStride: Int64,
                          c: UnsafeMutablePointer<Self>) {
    precsearch_gemm_i64(a, rows, rowStride, segmentOffsets, segmentCount, segmentLength, b, columnStride, c)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  @inlinable @inline(__always) var int64: Int64 { self }
}

/// The blocked GEMM shared by the float path and the integer kernels: `C = A x B`.
///
/// - `A` is row-major `[rows][depth]` (im2col rows, see `ConvGeometry.im2col`), with `rows` a multiple of 4
///   (zero rows complete the last tile).
/// - `B` is `[depth][columnStride]`, `columnStride` a multiple of 16 (zero padded).
/// - `C` is `[rows][columnStride]`, fully written.
/// Register tiles: 4 rows x 32 columns when `columnStride` is a multiple of 32, else 4 rows x 16 columns with the
/// even and odd `k` accumulated separately and summed at the end (8 independent accumulators either way). The
/// summation order is fixed, so Float results are deterministic; integer scalars (and Float holding integers below
/// 2^24) are exact whenever the sum fits, which the callers guarantee.
@usableFromInline enum GEMMKernel {
  /// Rows per register tile.
  static let rowTile = 4

  @inlinable
  static func run<S: GEMMScalar>(a: UnsafePointer<S>, rows: Int, depth: Int, b: UnsafePointer<S>,
                                 columnStride: Int, c: UnsafeMutablePointer<S>) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 1) { offsets in
      offsets[0] = 0
      run(a: a, rows: rows, rowStride: depth, segmentOffsets: UnsafePointer(offsets.baseAddress!), segmentCount: 1,
          segmentLength: depth, b: b, columnStride: columnStride, c: c)
    }
  }

  /// The general form ("implicit GEMM"): row `r` of `A` is the concatenation of `segmentCount` runs of
  /// `segmentLength` values starting at `a + r * rowStride + segmentOffsets[s]`. With `rowStride = depth` and one
  /// segment it is an ordinary row-major matrix; with `rowStride = channels` and one segment per kernel tap it
  /// runs a stride-1 convolution straight from a zero-padded input, without im2col.
  ///
  /// The loops are C (`CKernels`, BlockedGEMM.c), compiled for several instruction sets and chosen at run time;
  /// every variant runs the tiles described above in the same order.
  @inlinable
  static func run<S: GEMMScalar>(a: UnsafePointer<S>, rows: Int, rowStride: Int, segmentOffsets: UnsafePointer<Int>,
                                 segmentCount: Int, segmentLength: Int, b: UnsafePointer<S>, columnStride: Int,
                                 c: UnsafeMutablePointer<S>) {
    // Int and Int64 have the same layout on every platform the package supports (64-bit only).
    let offsets = UnsafeRawPointer(segmentOffsets).assumingMemoryBound(to: Int64.self)
    S.blockedGEMM(a: a, rows: Int64(rows), rowStride: Int64(rowStride), segmentOffsets: offsets,
                  segmentCount: Int64(segmentCount), segmentLength: Int64(segmentLength), b: b,
                  columnStride: Int64(columnStride), c: c)
  }
}

/// Public entry point to the blocked Float GEMM (used by training): `C = A x B`.
public enum FloatGEMM {
  /// `A` row-major `[rows][depth]` with `rows` a multiple of 4, `B` `[depth][columnStride]` with `columnStride` a
  /// multiple of 16, `C` `[rows][columnStride]` (fully overwritten). Deterministic summation order.
  public static func multiply(a: UnsafePointer<Float>, rows: Int, depth: Int, b: UnsafePointer<Float>,
                              columnStride: Int, c: UnsafeMutablePointer<Float>) {
    precondition(rows % 4 == 0 && columnStride % 16 == 0, "rows must be a multiple of 4 and columnStride of 16")
    GEMMKernel.run(a: a, rows: rows, depth: depth, b: b, columnStride: columnStride, c: c)
  }
}

