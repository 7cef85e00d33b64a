/// Scalars the blocked GEMM micro-kernel runs on: Float and Double (exact for small enough integers, see below),
/// Int32 and Int64.
@usableFromInline protocol GEMMScalar: SIMDScalar, Numeric, Hashable, Codable {
  /// Lane-wise sum (wrapping for integers; never wraps here because sums are exact by construction).
  static func sum(_ lhs: SIMD16<Self>, _ rhs: SIMD16<Self>) -> SIMD16<Self>
  /// acc + w * broadcast(a), lane-wise (fused for Float).
  static func multiplyAccumulate(_ acc: SIMD16<Self>, _ w: SIMD16<Self>, _ a: Self) -> SIMD16<Self>
  /// Conversion from a stored Int16 code.
  init(code: Int16)
  /// The value as Int64 (exact for every value the kernels produce), without traps so that loops vectorize.
  var int64: Int64 { get }
}

extension Float: GEMMScalar {
  @inlinable @inline(__always)
  static func sum(_ lhs: SIMD16<Float>, _ rhs: SIMD16<Float>) -> SIMD16<Float> { lhs + rhs }
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Float>, _ w: SIMD16<Float>, _ a: Float) -> SIMD16<Float> {
    acc.addingProduct(w, SIMD16(repeating: a))
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
  static func sum(_ lhs: SIMD16<Double>, _ rhs: SIMD16<Double>) -> SIMD16<Double> { lhs + rhs }
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Double>, _ w: SIMD16<Double>, _ a: Double) -> SIMD16<Double> {
    acc.addingProduct(w, SIMD16(repeating: a))
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  /// Only called on integral values of magnitude <= 2^51 (the exactness precondition of the Double path).
  @inlinable @inline(__always) var int64: Int64 { exactInt64 }
}

extension Int32: GEMMScalar {
  @inlinable @inline(__always)
  static func sum(_ lhs: SIMD16<Int32>, _ rhs: SIMD16<Int32>) -> SIMD16<Int32> { lhs &+ rhs }
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Int32>, _ w: SIMD16<Int32>, _ a: Int32) -> SIMD16<Int32> {
    acc &+ w &* SIMD16(repeating: a)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  @inlinable @inline(__always) var int64: Int64 { Int64(self) }
}

