import CKernels

/// The Int16 pair GEMM of the wide widths (`precsearch_gemm_s16_pairs`): weights and activation codes as Int16,
/// multiplied two at a time into Int32 lanes (AVX2 `vpmaddwd`) that are widened into Int64 after every block of
/// pairs. Used from the AVX2 level up for the layers of Int32 and Int64 accumulator kinds; the result is their exact
/// Int64 sum.
///
/// Bounds (activation codes in [-2^(ba-1), 2^(ba-1) - 1], weights |w| <= 2^(bw-1)): one lane holds a1 w1 + a2 w2,
/// at most pairBound = 2^(ba + bw - 1) in magnitude, so a block of `(2^31 - 1) / pairBound` pairs cannot leave
/// Int32. When that is below 128 pairs (ba + bw > 25, e.g. 16 x 16 bits), the activations are split into two
/// planes, a = 256 * high + low with low = a & 255 in 0...255 and high = a >> 8 in [-2^(ba-9), 2^(ba-9) - 1]:
/// the low plane's pairs are at most 255 * 2^bw (blocks of >= 128 pairs), the high plane's 2^(ba + bw - 9).
struct Int16PairLayout: Hashable, Sendable {
  /// Pairs per Int32 block of the low (or only) plane.
  let lowPairsPerBlock: Int
  /// Pairs per Int32 block of the high plane; nil when the activations are not split.
  let highPairsPerBlock: Int?

  init(weightBits: Int, activationBits: Int) {
    let limit = Int(Int32.max), cap = 1 << 20
    let unsplit = limit / (1 << (activationBits + weightBits - 1))
    if unsplit >= 128 || activationBits <= 8 {
      lowPairsPerBlock = min(unsplit, cap)
      highPairsPerBlock = nil
    } else {
      lowPairsPerBlock = min(limit / (255 << weightBits), cap)
      highPairsPerBlock = min(limit / (1 << (activationBits + weightBits - 9)), cap)
    }
  }
}

