import CKernels
import NetworkEngine

/// Per-shard scratch memory, sized once for the largest layer of the program.
final class ShardScratch: @unchecked Sendable {
  /// im2col rows (`[paddedPixels][fanIn or fanInStride]`).
  let columns: FloatBuffer
  /// GEMM results.
  let product: FloatBuffer
  /// Transposed or packed operands.
  let transposed: FloatBuffer
  /// Gathered / packed operands.
  let gather: FloatBuffer
  /// Zero-padded copies of a layer input and of an output gradient (implicit-GEMM convolutions).
  let padded: FloatBuffer
  let paddedGradient: FloatBuffer
  /// Per-channel Float accumulators (two sets).
  let channelA: FloatBuffer
  let channelB: FloatBuffer

  init(columns: Int, product: Int, transposed: Int, gather: Int, padded: Int, paddedGradient: Int, channels: Int) {
    self.padded = FloatBuffer(count: padded)
    self.paddedGradient = FloatBuffer(count: paddedGradient)
    self.columns = FloatBuffer(count: columns)
    self.product = FloatBuffer(count: product)
    self.transposed = FloatBuffer(count: transposed)
    self.gather = FloatBuffer(count: gather)
    channelA = FloatBuffer(count: channels)
    channelB = FloatBuffer(count: channels)
  }
}

/// A Conv2D layer with its weights re-laid out for the GEMMs (refreshed after every optimizer step).
final class ConvLayer: @unchecked Sendable {
  let geometry: ConvGeometry
  let weightSlot: Int
  let biasSlot: Int?
  /// Depthwise with channel multiplier 1: direct loops instead of GEMMs.
  let depthwise: Bool
  /// Output channels per group rounded up to 16 (GEMM column stride of the forward product).
  let outputStride: Int
  /// Fan-in rounded up to 16 (GEMM column stride of the input-gradient product).
  let fanInStride: Int
  /// Rows of the shard weight-gradient partials, laid out `[groups][partialRows][outputStride]`: row
  /// `tap * partialTapStride + channel` for kernel tap `tap = ky * kernelWidth + kx` (a multiple of 4).
  let partialRows: Int
  /// Row distance between kernel taps in the partials: input channels per group (im2col path) or
  /// `implicitChannels` (implicit path).
  let partialTapStride: Int
  /// Implicit path: input channels rounded up to 4 (the padded copy carries zero channels up to this count).
  let implicitChannels: Int
  /// `[groups][fanIn][outputStride]` (implicit path: `[taps * implicitChannels][outputStride]`, zero rows for the
  /// padding channels): forward B operand.
  let weightKxO: FloatBuffer
  /// `[outputChannels][fanInStride]`: input-gradient B operand.
  let weightOxK: FloatBuffer
  /// Depthwise: `[kernelHeight * kernelWidth][channels]`.
  let weightTxC: FloatBuffer
  /// Stride 1, dilation 1, one group, input channels a multiple of 4, padding at most kernel - 1 on every side:
  /// the forward, weight-gradient and input-gradient products run as implicit GEMMs over zero-padded copies
  /// (`TrainingGEMM.multiplySegmented` / `accumulateTransposed` with overlapping rows) instead of im2col/col2im.
  let implicit: Bool
  /// Implicit: the zero-padded input is `paddedHeight x paddedWidth` (output + kernel - 1).
  let paddedHeight: Int, paddedWidth: Int
  /// Implicit: the zero-padded output gradient is `gradientHeight x gradientWidth` (input + kernel - 1), with the
  /// gradient placed at row `gradientTop`, column `gradientLeft` (kernel - 1 - padding).
  let gradientHeight: Int, gradientWidth: Int, gradientTop: Int, gradientLeft: Int
  /// Input channels rounded up to 16.
  let inputStride: Int
  /// Implicit: the spatially flipped, transposed kernel `[kernelHeight][kernelWidth * outputChannels][inputStride]`
  /// (B operand of the input-gradient product).
  let weightFlipped: FloatBuffer