extension Int64: GEMMScalar {
  @inlinable @inline(__always)
  static func sum(_ lhs: SIMD16<Int64>, _ rhs: SIMD16<Int64>) -> SIMD16<Int64> { lhs &+ rhs }
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Int64>, _ w: SIMD16<Int64>, _ a: Int64) -> SIMD16<Int64> {
    acc &+ w &* SIMD16(repeating: a)
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
  @inlinable
  static func run<S: GEMMScalar>(a: UnsafePointer<S>, rows: Int, rowStride: Int, segmentOffsets: UnsafePointer<Int>,
                                 segmentCount: Int, segmentLength: Int, b: UnsafePointer<S>, columnStride: Int,
                                 c: UnsafeMutablePointer<S>) {
    let rowBytes = columnStride * MemoryLayout<S>.stride
    let vector = 16 * MemoryLayout<S>.stride
    var r = 0
    while r < rows {
      let base0 = a + r * rowStride, base1 = base0 + rowStride, base2 = base1 + rowStride, base3 = base2 + rowStride
      var o = 0
      if columnStride % 32 == 0 {
        while o < columnStride {
          var c00 = SIMD16<S>(), c01 = SIMD16<S>(), c10 = SIMD16<S>(), c11 = SIMD16<S>()
          var c20 = SIMD16<S>(), c21 = SIMD16<S>(), c30 = SIMD16<S>(), c31 = SIMD16<S>()
          var bp = UnsafeRawPointer(b + o)
          for segment in 0..<segmentCount {
            let offset = segmentOffsets[segment]
            let r0 = base0 + offset, r1 = base1 + offset, r2 = base2 + offset, r3 = base3 + offset
            for k in 0..<segmentLength {
              let w0 = bp.loadUnaligned(as: SIMD16<S>.self)
              let w1 = bp.loadUnaligned(fromByteOffset: vector, as: SIMD16<S>.self)
              let a0 = r0[k], a1 = r1[k], a2 = r2[k], a3 = r3[k]
              c00 = S.multiplyAccumulate(c00, w0, a0); c01 = S.multiplyAccumulate(c01, w1, a0)
              c10 = S.multiplyAccumulate(c10, w0, a1); c11 = S.multiplyAccumulate(c11, w1, a1)
              c20 = S.multiplyAccumulate(c20, w0, a2); c21 = S.multiplyAccumulate(c21, w1, a2)
              c30 = S.multiplyAccumulate(c30, w0, a3); c31 = S.multiplyAccumulate(c31, w1, a3)
              bp += rowBytes
            }
          }
          let d = UnsafeMutableRawPointer(c + r * columnStride + o)
          d.storeBytes(of: c00, as: SIMD16<S>.self); d.storeBytes(of: c01, toByteOffset: vector, as: SIMD16<S>.self)
          (d + rowBytes).storeBytes(of: c10, as: SIMD16<S>.self)
          (d + rowBytes).storeBytes(of: c11, toByteOffset: vector, as: SIMD16<S>.self)
          (d + 2 * rowBytes).storeBytes(of: c20, as: SIMD16<S>.self)
          (d + 2 * rowBytes).storeBytes(of: c21, toByteOffset: vector, as: SIMD16<S>.self)
          (d + 3 * rowBytes).storeBytes(of: c30, as: SIMD16<S>.self)
          (d + 3 * rowBytes).storeBytes(of: c31, toByteOffset: vector, as: SIMD16<S>.self)
          o += 32
        }
      } else {
        while o < columnStride {
          var e0 = SIMD16<S>(), e1 = SIMD16<S>(), e2 = SIMD16<S>(), e3 = SIMD16<S>()
          var f0 = SIMD16<S>(), f1 = SIMD16<S>(), f2 = SIMD16<S>(), f3 = SIMD16<S>()
          var bp = UnsafeRawPointer(b + o)
          for segment in 0..<segmentCount {
            let offset = segmentOffsets[segment]
            let r0 = base0 + offset, r1 = base1 + offset, r2 = base2 + offset, r3 = base3 + offset
            var k = 0
            while k + 1 < segmentLength {
              let w0 = bp.loadUnaligned(as: SIMD16<S>.self)
              let w1 = bp.loadUnaligned(fromByteOffset: rowBytes, as: SIMD16<S>.self)
              e0 = S.multiplyAccumulate(e0, w0, r0[k]); f0 = S.multiplyAccumulate(f0, w1, r0[k + 1])
              e1 = S.multiplyAccumulate(e1, w0, r1[k]); f1 = S.multiplyAccumulate(f1, w1, r1[k + 1])
              e2 = S.multiplyAccumulate(e2, w0, r2[k]); f2 = S.multiplyAccumulate(f2, w1, r2[k + 1])
              e3 = S.multiplyAccumulate(e3, w0, r3[k]); f3 = S.multiplyAccumulate(f3, w1, r3[k + 1])
              bp += 2 * rowBytes
              k += 2
            }
            if k < segmentLength {
              let w0 = bp.loadUnaligned(as: SIMD16<S>.self)
              e0 = S.multiplyAccumulate(e0, w0, r0[k]); e1 = S.multiplyAccumulate(e1, w0, r1[k])
              e2 = S.multiplyAccumulate(e2, w0, r2[k]); e3 = S.multiplyAccumulate(e3, w0, r3[k])
              bp += rowBytes
            }
          }
          let d = UnsafeMutableRawPointer(c + r * columnStride + o)
          d.storeBytes(of: S.sum(e0, f0), as: SIMD16<S>.self)
          (d + rowBytes).storeBytes(of: S.sum(e1, f1), as: SIMD16<S>.self)
          (d + 2 * rowBytes).storeBytes(of: S.sum(e2, f2), as: SIMD16<S>.self)
          (d + 3 * rowBytes).storeBytes(of: S.sum(e3, f3), as: SIMD16<S>.self)
          o += 16
        }
      }
      r += 4
    }
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

