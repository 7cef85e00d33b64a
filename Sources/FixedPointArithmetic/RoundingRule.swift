/// How a value that lies between two representable results is rounded.
///
/// The vocabulary is that of swift-numerics' `IntegerUtilities`. Rules without "toNearest" in their name pick a
/// neighbour by direction; the `toNearestOr…` rules pick the nearer neighbour and use the suffix only to break
/// an exact tie (a value exactly halfway between two integers).
///
/// Results of rounding a few values to an integer with each rule:
///
/// ```
///  rule              | -2.5  -1.5  -0.5   0.5   1.5   2.5 |  0.7  -0.7
///  ------------------+-------------------------------------+-----------
///  down              |  -3    -2    -1     0     1     2  |   0    -1
///  up                |  -2    -1     0     1     2     3  |   1     0
///  towardZero        |  -2    -1     0     0     1     2  |   0     0
///  awayFromZero      |  -3    -2    -1     1     2     3  |   1    -1
///  toNearestOrDown   |  -3    -2    -1     0     1     2  |   1    -1
///  toNearestOrUp     |  -2    -1     0     1     2     3  |   1    -1
///  toNearestOrZero   |  -2    -1     0     0     1     2  |   1    -1
///  toNearestOrAway   |  -3    -2    -1     1     2     3  |   1    -1
///  toNearestOrEven   |  -2    -2     0     0     2     2  |   1    -1
/// ```
///
/// For integer shifts, `x.shifted(rightBy: 1, rounding: rule)` rounds `x / 2`, so the first six columns are the
/// results for `x` = -5, -3, -1, 1, 3, 5. `toNearestOrEven` is unbiased and is the rule used to quantize values;
/// `toNearestOrUp` is the classic "add half, then shift" hardware rounding.
///
/// The raw value (the case name) is used for `Codable`, so a rule encodes as a plain string such as
/// `"toNearestOrEven"`.
public enum RoundingRule: String, Sendable, Hashable, Codable, CaseIterable {
  /// Round toward negative infinity (floor).
  case down
  /// Round toward positive infinity (ceiling).
  case up
  /// Round toward zero (truncate).
  case towardZero
  /// Round away from zero.
  case awayFromZero
  /// Round to the nearest integer; an exact tie goes toward negative infinity.
  case toNearestOrDown
  /// Round to the nearest integer; an exact tie goes toward positive infinity.
  case toNearestOrUp
  /// Round to the nearest integer; an exact tie goes toward zero.
  case toNearestOrZero
  /// Round to the nearest integer; an exact tie goes away from zero (schoolbook rounding).
  case toNearestOrAway
  /// Round to the nearest integer; an exact tie goes to the even neighbour (banker's rounding, IEEE default).
  case toNearestOrEven
}