  init(geometry: ConvGeometry, weightSlot: Int, biasSlot: Int?) {
    self.geometry = geometry
    self.weightSlot = weightSlot
    self.biasSlot = biasSlot
    depthwise = geometry.isDepthwise
    let g = geometry
    paddedHeight = g.output.height + g.kernelHeight - 1
    paddedWidth = g.output.width + g.kernelWidth - 1
    gradientHeight = g.input.height + g.kernelHeight - 1
    gradientWidth = g.input.width + g.kernelWidth - 1
    gradientTop = g.kernelHeight - 1 - g.padTop
    gradientLeft = g.kernelWidth - 1 - g.padLeft
    let padBottom = paddedHeight - g.input.height - g.padTop, padRight = paddedWidth - g.input.width - g.padLeft
    implicit = !depthwise && g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1
      && g.groups == 1
      && g.padTop <= g.kernelHeight - 1 && padBottom >= 0 && padBottom <= g.kernelHeight - 1
      && g.padLeft <= g.kernelWidth - 1 && padRight >= 0 && padRight <= g.kernelWidth - 1
    inputStride = roundUp(g.input.channels, toMultipleOf: 16)
    weightFlipped = FloatBuffer(count: implicit ? g.kernelHeight * g.kernelWidth * g.output.channels * inputStride : 1)
    outputStride = roundUp(geometry.outputChannelsPerGroup, toMultipleOf: 16)
    fanInStride = roundUp(geometry.fanIn, toMultipleOf: 16)
    implicitChannels = roundUp(g.input.channels, toMultipleOf: 4)
    partialTapStride = implicit ? implicitChannels : g.inputChannelsPerGroup
    partialRows = implicit ? g.kernelHeight * g.kernelWidth * implicitChannels : roundUp(g.fanIn, toMultipleOf: 4)
    if depthwise {
      weightKxO = FloatBuffer(count: 1)
      weightOxK = FloatBuffer(count: 1)
      weightTxC = FloatBuffer(count: geometry.kernelHeight * geometry.kernelWidth * geometry.output.channels)
    } else {
      weightKxO = FloatBuffer(count: geometry.groups * max(geometry.fanIn, partialRows) * outputStride)
      weightOxK = FloatBuffer(count: geometry.output.channels * fanInStride)
      weightTxC = FloatBuffer(count: 1)
    }
  }

  /// Re-lays out `w` (`[outputChannels][fanIn]`).
  func refresh(from w: UnsafePointer<Float>) {
    let g = geometry, k = g.fanIn, og = g.outputChannelsPerGroup
    if depthwise {
      let taps = g.kernelHeight * g.kernelWidth, c = g.output.channels
      TrainingKernels.transpose(w, rows: c, columns: taps, sourceStride: taps, into: weightTxC.pointer, destinationStride: c)
      return
    }
    if implicit {
      let c = g.input.channels, cp = implicitChannels
      weightKxO.zero()
      for t in 0..<(g.kernelHeight * g.kernelWidth) {
        TrainingKernels.transpose(w + t * c, rows: og, columns: c, sourceStride: k,
                                  into: weightKxO.pointer + t * cp * outputStride, destinationStride: outputStride)
      }
    } else {
      for grp in 0..<g.groups {
        TrainingKernels.transpose(w + grp * og * k, rows: og, columns: k, sourceStride: k,
                                  into: weightKxO.pointer + grp * k * outputStride, destinationStride: outputStride)
      }
    }
    for o in 0..<g.output.channels {
      (weightOxK.pointer + o * fanInStride).update(from: w + o * k, count: k)
    }
    if implicit {
      // weightFlipped[ky'][kx' * O + o][c] = w[o][kh - 1 - ky'][kw - 1 - kx'][c]
      let kh = g.kernelHeight, kw = g.kernelWidth, o = g.output.channels, c = g.input.channels
      for ky in 0..<kh {
        for kx in 0..<kw {
          for j in 0..<o {
            let src = w + ((j * kh + (kh - 1 - ky)) * kw + (kw - 1 - kx)) * c
            let dst = weightFlipped.pointer + ((ky * kw + kx) * o + j) * inputStride
            dst.update(from: src, count: c)
          }
        }
      }
    }
  }
}

/// A Dense layer with its weights re-laid out for the GEMMs.
final class DenseLayer: @unchecked Sendable {
  let inputs: Int
  let outputs: Int
  let weightSlot: Int
  let biasSlot: Int?
  /// outputs rounded up to 16.
  let outputStride: Int
  /// inputs rounded up to 16.
  let inputStride: Int
  /// `[inputs][outputStride]`: forward B operand.
  let weightIxO: FloatBuffer
  /// `[outputs][inputStride]`: input-gradient B operand.
  let weightOxI: FloatBuffer

  init(inputs: Int, outputs: Int, weightSlot: Int, biasSlot: Int?) {
    self.inputs = inputs
    self.outputs = outputs
    self.weightSlot = weightSlot
    self.biasSlot = biasSlot
    outputStride = roundUp(outputs, toMultipleOf: 16)
    inputStride = roundUp(inputs, toMultipleOf: 16)
    weightIxO = FloatBuffer(count: inputs * outputStride)
    weightOxI = FloatBuffer(count: outputs * inputStride)
  }

  func refresh(from w: UnsafePointer<Float>) {
    TrainingKernels.transpose(w, rows: outputs, columns: inputs, sourceStride: inputs, into: weightIxO.pointer,
                              destinationStride: outputStride)
    for o in 0..<outputs { (weightOxI.pointer + o * inputStride).update(from: w + o * inputs, count: inputs) }
  }
}

