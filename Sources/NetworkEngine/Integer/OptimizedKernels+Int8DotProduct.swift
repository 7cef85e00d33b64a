import CKernels

extension OptimizedKernels {
  /// The 8-bit dot-product path (one group). Codes become unsigned bytes `code + offset` (so padding is the offset,
  /// the byte of code 0; `Int8DotProductForm`); the GEMM runs in exact Int32 (AVX-512 VNNI, or AVX2 `vpmaddubsw`
  /// pairs) and `offset * sum(weights)` is subtracted per output channel through the bias.
  static func int8Conv(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [Int8], _ rowLength: Int,
                       _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let stride = k.gemmColumnStride
    let p = k.parameters
    let derivation = InputDerivation(p)
    let identity = derivation.isIdentity
    let form = p.int8Form ?? .vectorNeuralNetwork
    let offset = form.activationOffset
    let implicit = g.supportsImplicitGEMM
    let rows = implicit ? g.gridRows : g.paddedOutputPixels
    let channels4 = (g.input.channels + 3) / 4 * 4
    let gridPixels = g.gridHeight * g.gridWidth + 4 + (g.kernelWidth - 1) * g.dilationWidth
    let aBytes = implicit ? gridPixels * channels4 : rows * rowLength
    let cBytes = rows * stride * 4
    let convertedBytes = implicit ? 0 : x.count
    ws.reserve(aBytes + cBytes + convertedBytes + 64)
    let a = ws.scratch.bindMemory(to: UInt8.self, capacity: aBytes)
    let c = (ws.scratch + aBytes + (64 - aBytes % 64) % 64).bindMemory(to: Int32.self, capacity: rows * stride)
    let converted = (ws.scratch + aBytes + (64 - aBytes % 64) % 64 + cBytes).bindMemory(to: UInt8.self, capacity: max(convertedBytes, 1))
    // Codes are within [-128, 127] (activation bits <= 8), and the offset maps them onto 0...255 (the form's bound:
    // 128 for any code, 2^(ba-1) for ba-bit codes, 0 for non-negative ones). Derive first when the stored input is
    // wider; both loops are branch-free so they vectorize.
    // Identity codes already lie in [-128, 127], so a shift of 0 with that clamp leaves them unchanged.
    let rounding = identity ? Int32RoundingShift(shift: 0, low: -128, high: 127) : derivation.rounding
    // `pixels` pixels of `inputChannels` codes to bytes, `stride` bytes apart.
    @inline(__always) func bytes(_ from: UnsafePointer<Int16>, _ to: UnsafeMutablePointer<UInt8>, pixels: Int,
                                 inputChannels: Int, stride: Int) {
      if identity || derivation.isFast {
        precsearch_derive_u8(from, Int64(pixels), Int64(inputChannels), Int64(stride), rounding.shift, rounding.low,
                             rounding.high, Int32(offset), to)
      } else {
        for pixel in 0..<pixels {
          for j in 0..<inputChannels {
            to[pixel * stride + j] = UInt8(truncatingIfNeeded: derivation.apply(from[pixel * inputChannels + j]) &+ Int16(offset))
          }
        }
      }
    }
    x.withUnsafeBufferPointer { xp in
      if implicit {
        let inputChannels = g.input.channels, gridWidth = g.gridWidth
        // Input pixels 0..<columns of a row land on grid pixels padLeft..<padLeft + columns.
        let columns = max(0, min(g.input.width, gridWidth - g.padLeft))
        if channels4 == inputChannels {
          // The copies below write every byte of their pixels: only the border gets the offset.
          fillGridBorder(a, with: UInt8(offset), elementCount: aBytes, gridHeight: g.gridHeight, gridWidth: gridWidth,
                         pixelStride: channels4, padTop: g.padTop, padLeft: g.padLeft, copiedRows: g.input.height,
                         copiedColumns: columns)
        } else {
          a.update(repeating: UInt8(offset), count: aBytes)
        }
        for y in 0..<g.input.height {
          let gy = y + g.padTop
          if gy >= g.gridHeight { break }
          let from = xp.baseAddress! + y * g.input.width * inputChannels, to = a + (gy * gridWidth + g.padLeft) * channels4
          bytes(from, to, pixels: columns, inputChannels: inputChannels, stride: channels4)
        }
      } else {
        bytes(xp.baseAddress!, converted, pixels: 1, inputChannels: xp.count, stride: xp.count)
      }
    }
    // The form's GEMM: VNNI, or the AVX2 pairs kernel with its Int16 lane budget.
    func multiply(_ a: UnsafePointer<UInt8>, _ rows: Int64, _ rowStride: Int64, _ offsets: UnsafePointer<Int64>,
                  _ segmentCount: Int64, _ segmentLength: Int64, _ b: UnsafePointer<Int8>, _ columnStride: Int64,
                  _ c: UnsafeMutablePointer<Int32>) {
      if let groupsPerFlush = form.groupsPerFlush {
        precsearch_gemm_u8s8_pairs(a, rows, rowStride, offsets, segmentCount, segmentLength, b, columnStride,
                                   Int64(groupsPerFlush), c)
      } else if g.output.channels <= 8 {
        // Only the first 8 columns are real (and only they are requantized): half-width vectors.
        precsearch_gemm_u8s8_8(a, rows, rowStride, offsets, segmentCount, segmentLength, b, columnStride, c)
      } else {
        precsearch_gemm_u8s8(a, rows, rowStride, offsets, segmentCount, segmentLength, b, columnStride, c)
      }
    }
    weights.withUnsafeBufferPointer { wp in
      if implicit {
        let taps = g.kernelHeight * g.kernelWidth
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: taps) { offsets in
          for ky in 0..<g.kernelHeight {
            for kx in 0..<g.kernelWidth {
              offsets[ky * g.kernelWidth + kx] = Int64((ky * g.dilationHeight * g.gridWidth + kx * g.dilationWidth) * channels4)
            }
          }
          multiply(a, Int64(rows), Int64(channels4), offsets.baseAddress!, Int64(taps), Int64(channels4),
                   wp.baseAddress!, Int64(stride), c)
        }
      } else {
        g.im2col(UnsafePointer(converted), group: 0, into: a, rowLength: rowLength, paddingValue: UInt8(offset))
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 1) { zero in
          zero[0] = 0
          multiply(a, Int64(rows), Int64(rowLength), zero.baseAddress!, 1, Int64(rowLength), wp.baseAddress!,
                   Int64(stride), c)
        }
      }
    }
    // The offset correction is folded into the bias: (acc - o * sum(w)) + bias = acc + (bias - o * sum(w)),
    // exact because |bias| <= 2^62 - ... is re-saturated at plan time (see `WeightedLayerKernel.int8Bias`).
    let outputChannelsPerGroup = g.output.channels
    let rowWidth = implicit ? g.gridWidth : g.output.width
    k.int8Bias.withUnsafeBufferPointer { bias in
      out.withUnsafeMutableBufferPointer { op in
        requantizeRows(k, c: c, stride: stride, rowWidth: rowWidth, base: 0, outputChannelsPerGroup: outputChannelsPerGroup, outputChannels: outputChannelsPerGroup,
                       bias: bias.baseAddress!, out: op.baseAddress!)
      }
    }
  }
}
