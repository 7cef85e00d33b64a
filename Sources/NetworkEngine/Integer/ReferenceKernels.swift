/// The integer oracle: obvious Int64 loops straight over the HWC tensors and the node weight layout.
///
/// Deliberately slow and simple. Every optimized kernel must match it bit for bit (tested on randomized shapes,
/// strides, paddings, dilations, groups and precisions, and on extreme values).
@usableFromInline enum ReferenceKernels {
  /// Conv2D / Dense (Dense is a 1x1 convolution of a 1x1xN input).
  static func weighted(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16]) {
    let g = k.geometry
    let cin = g.inputChannelsPerGroup, og = g.outputChannelsPerGroup
    for oy in 0..<g.output.height {
      for ox in 0..<g.output.width {
        for oc in 0..<g.output.channels {
          let group = oc / og
          var acc: Int64 = 0
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
            guard iy >= 0, iy < g.input.height else { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
              guard ix >= 0, ix < g.input.width else { continue }
              for ci in 0..<cin {
                let xv = Int64(k.deriveInput(x[(iy * g.input.width + ix) * g.input.channels + group * cin + ci]))
                let wv = Int64(k.weights[((oc * g.kernelHeight + ky) * g.kernelWidth + kx) * cin + ci])
                acc += xv * wv  // |x| <= 2^15, |w| <= 2^15, fanIn <= 2^28: |acc| <= 2^58, no overflow
              }
            }
          }
          out[(oy * g.output.width + ox) * g.output.channels + oc] = k.requantize(acc, channel: oc)
        }
      }
    }
  }
}

/// Integer pooling (shared by both kernel variants; pooling has no precision of its own).
enum IntegerPooling {
  /// Max pooling, or average pooling: the exact sum of the valid window elements divided by their count,
  /// rounded to nearest with ties to even.
  static func pool(_ x: [Int16], _ g: ConvGeometry, max isMax: Bool, _ out: inout [Int16]) {
    let c = g.output.channels
    for oy in 0..<g.output.height {
      for ox in 0..<g.output.width {
        for ch in 0..<c {
          var best = Int16.min
          var sum: Int64 = 0
          var count: Int64 = 0
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky
            if iy < 0 || iy >= g.input.height { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx
              if ix < 0 || ix >= g.input.width { continue }
              let v = x[(iy * g.input.width + ix) * c + ch]
              best = max(best, v)
              sum += Int64(v)
              count += 1
            }
          }
          out[(oy * g.output.width + ox) * c + ch] = isMax ? best : Int16(roundedQuotient(sum, count))
        }
      }
    }
  }

  /// Per-channel rounded mean over all pixels.
  static func globalAverage(_ x: [Int16], pixels: Int, channels: Int, _ out: inout [Int16]) {
    for ch in 0..<channels {
      var sum: Int64 = 0
      for p in 0..<pixels { sum += Int64(x[p * channels + ch]) }
      out[ch] = Int16(roundedQuotient(sum, Int64(pixels)))
    }
  }
}

/// n / d rounded to nearest, ties to even, for d > 0 (the average of Int16 codes, so it stays in Int16 range).
@usableFromInline func roundedQuotient(_ n: Int64, _ d: Int64) -> Int64 {
  var q = n / d
  var r = n % d            // same sign as n
  if r < 0 { q -= 1; r += d }  // now n = q*d + r with 0 <= r < d (floor division)
  let twice = 2 * r        // r < d <= 2^62 in all uses (d is a window size)
  if twice > d || (twice == d && q & 1 != 0) { q += 1 }
  return q
}
