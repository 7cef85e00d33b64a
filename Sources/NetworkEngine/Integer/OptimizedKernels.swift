import FixedPointArithmetic
import CKernels

/// The exact accumulator an optimized weighted layer uses. All three give results bit-identical to the Int64
/// reference; which one runs is a speed choice made once per layer at plan time.
///
/// Bound: |weight code| <= 2^(bw-1) and |activation code| <= 2^(ba-1), so every partial sum of the `fanIn` products
/// is an integer of magnitude <= 2^(bw + ba - 2 + ceilLog2(fanIn)).
///
/// Depthwise layers pick their own exact lanes from the same bound (Float, Double or Int64, see `DepthwiseLanes`).
public enum AccumulatorKind: String, Hashable, Sendable, Codable {
  /// Float32 lanes holding integers: exact because every partial sum is an integer below 2^24 in magnitude
  /// (bw + ba + ceilLog2(fanIn) <= 26). Fastest on CPUs with wide FMA units.
  case exactFloat32
  /// Int32 (bw + ba + ceilLog2(fanIn) <= 31).
  case int32
  /// Int64 (always exact: at most 2^(30 + 28)). The optimized kernels run it in Double lanes when
  /// bw + ba - 2 + ceilLog2(fanIn) <= 51 (exact likewise: every partial sum is an integer of at most 2^51).
  case int64
  /// Int32 lanes fed by 8-bit dot products (AVX-512 VNNI `vpdpbusd`): activation codes offset by +128 to unsigned
  /// bytes times signed weight bytes, minus 128 * (sum of the weights). Used when both widths are <= 8, the layer is
  /// not grouped, the CPU has the instructions, and paddedFanIn * 255 * 128 < 2^31 (so no sum leaves Int32).
  case int8DotProduct

  /// True when this CPU runs the 8-bit dot-product kernel (checked once) and `KernelInstructionSet` is not capped
  /// below `.avx512`; read when a plan is made.
  public static var int8DotProductAvailable: Bool { precsearch_has_int8_dot_product() == 1 }

  /// The cheapest exact accumulator for a layer with the given widths, fan-in (after padding to the kernel's
  /// granule) and grouping.
  public static func choose(weightBits: Int, activationBits: Int, fanIn: Int, paddedFanIn: Int, grouped: Bool)
    -> AccumulatorKind {
    if int8DotProductAvailable, !grouped, weightBits <= 8, activationBits <= 8,
       paddedFanIn <= (Int(Int32.max) / (255 * 128)) {
      return .int8DotProduct
    }
    return choose(weightBits: weightBits, activationBits: activationBits, fanIn: fanIn)
  }

  /// The cheapest exact accumulator among Float32, Int32 and Int64 for a layer.
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

/// Requantization of a whole GEMM output row in floating point, used when it is provably exact:
/// `(accumulator + bias) * 2^-shift` is computed exactly (all values are integers within the mantissa and the
/// scaling is by a power of two), `rounded(.toNearestOrEven)` is IEEE rounding of an exact value, and the clamp and
/// the final conversion (a magic-number conversion of a value already inside [-2^15, 2^15)) are exact. So the result
/// equals `Requantizer.apply` bit for bit.
@usableFromInline enum FloatingRequantization: Sendable {
  /// Float32 lanes: |accumulator| <= 2^23 and |bias| <= 2^23, so every sum is an integer below 2^24.
  case float(scale: Float, low: Float, high: Float)
  /// Float64 lanes: |accumulator| <= 2^58 and |bias| <= 2^52 would not be exact; used for |sum| < 2^53.
  case double(scale: Double, low: Double, high: Double)
  /// Int32 lanes for Int32 accumulators (Int32 and 8-bit dot-product kinds): |accumulator| + |bias| < 2^30, so the
  /// sum (computed with wrapping adds, exact because the true value fits) and the rounding shift stay in Int32.
  case int32(shift: Int32, low: Int32, high: Int32)
  /// Not provably exact in floating point: integer requantization.
  case integer

