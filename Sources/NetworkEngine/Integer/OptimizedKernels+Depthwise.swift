import CKernels
import FixedPointArithmetic

extension OptimizedKernels {
  /// Depthwise convolution in exact floating-point lanes (see `DepthwiseLanes`): the input is derived, converted
  /// and copied once into a zero-padded grid (so no tap needs a bounds check); every output pixel is accumulated
  /// 16 (or a last 8) channels at a time in registers, starting from the bias, into a row buffer that is then
  /// requantized in the same lanes by a loop over channels.
  @inline(__always)
  static func depthwise<L: DepthwiseLane>(_ x: [Int16], _ k: WeightedLayerKernel, weights: [L], bias: [L],
                                          requantization r: DepthwiseRequantization<L>, _ out: inout [Int16],
                                          _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let c = g.output.channels, channelStride = DepthwiseLanes.channelStride(c)
    let outputHeight = g.output.height, outputWidth = g.output.width
    let size = MemoryLayout<L>.stride
    // Grid: every input position any tap of any output pixel reads, padding included (zeros).
    let gridHeight = (outputHeight - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1
    let gridWidth = (outputWidth - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1
    let gridCount = gridHeight * gridWidth * channelStride, rowCount = outputWidth * channelStride
    let taps = g.kernelHeight * g.kernelWidth
    ws.reserve((gridCount + rowCount) * size + taps * MemoryLayout<Int>.stride)
    let grid = ws.scratch.bindMemory(to: L.self, capacity: gridCount)
    let row = (ws.scratch + gridCount * size).bindMemory(to: L.self, capacity: rowCount)
    // Offset (in elements) of each tap (ky, kx) from the grid position of an output pixel's first tap.
    let offsets = (ws.scratch + (gridCount + rowCount) * size).bindMemory(to: Int64.self, capacity: taps)
    for ky in 0..<g.kernelHeight {
      for kx in 0..<g.kernelWidth {
        offsets[ky * g.kernelWidth + kx] = Int64((ky * g.dilationHeight * gridWidth + kx * g.dilationWidth) * channelStride)
      }
    }
    x.withUnsafeBufferPointer { xp in
      fillInputGrid(xp.baseAddress!, input: g.input, InputDerivation(k.parameters), into: grid, elementCount: gridCount,
                    gridHeight: gridHeight, gridWidth: gridWidth, pixelStride: channelStride, padTop: g.padTop,
                    padLeft: g.padLeft)
    }
    // Every output pixel: 16 (or a last 8) channels at a time from the bias through the taps (exact: every partial
    // sum is an integer within the lanes' exact range, DepthwiseLanes.choose), then requantized row by row (CKernels).
    var shape = precsearch_depthwise_shape(
      taps: Int64(taps), tap_offsets: UnsafePointer(offsets), channel_stride: Int64(channelStride), channels: Int64(c),
      output_height: Int64(outputHeight), output_width: Int64(outputWidth), pixel_step: Int64(g.strideWidth * channelStride),
      row_step: Int64(g.strideHeight * gridWidth * channelStride))
    weights.withUnsafeBufferPointer { wp in
      bias.withUnsafeBufferPointer { bp in
        out.withUnsafeMutableBufferPointer { op in
          L.depthwise(&shape, grid: grid, weights: wp.baseAddress!, bias: bp.baseAddress!, requantization: r,
                      rowSums: row, output: op.baseAddress!)
        }
      }
    }
  }

  /// The general depthwise kernel (Int64 accumulators, integer requantization): for the layers whose sums or biases
  /// do not fit the floating-point lanes, or whose output shift (or a channel's, with per-channel weight formats)
  /// is huge (see `DepthwiseLanes.choose`).
  static func depthwiseInteger(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16]) {
    let g = k.geometry
    let c = g.output.channels, inputWidth = g.input.width, inputHeight = g.input.height
    let derivation = InputDerivation(k.parameters)
    let requantizer = k.requantizer
    let derived = derivation.isIdentity ? x : x.map { derivation.apply($0) }
    withUnsafeTemporaryAllocation(of: Int64.self, capacity: c) { ap in
      let a = ap.baseAddress!
      derived.withUnsafeBufferPointer { xp in
        k.depthwiseWeights.withUnsafeBufferPointer { wp in
          k.bias.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in
              for oy in 0..<g.output.height {
                for ox in 0..<g.output.width {
                  for ch in 0..<c { a[ch] = 0 }
                  for ky in 0..<g.kernelHeight {
                    let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                    if iy < 0 || iy >= inputHeight { continue }
                    for kx in 0..<g.kernelWidth {
                      let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                      if ix < 0 || ix >= inputWidth { continue }
                      let src = xp.baseAddress! + (iy * inputWidth + ix) * c
                      let wr = wp.baseAddress! + (ky * g.kernelWidth + kx) * c
                      // |x|, |w| <= 2^15 and at most 2^28 taps: |acc| <= 2^58, no overflow.
                      for ch in 0..<c { a[ch] &+= Int64(src[ch]) &* Int64(wr[ch]) }
                    }
                  }
                  let dst = op.baseAddress! + (oy * g.output.width + ox) * c
                  // |acc| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
                  if k.channelRequantizers.isEmpty {
                    for ch in 0..<c { dst[ch] = requantizer.apply(a[ch] &+ bp[ch]) }
                  } else {
                    for ch in 0..<c { dst[ch] = k.channelRequantizers[ch].apply(a[ch] &+ bp[ch]) }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/// A floating-point lane type holding exact integers (Float or Double): the depthwise kernel's lanes, and the
/// scalars of the GEMM path's floating-point requantization.
protocol DepthwiseLane: BinaryFloatingPoint, SIMDScalar, Codable, Sendable, DerivedCodeScalar {
  /// This value, integral and within Int16's range, as an Int16 (exact, without traps, vectorizes).
  var exactInt16: Int16 { get }
  /// The depthwise loops of `OptimizedKernels.depthwise` in these lanes (`CKernels`, DepthwiseLanes.c).
  static func depthwise(_ shape: UnsafePointer<precsearch_depthwise_shape>, grid: UnsafePointer<Self>,
                        weights: UnsafePointer<Self>, bias: UnsafePointer<Self>,
                        requantization r: DepthwiseRequantization<Self>, rowSums: UnsafeMutablePointer<Self>,
                        output: UnsafeMutablePointer<Int16>)
}

extension DepthwiseLane {
  /// `sum * scale` rounded to nearest (ties to even) and saturated to [low, high] (integers inside Int16's range),
  /// as a code. `sum` is an integer and `scale` a power of two such that the product is exact (see
  /// `DepthwiseLanes`, `FloatingRequantization`).
  @inline(__always)
  static func requantized(_ sum: Self, scale: Self, low: Self, high: Self) -> Int16 {
    var v = (sum * scale).rounded(.toNearestOrEven)
    v = v < low ? low : v
    v = v > high ? high : v
    return v.exactInt16
  }
}

/// Output scaling of the depthwise lanes: 2^-outputShift and the output code range; with per-channel shifts
/// (per-channel weight formats) `scales` holds 2^-outputShift(channel: c) per channel (zero padded to the channel
/// stride) and replaces `scale`; else it is empty.
struct DepthwiseRequantization<L: DepthwiseLane>: Sendable {
  let scale: L
  var scales: [L] = []
  let low: L
  let high: L
}

extension Float: DepthwiseLane {
  @inline(__always) var exactInt16: Int16 { Int16(truncatingIfNeeded: exactInt32) }
  static func depthwise(_ shape: UnsafePointer<precsearch_depthwise_shape>, grid: UnsafePointer<Float>,
                        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        requantization r: DepthwiseRequantization<Float>, rowSums: UnsafeMutablePointer<Float>,
                        output: UnsafeMutablePointer<Int16>) {
    r.scales.withUnsafeBufferPointer { scales in
      precsearch_depthwise_f32(shape, grid, weights, bias, r.scale, r.scales.isEmpty ? nil : scales.baseAddress,
                               r.low, r.high, rowSums, output)
    }
  }
}

extension Double: DepthwiseLane {
  @inline(__always) var exactInt16: Int16 { Int16(truncatingIfNeeded: exactInt64) }
  static func depthwise(_ shape: UnsafePointer<precsearch_depthwise_shape>, grid: UnsafePointer<Double>,
                        weights: UnsafePointer<Double>, bias: UnsafePointer<Double>,
                        requantization r: DepthwiseRequantization<Double>, rowSums: UnsafeMutablePointer<Double>,
                        output: UnsafeMutablePointer<Int16>) {
    r.scales.withUnsafeBufferPointer { scales in
      precsearch_depthwise_f64(shape, grid, weights, bias, r.scale, r.scales.isEmpty ? nil : scales.baseAddress,
                               r.low, r.high, rowSums, output)
    }
  }
}

/// How the optimized depthwise kernel computes a layer, chosen once at plan time. Weights are stored
/// `[kernelHeight * kernelWidth][channelStride]` and the bias `[channelStride]`, zero padded.
///
/// Exactness: |weight code| <= 2^(bw-1), |input code| <= 2^(ba-1) and there are `fanIn` (= taps) products, so every
/// partial sum of the products is an integer of magnitude <= 2^bound, bound = bw + ba - 2 + ceilLog2(fanIn). The
/// kernel starts each sum at the bias, so with |bias| <= 2^bound' every partial sum is an integer below
/// 2^bound + 2^bound'. Float lanes need bound, bound' <= 23 (sums <= 2^24, all integers up to 2^24 are Floats);
/// Double lanes need bound, bound' <= 51 (sums <= 2^52). Each product is itself exact (it is bounded the same way)
/// and so is each (fused) addition: the floating-point result is the integer result. The requantization multiplies
/// by 2^-outputShift (exact: a power of two; for |outputShift| <= 100 and 1 <= |sum| <= 2^52 the product stays
/// within [2^-100, 2^152], normal in Float for the Float bounds (<= 2^124) and in Double), then rounds and saturates
/// exactly (`DepthwiseLane.requantized`), which is `Requantizer.apply`'s definition: a negative shift is a
/// saturating left shift, and saturating the exact product directly to the output range gives the same code.
enum DepthwiseLanes: Sendable {
  case float(weights: [Float], bias: [Float], requantization: DepthwiseRequantization<Float>)
  case double(weights: [Double], bias: [Double], requantization: DepthwiseRequantization<Double>)
  /// Int64 accumulators and integer requantization (`OptimizedKernels.depthwiseInteger`).
  case integer

  /// Channels rounded up to a multiple of 8: blocks of 16 lanes and at most one of 8 (so an 8-channel layer wastes
  /// no lanes).
  static func channelStride(_ channels: Int) -> Int { (channels + 7) / 8 * 8 }

  /// The lanes for a depthwise layer with weights `[kernelHeight * kernelWidth][channels]` and `bias` at
  /// accumulator scale.
  static func choose(parameters p: WeightedLayerParameters, geometry g: ConvGeometry, weights: [Int16],
                     bias: [Int64]) -> DepthwiseLanes {
    // Per-channel shifts: one scale per channel, each within the same range as a layer's.
    guard p.channelOutputShifts.allSatisfy({ (-100...100).contains($0) }), p.outputShift >= -100, p.outputShift <= 100, p.outputBits >= 2, p.outputBits <= 16,
          p.precision.weightBits <= 16, p.precision.activationBits <= 16 else { return .integer }
    let bound = p.precision.weightBits + p.precision.activationBits - 2 + ceilLog2(p.fanIn)
    let maxBias = bias.reduce(Int64(0)) { max($0, $1 == .min ? .max : abs($1)) }
    let c = g.output.channels, channelStride = Self.channelStride(c), taps = g.kernelHeight * g.kernelWidth
    func pack<L: DepthwiseLane>(_: L.Type) -> ([L], [L], DepthwiseRequantization<L>) {
      var w = [L](repeating: 0, count: taps * channelStride), b = [L](repeating: 0, count: channelStride)
      for t in 0..<taps { for ch in 0..<c { w[t * channelStride + ch] = L(code: weights[t * c + ch]) } }
      for ch in 0..<c { b[ch] = L(bias[ch]) }  // exact: |bias| <= 2^23 (Float) or 2^51 (Double)
      var r = DepthwiseRequantization<L>(scale: L(sign: .plus, exponent: L.Exponent(-p.outputShift), significand: 1),
                                         low: -L(Int(1) << (p.outputBits - 1)),
                                         high: L((Int(1) << (p.outputBits - 1)) - 1))
      if p.hasChannelShifts {
        r.scales = [L](repeating: 0, count: channelStride)
        for ch in 0..<c { r.scales[ch] = L(sign: .plus, exponent: L.Exponent(-p.outputShift(channel: ch)), significand: 1) }
      }
      return (w, b, r)
    }
    if bound <= 23, maxBias <= 1 << 23 {
      let (w, b, r) = pack(Float.self)
      return .float(weights: w, bias: b, requantization: r)
    }
    if bound <= 51, maxBias <= 1 << 51 {
      let (w, b, r) = pack(Double.self)
      return .double(weights: w, bias: b, requantization: r)
    }
    return .integer
  }
}
