import FixedPointArithmetic
import Testing

@Suite("shifted(rightBy:rounding:) and shiftedWithSaturation(leftBy:rounding:)")
struct ShiftWithRoundingTests {
  @Test("Every Int8 value, counts -20...20, every rule, against an exact Double / Int64 oracle")
  func int8Exhaustive() {
    for rule in RoundingRule.allCases {
      for c in -20 ... 20 {
        for x in Int8.min ... Int8.max {
          let expected = smallShiftOracle(x, c, rule)
          let got = x.shifted(rightBy: c, rounding: rule)
          if got != expected {
            Issue.record("\(hex(x)).shifted(rightBy: \(c), rounding: \(rule)) = \(hex(got)), expected \(hex(expected))")
            return
          }
          let left = x.shiftedWithSaturation(leftBy: -c, rounding: rule)
          if left != expected {
            Issue.record("\(hex(x)).shiftedWithSaturation(leftBy: \(-c), rounding: \(rule)) = \(hex(left)), expected \(hex(expected))")
            return
          }
        }
      }
    }
  }

  @Test("Every UInt8 value, counts -20...20, every rule")
  func uint8Exhaustive() {
    for rule in RoundingRule.allCases {
      for c in -20 ... 20 {
        for x in UInt8.min ... UInt8.max {
          let expected = smallShiftOracle(x, c, rule)
          let got = x.shifted(rightBy: c, rounding: rule)
          if got != expected {
            Issue.record("\(hex(x)).shifted(rightBy: \(c), rounding: \(rule)) = \(hex(got)), expected \(hex(expected))")
            return
          }
        }
      }
    }
  }

  @Test("Every Int16 value, counts 0...18, toNearestOrEven and toNearestOrAway", arguments: [RoundingRule.toNearestOrEven, .toNearestOrAway])
  func int16Exhaustive(rule: RoundingRule) {
    for c in 0 ... 18 {
      for x in Int16.min ... Int16.max {
        let expected = smallShiftOracle(x, c, rule)
        let got = x.shifted(rightBy: c, rounding: rule)
        if got != expected {
          Issue.record("\(hex(x)).shifted(rightBy: \(c), rounding: \(rule)) = \(hex(got)), expected \(hex(expected))")
          return
        }
      }
    }
  }

  func wideSweep<T: FixedWidthInteger>(_: T.Type, seed: UInt64) {
    let values = edgeValues(T.self) + randomValues(T.self, count: 64, seed: seed)
    for rule in RoundingRule.allCases {
      for c in -130 ... 130 {
        for x in values {
          let expected = wideShiftOracle(x, c, rule)
          let got = x.shifted(rightBy: c, rounding: rule)
          if got != expected {
            Issue.record("\(T.self) \(hex(x)).shifted(rightBy: \(c), rounding: \(rule)) = \(hex(got)), expected \(hex(expected))")
            return
          }
        }
      }
    }
  }

  @Test("Random and edge Int64 / Int32 / Int / UInt64 values, counts -130...130, every rule (128-bit oracle)")
  func wideTypes() {
    wideSweep(Int64.self, seed: 1)
    wideSweep(Int32.self, seed: 2)
    wideSweep(Int.self, seed: 3)
    wideSweep(UInt64.self, seed: 4)
    wideSweep(UInt32.self, seed: 5)
  }

  @Test("Oracle self-check: the 128-bit oracle agrees with the Double oracle on every Int8 value")
  func oraclesAgree() {
    for rule in RoundingRule.allCases {
      for c in -20 ... 20 {
        for x in Int8.min ... Int8.max where wideShiftOracle(x, c, rule) != smallShiftOracle(x, c, rule) {
          Issue.record("oracles disagree on \(hex(x)) >> \(c) \(rule)")
          return
        }
      }
    }
  }