  static func choose(accumulator: AccumulatorKind, parameters p: WeightedLayerParameters, maxBias: Int64)
    -> FloatingRequantization {
    guard p.outputShift >= 0, p.outputShift <= 100 else { return .integer }
    let bound = p.precision.weightBits + p.precision.activationBits - 2 + ceilLog2(p.fanIn)  // |acc| <= 2^bound
    if accumulator == .int32 || accumulator == .int8DotProduct, bound <= 28, maxBias <= 1 << 28,
       p.outputShift >= 1, p.outputShift <= 29 {
      return .int32(shift: Int32(p.outputShift), low: -(Int32(1) << (p.outputBits - 1)),
                    high: (Int32(1) << (p.outputBits - 1)) - 1)
    }
    let low = -Double(1 << (p.outputBits - 1)), high = Double((1 << (p.outputBits - 1)) - 1)
    let scale = Double(sign: .plus, exponent: -p.outputShift, significand: 1)
    if accumulator == .exactFloat32, bound <= 23, maxBias <= 1 << 23, p.outputShift <= 100 {
      return .float(scale: Float(scale), low: Float(low), high: Float(high))
    }
    if bound <= 51, maxBias <= 1 << 51 {
      return .double(scale: scale, low: low, high: high)
    }
    return .integer
  }
}

extension Float {
  /// Exact conversion of an integral Float in [-2^22, 2^22] to Int32, without traps (vectorizes).
  @inlinable @inline(__always) var exactInt32: Int32 {
    Int32(bitPattern: (self + 12_582_912).bitPattern) &- 0x4B40_0000
  }
}

extension Double {
  /// Exact conversion of an integral Double in [-2^51, 2^51] to Int64, without traps (vectorizes).
  @inlinable @inline(__always) var exactInt64: Int64 {
    let magic = 6_755_399_441_055_744.0
    return Int64(bitPattern: (self + magic).bitPattern) &- Int64(bitPattern: magic.bitPattern)
  }
}

/// A rounding right shift (to nearest, ties to even) by 0...30 bits followed by a clamp to [low, high], in Int32
/// and branch-free so that loops over it vectorize: `v.shifted(rightBy: shift, rounding: .toNearestOrEven)` clamped,
/// for every Int32 `v` (the floor quotient plus one and the remainder fit in Int32). Used by the Int32
/// requantization, `InputDerivation` and residual additions.
struct Int32RoundingShift {
  let shift: Int32
  let mask: Int32
  let half: Int32
  let low: Int32
  let high: Int32

  init(shift: Int32, low: Int32, high: Int32) {
    self.shift = shift
    mask = (Int32(1) << shift) &- 1
    // With no shift the remainder is always 0, so a `half` of 1 makes the rounding step add nothing.
    half = shift > 0 ? Int32(1) << (shift - 1) : 1
    self.low = low
    self.high = high
  }

  @inline(__always)
  func apply(_ v: Int32) -> Int16 {
    var q = v >> shift                                   // floor
    let r = v & mask                                     // remainder in [0, 2^shift)
    let above: Int32 = r > half ? 1 : 0
    let tie: Int32 = r == half ? 1 : 0
    q = q &+ (above | (tie & q & 1))                     // ties to even
    q = q < low ? low : q
    q = q > high ? high : q
    return Int16(truncatingIfNeeded: q)
  }
}

/// Fast integer kernels for Conv2D / Dense, bit-exact with `ReferenceKernels`.
///
/// - The input is derived to the layer's activation precision (when stored higher) and converted to the
///   accumulator's scalar in one pass.
/// - Ordinary and grouped convolutions and Dense: im2col, then `GEMMKernel` (8 pixels x 16 output channels in
///   registers) with the exact accumulator chosen by `AccumulatorKind.choose`.
/// - Depthwise convolutions: a zero-padded copy of the input and register blocks of 16 channels in exact Float or
///   Double lanes (see `DepthwiseLanes`), or direct Int64 loops where the lanes would not be exact.
@usableFromInline enum OptimizedKernels {
  static func weighted(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    if k.geometry.isDepthwise {
      switch k.depthwiseLanes {
      case let .float(weights, bias, r): depthwise(x, k, weights: weights, bias: bias, requantization: r, &out, ws)
      case let .double(weights, bias, r): depthwise(x, k, weights: weights, bias: bias, requantization: r, &out, ws)
      case .integer: depthwiseInteger(x, k, &out)
      }
      return
    }
    switch k.gemmWeights {
    case .float(let w): gemmConv(x, k, w, &out, ws)
    case .int32(let w): gemmConv(x, k, w, &out, ws)
    case .int64(let w): gemmConv(x, k, w, &out, ws)
    case .double(let w): gemmConv(x, k, w, &out, ws)
    case let .int8(w, rowLength): int8Conv(x, k, w, rowLength, &out, ws)
    case .none: preconditionFailure("non-depthwise kernel without GEMM weights")
    }
  }