/// Float32 training kernels over HWC image batches (`images` consecutive tensors). "Overwrite" selects `=` versus
/// `+=` for the input gradient (a tensor read by several nodes sums their gradients; the first writer in backward
/// order overwrites). All loops run in a fixed order, so results are deterministic.
enum TrainingKernels {
  /// `destination[c * destinationStride + r] = source[r * sourceStride + c]` for `r < rows`, `c < columns`.
  static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int, sourceStride: Int,
                        into destination: UnsafeMutablePointer<Float>, destinationStride: Int) {
    let block = 16
    var r0 = 0
    while r0 < rows {
      let r1 = min(r0 + block, rows)
      var c0 = 0
      while c0 < columns {
        let c1 = min(c0 + block, columns)
        for r in r0..<r1 {
          let s = source + r * sourceStride
          for c in c0..<c1 { destination[c * destinationStride + r] = s[c] }
        }
        c0 = c1
      }
      r0 = r1
    }
  }

  // MARK: Conv2D

  static func convForward(_ layer: ConvLayer, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                          images n: Int, bias: UnsafePointer<Float>?, scratch s: ShardScratch) {
    let g = layer.geometry
    if layer.depthwise { return depthwiseForward(layer, input: x, output: y, images: n, bias: bias) }
    if layer.implicit { return implicitConvForward(layer, input: x, output: y, images: n, bias: bias, scratch: s) }
    let p = g.outputPixels, pp = g.paddedOutputPixels, k = g.fanIn, o = g.output.channels
    let og = g.outputChannelsPerGroup, os = layer.outputStride
    let inCount = g.input.elementCount, outCount = g.output.elementCount
    let direct = g.groups == 1 && os == o && p % 4 == 0
    for image in 0..<n {
      let xi = x + image * inCount, yi = y + image * outCount
      for grp in 0..<g.groups {
        g.im2col(xi, group: grp, into: s.columns.pointer)
        let c = direct ? yi : s.product.pointer
        FloatGEMM.multiply(a: s.columns.pointer, rows: pp, depth: k, b: layer.weightKxO.pointer + grp * k * os,
                           columnStride: os, c: c)
        if direct {
          if let bias {
            for q in 0..<p {
              let row = yi + q * o
              for j in 0..<o { row[j] += bias[j] }
            }
          }
        } else {
          for q in 0..<p {
            let src = s.product.pointer + q * os, dst = yi + q * o + grp * og
            if let bias {
              let b = bias + grp * og
              for j in 0..<og { dst[j] = src[j] + b[j] }
            } else {
              for j in 0..<og { dst[j] = src[j] }
            }
          }
        }
      }
    }
  }

  static func convBackward(_ layer: ConvLayer, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                           inputGradient dx: UnsafeMutablePointer<Float>?, overwrite: Bool, images n: Int,
                           weightGradient dW: UnsafeMutablePointer<Float>, biasGradient dB: UnsafeMutablePointer<Float>?,
                           scratch s: ShardScratch) {
    let g = layer.geometry
    if layer.depthwise {
      return depthwiseBackward(layer, input: x, outputGradient: dy, inputGradient: dx, overwrite: overwrite, images: n,
                               weightGradient: dW, biasGradient: dB, scratch: s)
    }
    if layer.implicit {
      return implicitConvBackward(layer, input: x, outputGradient: dy, inputGradient: dx, overwrite: overwrite, images: n,
                                  weightGradient: dW, biasGradient: dB, scratch: s)
    }
    let p = g.outputPixels, pp = g.paddedOutputPixels, k = g.fanIn, o = g.output.channels
    let og = g.outputChannelsPerGroup, os = layer.outputStride, kr = layer.partialRows, ks = layer.fanInStride
    let inCount = g.input.elementCount, outCount = g.output.elementCount
    if let dx, overwrite { dx.update(repeating: 0, count: n * inCount) }
    let cols = s.columns.pointer, product = s.product.pointer
    let directB = g.groups == 1 && os == o
    for image in 0..<n {
      let xi = x + image * inCount, dyi = dy + image * outCount
      if let dB {
        for q in 0..<p {
          let row = dyi + q * o
          for j in 0..<o { dB[j] += row[j] }
        }
      }
      for grp in 0..<g.groups {
        // Weight gradient in [fanIn][outputStride] layout: dW_g += columns^T [fanIn][pixels] x dY_g [pixels][og].
        g.im2col(xi, group: grp, into: cols)
        let b: UnsafePointer<Float>
        if directB {
          b = dyi
        } else {
          let packed = s.gather.pointer
          for q in 0..<p {
            let dst = packed + q * os
            dst.update(from: dyi + q * o + grp * og, count: og)
            if os > og { (dst + og).update(repeating: 0, count: os - og) }
          }
          b = UnsafePointer(packed)
        }
        TrainingGEMM.accumulateTransposed(a: cols, aStride: k, rows: kr, depth: p, b: b, columnStride: os,
                                          c: dW + grp * kr * os)
        // Input gradient: columns gradient [pixels][fanIn] = dY_g [pixels][og] x W_g [og][fanIn], then col2im.
        // With one group the A operand is dY itself; its rows past `p` (up to the 4-row tile) read the next image
        // or the buffer's slack and only produce ignored product rows.
        if let dx {
          let a: UnsafePointer<Float>
          if g.groups == 1 {
            a = dyi
          } else {
            let packed = s.transposed.pointer
            for q in 0..<p { (packed + q * og).update(from: dyi + q * o + grp * og, count: og) }
            a = UnsafePointer(packed)
          }
          FloatGEMM.multiply(a: a, rows: pp, depth: og, b: layer.weightOxK.pointer + grp * og * ks, columnStride: ks,
                             c: product)
          col2im(product, rowStride: ks, geometry: g, group: grp, into: dx + image * inCount)
        }
      }
    }
  }

  /// Adds column-gradient rows back onto the input-gradient image (the adjoint of im2col).
  static func col2im(_ columns: UnsafePointer<Float>, rowStride: Int, geometry g: ConvGeometry, group: Int,
                     into dx: UnsafeMutablePointer<Float>) {
    let cin = g.inputChannelsPerGroup, c = g.input.channels, w = g.input.width, h = g.input.height
    let offset = group * cin
    var p = 0
    for oy in 0..<g.output.height {
      for ox in 0..<g.output.width {
        let row = columns + p * rowStride
        var k = 0
        for ky in 0..<g.kernelHeight {
          let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
          if iy < 0 || iy >= h { k += g.kernelWidth * cin; continue }
          for kx in 0..<g.kernelWidth {
            let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
            if ix >= 0, ix < w {
              let dst = dx + (iy * w + ix) * c + offset, src = row + k
              for j in 0..<cin { dst[j] += src[j] }
            }
            k += cin
          }
        }
        p += 1
      }
    }
  }

  static func depthwiseForward(_ layer: ConvLayer, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                               images n: Int, bias: UnsafePointer<Float>?) {
    let g = layer.geometry, c = g.output.channels, inW = g.input.width, inH = g.input.height
    let inCount = g.input.elementCount, outCount = g.output.elementCount
    let w = layer.weightTxC.pointer
    for image in 0..<n {
      let xi = x + image * inCount, yi = y + image * outCount
      for oy in 0..<g.output.height {
        for ox in 0..<g.output.width {
          let dst = yi + (oy * g.output.width + ox) * c
          if let bias { dst.update(from: bias, count: c) } else { dst.update(repeating: 0, count: c) }
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            if iy < 0 || iy >= inH { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
              if ix < 0 || ix >= inW { continue }
              let src = xi + (iy * inW + ix) * c, wr = w + (ky * g.kernelWidth + kx) * c
              for j in 0..<c { dst[j] += src[j] * wr[j] }
            }
          }
        }
      }
    }
  }

  static func depthwiseBackward(_ layer: ConvLayer, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                inputGradient dx: UnsafeMutablePointer<Float>?, overwrite: Bool, images n: Int,
                                weightGradient dW: UnsafeMutablePointer<Float>, biasGradient dB: UnsafeMutablePointer<Float>?,
                                scratch s: ShardScratch) {
    let g = layer.geometry, c = g.output.channels, inW = g.input.width, inH = g.input.height
    let taps = g.kernelHeight * g.kernelWidth
    let inCount = g.input.elementCount, outCount = g.output.elementCount
    let w = layer.weightTxC.pointer
    let acc = s.product.pointer  // [taps][c]
    acc.update(repeating: 0, count: taps * c)
    if let dx, overwrite { dx.update(repeating: 0, count: n * inCount) }
    for image in 0..<n {
      let xi = x + image * inCount, dyi = dy + image * outCount
      for oy in 0..<g.output.height {
        for ox in 0..<g.output.width {
          let d = dyi + (oy * g.output.width + ox) * c
          if let dB { for j in 0..<c { dB[j] += d[j] } }
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            if iy < 0 || iy >= inH { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
              if ix < 0 || ix >= inW { continue }
              let t = ky * g.kernelWidth + kx
              let src = xi + (iy * inW + ix) * c, a = acc + t * c
              for j in 0..<c { a[j] += d[j] * src[j] }
              if let dx {
                let dst = dx + image * inCount + (iy * inW + ix) * c, wr = w + t * c
                for j in 0..<c { dst[j] += d[j] * wr[j] }
              }
            }
          }
        }
      }
    }
    for j in 0..<c {
      for t in 0..<taps { dW[j * taps + t] += acc[t * c + j] }
    }
  }

  // MARK: Implicit-GEMM convolution (stride 1)

  /// Copies image `x` (`height x width x channels`) into the zeroed `destination` of
  /// `paddedHeight x paddedWidth x paddedChannels` at row `top`, column `left`; also zeroes `slack` floats after it.
  static func pad(_ x: UnsafePointer<Float>, height: Int, width: Int, channels c: Int, paddedChannels cp: Int,
                  into destination: UnsafeMutablePointer<Float>, paddedHeight: Int, paddedWidth: Int, top: Int, left: Int,
                  slack: Int) {
    destination.update(repeating: 0, count: paddedHeight * paddedWidth * cp + slack)
    for y in 0..<height {
      let dst = destination + ((y + top) * paddedWidth + left) * cp, src = x + y * width * c
      if cp == c {
        dst.update(from: src, count: width * c)
      } else {
        for x in 0..<width { for j in 0..<c { dst[x * cp + j] = src[x * c + j] } }
      }
    }
  }

  /// Floats read past a padded image by the implicit products (4-row tiles and the last kernel row).
  static func implicitSlack(_ layer: ConvLayer) -> Int {
    (layer.geometry.kernelWidth + 8) * max(layer.implicitChannels, layer.geometry.output.channels) + 16
  }

  static func implicitConvForward(_ layer: ConvLayer, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                                  images n: Int, bias: UnsafePointer<Float>?, scratch s: ShardScratch) {
    let g = layer.geometry, c = g.input.channels, cp = layer.implicitChannels, o = g.output.channels
    let os = layer.outputStride, wp = layer.paddedWidth, ho = g.output.height, wo = g.output.width
    let rows = roundUp((ho - 1) * wp + wo, toMultipleOf: 4)
    let xp = s.padded.pointer, product = s.product.pointer
    for image in 0..<n {
      pad(x + image * g.input.elementCount, height: g.input.height, width: g.input.width, channels: c, paddedChannels: cp,
          into: xp, paddedHeight: layer.paddedHeight, paddedWidth: wp, top: g.padTop, left: g.padLeft,
          slack: implicitSlack(layer))
      TrainingGEMM.multiplySegmented(a: xp, aStride: cp, rows: rows, segments: g.kernelHeight, segmentOffset: wp * cp,
                                     segmentDepth: g.kernelWidth * cp, b: layer.weightKxO.pointer, columnStride: os,
                                     c: product)
      let yi = y + image * g.output.elementCount
      for oy in 0..<ho {
        for ox in 0..<wo {
          let src = product + (oy * wp + ox) * os, dst = yi + (oy * wo + ox) * o
          if let bias { for j in 0..<o { dst[j] = src[j] + bias[j] } } else { for j in 0..<o { dst[j] = src[j] } }
        }
      }
    }
  }

  static func implicitConvBackward(_ layer: ConvLayer, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                   inputGradient dx: UnsafeMutablePointer<Float>?, overwrite: Bool, images n: Int,
                                   weightGradient dW: UnsafeMutablePointer<Float>, biasGradient dB: UnsafeMutablePointer<Float>?,
                                   scratch s: ShardScratch) {
    let g = layer.geometry, c = g.input.channels, cp = layer.implicitChannels, o = g.output.channels
    let os = layer.outputStride, wp = layer.paddedWidth, ho = g.output.height, wo = g.output.width, kw = g.kernelWidth
    let depth = (ho - 1) * wp + wo
    let xp = s.padded.pointer, gp = s.paddedGradient.pointer, packed = s.gather.pointer, product = s.product.pointer
    let wg = layer.gradientWidth, h = g.input.height, w = g.input.width, cs = layer.inputStride
    let rowsX = roundUp((h - 1) * wg + w, toMultipleOf: 4)
    for image in 0..<n {
      let dyi = dy + image * g.output.elementCount
      if let dB {
        for q in 0..<(ho * wo) {
          let row = dyi + q * o
          for j in 0..<o { dB[j] += row[j] }
        }
      }
      // Weight gradient: for each kernel row ky, dW[ky][kx * c + ch][o] += sum over the padded-width output grid of
      // paddedInput[q + ky * wp][kx * c + ch] * dY[q][o] (junk grid columns carry a zero gradient).
      pad(x + image * g.input.elementCount, height: h, width: w, channels: c, paddedChannels: cp, into: xp,
          paddedHeight: layer.paddedHeight, paddedWidth: wp, top: g.padTop, left: g.padLeft, slack: implicitSlack(layer))
      for oy in 0..<ho {
        for ox in 0..<wp {
          let dst = packed + (oy * wp + ox) * os
          if ox < wo {
            dst.update(from: dyi + (oy * wo + ox) * o, count: o)
            if os > o { (dst + o).update(repeating: 0, count: os - o) }
          } else {
            dst.update(repeating: 0, count: os)
          }
        }
      }
      for ky in 0..<g.kernelHeight {
        TrainingGEMM.accumulateTransposed(a: xp + ky * wp * cp, aStride: cp, rows: kw * cp, depth: depth, b: packed,
                                          columnStride: os, c: dW + ky * kw * cp * os)
      }
      // Input gradient: a stride-1 convolution of the zero-padded output gradient with the flipped kernel.
      guard let dx else { continue }
      pad(dyi, height: ho, width: wo, channels: o, paddedChannels: o, into: gp, paddedHeight: layer.gradientHeight,
          paddedWidth: wg,
          top: layer.gradientTop, left: layer.gradientLeft, slack: implicitSlack(layer))
      TrainingGEMM.multiplySegmented(a: gp, aStride: o, rows: rowsX, segments: g.kernelHeight, segmentOffset: wg * o,
                                     segmentDepth: kw * o, b: layer.weightFlipped.pointer, columnStride: cs, c: product)
      let dxi = dx + image * g.input.elementCount
      for iy in 0..<h {
        for ix in 0..<w {
          let src = product + (iy * wg + ix) * cs, dst = dxi + (iy * w + ix) * c
          if overwrite { for j in 0..<c { dst[j] = src[j] } } else { for j in 0..<c { dst[j] += src[j] } }
        }
      }
    }
  }

  // MARK: Dense

  static func denseForward(_ layer: DenseLayer, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                           images n: Int, bias: UnsafePointer<Float>?, scratch s: ShardScratch) {
    let i = layer.inputs, o = layer.outputs, os = layer.outputStride
    // Rows n..<roundUp(n, 4) of the A operand read the buffer's spare images or slack; their products are ignored.
    FloatGEMM.multiply(a: x, rows: roundUp(n, toMultipleOf: 4), depth: i, b: layer.weightIxO.pointer, columnStride: os,
                       c: s.product.pointer)
    for r in 0..<n {
      let src = s.product.pointer + r * os, dst = y + r * o
      if let bias { for j in 0..<o { dst[j] = src[j] + bias[j] } } else { for j in 0..<o { dst[j] = src[j] } }
    }
  }

  static func denseBackward(_ layer: DenseLayer, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                            inputGradient dx: UnsafeMutablePointer<Float>?, overwrite: Bool, images n: Int,
                            weightGradient dW: UnsafeMutablePointer<Float>, biasGradient dB: UnsafeMutablePointer<Float>?,
                            scratch s: ShardScratch) {
    let i = layer.inputs, o = layer.outputs, istride = layer.inputStride
    let np = roundUp(n, toMultipleOf: 4), op = roundUp(o, toMultipleOf: 4)
    if let dB {
      for r in 0..<n {
        let row = dy + r * o
        for j in 0..<o { dB[j] += row[j] }
      }
    }
    // dW [o][i] = dY^T [o][n] x X [n][i], both zero padded to the GEMM tiles.
    let t = s.transposed.pointer, packed = s.gather.pointer, product = s.product.pointer
    transpose(dy, rows: n, columns: o, sourceStride: o, into: t, destinationStride: np)
    if np > n { for j in 0..<o { (t + j * np + n).update(repeating: 0, count: np - n) } }
    if op > o { (t + o * np).update(repeating: 0, count: (op - o) * np) }
    for r in 0..<n {
      (packed + r * istride).update(from: x + r * i, count: i)
      if istride > i { (packed + r * istride + i).update(repeating: 0, count: istride - i) }
    }
    if np > n { (packed + n * istride).update(repeating: 0, count: (np - n) * istride) }
    FloatGEMM.multiply(a: t, rows: op, depth: np, b: packed, columnStride: istride, c: product)
    for j in 0..<o {
      let src = product + j * istride, dst = dW + j * i
      for q in 0..<i { dst[q] += src[q] }
    }
    // dX [n][i] = dY [n][o] x W [o][i].
    if let dx {
      FloatGEMM.multiply(a: dy, rows: np, depth: o, b: layer.weightOxI.pointer, columnStride: istride, c: product)
      for r in 0..<n {
        let src = product + r * istride, dst = dx + r * i
        if overwrite { for q in 0..<i { dst[q] = src[q] } } else { for q in 0..<i { dst[q] += src[q] } }
      }
    }
  }

  // MARK: BatchNorm

  // Channel-wise kernels over `[rows][channels]` tensors. When `channels` is a multiple of 16 they run on explicit
  // 16-lane vectors (blocks of 16 channels, rows inner); otherwise on scalar loops. Either way the order of every sum
  // is fixed, so results are deterministic.

  @inline(__always) static func vector(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  /// Merges the per-channel count, mean and sum of squared deviations (M2) of `n` images into the running totals
  /// (Chan et al.'s pairwise update in Double; per-image moments in Float with two passes).
  static func batchNormMoments(input x: UnsafePointer<Float>, images n: Int, pixels: Int, channels c: Int,
                               count: inout Double, mean: UnsafeMutablePointer<Double>, m2: UnsafeMutablePointer<Double>,
                               scratch s: ShardScratch) {
    let sum = s.channelA.pointer, sq = s.channelB.pointer
    let inverse = 1 / Float(pixels)
    let nb = Double(pixels)
    for image in 0..<n {
      let xi = x + image * pixels * c
      if c % 16 == 0 {
        // Blocks of 16 channels: 4 interleaved row accumulators added pairwise, then the squared deviations from
        // the block's mean with fused multiply-adds, likewise (CKernels, TrainingBatchNorm.c).
        precsearch_training_batch_norm_image_moments(xi, Int64(pixels), Int64(c), inverse, sum, sq)
      } else {
        sum.update(repeating: 0, count: c)
        for p in 0..<pixels {
          let row = xi + p * c
          for j in 0..<c { sum[j] += row[j] }
        }
        for j in 0..<c { sum[j] *= inverse }
        sq.update(repeating: 0, count: c)
        for p in 0..<pixels {
          let row = xi + p * c
          for j in 0..<c { let d = row[j] - sum[j]; sq[j] += d * d }
        }
      }
      let total = count + nb
      let weight = nb / total, cross = count * nb / total
      for j in 0..<c {
        let delta = Double(sum[j]) - mean[j]
        mean[j] += delta * weight
        m2[j] += Double(sq[j]) + delta * delta * cross
      }
      count = total
    }
  }

  /// `y = x * scale[c] + shift[c]`.
  static func channelAffine(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, rows: Int, channels c: Int,
                            scale: UnsafePointer<Float>, shift: UnsafePointer<Float>) {
    if c % 16 == 0 {
      var b = 0
      while b < c {
        let sv = vector(scale + b), tv = vector(shift + b)
        for r in 0..<rows { store(vector(x + r * c + b) * sv + tv, y + r * c + b) }
        b += 16
      }
      return
    }
    for r in 0..<rows {
      let src = x + r * c, dst = y + r * c
      for j in 0..<c { dst[j] = src[j] * scale[j] + shift[j] }
    }
  }

  /// Adds `sum dy` and `sum dy * (x - mean)` per channel (Float per image, Double across images).
  static func batchNormGradientSums(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, images n: Int,
                                    pixels: Int, channels c: Int, mean: UnsafePointer<Float>,
                                    sumGradient: UnsafeMutablePointer<Double>, sumGradientCentered: UnsafeMutablePointer<Double>,
                                    scratch s: ShardScratch) {
    let a = s.channelA.pointer, b = s.channelB.pointer
    for image in 0..<n {
      let base = image * pixels * c
      if c % 16 == 0 {
        // Blocks of 16 channels, even and odd pixels accumulated apart (CKernels, TrainingBatchNorm.c).
        precsearch_training_batch_norm_gradient_sums(x + base, dy + base, Int64(pixels), Int64(c), mean, a, b)
      } else {
        a.update(repeating: 0, count: c)
        b.update(repeating: 0, count: c)
        for p in 0..<pixels {
          let xr = x + base + p * c, dr = dy + base + p * c
          for j in 0..<c { a[j] += dr[j]; b[j] += dr[j] * (xr[j] - mean[j]) }
        }
      }
      for j in 0..<c { sumGradient[j] += Double(a[j]); sumGradientCentered[j] += Double(b[j]) }
    }
  }

  /// `dx (=|+=) k1[c] * dy + k2[c] * (x - mean[c]) + k3[c]`.
  static func batchNormInputGradient(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                     inputGradient dx: UnsafeMutablePointer<Float>, overwrite: Bool, rows: Int, channels c: Int,
                                     mean: UnsafePointer<Float>, k1: UnsafePointer<Float>, k2: UnsafePointer<Float>,
                                     k3: UnsafePointer<Float>) {
    if c % 16 == 0 {
      // Blocks of 16 channels: fma(k2, x - mean, k1 * dy + k3) (CKernels, TrainingBatchNorm.c).
      precsearch_training_batch_norm_input_gradient(x, dy, dx, overwrite ? 1 : 0, Int64(rows), Int64(c), mean, k1, k2,
                                                    k3)
      return
    }
    for r in 0..<rows {
      let xr = x + r * c, dr = dy + r * c, out = dx + r * c
      if overwrite {
        for j in 0..<c { out[j] = k1[j] * dr[j] + k2[j] * (xr[j] - mean[j]) + k3[j] }
      } else {
        for j in 0..<c { out[j] += k1[j] * dr[j] + k2[j] * (xr[j] - mean[j]) + k3[j] }
      }
    }
  }

  // MARK: Pooling

  /// Max pooling; records for every output element the input offset (within its image) of the first maximum.
  static func maxPoolForward(_ g: ConvGeometry, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                             argmax: UnsafeMutablePointer<Int32>, images n: Int) {
    let c = g.output.channels, inCount = g.input.elementCount, outCount = g.output.elementCount
    for image in 0..<n {
      let xi = x + image * inCount, yi = y + image * outCount, ai = argmax + image * outCount
      for oy in 0..<g.output.height {
        for ox in 0..<g.output.width {
          let o = (oy * g.output.width + ox) * c
          let best = yi + o, position = ai + o
          var first = true
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky
            if iy < 0 || iy >= g.input.height { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx
              if ix < 0 || ix >= g.input.width { continue }
              let offset = (iy * g.input.width + ix) * c
              let src = xi + offset
              if first {
                for j in 0..<c { best[j] = src[j]; position[j] = Int32(truncatingIfNeeded: offset &+ j) }
                first = false
              } else {
                // Strictly greater: the first maximum in scan order wins ties.
                for j in 0..<c {
                  let v = src[j], better = v > best[j]
                  best[j] = better ? v : best[j]
                  position[j] = better ? Int32(truncatingIfNeeded: offset &+ j) : position[j]
                }
              }
            }
          }
          if first { for j in 0..<c { best[j] = 0; position[j] = -1 } }
        }
      }
    }
  }

  static func maxPoolBackward(_ g: ConvGeometry, outputGradient dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                              inputGradient dx: UnsafeMutablePointer<Float>, overwrite: Bool, images n: Int) {
    let inCount = g.input.elementCount, outCount = g.output.elementCount
    if overwrite { dx.update(repeating: 0, count: n * inCount) }
    for image in 0..<n {
      let di = dx + image * inCount, dyi = dy + image * outCount, ai = argmax + image * outCount
      for q in 0..<outCount where ai[q] >= 0 { di[Int(ai[q])] += dyi[q] }
    }
  }

  /// Average pooling over the valid (unpadded) elements of each window.
  static func avgPoolForward(_ g: ConvGeometry, input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                             images n: Int) {
    let c = g.output.channels, inCount = g.input.elementCount, outCount = g.output.elementCount
    for image in 0..<n {
      let xi = x + image * inCount, yi = y + image * outCount
      for oy in 0..<g.output.height {
        for ox in 0..<g.output.width {
          let dst = yi + (oy * g.output.width + ox) * c
          dst.update(repeating: 0, count: c)
          var count = 0
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky
            if iy < 0 || iy >= g.input.height { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx
              if ix < 0 || ix >= g.input.width { continue }
              let src = xi + (iy * g.input.width + ix) * c
              for j in 0..<c { dst[j] += src[j] }
              count += 1
            }
          }
          let inverse = count > 0 ? 1 / Float(count) : 0
          for j in 0..<c { dst[j] *= inverse }
        }
      }
    }
  }

  static func avgPoolBackward(_ g: ConvGeometry, outputGradient dy: UnsafePointer<Float>,
                              inputGradient dx: UnsafeMutablePointer<Float>, overwrite: Bool, images n: Int) {
    let c = g.output.channels, inCount = g.input.elementCount, outCount = g.output.elementCount
    if overwrite { dx.update(repeating: 0, count: n * inCount) }
    for image in 0..<n {
      let di = dx + image * inCount, dyi = dy + image * outCount
      for oy in 0..<g.output.height {
        for ox in 0..<g.output.width {
          let y0 = max(oy * g.strideHeight - g.padTop, 0), y1 = min(oy * g.strideHeight - g.padTop + g.kernelHeight, g.input.height)
          let x0 = max(ox * g.strideWidth - g.padLeft, 0), x1 = min(ox * g.strideWidth - g.padLeft + g.kernelWidth, g.input.width)
          let count = max(y1 - y0, 0) * max(x1 - x0, 0)
          if count == 0 { continue }
          let inverse = 1 / Float(count)
          let d = dyi + (oy * g.output.width + ox) * c
          for iy in y0..<y1 {
            for ix in x0..<x1 {
              let dst = di + (iy * g.input.width + ix) * c
              for j in 0..<c { dst[j] += d[j] * inverse }
            }
          }
        }
      }
    }
  }

  static func globalAvgPoolForward(input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, images n: Int,
                                   pixels: Int, channels c: Int) {
    let inverse = 1 / Float(pixels)
    for image in 0..<n {
      let xi = x + image * pixels * c, dst = y + image * c
      dst.update(repeating: 0, count: c)
      for p in 0..<pixels {
        let row = xi + p * c
        for j in 0..<c { dst[j] += row[j] }
      }
      for j in 0..<c { dst[j] *= inverse }
    }
  }

  static func globalAvgPoolBackward(outputGradient dy: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>,
                                    overwrite: Bool, images n: Int, pixels: Int, channels c: Int) {
    let inverse = 1 / Float(pixels)
    for image in 0..<n {
      let d = dy + image * c, di = dx + image * pixels * c
      for p in 0..<pixels {
        let row = di + p * c
        if overwrite { for j in 0..<c { row[j] = d[j] * inverse } } else { for j in 0..<c { row[j] += d[j] * inverse } }
      }
    }
  }

  // MARK: Element-wise

  static func accumulate(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int,
                         overwrite: Bool) {
    if overwrite { destination.update(from: source, count: count) } else { for j in 0..<count { destination[j] += source[j] } }
  }

  /// `dx (=|+=) dy where mask > low and mask < high`, else 0 (ReLU: mask = output, (0, +inf); ReLU6: mask = input, (0, 6)).
  static func maskedGradient(_ dy: UnsafePointer<Float>, mask: UnsafePointer<Float>, low: Float, high: Float,
                             into dx: UnsafeMutablePointer<Float>, count: Int, overwrite: Bool) {
    if overwrite {
      for j in 0..<count { dx[j] = mask[j] > low && mask[j] < high ? dy[j] : 0 }
    } else {
      for j in 0..<count { dx[j] += mask[j] > low && mask[j] < high ? dy[j] : 0 }
    }
  }
}
