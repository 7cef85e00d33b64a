import FixedPointArithmetic
import Testing

@Suite("Int64(saturating:rounding:)")
struct SaturatingConversionTests {
  static let twoTo63 = 9_223_372_036_854_775_808.0

  @Test("NaN, infinities, zeros and the edges of Int64's range, every rule", arguments: RoundingRule.allCases)
  func specialValues(rule: RoundingRule) {
    #expect(Int64(saturating: .nan, rounding: rule) == 0)
    #expect(Int64(saturating: -.nan, rounding: rule) == 0)
    #expect(Int64(saturating: .signalingNaN, rounding: rule) == 0)
    #expect(Int64(saturating: .infinity, rounding: rule) == .max)
    #expect(Int64(saturating: -.infinity, rounding: rule) == .min)
    #expect(Int64(saturating: 0.0, rounding: rule) == 0)
    #expect(Int64(saturating: -0.0, rounding: rule) == 0)
    #expect(Int64(saturating: .greatestFiniteMagnitude, rounding: rule) == .max)
    #expect(Int64(saturating: -.greatestFiniteMagnitude, rounding: rule) == .min)
    #expect(Int64(saturating: Self.twoTo63, rounding: rule) == .max)
    #expect(Int64(saturating: Self.twoTo63.nextUp, rounding: rule) == .max)
    // The largest Double below 2^63 is 2^63 - 1024, exactly representable in Int64.
    #expect(Int64(saturating: Self.twoTo63.nextDown, rounding: rule) == Int64.max - 1023)
    #expect(Int64(saturating: -Self.twoTo63, rounding: rule) == .min)
    #expect(Int64(saturating: (-Self.twoTo63).nextDown, rounding: rule) == .min)
    #expect(Int64(saturating: (-Self.twoTo63).nextUp, rounding: rule) == Int64.min + 1024)
    #expect(Int64(saturating: 2.0.squareRoot() * 1e300, rounding: rule) == .max)
    // Integral values convert exactly.
    for k in Int64(-5) ... 5 { #expect(Int64(saturating: Double(k), rounding: rule) == k) }
    #expect(Int64(saturating: 4_503_599_627_370_497.0, rounding: rule) == 4_503_599_627_370_497)  // 2^52 + 1
  }

  @Test("The RoundingRule table: -2.5 -1.5 -0.5 0.5 1.5 2.5 0.7 -0.7, plus tiny fractions", arguments: RoundingRule.allCases)
  func table(rule: RoundingRule) {
    let inputs = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.7, -0.7]
    let table: [RoundingRule: [Int64]] = [
      .down:            [-3, -2, -1, 0, 1, 2, 0, -1],
      .up:              [-2, -1, 0, 1, 2, 3, 1, 0],
      .towardZero:      [-2, -1, 0, 0, 1, 2, 0, 0],
      .awayFromZero:    [-3, -2, -1, 1, 2, 3, 1, -1],
      .toNearestOrDown: [-3, -2, -1, 0, 1, 2, 1, -1],
      .toNearestOrUp:   [-2, -1, 0, 1, 2, 3, 1, -1],
      .toNearestOrZero: [-2, -1, 0, 0, 1, 2, 1, -1],
      .toNearestOrAway: [-3, -2, -1, 1, 2, 3, 1, -1],
      .toNearestOrEven: [-2, -2, 0, 0, 2, 2, 1, -1],
    ]
    for (x, expected) in zip(inputs, table[rule]!) {
      #expect(Int64(saturating: x, rounding: rule) == expected, "\(x) by \(rule)")
    }
  }

  @Test("Values next to ties and near 2^52, every rule, against the exact-fraction oracle")
  func nearTies() {
    var values: [Double] = []
    for base in [-1_000_001.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 1_000_000.0, 4_503_599_627_370_494.0] {
      let tie = base + 0.5
      values += [tie, tie.nextUp, tie.nextDown, base, base.nextUp, base.nextDown]
    }
    values += [(0.5).nextDown, -((0.5).nextDown), 0.49999999999999994, -0.49999999999999994, .leastNonzeroMagnitude,
               -.leastNonzeroMagnitude, 4_503_599_627_370_495.5, -4_503_599_627_370_495.5]
    for rule in RoundingRule.allCases {
      for x in values {
        let expected = Int64(oracleRound(x, rule))
        let got = Int64(saturating: x, rounding: rule)
        if got != expected {
          Issue.record("Int64(saturating: \(x), rounding: \(rule)) = \(got), expected \(expected)")
          return
        }
      }
    }
  }

  @Test("Agrees with shifted(rightBy:) on every Int16 value divided by 2, 4 and 32")
  func agreesWithShifts() {
    for rule in RoundingRule.allCases {
      for c in [1, 2, 5] {
        for x in Int16.min ... Int16.max {
          let viaDouble = Int64(saturating: Double(x) / Double(1 << c), rounding: rule)
          let viaShift = Int64(x.shifted(rightBy: c, rounding: rule))
          if viaDouble != viaShift {
            Issue.record("\(hex(x)) / 2^\(c) \(rule): Double path \(viaDouble), shift path \(viaShift)")
            return
          }
        }
      }
    }
  }
}
