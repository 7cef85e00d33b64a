import FixedPointArithmetic
import SeededRandom


/// `x` in decimal and as a hex bit pattern of its own width, e.g. `-5 (0xfb)`.
func hex<T: FixedWidthInteger>(_ x: T) -> String {
  let bits = UInt64(truncatingIfNeeded: x) & (T.bitWidth >= 64 ? UInt64.max : (1 << UInt64(T.bitWidth)) - 1)
  return "\(x) (0x\(String(bits, radix: 16)))"
}

/// Rounds an exactly represented `v` to an integral Double by `rule`, using only floor, the fraction and
/// explicit tie handling (written separately from the library's implementation). `v` is compared with
/// `floor(v) + 0.5`, which is exact for every non-integral Double (they all have |v| < 2^52); the fraction
/// `v - floor(v)` itself is not always exact (e.g. for v = -0.49999999999999994), so it is not used.
func oracleRound(_ v: Double, _ rule: RoundingRule) -> Double {
  let lower = v.rounded(.down)
  if lower == v { return v }
  let upper = lower + 1
  let midpoint = lower + 0.5
  switch rule {
  case .down: return lower
  case .up: return upper
  case .towardZero: return v < 0 ? upper : lower
  case .awayFromZero: return v < 0 ? lower : upper
  default: break
  }
  if v < midpoint { return lower }
  if v > midpoint { return upper }
  switch rule {  // exact tie
  case .toNearestOrDown: return lower
  case .toNearestOrUp: return upper
  case .toNearestOrZero: return v < 0 ? upper : lower
  case .toNearestOrAway: return v < 0 ? lower : upper
  default: return lower.truncatingRemainder(dividingBy: 2) == 0 ? lower : upper  // toNearestOrEven
  }
}

/// Oracle for `x.shifted(rightBy: c, rounding: rule)` on types of at most 16 bits: exact Double division for
/// c >= 0, saturated Int64 product for c < 0 (c >= -40).
func smallShiftOracle<T: FixedWidthInteger>(_ x: T, _ c: Int, _ rule: RoundingRule) -> T {
  if c >= 0 {
    let v = Double(Int64(x)) / Double(sign: .plus, exponent: c, significand: 1)
    return T(oracleRound(v, rule))  // always within T's range for c >= 0
  }
  return T(clamping: Int64(x) << Int64(-c))
}

/// Oracle for wide types (up to 64 bits) by sign and magnitude in 128-bit arithmetic, independent of the
/// library's two's-complement floor/remainder method.
func wideShiftOracle<T: FixedWidthInteger>(_ x: T, _ c: Int, _ rule: RoundingRule) -> T {
  precondition(T.bitWidth <= 64)
  let negative = x < 0
  if c <= 0 {
    if x == 0 || c == 0 { return x }
    if -c >= 64 { return negative ? T.min : T.max }
    return T(clamping: Int128(x) << Int128(-c))  // |x| <= 2^64, 2^64 * 2^63 < 2^127: fits
  }
  // For c >= 66, |x / 2^c| < 1/4 whatever c is, so every rule gives the same result as for c = 100.
  let count = min(c, 100)
  let a = UInt128(x.magnitude)
  let t = a >> count
  let r = a - (t << count)
  let half = UInt128(1) << (count - 1)
  let increment: Bool
  switch rule {
  case .towardZero: increment = false
  case .awayFromZero: increment = r != 0
  case .down: increment = negative && r != 0
  case .up: increment = !negative && r != 0
  default:
    if r > half { increment = true }
    else if r < half { increment = false }
    else {
      switch rule {
      case .toNearestOrDown: increment = negative
      case .toNearestOrUp: increment = !negative
      case .toNearestOrZero: increment = false
      case .toNearestOrAway: increment = true
      default: increment = t & 1 == 1
      }
    }
  }
  let m = Int128(t) + (increment ? 1 : 0)
  return T(negative ? -m : m)
}

/// Edge values every wide sweep includes.
func edgeValues<T: FixedWidthInteger>(_: T.Type) -> [T] {
  var values: [T] = [0, 1, 2, 3, T.max, T.max - 1, T.max >> 1, (T.max >> 1) + 1]
  if T.isSigned { values += [T.min, T.min + 1, T.min + 2, 0 - 1, 0 - 2, 0 - 3, T.min >> 1] }
  for k in 0 ..< T.bitWidth - 1 {
    values.append(T(1) << k)
    values.append((T(1) << k) + 1)
    if T.isSigned { values.append(0 - (T(1) << k)); values.append(0 - (T(1) << k) - 1) }
  }
  return values
}

/// Random values, plus values shaped to produce exact ties (and their neighbours) at every count.
func randomValues<T: FixedWidthInteger>(_: T.Type, count n: Int, seed: UInt64) -> [T] {
  var rng = SplitMix64(seed: seed)
  var values: [T] = []
  for _ in 0 ..< n { values.append(T(truncatingIfNeeded: rng.next())) }
  for k in 1 ..< T.bitWidth {
    let high = T(truncatingIfNeeded: rng.next()) & (~T(0) << k)
    let tie = high | (T(1) << (k - 1))
    values += [tie, tie &- 1, tie &+ 1, high]
  }
  return values
}
