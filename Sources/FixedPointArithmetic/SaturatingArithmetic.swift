extension FixedWidthInteger {
  /// `self + other`, saturated to `Self.min ... Self.max` instead of overflowing.
  ///
  /// ```
  /// (100 as Int8).addingWithSaturation(100)   // 127
  /// (-100 as Int8).addingWithSaturation(-100) // -128
  /// (200 as UInt8).addingWithSaturation(100)  // 255
  /// ```
  @inlinable
  public func addingWithSaturation(_ other: Self) -> Self {
    let (wrapped, overflow) = addingReportingOverflow(other)
    if !overflow { return wrapped }
    // Overflow means the exact sum lies beyond the bound on other's side of zero.
    return other < 0 ? Self.min : Self.max
  }

  /// `self - other`, saturated to `Self.min ... Self.max` instead of overflowing.
  ///
  /// ```
  /// (-100 as Int8).subtractingWithSaturation(100) // -128
  /// (0 as Int8).subtractingWithSaturation(-128)   // 127
  /// (3 as UInt8).subtractingWithSaturation(5)     // 0
  /// ```
  @inlinable
  public func subtractingWithSaturation(_ other: Self) -> Self {
    let (wrapped, overflow) = subtractingReportingOverflow(other)
    if !overflow { return wrapped }
    // Subtracting a negative overflows upward; subtracting a positive (or any unsigned) overflows downward.
    return other < 0 ? Self.max : Self.min
  }

  /// `self * other`, saturated to `Self.min ... Self.max` instead of overflowing.
  ///
  /// ```
  /// (16 as Int8).multipliedWithSaturation(by: 8)     // 127
  /// (-128 as Int8).multipliedWithSaturation(by: -1)  // 127
  /// (16 as Int8).multipliedWithSaturation(by: -9)    // -128
  /// ```
  @inlinable
  public func multipliedWithSaturation(by other: Self) -> Self {
    let (wrapped, overflow) = multipliedReportingOverflow(by: other)
    if !overflow { return wrapped }
    // An overflowing product is non-zero, so its sign is the product of the operands' signs.
    return (self < 0) != (other < 0) ? Self.min : Self.max
  }
}
