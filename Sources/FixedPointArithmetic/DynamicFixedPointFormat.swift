/// A dynamic fixed-point format: a real value is represented as `q * 2^-fractionalBits` with `q` a signed
/// `bitWidth`-bit integer code.
///
/// `fractionalBits` may be negative (the unit is larger than 1) or larger than `bitWidth` (every value is
/// smaller than 1). `bitWidth` is in `1 ... 32` (``bitWidthRange``); the memberwise initializer clamps it into that
/// range, and the computed properties clamp it again, so a format whose `bitWidth` was later set out of range
/// behaves as the nearest valid width instead of trapping. Use ``init(validatingBitWidth:fractionalBits:)`` to
/// reject bad widths instead.
///
/// ```
/// let q8_4 = DynamicFixedPointFormat(bitWidth: 8, fractionalBits: 4)
/// q8_4.quantize(1.53)      // 24   (1.53 * 16 = 24.48)
/// q8_4.value(ofCode: 24)   // 1.5
/// q8_4.largestValue        // 7.9375
/// ```
public struct DynamicFixedPointFormat: Sendable, Hashable {
  /// The valid code widths, in bits.
  public static let bitWidthRange: ClosedRange<Int> = 1 ... 32

  /// The width of the signed code `q`, in bits; valid values are 1 ... 32.
  public var bitWidth: Int
  /// The number of fractional bits: the code's unit is `2^-fractionalBits`. Any `Int`.
  public var fractionalBits: Int

  /// Creates a format; `bitWidth` is clamped into `1 ... 32`.
  public init(bitWidth: Int, fractionalBits: Int) {
    self.bitWidth = Swift.min(Swift.max(bitWidth, Self.bitWidthRange.lowerBound), Self.bitWidthRange.upperBound)
    self.fractionalBits = fractionalBits
  }

  /// Creates a format, throwing if `bitWidth` is outside `1 ... 32`.
  public init(validatingBitWidth bitWidth: Int, fractionalBits: Int) throws(FixedPointFormatError) {
    guard Self.bitWidthRange.contains(bitWidth) else {
      throw FixedPointFormatError.bitWidthOutOfRange(bitWidth: bitWidth, allowed: Self.bitWidthRange)
    }
    self.init(bitWidth: bitWidth, fractionalBits: fractionalBits)
  }

  /// `bitWidth` clamped into `1 ... 32`.
  @inlinable
  internal var _effectiveBitWidth: Int {
    Swift.min(Swift.max(bitWidth, 1), 32)
  }

  /// The smallest code, `-2^(bitWidth-1)`.
  @inlinable
  public var minimumCode: Int64 { -((1 as Int64) << (_effectiveBitWidth - 1)) }

  /// The largest code, `2^(bitWidth-1) - 1`.
  @inlinable
  public var maximumCode: Int64 { ((1 as Int64) << (_effectiveBitWidth - 1)) - 1 }

  /// The value of one code step, `2^-fractionalBits` (0 or +infinity when out of `Double`'s range).
  @inlinable
  public var resolution: Double { (1.0)._scaledByPowerOfTwo(fractionalBits == .min ? .max : -fractionalBits) }

  /// The largest representable value, `maximumCode * resolution` (0 when `bitWidth == 1`).
  public var largestValue: Double {
    Double(maximumCode)._scaledByPowerOfTwo(fractionalBits == .min ? .max : -fractionalBits)
  }

  /// The code nearest to `x`: `x * 2^fractionalBits` rounded by `.toNearestOrEven` and saturated to
  /// `minimumCode ... maximumCode`. NaN gives 0; ±infinity saturate.
  @inlinable
  public func quantize(_ x: Double) -> Int64 {
    if x.isNaN { return 0 }
    let code = Int64(saturating: x._scaledByPowerOfTwo(fractionalBits), rounding: .toNearestOrEven)
    return Swift.min(Swift.max(code, minimumCode), maximumCode)
  }

  /// The real value of code `q`, `q * 2^-fractionalBits` (rounded to `Double` only when `|q| > 2^53` or the
  /// result leaves `Double`'s normal range). The code is not clamped to the format's range.
  @inlinable
  public func value(ofCode q: Int64) -> Double {
    Double(q)._scaledByPowerOfTwo(fractionalBits == .min ? .max : -fractionalBits)
  }

  /// The largest number of fractional bits `f` such that `|maxMagnitude|` quantizes without saturation, that is
  /// `round(|maxMagnitude| * 2^f) <= 2^(bitWidth-1) - 1` with `.toNearestOrEven` rounding.
  ///
  /// - `maxMagnitude` is used by absolute value; NaN and ±infinity return `nil`.
  /// - `maxMagnitude == 0` or subnormal returns `bitWidth - 1` (a conventional Q0.(b-1) choice: nothing to fit).
  /// - The result is clamped to `-64 ... 64`. At 64 the magnitude fits with room to spare (the true optimum is
  ///   larger); at -64 (magnitudes around 2^(bitWidth+62) and above) it does not fit and will saturate.
  /// - `bitWidth` is clamped into `1 ... 32`. With `bitWidth == 1` the only code is 0, so `f` is the largest with
  ///   `|maxMagnitude| * 2^f <= 1/2`.
  ///
  /// ```
  /// DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1.0, bitWidth: 8)   // 6 (64 <= 127, 128 > 127)
  /// DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 0.99, bitWidth: 8)  // 7 (126.72 -> 127)
  /// ```
  public static func fractionalBits(forMaxMagnitude maxMagnitude: Double, bitWidth: Int) -> Int? {
    guard maxMagnitude.isFinite else { return nil }
    let width = Swift.min(Swift.max(bitWidth, 1), 32)
    let magnitude = maxMagnitude.magnitude
    if magnitude == 0 || magnitude.isSubnormal { return width - 1 }
    let maximum = Double(((1 as Int64) << (width - 1)) - 1)  // exact: at most 2^31 - 1
    // magnitude = s * 2^e with 1 <= s < 2. With f = width - 1 - e the scaled value s * 2^(width-1) >= 2^(width-1)
    // never fits; with f = width - 3 - e it is below 2^(width-2), which always fits (rounds to <= max(0, ..)).
    // So the answer is width - 2 - e if that fits, else width - 3 - e. e is in -1022 ... 1023: no overflow.
    let e = Int(magnitude.exponent)
    let candidate = width - 2 - e
    let fits = magnitude._scaledByPowerOfTwo(candidate).rounded(.toNearestOrEven) <= maximum
    let f = fits ? candidate : candidate - 1
    return Swift.min(Swift.max(f, -64), 64)
  }
}

extension DynamicFixedPointFormat: CustomStringConvertible {
  /// `Q<bitWidth>.<fractionalBits>`, e.g. `Q8.4`.
  public var description: String { "Q\(bitWidth).\(fractionalBits)" }
}

/// Why a fixed-point format could not be created or decoded.
public enum FixedPointFormatError: Error, Sendable, Hashable, CustomStringConvertible {
  /// `bitWidth` was outside the allowed range.
  case bitWidthOutOfRange(bitWidth: Int, allowed: ClosedRange<Int>)

  /// A message naming the field and what was expected.
  public var description: String {
    switch self {
    case let .bitWidthOutOfRange(bitWidth, allowed):
      return "bitWidth must be in \(allowed.lowerBound)...\(allowed.upperBound), got \(bitWidth)"
    }
  }
}