  @inline(__always)
  static func gemmConv<S: GEMMScalar>(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [S], _ out: inout [Int16],
                                      _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let depth = g.fanIn, og = g.outputChannelsPerGroup, oc = g.output.channels
    let stride = k.gemmColumnStride
    let p = k.parameters
    let derivation = InputDerivation(p)
    let identity = derivation.isIdentity
    @inline(__always) func convert(_ code: Int16) -> S { S(code: identity ? code : derivation.apply(code)) }
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
        g.fillGrid(xp.baseAddress!, into: a, convert: convert)
      } else if identity {
        for j in 0..<xp.count { converted[j] = S(code: xp[j]) }
      } else {
        for j in 0..<xp.count { converted[j] = S(code: derivation.apply(xp[j])) }
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
            let base = group * og
            requantizeRows(k, c: c, stride: stride, rowWidth: rowWidth, base: base, og: og, oc: oc,
                           bias: bias.baseAddress! + base, out: op.baseAddress!)
          }
        }
      }
    }
  }

  /// The 8-bit dot-product path (one group). Codes become unsigned bytes `code + 128` (so padding is 128, the byte
  /// of code 0); the GEMM runs in exact Int32 and `128 * sum(weights)` is subtracted per output channel.
  static func int8Conv(_ x: [Int16], _ k: WeightedLayerKernel, _ weights: [Int8], _ rowLength: Int,
                       _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let stride = k.gemmColumnStride
    let p = k.parameters
    let derivation = InputDerivation(p)
    let identity = derivation.isIdentity
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
    // Codes are within [-128, 127] (activation bits <= 8): +128 maps them onto 0...255. Derive first when the
    // stored input is wider; both loops are branch-free so they vectorize.
    // Identity codes already lie in [-128, 127], so a shift of 0 with that clamp leaves them unchanged.
    let rounding = identity ? Int32RoundingShift(shift: 0, low: -128, high: 127) : derivation.rounding
    @inline(__always) func bytes(_ from: UnsafePointer<Int16>, _ to: UnsafeMutablePointer<UInt8>, _ n: Int) {
      if identity || derivation.isFast {
        precsearch_derive_u8(from, Int64(n), rounding.shift, rounding.low, rounding.high, to)
      } else {
        for j in 0..<n { to[j] = UInt8(truncatingIfNeeded: derivation.apply(from[j]) &+ 128) }
      }
    }
    x.withUnsafeBufferPointer { xp in
      if implicit {
        a.update(repeating: 128, count: aBytes)
        let cin = g.input.channels, gw = g.gridWidth
        // Input pixels 0..<columns of a row land on grid pixels padLeft..<padLeft + columns.
        let columns = max(0, min(g.input.width, gw - g.padLeft))
        for y in 0..<g.input.height {
          let gy = y + g.padTop
          if gy >= g.gridHeight { break }
          let from = xp.baseAddress! + y * g.input.width * cin, to = a + (gy * gw + g.padLeft) * channels4
          if cin == channels4 {
            bytes(from, to, columns * cin)  // the row is contiguous in both
          } else {
            for xx in 0..<columns { bytes(from + xx * cin, to + xx * channels4, cin) }
          }
        }
      } else {
        bytes(xp.baseAddress!, converted, xp.count)
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
          precsearch_gemm_u8s8(a, Int64(rows), Int64(channels4), offsets.baseAddress!, Int64(taps),
                               Int64(channels4), wp.baseAddress!, Int64(stride), c)
        }
      } else {
        g.im2col(UnsafePointer(converted), group: 0, into: a, rowLength: rowLength, paddingValue: 128)
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 1) { zero in
          zero[0] = 0
          precsearch_gemm_u8s8(a, Int64(rows), Int64(rowLength), zero.baseAddress!, 1, Int64(rowLength),
                               wp.baseAddress!, Int64(stride), c)
        }
      }
    }
    // The offset correction is folded into the bias: (acc - 128 * sum(w)) + bias = acc + (bias - 128 * sum(w)),
    // exact because |bias| <= 2^62 - ... is re-saturated at plan time (see `WeightedLayerKernel.int8Bias`).
    let og = g.output.channels
    let rowWidth = implicit ? g.gridWidth : g.output.width
    k.int8Bias.withUnsafeBufferPointer { bias in
      out.withUnsafeMutableBufferPointer { op in
        requantizeRows(k, c: c, stride: stride, rowWidth: rowWidth, base: 0, og: og, oc: og,
                       bias: bias.baseAddress!, out: op.baseAddress!)
      }
    }
  }

  /// Requantizes the GEMM output rows of one group into the HWC output.
  @inline(__always)
  static func requantizeRows<S: GEMMScalar>(_ k: WeightedLayerKernel, c: UnsafeMutablePointer<S>, stride: Int,
                                            rowWidth: Int, base: Int, og: Int, oc: Int, bias b: UnsafePointer<Int64>,
                                            out: UnsafeMutablePointer<Int16>) {
    let g = k.geometry
    let requantizer = k.requantizer
    let width = g.output.width
    // Output row oy: GEMM rows oy * rowWidth ..< oy * rowWidth + width (stride `stride`), output pixels
    // oy * width ..< (oy + 1) * width (stride `oc`).
    for oy in 0..<g.output.height {
      let firstRow = oy * rowWidth
      let destination = out + oy * width * oc + base
      switch k.floatingRequantization {
      case let .float(scale, low, high) where S.self == Float.self:
        let sums = UnsafeRawPointer(c + firstRow * stride).assumingMemoryBound(to: Float.self)
        k.floatBias.withUnsafeBufferPointer { fbp in
          precsearch_requantize_f32(sums, Int64(stride), Int64(width), fbp.baseAddress! + base, Int64(og), scale, low,
                                    high, destination, Int64(oc))
        }
      case let .int32(shift, low, high) where S.self == Int32.self:
        let sums = UnsafeRawPointer(c + firstRow * stride).assumingMemoryBound(to: Int32.self)
        k.int32Bias.withUnsafeBufferPointer { bp in
          // Wrapping add: the raw accumulator may carry the 8-bit offset, but the true sum fits in Int32.
          precsearch_requantize_i32(sums, Int64(stride), Int64(width), bp.baseAddress! + base, Int64(og), shift, low,
                                    high, destination, Int64(oc))
        }
      case let .double(scale, low, high) where S.self == Double.self:
        // Double lanes: |accumulator| <= 2^51 and |bias| <= 2^51, so the sum is exact (below 2^52).
        let sums = UnsafeRawPointer(c + firstRow * stride).assumingMemoryBound(to: Double.self)
        precsearch_requantize_f64(sums, Int64(stride), Int64(width), b, Int64(og), scale, low, high, destination,
                                  Int64(oc))
      case let .double(scale, low, high):
        for ox in 0..<width {
          let row = c + (firstRow + ox) * stride, dst = destination + ox * oc
          for o in 0..<og {
            dst[o] = Double.requantized(Double(row[o].int64) + Double(b[o]), scale: scale, low: low, high: high)
          }
        }
      default:
        for ox in 0..<width {
          let row = c + (firstRow + ox) * stride, dst = destination + ox * oc
          // |accumulator| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
          for o in 0..<og { dst[o] = requantizer.apply(row[o].int64 &+ b[o]) }
        }
      }
    }
  }

  /// Depthwise convolution in exact floating-point lanes (see `DepthwiseLanes`): the input is derived, converted
  /// and copied once into a zero-padded grid (so no tap needs a bounds check); every output pixel is accumulated
  /// 16 channels at a time in registers, starting from the bias, into a row buffer that is then requantized in
  /// the same lanes by a loop over channels.
  @inline(__always)
  static func depthwise<L: DepthwiseLane>(_ x: [Int16], _ k: WeightedLayerKernel, weights: [L], bias: [L],
                                          requantization r: DepthwiseRequantization<L>, _ out: inout [Int16],
                                          _ ws: IntegerPlan.Workspace) {
    let g = k.geometry
    let c = g.output.channels, cp = DepthwiseLanes.channelStride(c)
    let outH = g.output.height, outW = g.output.width
    let size = MemoryLayout<L>.stride
    // Grid: every input position any tap of any output pixel reads, padding included (zeros).
    let gh = (outH - 1) * g.strideHeight + (g.kernelHeight - 1) * g.dilationHeight + 1
    let gw = (outW - 1) * g.strideWidth + (g.kernelWidth - 1) * g.dilationWidth + 1
    let gridCount = gh * gw * cp, rowCount = outW * cp
    let taps = g.kernelHeight * g.kernelWidth
    ws.reserve((gridCount + rowCount) * size + taps * MemoryLayout<Int>.stride)
    let grid = ws.scratch.bindMemory(to: L.self, capacity: gridCount)
    let row = (ws.scratch + gridCount * size).bindMemory(to: L.self, capacity: rowCount)
    // Offset (in elements) of each tap (ky, kx) from the grid position of an output pixel's first tap.
    let offsets = (ws.scratch + (gridCount + rowCount) * size).bindMemory(to: Int64.self, capacity: taps)
    for ky in 0..<g.kernelHeight {
      for kx in 0..<g.kernelWidth {
        offsets[ky * g.kernelWidth + kx] = Int64((ky * g.dilationHeight * gw + kx * g.dilationWidth) * cp)
      }
    }
    let derivation = InputDerivation(k.parameters)
    x.withUnsafeBufferPointer { xp in
      grid.update(repeating: 0, count: gridCount)
      for y in 0..<g.input.height {
        let gy = y + g.padTop
        if gy < 0 || gy >= gh { continue }
        for xx in 0..<g.input.width {
          let gx = xx + g.padLeft
          if gx < 0 || gx >= gw { continue }
          let from = xp.baseAddress! + (y * g.input.width + xx) * c
          let to = grid + (gy * gw + gx) * cp
          if derivation.isIdentity {
            for ch in 0..<c { to[ch] = L(code: from[ch]) }
          } else {
            for ch in 0..<c { to[ch] = L(code: derivation.apply(from[ch])) }
          }
        }
      }
    }
    // Every output pixel: 16 channels at a time from the bias through the taps (exact: every partial sum is an
    // integer within the lanes' exact range, DepthwiseLanes.choose), then requantized row by row (CKernels).
    var shape = precsearch_depthwise_shape(
      taps: Int64(taps), tap_offsets: UnsafePointer(offsets), channel_stride: Int64(cp), channels: Int64(c),
      output_height: Int64(outH), output_width: Int64(outW), pixel_step: Int64(g.strideWidth * cp),
      row_step: Int64(g.strideHeight * gw * cp))
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
  /// do not fit the floating-point lanes, or whose output shift is negative or huge (see `DepthwiseLanes.choose`).
  static func depthwiseInteger(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16]) {
    let g = k.geometry
    let c = g.output.channels, inW = g.input.width, inH = g.input.height
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
                    if iy < 0 || iy >= inH { continue }
                    for kx in 0..<g.kernelWidth {
                      let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                      if ix < 0 || ix >= inW { continue }
                      let src = xp.baseAddress! + (iy * inW + ix) * c
                      let wr = wp.baseAddress! + (ky * g.kernelWidth + kx) * c
                      // |x|, |w| <= 2^15 and at most 2^28 taps: |acc| <= 2^58, no overflow.
                      for ch in 0..<c { a[ch] &+= Int64(src[ch]) &* Int64(wr[ch]) }
                    }
                  }
                  let dst = op.baseAddress! + (oy * g.output.width + ox) * c
                  // |acc| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
                  for ch in 0..<c { dst[ch] = requantizer.apply(a[ch] &+ bp[ch]) }
                }
              }
            }
          }
        }
      }
    }
  }

  /// Max or average pooling, equal to `IntegerPooling.pool` (the definition) element for element, vectorized over
  /// channels: max of the valid window elements, or their exact sum (Int64: at most 2^15 * window size) divided by
  /// the count with `roundedQuotient`.
  static func pool(_ x: [Int16], _ g: ConvGeometry, max isMax: Bool, _ out: inout [Int16]) {
    let c = g.output.channels, inW = g.input.width, inH = g.input.height
    withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(c, 1)) { sp in
      let sums = sp.baseAddress!
      x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { op in
          for oy in 0..<g.output.height {
            for ox in 0..<g.output.width {
              let dst = op.baseAddress! + (oy * g.output.width + ox) * c
              if isMax { for ch in 0..<c { dst[ch] = .min } } else { for ch in 0..<c { sums[ch] = 0 } }
              var count: Int64 = 0
              for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.padTop + ky
                if iy < 0 || iy >= inH { continue }
                for kx in 0..<g.kernelWidth {
                  let ix = ox * g.strideWidth - g.padLeft + kx
                  if ix < 0 || ix >= inW { continue }
                  let src = xp.baseAddress! + (iy * inW + ix) * c
                  if isMax {
                    for ch in 0..<c { dst[ch] = Swift.max(dst[ch], src[ch]) }
                  } else {
                    for ch in 0..<c { sums[ch] &+= Int64(src[ch]) }  // |sum| <= 2^15 * window: no overflow
                  }
                  count += 1
                }
              }
              // An empty window gives Int16.min (max) or 0 / 0 (average): as the definition, which computes
              // roundedQuotient(0, 0) only for windows no valid geometry has.
              if !isMax {
                for ch in 0..<c { dst[ch] = Int16(truncatingIfNeeded: roundedQuotient(sums[ch], count)) }
              }
            }
          }
        }
      }
    }
  }
}

