import FixedPointArithmetic

/// The exact accumulator an optimized weighted layer uses. All three give results bit-identical to the Int64
/// reference; which one runs is a speed choice made once per layer at plan time.
///
/// Bound: |weight code| <= 2^(bw-1) and |activation code| <= 2^(ba-1), so every partial sum of the `fanIn` products
/// is an integer of magnitude <= 2^(bw + ba - 2 + ceilLog2(fanIn)).
public enum AccumulatorKind: String, Hashable, Sendable, Codable {
  /// Float32 lanes holding integers: exact because every partial sum is an integer below 2^24 in magnitude
  /// (bw + ba + ceilLog2(fanIn) <= 26). Fastest on CPUs with wide FMA units.
  case exactFloat32
  /// Int32 (bw + ba + ceilLog2(fanIn) <= 31).
  case int32
  /// Int64 (always exact: at most 2^(30 + 28)).
  case int64

  /// The cheapest exact accumulator for a layer.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int) -> AccumulatorKind {
    let bits = weightBits + activationBits + ceilLog2(fanIn)
    if bits <= 26 { return .exactFloat32 }
    if bits <= 31 { return .int32 }
    return .int64
  }
}

/// Rounding right shift (ties to even) plus saturation, specialised for the requantization hot loops.
/// Equal to `v.shifted(rightBy: shift, rounding: .toNearestOrEven).clamped(toSignedBitWidth: bits)` for all v;
/// branch-free for shifts in 1...62 so that loops over it vectorize.
@usableFromInline struct Requantizer: Sendable {
  @usableFromInline let shift: Int
  @usableFromInline let low: Int64
  @usableFromInline let high: Int64
  init(shift: Int, bits: Int) {
    self.shift = shift
    low = -(Int64(1) << (bits - 1))
    high = (Int64(1) << (bits - 1)) - 1
  }
  /// True when `apply` takes the branch-free path.
  @usableFromInline var isFast: Bool { shift >= 1 && shift <= 62 }

  @inlinable @inline(__always)
  func apply(_ v: Int64) -> Int16 {
    var q: Int64
    if shift >= 1 && shift <= 62 {
      q = v >> shift                        // floor
      let r = v & ((Int64(1) << shift) &- 1) // remainder in [0, 2^shift)
      let half = Int64(1) << (shift - 1)
      let above: Int64 = r > half ? 1 : 0
      let tie: Int64 = r == half ? 1 : 0
      q = q &+ (above | (tie & q & 1))      // q < 2^62: no overflow
    } else if shift == 0 {
      q = v
    } else {
      q = v.shifted(rightBy: shift, rounding: .toNearestOrEven)
    }
    return Int16(truncatingIfNeeded: min(max(q, low), high))
  }
}

/// Fast integer kernels for Conv2D / Dense, bit-exact with `ReferenceKernels`.
///
/// - The input is derived to the layer's activation precision (when stored higher) and converted to the
///   accumulator's scalar in one pass.
/// - Ordinary and grouped convolutions and Dense: im2col, then `GEMMKernel` (8 pixels x 16 output channels in
///   registers) with the exact accumulator chosen by `AccumulatorKind.choose`.
/// - Depthwise convolutions: direct loops vectorized over channels, Int32 or Int64 accumulators.
@usableFromInline enum OptimizedKernels {
  static func weighted(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    if k.geometry.isDepthwise {
      let derived = derive(x, k)
      if k.accumulator == .int64 { depthwise(derived, k, &out, Int64.self) } else { depthwise(derived, k, &out, Int32.self) }
      return
    }
    switch k.gemmWeights {
    case .float(let w): gemmConv(x, k, w, &out, ws)
    case .int32(let w): gemmConv(x, k, w, &out, ws)
    case .int64(let w): gemmConv(x, k, w, &out, ws)
    case .none: preconditionFailure("non-depthwise kernel without GEMM weights")
    }
  }

