extension Int64 {
  /// Converts `x` to `Int64`, rounding by `rule` and saturating instead of trapping.
  ///
  /// TFLite `SafeCast` semantics: NaN becomes 0; +infinity and every value that rounds to `2^63` or more becomes
  /// `Int64.max`; -infinity and every value that rounds below `-2^63` becomes `Int64.min`. `-2^63` itself is
  /// representable and converts exactly. Never traps.
  ///
  /// ```
  /// Int64(saturating: 2.5, rounding: .toNearestOrEven)          // 2
  /// Int64(saturating: -2.5, rounding: .toNearestOrAway)         // -3
  /// Int64(saturating: 9.3e18, rounding: .down)                  // Int64.max
  /// Int64(saturating: .nan, rounding: .down)                    // 0
  /// ```
  @inlinable
  public init(saturating x: Double, rounding rule: RoundingRule) {
    if x.isNaN {
      self = 0
      return
    }
    let integral = x._rounded(by: rule)
    // 2^63 is exactly representable; every Double in [-2^63, 2^63) that is integral converts exactly.
    if integral >= 9_223_372_036_854_775_808.0 {
      self = .max
    } else if integral < -9_223_372_036_854_775_808.0 {
      self = .min
    } else {
      self = Int64(integral)
    }
  }
}
