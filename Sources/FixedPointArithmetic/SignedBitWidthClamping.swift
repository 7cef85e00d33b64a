extension FixedWidthInteger {
  /// `self` clamped to the range of a signed two's-complement integer of `bitWidth` bits,
  /// `-2^(bitWidth-1) ... 2^(bitWidth-1) - 1`.
  ///
  /// `bitWidth` is first clamped to `1 ... Self.bitWidth`: widths below 1 behave as 1 (range `-1 ... 0`) and
  /// widths above `Self.bitWidth` behave as `Self.bitWidth` (for signed `Self`, the identity). For unsigned `Self`
  /// the negative part of the range is empty, so the result lies in `0 ... 2^(bitWidth-1) - 1`.
  ///
  /// ```
  /// (300 as Int16).clamped(toSignedBitWidth: 8)   // 127
  /// (-300 as Int16).clamped(toSignedBitWidth: 8)  // -128
  /// (5 as Int16).clamped(toSignedBitWidth: 1)     // 0
  /// (200 as UInt8).clamped(toSignedBitWidth: 8)   // 127
  /// ```
  @inlinable
  public func clamped(toSignedBitWidth bitWidth: Int) -> Self {
    let width = Swift.min(Swift.max(bitWidth, 1), Self.bitWidth)
    if Self.isSigned {
      // Arithmetic shift of Self.max keeps the 0 sign bit: upper = 2^(width-1) - 1, lower = ~upper = -2^(width-1).
      let upper = Self.max >> (Self.bitWidth &- width)
      let lower = ~upper
      return self < lower ? lower : (self > upper ? upper : self)
    } else {
      // Logical shift: Self.max >> (Self.bitWidth - width + 1) = 2^(width-1) - 1 (0 when width == 1).
      let upper = Self.max >> (Self.bitWidth &- width &+ 1)
      return self > upper ? upper : self
    }
  }
}