  private static func derive(_ x: [Int16], _ k: WeightedLayerKernel) -> [Int16] {
    let p = k.parameters
    if p.inputShift == 0 && p.storedInputBits == p.precision.activationBits { return x }
    return x.map { k.deriveInput($0) }
  }

  @inline(__always)
  static func gemmConv<S: GEMMScalar>(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [S], _ out: inout [Int16],
                                      _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let depth = g.fanIn, og = g.outputChannelsPerGroup, oc = g.output.channels, pixels = g.outputPixels
    let stride = k.gemmColumnStride
    let rows = g.paddedOutputPixels
    let packedBytes = rows * depth * MemoryLayout<S>.stride
    let convertedBytes = (x.count + 16) * MemoryLayout<S>.stride
    ws.reserve(packedBytes + rows * stride * MemoryLayout<S>.stride + convertedBytes)
    let packed = ws.scratch.bindMemory(to: S.self, capacity: rows * depth)
    let c = (ws.scratch + packedBytes).bindMemory(to: S.self, capacity: rows * stride)
    let converted = (ws.scratch + packedBytes + rows * stride * MemoryLayout<S>.stride)
      .bindMemory(to: S.self, capacity: x.count)
    let requantizer = k.requantizer
    // Derive (when the stored input is wider than the layer's activation bits) and convert in one pass.
    x.withUnsafeBufferPointer { xp in
      let p = k.parameters
      if p.inputShift == 0 && p.storedInputBits == p.precision.activationBits {
        for j in 0..<xp.count { converted[j] = S(code: xp[j]) }
      } else {
        for j in 0..<xp.count { converted[j] = S(code: k.deriveInput(xp[j])) }
      }
    }
    do {
      let xp = UnsafeBufferPointer(start: converted, count: x.count)
      k.bias.withUnsafeBufferPointer { bias in
        weights.withUnsafeBufferPointer { wp in
          out.withUnsafeMutableBufferPointer { op in
            for group in 0..<g.groups {
              g.im2col(xp.baseAddress!, group: group, into: packed)
              GEMMKernel.run(a: UnsafePointer(packed), rows: rows, depth: depth,
                             b: wp.baseAddress! + group * depth * stride, columnStride: stride, c: c)
              let base = group * og
              let b = bias.baseAddress! + base
              for pixel in 0..<pixels {
                let row = c + pixel * stride
                let dst = op.baseAddress! + pixel * oc + base
                // |accumulator| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
                for o in 0..<og { dst[o] = requantizer.apply(row[o].int64 &+ b[o]) }
              }
            }
          }
        }
      }
    }
  }

  static func depthwise<A: FixedWidthInteger & SignedInteger>(_ x: [Int16], _ k: WeightedLayerKernel,
                                                               _ out: inout [Int16], _: A.Type) {
    let g = k.geometry
    let c = g.output.channels, inW = g.input.width, inH = g.input.height
    var acc = [A](repeating: 0, count: c)
    x.withUnsafeBufferPointer { xp in
      k.depthwiseWeights.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
          acc.withUnsafeMutableBufferPointer { ap in
            let a = ap.baseAddress!
            for oy in 0..<g.output.height {
              for ox in 0..<g.output.width {
                for ch in 0..<c { a[ch] = 0 }
                for ky in 0..<g.kernelHeight {
                  let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                  if iy < 0 || iy >= inH { continue }
                  for kx in 0..<g.kernelWidth {
                    let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                    if ix < 0 || ix >= inW { continue }
                    let src = xp.baseAddress! + (iy * inW + ix) * c
                    let wr = wp.baseAddress! + (ky * g.kernelWidth + kx) * c
                    // Exact: the accumulator kind was chosen from the bound on the sum (see AccumulatorKind).
                    for ch in 0..<c { a[ch] &+= A(src[ch]) &* A(wr[ch]) }
                  }
                }
                let dst = op.baseAddress! + (oy * g.output.width + ox) * c
                for ch in 0..<c { dst[ch] = k.requantize(Int64(a[ch]), channel: ch) }
              }
            }
          }
        }
      }
    }
  }
}