extension OptimizedKernels {
  /// Conv2D / Dense through `precsearch_gemm_s16_pairs`: the input derived to the layer's activation codes into a
  /// zero-padded grid (implicit GEMM, channels padded to even) or im2col rows (fan-in padded to even), one plane or
  /// two (`Int16PairLayout`), then per group the GEMM into Int64 sums and the requantization.
  static func int16PairConv(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [Int16], _ rowLength: Int,
                            _ layout: Int16PairLayout, _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let stride = k.gemmColumnStride
    let derivation = InputDerivation(k.parameters)
    let identity = derivation.isIdentity
    let split = layout.highPairsPerBlock != nil
    let implicit = g.supportsImplicitGEMM
    let rows = implicit ? g.gridRows : g.paddedOutputPixels
    let inputChannels = g.input.channels, channelsEven = (inputChannels + 1) / 2 * 2
    let gridPixels = g.gridHeight * g.gridWidth + 4 + (g.kernelWidth - 1) * g.dilationWidth
    let planeCount = implicit ? gridPixels * channelsEven : rows * rowLength
    let convertedCount = implicit ? 0 : x.count
    let planeBytes = (planeCount * 2 + 63) / 64 * 64
    let cBytes = rows * stride * 8
    ws.reserve(planeBytes * 2 + cBytes + convertedCount * 2 * 2 + 64)
    let low = ws.scratch.bindMemory(to: Int16.self, capacity: planeCount)
    let high = (ws.scratch + planeBytes).bindMemory(to: Int16.self, capacity: planeCount)
    let c = (ws.scratch + 2 * planeBytes).bindMemory(to: Int64.self, capacity: rows * stride)
    let convertedLow = (ws.scratch + 2 * planeBytes + cBytes).bindMemory(to: Int16.self, capacity: max(convertedCount, 1))
    let convertedHigh = convertedLow + max(convertedCount, 1)
    @inline(__always) func code(_ stored: Int16) -> Int16 { identity ? stored : derivation.apply(stored) }
    // Identity codes already lie in the activation range, so a shift of 0 with that clamp leaves them unchanged.
    let activationBits = Int32(k.parameters.precision.activationBits)
    let rounding = identity
      ? Int32RoundingShift(shift: 0, low: -(1 << (activationBits - 1)), high: (1 << (activationBits - 1)) - 1)
      : derivation.rounding
    // `pixels` pixels of `inputChannels` codes into the plane(s), `stride` codes apart.
    @inline(__always) func planes(_ from: UnsafePointer<Int16>, _ lowTo: UnsafeMutablePointer<Int16>,
                                  _ highTo: UnsafeMutablePointer<Int16>, pixels: Int, inputChannels: Int, stride: Int) {
      if identity || derivation.isFast {
        precsearch_derive_i16_planes(from, Int64(pixels), Int64(inputChannels), Int64(stride), rounding.shift,
                                     rounding.low, rounding.high, lowTo, split ? highTo : nil)
      } else {
        for pixel in 0..<pixels {
          for j in 0..<inputChannels {
            let value = code(from[pixel * inputChannels + j])
            lowTo[pixel * stride + j] = split ? value & 255 : value
            if split { highTo[pixel * stride + j] = value >> 8 }
          }
        }
      }
    }
    x.withUnsafeBufferPointer { xp in
      if implicit {
        low.update(repeating: 0, count: planeCount)
        if split { high.update(repeating: 0, count: planeCount) }
        let gridWidth = g.gridWidth
        // Input pixels 0..<columns of a row land on grid pixels padLeft..<padLeft + columns.
        let columns = max(0, min(g.input.width, gridWidth - g.padLeft))
        for y in 0..<g.input.height {
          let gy = y + g.padTop
          if gy >= g.gridHeight { break }
          let from = xp.baseAddress! + y * g.input.width * inputChannels
          let to = (gy * gridWidth + g.padLeft) * channelsEven
          planes(from, low + to, high + to, pixels: columns, inputChannels: inputChannels, stride: channelsEven)
        }
      } else {
        planes(xp.baseAddress!, convertedLow, convertedHigh, pixels: 1, inputChannels: xp.count, stride: xp.count)
      }
    }
    let rowWidth = implicit ? g.gridWidth : g.output.width
    let outputChannelsPerGroup = g.outputChannelsPerGroup, outputChannels = g.output.channels
    let groupWeights = rowLength * stride
    k.bias.withUnsafeBufferPointer { bias in
      weights.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
          for group in 0..<g.groups {
            if implicit {
              let taps = g.kernelHeight * g.kernelWidth
              withUnsafeTemporaryAllocation(of: Int64.self, capacity: taps) { offsets in
                for ky in 0..<g.kernelHeight {
                  for kx in 0..<g.kernelWidth {
                    offsets[ky * g.kernelWidth + kx] =
                      Int64((ky * g.dilationHeight * g.gridWidth + kx * g.dilationWidth) * channelsEven)
                  }
                }
                precsearch_gemm_s16_pairs(low, split ? UnsafePointer(high) : nil, Int64(rows), Int64(channelsEven),
                                          offsets.baseAddress!, Int64(taps), Int64(channelsEven), wp.baseAddress!,
                                          Int64(stride), Int64(layout.lowPairsPerBlock),
                                          Int64(layout.highPairsPerBlock ?? 1), c)
              }
            } else {
              g.im2col(UnsafePointer(convertedLow), group: group, into: low, rowLength: rowLength)
              if split { g.im2col(UnsafePointer(convertedHigh), group: group, into: high, rowLength: rowLength) }
              withUnsafeTemporaryAllocation(of: Int64.self, capacity: 1) { zero in
                zero[0] = 0
                precsearch_gemm_s16_pairs(low, split ? UnsafePointer(high) : nil, Int64(rows), Int64(rowLength),
                                          zero.baseAddress!, 1, Int64(rowLength), wp.baseAddress! + group * groupWeights,
                                          Int64(stride), Int64(layout.lowPairsPerBlock),
                                          Int64(layout.highPairsPerBlock ?? 1), c)
              }
            }
            let base = group * outputChannelsPerGroup
            if let (scale, low, high) = k.floatingRequantization.doubleLanes {
              // Double lanes (|sum| <= 2^51, |bias| <= 2^51): the C loop, row by row of the output.
              for oy in 0..<g.output.height {
                precsearch_requantize_i64_f64(c + oy * rowWidth * stride, Int64(stride), Int64(g.output.width),
                                              bias.baseAddress! + base, Int64(outputChannelsPerGroup), scale, nil, low,
                                              high, op.baseAddress! + oy * g.output.width * outputChannels + base,
                                              Int64(outputChannels))
              }
            } else {
              requantizeRows(k, c: c, stride: stride, rowWidth: rowWidth, base: base,
                             outputChannelsPerGroup: outputChannelsPerGroup, outputChannels: outputChannels,
                             bias: bias.baseAddress! + base, out: op.baseAddress!)
            }
          }
        }
      }
    }
  }
}
