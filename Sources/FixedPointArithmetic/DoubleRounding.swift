extension Double {
  /// `self` rounded to an integral value by `rule`; NaN and infinities are returned unchanged.
  ///
  /// The `toNearestOrDown/Up/Zero` rules, which `FloatingPointRoundingRule` lacks, compare `self` with
  /// `floor + 0.5`; that sum is exact because it is only formed when `|self| < 2^52`.
  @inlinable
  internal func _rounded(by rule: RoundingRule) -> Double {
    switch rule {
    case .down: return rounded(.down)
    case .up: return rounded(.up)
    case .towardZero: return rounded(.towardZero)
    case .awayFromZero: return rounded(.awayFromZero)
    case .toNearestOrAway: return rounded(.toNearestOrAwayFromZero)
    case .toNearestOrEven: return rounded(.toNearestOrEven)
    case .toNearestOrDown, .toNearestOrUp, .toNearestOrZero:
      let floor = rounded(.down)
      // Integral (this includes every |self| >= 2^52), NaN or infinite: nothing to round.
      if floor == self || !isFinite { return self }
      let midpoint = floor + 0.5
      if self < midpoint { return floor }
      if self > midpoint { return floor + 1 }
      switch rule {
      case .toNearestOrDown: return floor
      case .toNearestOrUp: return floor + 1
      default: return self < 0 ? floor + 1 : floor  // toNearestOrZero
      }
    }
  }

  /// `self * 2^exponent` for every `exponent` (no overflow in the exponent arithmetic): the result is exact
  /// unless it overflows (to ±infinity) or falls into the subnormal range.
  @inlinable
  internal func _scaledByPowerOfTwo(_ exponent: Int) -> Double {
    Double(sign: .plus, exponent: exponent, significand: self)
  }
}
