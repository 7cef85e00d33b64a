/// The 16-bit master representation from which every lower precision is derived.
///
/// Weights and activations are stored once as 16-bit codes `q` with `fMaster` fractional bits. A `b`-bit code is
/// derived from the master by taking a `b`-bit window of it, rounding away the bits below the window and
/// saturating the bits above it:
///
/// ```
/// shift = 16 - b - windowShift
/// q_b   = clamp_b( round(q / 2^shift) )        round: toNearestOrEven; clamp_b: to -2^(b-1) ... 2^(b-1) - 1
/// f_b   = fMaster - (16 - b) + windowShift     (fractional bits of q_b)
/// ```
///
/// With `windowShift == 0` the window is the top `b` bits, so the full master range is kept and nothing
/// saturates (except the one rounding carry at the very top, e.g. 32767 -> 2^(b-1), which is clamped to
/// 2^(b-1) - 1). A positive `windowShift` moves the window down by that many bits: one more fractional bit of
/// resolution per step, at the price of saturating the largest values.
///
/// Examples for `b = 4` (`q_4` in -8 ... 7):
///
/// ```
///  master q | windowShift 0 (shift 12)     | windowShift 2 (shift 10)
///  ---------+------------------------------+-----------------------------
///    0x7FFF |  32767/4096 ~  8.0 ->  8 -> 7 | 32767/1024 ~ 32.0 -> 32 -> 7
///    0x1800 |   6144/4096 =  1.5 ->  2      |  6144/1024 =  6.0 ->  6
///    0x0800 |   2048/4096 =  0.5 ->  0      |  2048/1024 =  2.0 ->  2
///    0x2800 |  10240/4096 =  2.5 ->  2      | 10240/1024 = 10.0 -> 10 -> 7
///   -0x0800 |  -2048/4096 = -0.5 ->  0      | -2048/1024 = -2.0 -> -2
///   -0x1800 |  -6144/4096 = -1.5 -> -2      | -6144/1024 = -6.0 -> -6
///   -0x8000 | -32768/4096 = -8.0 -> -8      |-32768/1024 = -32  -> -8
/// ```
///
/// Deriving is idempotent in the sense that `b = 16, windowShift = 0` returns the master unchanged.
public enum MasterPrecision {
  /// The width of master codes, in bits.
  public static let bitWidth: Int = 16

  /// The valid derived widths, in bits.
  public static let derivedBitWidthRange: ClosedRange<Int> = 2 ... 16

  /// Derives the `b`-bit code of `master`: `clamp_b(round(master / 2^(16 - b - windowShift)))`, rounding
  /// `.toNearestOrEven` and clamping to a signed `b`-bit range. See ``MasterPrecision`` for tables.
  ///
  /// Out-of-range arguments are clamped, never trapped: `b` into `2 ... 16`, then `windowShift` into
  /// `0 ... (16 - b)`.
  ///
  /// - Parameters:
  ///   - master: The 16-bit master code.
  ///   - b: The derived width in bits, 2 ... 16.
  ///   - windowShift: How many bits below the top of the master the `b`-bit window sits, 0 ... 16 - b.
  /// - Returns: The derived code, in `-2^(b-1) ... 2^(b-1) - 1`, stored in an `Int16`.
  @inlinable
  public static func derive(_ master: Int16, toBitWidth b: Int, windowShift: Int = 0) -> Int16 {
    let width = Swift.min(Swift.max(b, 2), 16)
    let window = Swift.min(Swift.max(windowShift, 0), 16 &- width)
    // 0 ... 14 by the clamps above.
    let shift = 16 &- width &- window
    return master.shifted(rightBy: shift, rounding: .toNearestOrEven).clamped(toSignedBitWidth: width)
  }

  /// The fractional bits of a derived code: `fMaster - (16 - b) + windowShift`, with `b` and `windowShift`
  /// clamped exactly as in ``derive(_:toBitWidth:windowShift:)``. Saturates at `Int.min` / `Int.max` instead of
  /// overflowing for absurd `fMaster`.
  @inlinable
  public static func fractionalBits(master fMaster: Int, bitWidth b: Int, windowShift: Int = 0) -> Int {
    let width = Swift.min(Swift.max(b, 2), 16)
    let window = Swift.min(Swift.max(windowShift, 0), 16 &- width)
    // 16 - width - window is in 0 ... 14.
    return fMaster.subtractingWithSaturation(16 &- width &- window)
  }
}