/// Taking stored input codes to a layer's activation precision (`WeightedLayerKernel.deriveInput`), branch-free
/// in Int32 so that loops over it vectorize. Equal to `deriveInput` for every Int16 code (tested exhaustively).
///
/// For shifts in 1...15: |code| <= 2^15, so the floor, remainder and the rounded quotient (<= 2^15) fit in Int32.
/// Other shifts (0 with a clamp, or outside 0...15) fall back to the definition.
struct InputDerivation {
  let rounding: Int32RoundingShift
  /// True when the stored codes are the layer's codes already (no shift, same width).
  let isIdentity: Bool
  let isFast: Bool
  let parameters: WeightedLayerParameters

  init(_ p: WeightedLayerParameters) {
    parameters = p
    isIdentity = p.inputShift == 0 && p.storedInputBits == p.precision.activationBits
    isFast = p.inputShift >= 0 && p.inputShift <= 15 && p.precision.activationBits <= 16
    let bits = min(max(p.precision.activationBits, 1), 16)
    rounding = Int32RoundingShift(shift: Int32(truncatingIfNeeded: min(max(p.inputShift, 0), 15)),
                                  low: -(Int32(1) << Int32(bits - 1)), high: (Int32(1) << Int32(bits - 1)) - 1)
  }

  @inline(__always)
  func apply(_ code: Int16) -> Int16 {
    guard isFast else {
      return code.shifted(rightBy: parameters.inputShift, rounding: .toNearestOrEven)
        .clamped(toSignedBitWidth: parameters.precision.activationBits)
    }
    return rounding.apply(Int32(code))
  }
}