  /// Both halves of every tie: x / 2 for odd x in -7...7, and ±1/4, ±3/4, for every rule.
  @Test("Tie table for every rule", arguments: RoundingRule.allCases)
  func tieTable(rule: RoundingRule) {
    //                 x:  -7    -5    -3    -1     1     3     5     7  | -3/4  -1/4   1/4   3/4
    //                     -3.5  -2.5  -1.5  -0.5  0.5   1.5   2.5   3.5
    let table: [RoundingRule: [Int8]] = [
      .down:            [-4, -3, -2, -1, 0, 1, 2, 3, -1, -1, 0, 0],
      .up:              [-3, -2, -1, 0, 1, 2, 3, 4, 0, 0, 1, 1],
      .towardZero:      [-3, -2, -1, 0, 0, 1, 2, 3, 0, 0, 0, 0],
      .awayFromZero:    [-4, -3, -2, -1, 1, 2, 3, 4, -1, -1, 1, 1],
      .toNearestOrDown: [-4, -3, -2, -1, 0, 1, 2, 3, -1, 0, 0, 1],
      .toNearestOrUp:   [-3, -2, -1, 0, 1, 2, 3, 4, -1, 0, 0, 1],
      .toNearestOrZero: [-3, -2, -1, 0, 0, 1, 2, 3, -1, 0, 0, 1],
      .toNearestOrAway: [-4, -3, -2, -1, 1, 2, 3, 4, -1, 0, 0, 1],
      .toNearestOrEven: [-4, -2, -2, 0, 0, 2, 2, 4, -1, 0, 0, 1],
    ]
    let inputs: [(Int8, Int)] = [(-7, 1), (-5, 1), (-3, 1), (-1, 1), (1, 1), (3, 1), (5, 1), (7, 1),
                                 (-3, 2), (-1, 2), (1, 2), (3, 2)]
    let expected = table[rule]!
    for (i, (x, c)) in inputs.enumerated() {
      #expect(x.shifted(rightBy: c, rounding: rule) == expected[i], "\(x) >> \(c) by \(rule)")
      #expect(Int64(x).shifted(rightBy: c, rounding: rule) == Int64(expected[i]), "Int64 \(x) >> \(c) by \(rule)")
      // Same tie far from zero, at the top of Int64's range.
      let big = Int64(x) << 60
      #expect(big.shifted(rightBy: c + 60, rounding: rule) == Int64(expected[i]), "\(big) >> \(c + 60) by \(rule)")
    }
  }

  @Test("Counts at and beyond bitWidth, and Int.min / Int.max counts, never trap")
  func extremeCounts() {
    #expect((-1 as Int8).shifted(rightBy: 100, rounding: .down) == -1)
    #expect((-1 as Int8).shifted(rightBy: 100, rounding: .toNearestOrEven) == 0)
    #expect((-1 as Int64).shifted(rightBy: .max, rounding: .awayFromZero) == -1)
    #expect((1 as Int64).shifted(rightBy: .max, rounding: .up) == 1)
    #expect(Int8.min.shifted(rightBy: 8, rounding: .toNearestOrEven) == 0)   // -0.5 -> 0
    #expect(Int8.min.shifted(rightBy: 8, rounding: .toNearestOrAway) == -1)  // -0.5 -> -1
    #expect(UInt8.max.shifted(rightBy: 8, rounding: .toNearestOrDown) == 1)  // 255/256 -> 1
    #expect((128 as UInt8).shifted(rightBy: 8, rounding: .toNearestOrEven) == 0)  // 0.5 -> 0
    #expect((3 as Int64).shifted(rightBy: .min, rounding: .down) == .max)
    #expect((-3 as Int64).shifted(rightBy: .min, rounding: .down) == .min)
    #expect((0 as Int64).shifted(rightBy: .min, rounding: .down) == 0)
    #expect((3 as Int8).shiftedWithSaturation(leftBy: .max, rounding: .down) == .max)
    #expect((-3 as Int8).shiftedWithSaturation(leftBy: .min, rounding: .up) == 0)
    #expect((-3 as Int8).shiftedWithSaturation(leftBy: .min, rounding: .down) == -1)
    #expect(Int64.min.shiftedWithSaturation(leftBy: 1, rounding: .down) == .min)
    #expect((1 as Int64).shiftedWithSaturation(leftBy: 62, rounding: .down) == 1 << 62)
    #expect((1 as Int64).shiftedWithSaturation(leftBy: 63, rounding: .down) == .max)
    #expect((-1 as Int64).shiftedWithSaturation(leftBy: 63, rounding: .down) == .min)
  }
}
