/// Where the bits discarded by a right shift lie relative to one half of the result's unit.
@usableFromInline
internal enum _DiscardedFraction {
  case zero, belowHalf, half, aboveHalf
}

extension FixedWidthInteger {
  /// `self / 2^count`, rounded by `rule`.
  ///
  /// Total for every `count`:
  /// - `count == 0` returns `self`.
  /// - `count > 0` divides by `2^count` and rounds; counts at or beyond `bitWidth` are exact too, for example
  ///   `(-1 as Int8).shifted(rightBy: 100, rounding: .down) == -1` (floor of -2^-100) and
  ///   `.toNearestOrEven` gives 0.
  /// - `count < 0` multiplies by `2^-count` and saturates to `Self.min ... Self.max` (the rule is not used).
  ///
  /// ```
  /// (5 as Int8).shifted(rightBy: 1, rounding: .toNearestOrEven)   // 2   (2.5 -> 2)
  /// (7 as Int8).shifted(rightBy: 1, rounding: .toNearestOrEven)   // 4   (3.5 -> 4)
  /// (-5 as Int8).shifted(rightBy: 1, rounding: .toNearestOrAway)  // -3  (-2.5 -> -3)
  /// (100 as Int8).shifted(rightBy: -2, rounding: .down)           // 127 (400, saturated)
  /// ```
  ///
  /// - Parameters:
  ///   - count: The number of bit positions to shift right; negative values shift left with saturation.
  ///   - rule: How to round when bits that are not all zero are shifted out. See ``RoundingRule``.
  @inlinable
  public func shifted(rightBy count: Int, rounding rule: RoundingRule) -> Self {
    if count <= 0 {
      if count == 0 { return self }
      // -Int.min overflows; any count >= bitWidth saturates the same way, so Int.max is equivalent.
      return shiftedWithSaturation(leftBy: count == .min ? .max : -count, rounding: rule)
    }
    // Smart shift: for count >= bitWidth this sign-fills, which is the floor of self / 2^count.
    let floor = self >> count
    let discarded: _DiscardedFraction
    if count < Self.bitWidth {
      // The low `count` bits are self - floor * 2^count, in [0, 2^count); they fit in Self (and are
      // non-negative for signed Self) because count <= bitWidth - 1.
      let mask: Self = ~(~(0 as Self) << count)
      let lost = self & mask
      let half: Self = (1 as Self) << (count &- 1)
      discarded = lost == 0 ? .zero : (lost < half ? .belowHalf : (lost == half ? .half : .aboveHalf))
    } else if count == Self.bitWidth {
      // floor is 0 or -1; the fraction is self / 2^bitWidth (self >= 0) or 1 + self / 2^bitWidth (self < 0).
      if self == 0 {
        discarded = .zero
      } else if self > 0 {
        // Unsigned values can reach or pass half of 2^bitWidth; signed non-negative values cannot.
        let half: Self = Self.isSigned ? Self.max : (1 as Self) << (Self.bitWidth &- 1)
        discarded = Self.isSigned ? .belowHalf : (self < half ? .belowHalf : (self == half ? .half : .aboveHalf))
      } else {
        discarded = self == Self.min ? .half : .aboveHalf
      }
    } else {
      // |self| <= 2^bitWidth, so |self / 2^count| < 1/2: positive values lose less than half, negative values
      // have floor -1 and a fraction above half.
      discarded = self == 0 ? .zero : (self > 0 ? .belowHalf : .aboveHalf)
    }
    let roundUp: Bool
    switch rule {
    case .down: roundUp = false
    case .up: roundUp = discarded != .zero
    case .towardZero: roundUp = discarded != .zero && self < 0
    case .awayFromZero: roundUp = discarded != .zero && self > 0
    case .toNearestOrDown: roundUp = discarded == .aboveHalf
    case .toNearestOrUp: roundUp = discarded == .aboveHalf || discarded == .half
    case .toNearestOrZero: roundUp = discarded == .aboveHalf || (discarded == .half && self < 0)
    case .toNearestOrAway: roundUp = discarded == .aboveHalf || (discarded == .half && self > 0)
    case .toNearestOrEven: roundUp = discarded == .aboveHalf || (discarded == .half && floor & 1 != 0)
    }
    // Headroom: count >= 1, so floor <= Self.max / 2 and floor + 1 cannot overflow.
    return roundUp ? floor &+ 1 : floor
  }

  /// `self * 2^count`, saturated to `Self.min ... Self.max`, for `count >= 0`; for `count < 0` the same as
  /// `shifted(rightBy: -count, rounding: rule)`.
  ///
  /// Total for every `count` (including `Int.min` and counts at or beyond `bitWidth`).
  ///
  /// ```
  /// (3 as Int8).shiftedWithSaturation(leftBy: 5, rounding: .down)            // 96
  /// (3 as Int8).shiftedWithSaturation(leftBy: 6, rounding: .down)            // 127
  /// (-3 as Int8).shiftedWithSaturation(leftBy: 100, rounding: .down)         // -128
  /// (5 as Int8).shiftedWithSaturation(leftBy: -1, rounding: .toNearestOrEven) // 2
  /// ```
  ///
  /// - Parameters:
  ///   - count: The number of bit positions to shift left; negative values shift right with rounding.
  ///   - rule: The rounding rule used when `count < 0`. See ``RoundingRule``.
  @inlinable
  public func shiftedWithSaturation(leftBy count: Int, rounding rule: RoundingRule) -> Self {
    if count <= 0 {
      if count == 0 { return self }
      // -Int.min overflows; any count > bitWidth rounds the same way, so Int.max is equivalent.
      return shifted(rightBy: count == .min ? .max : -count, rounding: rule)
    }
    if self == 0 { return 0 }
    let saturated: Self = self < 0 ? Self.min : Self.max
    if count >= Self.bitWidth { return saturated }
    let product = self << count
    // No bit (including the sign bit) was lost exactly when shifting back recovers self.
    return product >> count == self ? product : saturated
  }
}
