/// The transposed-A GEMM of the weight gradients: `C += Aᵀ x B`, accumulating in place.
///
/// - `A` is `[depth][aStride]`; its columns `0..<rows` are the rows of `Aᵀ` (`rows` a multiple of 4; the columns
///   `rows - 4 ..< rows` are read even past a shorter logical width, so callers keep 3 readable floats of slack).
/// - `B` is `[depth][columnStride]`, `columnStride` a multiple of 16.
/// - `C` is `[rows][columnStride]`, read and written.
///
/// Register tiles: 4 rows x 32 columns when `columnStride` is a multiple of 32, else 4 rows x 16 columns with even
/// and odd `k` accumulated separately (8 independent accumulators either way), as in the engine's `FloatGEMM`.
/// With `A` = im2col rows `[pixels][fanIn]` and `B` = the output gradient `[pixels][outputChannels]`, this forms
/// `dW` in `[fanIn][outputChannels]` layout without transposing anything. Summation order is fixed (k ascending,
/// even/odd split as described), so results are deterministic.
enum TrainingGEMM {
  @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  static func accumulateTransposed(a: UnsafePointer<Float>, aStride: Int, rows: Int, depth: Int,
                                   b: UnsafePointer<Float>, columnStride: Int, c: UnsafeMutablePointer<Float>) {
    precondition(rows % 4 == 0 && columnStride % 16 == 0, "rows must be a multiple of 4 and columnStride of 16")
    var r = 0
    while r < rows {
      if columnStride % 32 != 0, r + 8 <= rows {
        accumulateTransposedEightRows(a: a + r, aStride: aStride, depth: depth, b: b, columnStride: columnStride,
                                      c: c + r * columnStride)
        r += 8
        continue
      }
      let c0 = c + r * columnStride, c1 = c0 + columnStride, c2 = c1 + columnStride, c3 = c2 + columnStride
      var o = 0
      if columnStride % 32 == 0 {
        while o < columnStride {
          var x00 = load(c0 + o), x01 = load(c0 + o + 16), x10 = load(c1 + o), x11 = load(c1 + o + 16)
          var x20 = load(c2 + o), x21 = load(c2 + o + 16), x30 = load(c3 + o), x31 = load(c3 + o + 16)
          var ap = a + r, bp = b + o
          for _ in 0..<depth {
            let w0 = load(bp), w1 = load(bp + 16)
            let a0 = SIMD16(repeating: ap[0]), a1 = SIMD16(repeating: ap[1])
            let a2 = SIMD16(repeating: ap[2]), a3 = SIMD16(repeating: ap[3])
            x00.addProduct(w0, a0); x01.addProduct(w1, a0)
            x10.addProduct(w0, a1); x11.addProduct(w1, a1)
            x20.addProduct(w0, a2); x21.addProduct(w1, a2)
            x30.addProduct(w0, a3); x31.addProduct(w1, a3)
            ap += aStride
            bp += columnStride
          }
          store(x00, c0 + o); store(x01, c0 + o + 16); store(x10, c1 + o); store(x11, c1 + o + 16)
          store(x20, c2 + o); store(x21, c2 + o + 16); store(x30, c3 + o); store(x31, c3 + o + 16)
          o += 32
        }
      } else {
        while o < columnStride {
          var e0 = load(c0 + o), e1 = load(c1 + o), e2 = load(c2 + o), e3 = load(c3 + o)
          var f0 = SIMD16<Float>(), f1 = SIMD16<Float>(), f2 = SIMD16<Float>(), f3 = SIMD16<Float>()
          var ap = a + r, bp = b + o
          var k = 0
          while k + 1 < depth {
            let w0 = load(bp), w1 = load(bp + columnStride)
            let aq = ap + aStride
            e0.addProduct(w0, SIMD16(repeating: ap[0])); f0.addProduct(w1, SIMD16(repeating: aq[0]))
            e1.addProduct(w0, SIMD16(repeating: ap[1])); f1.addProduct(w1, SIMD16(repeating: aq[1]))
            e2.addProduct(w0, SIMD16(repeating: ap[2])); f2.addProduct(w1, SIMD16(repeating: aq[2]))
            e3.addProduct(w0, SIMD16(repeating: ap[3])); f3.addProduct(w1, SIMD16(repeating: aq[3]))
            ap += 2 * aStride
            bp += 2 * columnStride
            k += 2
          }
          if k < depth {
            let w0 = load(bp)
            e0.addProduct(w0, SIMD16(repeating: ap[0])); e1.addProduct(w0, SIMD16(repeating: ap[1]))
            e2.addProduct(w0, SIMD16(repeating: ap[2])); e3.addProduct(w0, SIMD16(repeating: ap[3]))
          }
          store(e0 + f0, c0 + o); store(e1 + f1, c1 + o); store(e2 + f2, c2 + o); store(e3 + f3, c3 + o)
          o += 16
        }
      }
      r += 4
    }
  }
}

