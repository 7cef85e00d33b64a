/// Scalars the blocked GEMM micro-kernel runs on: Float (exact for small integers, see below), Int32 and Int64.
@usableFromInline protocol GEMMScalar: SIMDScalar, Numeric {
  /// acc + w * broadcast(a), lane-wise (fused for Float).
  static func multiplyAccumulate(_ acc: SIMD16<Self>, _ w: SIMD16<Self>, _ a: Self) -> SIMD16<Self>
  /// Conversion from a stored Int16 code.
  init(code: Int16)
  /// The value as Int64 (exact for every value the kernels produce).
  var int64: Int64 { get }
}

extension Float: GEMMScalar {
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Float>, _ w: SIMD16<Float>, _ a: Float) -> SIMD16<Float> {
    acc.addingProduct(w, SIMD16(repeating: a))
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  /// Only called on integral values below 2^24 in magnitude (the exactness precondition of the Float path).
  @inlinable @inline(__always) var int64: Int64 { Int64(self) }
}

extension Int32: GEMMScalar {
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Int32>, _ w: SIMD16<Int32>, _ a: Int32) -> SIMD16<Int32> {
    acc &+ w &* SIMD16(repeating: a)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  @inlinable @inline(__always) var int64: Int64 { Int64(self) }
}

extension Int64: GEMMScalar {
  @inlinable @inline(__always)
  static func multiplyAccumulate(_ acc: SIMD16<Int64>, _ w: SIMD16<Int64>, _ a: Int64) -> SIMD16<Int64> {
    acc &+ w &* SIMD16(repeating: a)
  }
  @inlinable @inline(__always) init(code: Int16) { self.init(code) }
  @inlinable @inline(__always) var int64: Int64 { self }
}

/// The blocked GEMM shared by the float path and the integer kernels:
/// `C[p][o] = sum_k A[p][k] * B[k][o]` for `p` in `0..<rows`, `o` in `0..<columns`.
///
/// `A` is row-major `[rows][depth]` (im2col rows), `B` is `[depth][columnStride]` with `columnStride` a multiple of
/// 16 (zero padded), and the result goes to `store(p, o, value)` for `o < columns` only. The tile is 8 rows x 16
/// columns held in registers; products are accumulated over `k` in increasing order, so Float results are
/// deterministic, and for integer scalars the sum is exact whenever it fits the scalar (the callers guarantee it).
@usableFromInline enum GEMMKernel {
  @inlinable @inline(__always)
  static func run<S: GEMMScalar>(a: UnsafePointer<S>, rows: Int, depth: Int, b: UnsafePointer<S>, columns: Int,
                                 columnStride: Int, store: (Int, Int, S) -> Void) {
    var p = 0
    while p < rows {
      let tile = min(8, rows - p)
      var o = 0
      while o < columns {
        var c0 = SIMD16<S>(), c1 = SIMD16<S>(), c2 = SIMD16<S>(), c3 = SIMD16<S>()
        var c4 = SIMD16<S>(), c5 = SIMD16<S>(), c6 = SIMD16<S>(), c7 = SIMD16<S>()
        let r0 = a + p * depth
        if tile == 8 {
          let r1 = r0 + depth, r2 = r1 + depth, r3 = r2 + depth, r4 = r3 + depth, r5 = r4 + depth
          let r6 = r5 + depth, r7 = r6 + depth
          var bp = UnsafeRawPointer(b + o)
          for k in 0..<depth {
            let w = bp.loadUnaligned(as: SIMD16<S>.self)
            c0 = S.multiplyAccumulate(c0, w, r0[k]); c1 = S.multiplyAccumulate(c1, w, r1[k])
            c2 = S.multiplyAccumulate(c2, w, r2[k]); c3 = S.multiplyAccumulate(c3, w, r3[k])
            c4 = S.multiplyAccumulate(c4, w, r4[k]); c5 = S.multiplyAccumulate(c5, w, r5[k])
            c6 = S.multiplyAccumulate(c6, w, r6[k]); c7 = S.multiplyAccumulate(c7, w, r7[k])
            bp += columnStride * MemoryLayout<S>.stride
          }
        } else {
          for t in 0..<tile {
            let r = r0 + t * depth
            var c = SIMD16<S>()
            var bp = UnsafeRawPointer(b + o)
            for k in 0..<depth {
              c = S.multiplyAccumulate(c, bp.loadUnaligned(as: SIMD16<S>.self), r[k])
              bp += columnStride * MemoryLayout<S>.stride
            }
            switch t {
            case 0: c0 = c
            case 1: c1 = c
            case 2: c2 = c
            case 3: c3 = c
            case 4: c4 = c
            case 5: c5 = c
            case 6: c6 = c
            default: c7 = c
            }
          }
        }
        let width = min(16, columns - o)
        let accumulators = (c0, c1, c2, c3, c4, c5, c6, c7)
        withUnsafeBytes(of: accumulators) { raw in
          let values = raw.bindMemory(to: S.self)
          for t in 0..<tile {
            for j in 0..<width { store(p + t, o + j, values[t * 16 + j]) }
          }
        }
        o += 16
      }
      p += 8
    }
  }
}
