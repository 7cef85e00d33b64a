import FixedPointArithmetic
import Testing
import PrecSearchTestSupport

@Suite("MasterPrecision")
struct MasterPrecisionTests {
  /// Double oracle: clamp_b(round_even(q / 2^(16 - b - windowShift))).
  static func oracle(_ q: Int16, _ b: Int, _ windowShift: Int) -> Int16 {
    let v = Double(q) / Double(sign: .plus, exponent: 16 - b - windowShift, significand: 1)
    let r = oracleRound(v, .toNearestOrEven)
    let bound = Double(1 << (b - 1))
    return Int16(min(max(r, -bound), bound - 1))
  }

  static func sweep(widths: [Int]) {
    for b in widths {
      for windowShift in 0 ... (16 - b) {
        for q in Int16.min ... Int16.max {
          let got = MasterPrecision.derive(q, toBitWidth: b, windowShift: windowShift)
          let expected = oracle(q, b, windowShift)
          if got != expected {
            Issue.record("derive(\(hex(q)), toBitWidth: \(b), windowShift: \(windowShift)) = \(hex(got)), expected \(hex(expected))")
            return
          }
        }
      }
    }
  }

  @Test("Every master x b in {2, 4, 8, 16} x every windowShift against the Double oracle")
  func exhaustiveCommonWidths() { Self.sweep(widths: [2, 4, 8, 16]) }

  @Test("Every master x every b in 2...16 x every windowShift (PRECSEARCH_LONG_TESTS=1)", .enabled(if: LongTests.isEnabled, LongTests.reason))
  func exhaustiveAllWidths() { Self.sweep(widths: Array(2 ... 16)) }

  @Test("Table from the documentation (b = 4)")
  func documentedTable() {
    let rows: [(Int16, Int16, Int16)] = [  // master, windowShift 0, windowShift 2
      (0x7FFF, 7, 7), (0x1800, 2, 6), (0x0800, 0, 2), (0x2800, 2, 7),
      (-0x0800, 0, -2), (-0x1800, -2, -6), (Int16.min, -8, -8),
    ]
    for (q, shift0, shift2) in rows {
      #expect(MasterPrecision.derive(q, toBitWidth: 4) == shift0, "\(hex(q))")
      #expect(MasterPrecision.derive(q, toBitWidth: 4, windowShift: 2) == shift2, "\(hex(q))")
    }
  }

  @Test("b = 16 with windowShift 0 is the identity; out-of-range arguments are clamped")
  func clampingOfArguments() {
    for q in Int16.min ... Int16.max where MasterPrecision.derive(q, toBitWidth: 16) != q {
      Issue.record("derive(\(hex(q)), toBitWidth: 16) is not the identity")
      return
    }
    let q: Int16 = 0x1234
    #expect(MasterPrecision.derive(q, toBitWidth: 1) == MasterPrecision.derive(q, toBitWidth: 2))
    #expect(MasterPrecision.derive(q, toBitWidth: .min) == MasterPrecision.derive(q, toBitWidth: 2))
    #expect(MasterPrecision.derive(q, toBitWidth: 99) == q)
    #expect(MasterPrecision.derive(q, toBitWidth: 8, windowShift: -4) == MasterPrecision.derive(q, toBitWidth: 8))
    #expect(MasterPrecision.derive(q, toBitWidth: 8, windowShift: .max)
      == MasterPrecision.derive(q, toBitWidth: 8, windowShift: 8))
    #expect(MasterPrecision.derive(q, toBitWidth: 8, windowShift: 8) == 127)  // no shift, saturated
  }

  @Test("fractionalBits(master:bitWidth:windowShift:)")
  func fractionalBits() {
    #expect(MasterPrecision.fractionalBits(master: 12, bitWidth: 16) == 12)
    #expect(MasterPrecision.fractionalBits(master: 12, bitWidth: 8) == 4)
    #expect(MasterPrecision.fractionalBits(master: 12, bitWidth: 8, windowShift: 3) == 7)
    #expect(MasterPrecision.fractionalBits(master: 0, bitWidth: 2) == -14)
    #expect(MasterPrecision.fractionalBits(master: 12, bitWidth: 8, windowShift: 100) == 12)  // clamped to 8
    #expect(MasterPrecision.fractionalBits(master: 12, bitWidth: 0) == -2)                    // clamped to 2
    #expect(MasterPrecision.fractionalBits(master: .min, bitWidth: 8) == .min)
    #expect(MasterPrecision.fractionalBits(master: .max, bitWidth: 8) == .max - 8)
    // The derived code's value approximates the master's value: |q_b * 2^-f_b - q * 2^-f| <= 2^-f_b / 2 unless saturated.
    for b in [2, 4, 8] {
      for windowShift in 0 ... (16 - b) {
        let fb = MasterPrecision.fractionalBits(master: 10, bitWidth: b, windowShift: windowShift)
        for q in stride(from: Int16.min, through: Int16.max, by: 97) {
          let qb = MasterPrecision.derive(q, toBitWidth: b, windowShift: windowShift)
          let exact = Double(q) * 0x1p-10
          let approx = Double(qb) * Double(sign: .plus, exponent: -fb, significand: 1)
          let saturated = qb == Int16(1 << (b - 1)) - 1 || qb == -Int16(1 << (b - 1))
          if !saturated && abs(exact - approx) > Double(sign: .plus, exponent: -fb - 1, significand: 1) {
            Issue.record("b=\(b) windowShift=\(windowShift) q=\(hex(q)): \(approx) vs \(exact)")
            return
          }
        }
      }
    }
  }
}
