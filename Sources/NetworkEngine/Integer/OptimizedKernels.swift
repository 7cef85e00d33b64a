import FixedPointArithmetic
import CInt8Kernels

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
  /// Int32 lanes fed by 8-bit dot products (AVX-512 VNNI `vpdpbusd`): activation codes offset by +128 to unsigned
  /// bytes times signed weight bytes, minus 128 * (sum of the weights). Used when both widths are <= 8, the layer is
  /// not grouped, the CPU has the instructions, and paddedFanIn * 255 * 128 < 2^31 (so no sum leaves Int32).
  case int8DotProduct

  /// True when this CPU runs the 8-bit dot-product kernel (checked once).
  public static let int8DotProductAvailable: Bool = precsearch_has_int8_dot_product() == 1

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
    case let .int8(w, rowLength): int8Conv(x, k, w, rowLength, &out, ws)
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
    let depth = g.fanIn, og = g.outputChannelsPerGroup, oc = g.output.channels
    let stride = k.gemmColumnStride
    let p = k.parameters
    let identity = p.inputShift == 0 && p.storedInputBits == p.precision.activationBits
    @inline(__always) func convert(_ code: Int16) -> S { S(code: identity ? code : k.deriveInput(code)) }
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
        for j in 0..<xp.count { converted[j] = S(code: k.deriveInput(xp[j])) }
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
    let identity = p.inputShift == 0 && p.storedInputBits == p.precision.activationBits
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
    @inline(__always) func bytes(_ from: UnsafePointer<Int16>, _ to: UnsafeMutablePointer<UInt8>, _ n: Int) {
      if identity {
        for j in 0..<n { to[j] = UInt8(truncatingIfNeeded: from[j] &+ 128) }
      } else {
        for j in 0..<n { to[j] = UInt8(truncatingIfNeeded: k.deriveInput(from[j]) &+ 128) }
      }
    }
    x.withUnsafeBufferPointer { xp in
      if implicit {
        a.update(repeating: 128, count: aBytes)
        let cin = g.input.channels, gw = g.gridWidth
        for y in 0..<g.input.height {
          let gy = y + g.padTop
          if gy >= g.gridHeight { break }
          for xx in 0..<g.input.width {
            let gx = xx + g.padLeft
            if gx >= gw { break }
            bytes(xp.baseAddress! + (y * g.input.width + xx) * cin, a + (gy * gw + gx) * channels4, cin)
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
    for oy in 0..<g.output.height {
      for ox in 0..<g.output.width {
        let pixel = oy * g.output.width + ox
        let dst = out + pixel * oc + base
        let rowIndex = oy * rowWidth + ox
        switch k.floatingRequantization {
        case let .float(scale, low, high) where S.self == Float.self:
          let row = UnsafeRawPointer(c + rowIndex * stride).assumingMemoryBound(to: Float.self)
          k.floatBias.withUnsafeBufferPointer { fbp in
            let fb = fbp.baseAddress! + base
            for o in 0..<og {
              var v = ((row[o] + fb[o]) * scale).rounded(.toNearestOrEven)
              v = v < low ? low : v
              v = v > high ? high : v
              dst[o] = Int16(truncatingIfNeeded: v.exactInt32)
            }
          }
        case let .int32(shift, low, high) where S.self == Int32.self:
          let row = UnsafeRawPointer(c + rowIndex * stride).assumingMemoryBound(to: Int32.self)
          let mask = (Int32(1) << shift) &- 1, half = Int32(1) << (shift - 1)
          for o in 0..<og {
            // Wrapping add: the raw accumulator may carry the 8-bit offset, but the true sum fits in Int32.
            let v = row[o] &+ Int32(truncatingIfNeeded: b[o])
            var q = v >> shift
            let r = v & mask
            let above: Int32 = r > half ? 1 : 0
            let tie: Int32 = r == half ? 1 : 0
            q = q &+ (above | (tie & q & 1))
            q = q < low ? low : q
            q = q > high ? high : q
            dst[o] = Int16(truncatingIfNeeded: q)
          }
        case let .double(scale, low, high):
          let row = c + rowIndex * stride
          for o in 0..<og {
            var v = ((Double(row[o].int64) + Double(b[o])) * scale).rounded(.toNearestOrEven)
            v = v < low ? low : v
            v = v > high ? high : v
            dst[o] = Int16(truncatingIfNeeded: v.exactInt64)
          }
        default:
          let row = c + rowIndex * stride
          // |accumulator| <= 2^58 and |bias| <= 2^62 (saturated at plan time): the sum cannot overflow.
          for o in 0..<og { dst[o] = requantizer.apply(row[o].int64 &+ b[o]) }
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