extension TrainingGEMM {
  /// Implicit-GEMM product over overlapping rows: `C[r][.] = sum over s of A_s[r] x B_s`, overwriting `C`.
  ///
  /// Row `r` of `A_s` starts at `a + r * aStride + s * segmentOffset` and has `segmentDepth` values; `B_s` is
  /// `b + s * segmentDepth * columnStride`, `[segmentDepth][columnStride]`. With `a` a zero-padded HWC image,
  /// `aStride` its channel count, `segmentOffset` one padded image row and `segmentDepth = kernelWidth * channels`,
  /// this is a stride-1 convolution without im2col (rows `r` index the padded-width output grid; the columns
  /// past the output width are junk and ignored by the caller). `rows` a multiple of 4, `columnStride` of 16.
  /// Summation order is fixed (segments ascending, k ascending with the even/odd split of the 16-column tile).
  static func multiplySegmented(a: UnsafePointer<Float>, aStride: Int, rows: Int, segments: Int, segmentOffset: Int,
                                segmentDepth: Int, b: UnsafePointer<Float>, columnStride: Int,
                                c: UnsafeMutablePointer<Float>) {
    precondition(rows % 4 == 0 && columnStride % 16 == 0, "rows must be a multiple of 4 and columnStride of 16")
    var r = 0
    while r < rows {
      if columnStride % 32 != 0, r + 8 <= rows {
        multiplySegmentedEightRows(a: a + r * aStride, aStride: aStride, segments: segments, segmentOffset: segmentOffset,
                                   segmentDepth: segmentDepth, b: b, columnStride: columnStride, c: c + r * columnStride)
        r += 8
        continue
      }
      let c0 = c + r * columnStride, c1 = c0 + columnStride, c2 = c1 + columnStride, c3 = c2 + columnStride
      var o = 0
      if columnStride % 32 == 0 {
        while o < columnStride {
          var x00 = SIMD16<Float>(), x01 = SIMD16<Float>(), x10 = SIMD16<Float>(), x11 = SIMD16<Float>()
          var x20 = SIMD16<Float>(), x21 = SIMD16<Float>(), x30 = SIMD16<Float>(), x31 = SIMD16<Float>()
          for s in 0..<segments {
            let r0 = a + r * aStride + s * segmentOffset, r1 = r0 + aStride, r2 = r1 + aStride, r3 = r2 + aStride
            var bp = b + s * segmentDepth * columnStride + o
            for k in 0..<segmentDepth {
              let w0 = load(bp), w1 = load(bp + 16)
              let a0 = SIMD16(repeating: r0[k]), a1 = SIMD16(repeating: r1[k])
              let a2 = SIMD16(repeating: r2[k]), a3 = SIMD16(repeating: r3[k])
              x00.addProduct(w0, a0); x01.addProduct(w1, a0)
              x10.addProduct(w0, a1); x11.addProduct(w1, a1)
              x20.addProduct(w0, a2); x21.addProduct(w1, a2)
              x30.addProduct(w0, a3); x31.addProduct(w1, a3)
              bp += columnStride
            }
          }
          store(x00, c0 + o); store(x01, c0 + o + 16); store(x10, c1 + o); store(x11, c1 + o + 16)
          store(x20, c2 + o); store(x21, c2 + o + 16); store(x30, c3 + o); store(x31, c3 + o + 16)
          o += 32
        }
      } else {
        while o < columnStride {
          var e0 = SIMD16<Float>(), e1 = SIMD16<Float>(), e2 = SIMD16<Float>(), e3 = SIMD16<Float>()
          var f0 = SIMD16<Float>(), f1 = SIMD16<Float>(), f2 = SIMD16<Float>(), f3 = SIMD16<Float>()
          for s in 0..<segments {
            let r0 = a + r * aStride + s * segmentOffset, r1 = r0 + aStride, r2 = r1 + aStride, r3 = r2 + aStride
            var bp = b + s * segmentDepth * columnStride + o
            var k = 0
            while k + 1 < segmentDepth {
              let w0 = load(bp), w1 = load(bp + columnStride)
              e0.addProduct(w0, SIMD16(repeating: r0[k])); f0.addProduct(w1, SIMD16(repeating: r0[k + 1]))
              e1.addProduct(w0, SIMD16(repeating: r1[k])); f1.addProduct(w1, SIMD16(repeating: r1[k + 1]))
              e2.addProduct(w0, SIMD16(repeating: r2[k])); f2.addProduct(w1, SIMD16(repeating: r2[k + 1]))
              e3.addProduct(w0, SIMD16(repeating: r3[k])); f3.addProduct(w1, SIMD16(repeating: r3[k + 1]))
              bp += 2 * columnStride
              k += 2
            }
            if k < segmentDepth {
              let w0 = load(bp)
              e0.addProduct(w0, SIMD16(repeating: r0[k])); e1.addProduct(w0, SIMD16(repeating: r1[k]))
              e2.addProduct(w0, SIMD16(repeating: r2[k])); e3.addProduct(w0, SIMD16(repeating: r3[k]))
            }
          }
          store(e0 + f0, c0 + o); store(e1 + f1, c1 + o); store(e2 + f2, c2 + o); store(e3 + f3, c3 + o)
          o += 16
        }
      }
      r += 4
    }
  }
}

