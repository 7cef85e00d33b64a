import CKernels

extension OptimizedKernels {
  @inline(__always)
  static func gemmConv<S: GEMMScalar & DerivedCodeScalar>(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [S], _ out: inout [Int16],
                                      _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let depth = g.fanIn, outputChannelsPerGroup = g.outputChannelsPerGroup, outputChannels = g.output.channels
    let stride = k.gemmColumnStride
    let p = k.parameters
    let derivation = InputDerivation(p)
    let implicit = g.supportsImplicitGEMM
    // Scratch: A (im2col rows or the padded grid), C, and (im2col only) the converted input.
    let rows = implicit ? g.gridRows : g.paddedOutputPixels
    let aCount = implicit ? g.gridElementCount : rows * depth
    let aBytes = aCount * MemoryLayout<S>.stride
    let cBytes = rows * stride * MemoryLayout<S>.stride
    let convertedCount = implicit ? 0 : x.count
    ws.reserve(aBytes + cBytes + convertedCount * MemoryLayout<S>.stride)
    let a = ws.scratch.bindMemory(to: S.self, capacity: aCount)
    let c = (ws.scratch + aBytes).bindMemory(to: S.self, capacity: rows * stride)
    let converted = (ws.scratch + aBytes + cBytes).bindMemory(to: S.self, capacity: max(convertedCount, 1))
    x.withUnsafeBufferPointer { xp in
      if implicit {
        fillInputGrid(xp.baseAddress!, input: g.input, derivation, into: a, elementCount: aCount,
                      gridHeight: g.gridHeight, gridWidth: g.gridWidth, pixelStride: g.input.channels,
                      padTop: g.padTop, padLeft: g.padLeft)
      } else {
        deriveInput(xp.baseAddress!, count: xp.count, derivation, into: converted)
      }
    }
    // Row of C holding output pixel (oy, ox).
    let rowWidth = implicit ? g.gridWidth : g.output.width
    k.bias.withUnsafeBufferPointer { bias in
      weights.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
          for group in 0..<g.groups {
            if implicit {
              k.gridTapOffsets.withUnsafeBufferPointer { offsets in
                GEMMKernel.run(a: UnsafePointer(a), rows: rows, rowStride: g.input.channels,
                               segmentOffsets: offsets.baseAddress!, segmentCount: offsets.count,
                               segmentLength: g.input.channels, b: wp.baseAddress!, columnStride: stride, c: c)
              }
            } else {
              g.im2col(UnsafePointer(converted), group: group, into: a)
              GEMMKernel.run(a: UnsafePointer(a), rows: rows, depth: depth,
                             b: wp.baseAddress! + group * depth * stride, columnStride: stride, c: c)
            }
            let base = group * outputChannelsPerGroup
            requantizeRows(k, c: c, stride: stride, rowWidth: rowWidth, base: base, outputChannelsPerGroup: outputChannelsPerGroup, outputChannels: outputChannels,
                           bias: bias.baseAddress! + base, out: op.baseAddress!)
          }
        }
      }
    }
  }

  /// `width` rows of GEMM sums (Double, Float, Int32 or Int64 scalars, `stride` apart) requantized in Double lanes by
  /// the C loops (`precsearch_requantize_f64`, `_f32_f64`, `_i32_f64`, `_i64_f64`): exact when |sum|, |bias| <= 2^51 and every
  /// scale is a power of two (`FloatingRequantization.double` and `.doubleChannels`).
  @inline(__always)
  static func requantizeInDoubleLanes<S: GEMMScalar>(_ sums: UnsafeMutablePointer<S>, stride: Int, width: Int,
                                                     bias: UnsafePointer<Int64>, count: Int, scale: Double,
                                                     scales: UnsafePointer<Double>?, low: Double, high: Double,
                                                     destination: UnsafeMutablePointer<Int16>, outputChannels: Int) {
    let raw = UnsafeRawPointer(sums)
    if S.self == Double.self {
      precsearch_requantize_f64(raw.assumingMemoryBound(to: Double.self), Int64(stride), Int64(width), bias, Int64(count),
                                scale, scales, low, high, destination, Int64(outputChannels))
    } else if S.self == Float.self {
      precsearch_requantize_f32_f64(raw.assumingMemoryBound(to: Float.self), Int64(stride), Int64(width), bias,
                                    Int64(count), scale, scales, low, high, destination, Int64(outputChannels))
    } else if S.self == Int32.self {
      precsearch_requantize_i32_f64(raw.assumingMemoryBound(to: Int32.self), Int64(stride), Int64(width), bias,
                                    Int64(count), scale, scales, low, high, destination, Int64(outputChannels))
    } else {
      precsearch_requantize_i64_f64(raw.assumingMemoryBound(to: Int64.self), Int64(stride), Int64(width), bias,
                                    Int64(count), scale, scales, low, high, destination, Int64(outputChannels))
    }
  }

  /// Requantizes the GEMM output rows of one group into the HWC output.
  @inline(__always)
  static func requantizeRows<S: GEMMScalar>(_ k: WeightedLayerKernel, c: UnsafeMutablePointer<S>, stride: Int,
                                            rowWidth: Int, base: Int, outputChannelsPerGroup: Int, outputChannels: Int, bias b: UnsafePointer<Int64>,
                                            out: UnsafeMutablePointer<Int16>) {
    let g = k.geometry
    let requantizer = k.requantizer
    let width = g.output.width
    // Output row oy: GEMM rows oy * rowWidth ..< oy * rowWidth + width (stride `stride`), output pixels
    // oy * width ..< (oy + 1) * width (stride `outputChannels`).
    for oy in 0..<g.output.height {
      let firstRow = oy * rowWidth
      let destination = out + oy * width * outputChannels + base
      switch k.floatingRequantization {
      case let .float(scale, low, high) where S.self == Float.self:
        let sums = UnsafeRawPointer(c + firstRow * stride).assumingMemoryBound(to: Float.self)
        k.floatBias.withUnsafeBufferPointer { fbp in
          precsearch_requantize_f32(sums, Int64(stride), Int64(width), fbp.baseAddress! + base, Int64(outputChannelsPerGroup), scale, low,
                                    high, destination, Int64(outputChannels))
        }
      case let .int32(shift, low, high) where S.self == Int32.self:
        let sums = UnsafeRawPointer(c + firstRow * stride).assumingMemoryBound(to: Int32.self)
        k.int32Bias.withUnsafeBufferPointer { bp in
          // Wrapping add: the raw accumulator may carry the 8-bit offset, but the true sum fits in Int32.
          precsearch_requantize_i32(sums, Int64(stride), Int64(width), bp.baseAddress! + base, Int64(outputChannelsPerGroup), shift, low,
                                    high, destination, Int64(outputChannels))
        }
      case let .double(scale, low, high):
        // Double lanes: |accumulator| <= 2^51 and |bias| <= 2^51, so the sum is exact (below 2^52); the C loops
        // convert Float, Int32 and Int64 sums exactly.
        requantizeInDoubleLanes(c + firstRow * stride, stride: stride, width: width, bias: b,
                                count: outputChannelsPerGroup, scale: scale, scales: nil, low: low, high: high,
                                destination: destination, outputChannels: outputChannels)
      case let .doubleChannels(scales, low, high):
        // Per-channel shifts in Double lanes: exact as `.double`, one scale per output channel.
        scales.withUnsafeBufferPointer { sp in
          requantizeInDoubleLanes(c + firstRow * stride, stride: stride, width: width, bias: b,
                                  count: outputChannelsPerGroup, scale: 1, scales: sp.baseAddress! + base, low: low,
                                  high: high, destination: destination, outputChannels: outputChannels)
        }
      case _ where !k.channelRequantizers.isEmpty:
        // Per-channel shifts (only `.integer` is chosen for them): channel base + o's own requantizer.
        k.channelRequantizers.withUnsafeBufferPointer { rp in
          for ox in 0..<width {
            let row = c + (firstRow + ox) * stride, dst = destination + ox * outputChannels
            for o in 0..<outputChannelsPerGroup { dst[o] = rp[base + o].apply(row[o].int64 &+ b[o]) }
          }
        }
      default:
        for ox in 0..<width {
          let row = c + (firstRow + ox) * stride, dst = destination + ox * outputChannels
          // |accumulator| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
          for o in 0..<outputChannelsPerGroup { dst[o] = requantizer.apply(row[o].int64 &+ b[o]) }
        }
      }
    }
  }
}
