extension RandomNumberGenerator {
  /// A uniform `Double` in [0, 1) built from the top 53 bits of one `next()` call.
  ///
  /// Unlike `Double.random(in:using:)`, the mapping is fixed here (`Double(next() >> 11) * 2^-53`),
  /// so the value for a given generator state does not depend on the standard library version.
  @inlinable
  public mutating func nextUnitInterval() -> Double {
    Double(next() >> 11) * 0x1p-53
  }
}