extension TrainingGEMM {
  /// 8 rows x 16 columns register tile of `accumulateTransposed` (used when `columnStride` is not a multiple of
  /// 32): one B load and eight broadcasts per eight FMAs, k ascending.
  @inline(__always)
  static func accumulateTransposedEightRows(a: UnsafePointer<Float>, aStride: Int, depth: Int, b: UnsafePointer<Float>,
                                            columnStride: Int, c: UnsafeMutablePointer<Float>) {
    var o = 0
    while o < columnStride {
      let cp = c + o
      var x0 = load(cp), x1 = load(cp + columnStride), x2 = load(cp + 2 * columnStride), x3 = load(cp + 3 * columnStride)
      var x4 = load(cp + 4 * columnStride), x5 = load(cp + 5 * columnStride)
      var x6 = load(cp + 6 * columnStride), x7 = load(cp + 7 * columnStride)
      var ap = a, bp = b + o
      for _ in 0..<depth {
        let w = load(bp)
        x0.addProduct(w, SIMD16(repeating: ap[0])); x1.addProduct(w, SIMD16(repeating: ap[1]))
        x2.addProduct(w, SIMD16(repeating: ap[2])); x3.addProduct(w, SIMD16(repeating: ap[3]))
        x4.addProduct(w, SIMD16(repeating: ap[4])); x5.addProduct(w, SIMD16(repeating: ap[5]))
        x6.addProduct(w, SIMD16(repeating: ap[6])); x7.addProduct(w, SIMD16(repeating: ap[7]))
        ap += aStride
        bp += columnStride
      }
      store(x0, cp); store(x1, cp + columnStride); store(x2, cp + 2 * columnStride); store(x3, cp + 3 * columnStride)
      store(x4, cp + 4 * columnStride); store(x5, cp + 5 * columnStride)
      store(x6, cp + 6 * columnStride); store(x7, cp + 7 * columnStride)
      o += 16
    }
  }

  /// 8 rows x 16 columns register tile of `multiplySegmented` (used when `columnStride` is not a multiple of 32).
  @inline(__always)
  static func multiplySegmentedEightRows(a: UnsafePointer<Float>, aStride: Int, segments: Int, segmentOffset: Int,
                                         segmentDepth: Int, b: UnsafePointer<Float>, columnStride: Int,
                                         c: UnsafeMutablePointer<Float>) {
    var o = 0
    while o < columnStride {
      var x0 = SIMD16<Float>(), x1 = SIMD16<Float>(), x2 = SIMD16<Float>(), x3 = SIMD16<Float>()
      var x4 = SIMD16<Float>(), x5 = SIMD16<Float>(), x6 = SIMD16<Float>(), x7 = SIMD16<Float>()
      for s in 0..<segments {
        let r0 = a + s * segmentOffset
        var bp = b + s * segmentDepth * columnStride + o
        for k in 0..<segmentDepth {
          let w = load(bp)
          let p = r0 + k
          x0.addProduct(w, SIMD16(repeating: p[0])); x1.addProduct(w, SIMD16(repeating: p[aStride]))
          x2.addProduct(w, SIMD16(repeating: p[2 * aStride])); x3.addProduct(w, SIMD16(repeating: p[3 * aStride]))
          x4.addProduct(w, SIMD16(repeating: p[4 * aStride])); x5.addProduct(w, SIMD16(repeating: p[5 * aStride]))
          x6.addProduct(w, SIMD16(repeating: p[6 * aStride])); x7.addProduct(w, SIMD16(repeating: p[7 * aStride]))
          bp += columnStride
        }
      }
      let cp = c + o
      store(x0, cp); store(x1, cp + columnStride); store(x2, cp + 2 * columnStride); store(x3, cp + 3 * columnStride)
      store(x4, cp + 4 * columnStride); store(x5, cp + 5 * columnStride)
      store(x6, cp + 6 * columnStride); store(x7, cp + 7 * columnStride)
      o += 16
    }
  }
}