/// A floating-point lane type holding exact integers (Float or Double): the depthwise kernel's lanes, and the
/// scalars of the GEMM path's floating-point requantization.
protocol DepthwiseLane: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
  /// Conversion from a code (exact).
  init(code: Int16)
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

/// Output scaling of the depthwise lanes: 2^-outputShift and the output code range.
struct DepthwiseRequantization<L: DepthwiseLane>: Sendable {
  let scale: L
  let low: L
  let high: L
}

extension Float: DepthwiseLane {
  @inline(__always) var exactInt16: Int16 { Int16(truncatingIfNeeded: exactInt32) }
  static func depthwise(_ shape: UnsafePointer<precsearch_depthwise_shape>, grid: UnsafePointer<Float>,
                        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                        requantization r: DepthwiseRequantization<Float>, rowSums: UnsafeMutablePointer<Float>,
                        output: UnsafeMutablePointer<Int16>) {
    precsearch_depthwise_f32(shape, grid, weights, bias, r.scale, r.low, r.high, rowSums, output)
  }
}

extension Double: DepthwiseLane {
  @inline(__always) var exactInt16: Int16 { Int16(truncatingIfNeeded: exactInt64) }
  static func depthwise(_ shape: UnsafePointer<precsearch_depthwise_shape>, grid: UnsafePointer<Double>,
                        weights: UnsafePointer<Double>, bias: UnsafePointer<Double>,
                        requantization r: DepthwiseRequantization<Double>, rowSums: UnsafeMutablePointer<Double>,
                        output: UnsafeMutablePointer<Int16>) {
    precsearch_depthwise_f64(shape, grid, weights, bias, r.scale, r.low, r.high, rowSums, output)
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

  /// Channels rounded up to a multiple of 16 (one SIMD16 block).
  static func channelStride(_ channels: Int) -> Int { (channels + 15) / 16 * 16 }

  /// The lanes for a depthwise layer with weights `[kernelHeight * kernelWidth][channels]` and `bias` at
  /// accumulator scale.
  static func choose(parameters p: WeightedLayerParameters, geometry g: ConvGeometry, weights: [Int16],
                     bias: [Int64]) -> DepthwiseLanes {
    guard p.outputShift >= -100, p.outputShift <= 100, p.outputBits >= 2, p.outputBits <= 16,
          p.precision.weightBits <= 16, p.precision.activationBits <= 16 else { return .integer }
    let bound = p.precision.weightBits + p.precision.activationBits - 2 + ceilLog2(p.fanIn)
    let maxBias = bias.reduce(Int64(0)) { max($0, $1 == .min ? .max : abs($1)) }
    let c = g.output.channels, cp = channelStride(c), taps = g.kernelHeight * g.kernelWidth
    func pack<L: DepthwiseLane>(_: L.Type) -> ([L], [L], DepthwiseRequantization<L>) {
      var w = [L](repeating: 0, count: taps * cp), b = [L](repeating: 0, count: cp)
      for t in 0..<taps { for ch in 0..<c { w[t * cp + ch] = L(code: weights[t * c + ch]) } }
      for ch in 0..<c { b[ch] = L(bias[ch]) }  // exact: |bias| <= 2^23 (Float) or 2^51 (Double)
      let r = DepthwiseRequantization<L>(scale: L(sign: .plus, exponent: L.Exponent(-p.outputShift), significand: 1),
                                         low: -L(Int(1) << (p.outputBits - 1)),
                                         high: L((Int(1) << (p.outputBits - 1)) - 1))
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
