import FixedPointArithmetic

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
  /// Per-channel shifts (per-channel weight formats): Float64 lanes with one scale 2^-shift_c per output channel,
  /// under the `.double` conditions (|accumulator| <= 2^51, |bias| <= 2^51, every shift in 0...100), so each
  /// channel's requantization is exact as `.double`'s.
  case doubleChannels(scales: [Double], low: Double, high: Double)
  /// Not provably exact in floating point: integer requantization.
  case integer

  static func choose(accumulator: AccumulatorKind, parameters p: WeightedLayerParameters, maxBias: Int64)
    -> FloatingRequantization {
    let bound = p.precision.weightBits + p.precision.activationBits - 2 + ceilLog2(p.fanIn)  // |acc| <= 2^bound
    // Double lanes convert the bias exactly up to 2^51; the 8-bit dot products requantize with the bias minus their
    // offset correction (|correction| < 2^31, `WeightedLayerKernel.int8Bias`), so their bias must stay below 2^50.
    let doubleBiasLimit: Int64 = accumulator == .int8DotProduct ? 1 << 50 : 1 << 51
    // Shifts in -100...100: a negative shift is a saturating left shift, and saturating the exact product
    // (sum * 2^-shift, at most 2^152 in Double, 2^124 in Float) directly to the output range gives the same code.
    if p.hasChannelShifts {
      // Per-channel shifts: one scale per channel in Double lanes, else the integer path (a requantizer per channel).
      guard p.channelOutputShifts.allSatisfy({ (-100...100).contains($0) }), bound <= 51, maxBias <= doubleBiasLimit else {
        return .integer
      }
      return .doubleChannels(scales: p.channelOutputShifts.map { Double(sign: .plus, exponent: -$0, significand: 1) },
                             low: -Double(1 << (p.outputBits - 1)), high: Double((1 << (p.outputBits - 1)) - 1))
    }
    guard p.outputShift >= -100, p.outputShift <= 100 else { return .integer }
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
    if bound <= 51, maxBias <= doubleBiasLimit {
      return .double(scale: scale, low: low, high: high)
    }
    return .integer
  }
}

extension FloatingRequantization {
  /// The scale and output range of a uniform (per-tensor) requantization in Double lanes, for Int64 sums such as the
  /// Int16 pair GEMM's: `.double`'s own, and `.int32`'s as 2^-shift, exact under `.double`'s conditions because
  /// `.int32`'s are stricter (|accumulator| + |bias| < 2^30, shift 1...29); nil for the other cases.
  var doubleLanes: (scale: Double, low: Double, high: Double)? {
    switch self {
    case let .double(scale, low, high): return (scale, low, high)
    case let .int32(shift, low, high):
      return (Double(sign: .plus, exponent: -Int(shift), significand: 1), Double(low), Double(high))
    default: return nil
    }
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
