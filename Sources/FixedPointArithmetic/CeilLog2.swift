/// The smallest `c` with `2^c >= n`, for `n >= 1`; 0 for `n <= 1`.
///
/// `ceilLog2(1) == 0`, `ceilLog2(2) == 1`, `ceilLog2(3) == 2`, `ceilLog2(4) == 2`, `ceilLog2(5) == 3`,
/// `ceilLog2(Int.max) == 63` (on 64-bit platforms). Useful for accumulator headroom: a sum of `n` terms needs
/// `ceilLog2(n)` extra bits. Total: zero and negative `n` return 0.
@inlinable
public func ceilLog2(_ n: Int) -> Int {
  if n <= 1 { return 0 }
  // n - 1 >= 1 cannot overflow; its bit length is ceil(log2(n)).
  return Int.bitWidth &- (n &- 1).leadingZeroBitCount
}
