import CKernels

extension OptimizedKernels {
  /// Max or average pooling, equal to `IntegerPooling.pool` (the definition) element for element, vectorized over
  /// channels: max of the valid window elements (`precsearch_max_pool_i16`), or their exact sum (Int64: at most
  /// 2^15 * window size) divided by the count with `roundedQuotient`.
  static func pool(_ x: [Int16], _ g: ConvGeometry, max isMax: Bool, _ out: inout [Int16]) {
    if isMax {
      var shape = precsearch_pool_shape(
        input_height: Int64(g.input.height), input_width: Int64(g.input.width), channels: Int64(g.output.channels),
        output_height: Int64(g.output.height), output_width: Int64(g.output.width),
        kernel_height: Int64(g.kernelHeight), kernel_width: Int64(g.kernelWidth), stride_height: Int64(g.strideHeight),
        stride_width: Int64(g.strideWidth), pad_top: Int64(g.padTop), pad_left: Int64(g.padLeft))
      x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { op in precsearch_max_pool_i16(&shape, xp.baseAddress!, op.baseAddress!) }
      }
      return
    }
    let c = g.output.channels, inputWidth = g.input.width, inputHeight = g.input.height
    withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(c, 1)) { sp in
      let sums = sp.baseAddress!
      x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { op in
          for oy in 0..<g.output.height {
            for ox in 0..<g.output.width {
              let dst = op.baseAddress! + (oy * g.output.width + ox) * c
              for ch in 0..<c { sums[ch] = 0 }
              var count: Int64 = 0
              for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.padTop + ky
                if iy < 0 || iy >= inputHeight { continue }
                for kx in 0..<g.kernelWidth {
                  let ix = ox * g.strideWidth - g.padLeft + kx
                  if ix < 0 || ix >= inputWidth { continue }
                  let src = xp.baseAddress! + (iy * inputWidth + ix) * c
                  for ch in 0..<c { sums[ch] &+= Int64(src[ch]) }  // |sum| <= 2^15 * window: no overflow
                  count += 1
                }
              }
              // An empty window gives 0 / 0: as the definition, which computes roundedQuotient(0, 0) only for
              // windows no valid geometry has.
              for ch in 0..<c { dst[ch] = Int16(truncatingIfNeeded: roundedQuotient(sums[ch], count)) }
            }
          }
        }
      }
    }
  }
}
