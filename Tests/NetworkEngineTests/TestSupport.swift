import NetworkEngine
import SeededRandom

/// SplitMix64 (SeededRandom) for repeatable test data.
typealias TestRandom = SplitMix64

/// Random float input for a network.
func randomInput(_ network: Network, range: ClosedRange<Float> = -1...1, using g: inout TestRandom) -> [Float] {
  (0..<network.inputShape.elementCount).map { _ in Float.random(in: range, using: &g) }
}

/// Naive float convolution straight from the definition (HWC, OHWI), independent of FloatPlan.
func naiveConv(_ x: [Float], _ xs: TensorShape, _ w: [Float], _ bias: [Float], _ a: Conv2DAttributes,
               _ ys: TensorShape, padTop: Int, padLeft: Int) -> [Float] {
  var y = [Float](repeating: 0, count: ys.elementCount)
  let cin = xs.channels / a.groups, og = a.outputChannels / a.groups
  for oy in 0..<ys.height { for ox in 0..<ys.width { for o in 0..<a.outputChannels {
    var s = Double(bias[o])
    let g = o / og
    for ky in 0..<a.kernelHeight { for kx in 0..<a.kernelWidth { for c in 0..<cin {
      let iy = oy * a.strideHeight - padTop + ky * a.dilationHeight
      let ix = ox * a.strideWidth - padLeft + kx * a.dilationWidth
      if iy < 0 || iy >= xs.height || ix < 0 || ix >= xs.width { continue }
      s += Double(x[(iy * xs.width + ix) * xs.channels + g * cin + c]) *
           Double(w[((o * a.kernelHeight + ky) * a.kernelWidth + kx) * cin + c])
    } } }
    y[(oy * ys.width + ox) * ys.channels + o] = Float(s)
  } } }
  return y
}
