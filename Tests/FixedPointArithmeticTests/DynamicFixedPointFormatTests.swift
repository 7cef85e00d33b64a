import FixedPointArithmetic
import Testing
import SeededRandom

@Suite("DynamicFixedPointFormat")
struct DynamicFixedPointFormatTests {
  @Test("Code range, resolution and largest value", arguments: 1 ... 32)
  func ranges(bitWidth: Int) {
    let format = DynamicFixedPointFormat(bitWidth: bitWidth, fractionalBits: 3)
    #expect(format.minimumCode == -(Int64(1) << (bitWidth - 1)))
    #expect(format.maximumCode == (Int64(1) << (bitWidth - 1)) - 1)
    #expect(format.resolution == 0.125)
    #expect(format.largestValue == Double(format.maximumCode) / 8)
  }

  @Test("Examples from the documentation, negative and large fractionalBits")
  func examples() {
    let q8_4 = DynamicFixedPointFormat(bitWidth: 8, fractionalBits: 4)
    #expect(q8_4.quantize(1.53) == 24)
    #expect(q8_4.value(ofCode: 24) == 1.5)
    #expect(q8_4.largestValue == 7.9375)
    #expect(q8_4.quantize(100) == 127)
    #expect(q8_4.quantize(-100) == -128)
    #expect(q8_4.quantize(.infinity) == 127)
    #expect(q8_4.quantize(-.infinity) == -128)
    #expect(q8_4.quantize(.nan) == 0)
    #expect(q8_4.quantize(0.03125) == 0)     // 0.5 -> 0 (even)
    #expect(q8_4.quantize(0.09375) == 2)     // 1.5 -> 2
    #expect(q8_4.quantize(-0.09375) == -2)   // -1.5 -> -2
    #expect(q8_4.description == "Q8.4")
    let coarse = DynamicFixedPointFormat(bitWidth: 4, fractionalBits: -3)  // unit 8
    #expect(coarse.resolution == 8)
    #expect(coarse.quantize(20) == 2)        // 2.5 -> 2
    #expect(coarse.quantize(28) == 4)        // 3.5 -> 4
    #expect(coarse.largestValue == 56)
    let fine = DynamicFixedPointFormat(bitWidth: 4, fractionalBits: 40)
    #expect(fine.resolution == 0x1p-40)
    #expect(fine.quantize(0x1p-38) == 4)
    // A subnormal input with a huge scale must still be scaled exactly (5e-324 * 2^1100 = 2^26, no overflow to infinity).
    let huge = DynamicFixedPointFormat(bitWidth: 32, fractionalBits: 1100)
    #expect(huge.quantize(.leastNonzeroMagnitude) == 1 << 26)
    #expect(DynamicFixedPointFormat(bitWidth: 32, fractionalBits: 1074 + 3).quantize(.leastNonzeroMagnitude) == 8)
  }

  @Test("Absurd fields never trap; bitWidth is clamped into 1...32")
  func totality() throws {
    #expect(DynamicFixedPointFormat(bitWidth: 0, fractionalBits: 0).bitWidth == 1)
    #expect(DynamicFixedPointFormat(bitWidth: 99, fractionalBits: 0).bitWidth == 32)
    var format = DynamicFixedPointFormat(bitWidth: 8, fractionalBits: .min)
    #expect(format.resolution == .infinity)
    #expect(format.quantize(1e300) == 0)
    format.fractionalBits = .max
    #expect(format.resolution == 0)
    #expect(format.quantize(1e-300) == 127)
    #expect(format.value(ofCode: 5) == 0)
    format.bitWidth = 1000  // set behind the initializer's back: behaves as 32
    #expect(format.maximumCode == Int64(Int32.max))
    format.bitWidth = -3
    #expect(format.maximumCode == 0 && format.minimumCode == -1)
    #expect(throws: FixedPointFormatError.bitWidthOutOfRange(bitWidth: 33, allowed: 1 ... 32)) {
      try DynamicFixedPointFormat(validatingBitWidth: 33, fractionalBits: 0)
    }
    #expect(try DynamicFixedPointFormat(validatingBitWidth: 32, fractionalBits: -7).fractionalBits == -7)
  }

  @Test("quantize agrees with the exact rounded, clamped code for every Int16-scaled grid point", arguments: [2, 5, 8])
  func quantizeGrid(bitWidth: Int) {
    // x = k / 2^(f+1) hits both halves of every tie and every saturation boundary.
    for f in [-3, 0, 4, 9] {
      let format = DynamicFixedPointFormat(bitWidth: bitWidth, fractionalBits: f)
      for k in -600 ... 600 {
        let x = Double(k) * Double(sign: .plus, exponent: -(f + 1), significand: 1)
        let exact = Int64(oracleRound(Double(k) / 2, .toNearestOrEven))
        let expected = min(max(exact, format.minimumCode), format.maximumCode)
        let got = format.quantize(x)
        if got != expected {
          Issue.record("\(format).quantize(\(x)) = \(got), expected \(expected)")
          return
        }
        if got == exact && format.value(ofCode: got) != Double(got) * format.resolution {
          Issue.record("\(format).value(ofCode: \(got)) inexact")
          return
        }
      }
    }
  }

  @Test("fractionalBits(forMaxMagnitude:): round(m*2^f) fits and round(m*2^(f+1)) does not", arguments: [1, 2, 3, 4, 8, 12, 16, 24, 31, 32])
  func fractionalBitsProperty(bitWidth: Int) throws {
    var rng = SplitMix64(seed: UInt64(bitWidth))
    var magnitudes: [Double] = [1, 0.5, 0.99, 0.999_999, 1.5, 3, 127, 127.5, 127.49, 128, 255.9, 1e-3, 1e-10, 1e-12, 1e-20,
                                1e10, 1e15, 1e20, 1e25, 1e30, .leastNormalMagnitude, .greatestFiniteMagnitude, 6.0e23]
    for k in -80 ... 80 {
      let p = Double(sign: .plus, exponent: k, significand: 1)
      magnitudes += [p, p.nextUp, p.nextDown, p * 1.5, p * 0.75]
      // Values around the saturation boundary (2^(b-1) - 1 + 1/2) / 2^k.
      let boundary = (Double((Int64(1) << (bitWidth - 1)) - 1) + 0.5) * p
      magnitudes += [boundary, boundary.nextUp, boundary.nextDown]
    }
    for _ in 0 ..< 2000 {
      let exponent = Int(rng.next() % 200) - 100
      magnitudes.append(Double(sign: .plus, exponent: exponent, significand: 1 + Double(rng.next() >> 11) * 0x1p-53))
    }
    let maximum = Double((Int64(1) << (bitWidth - 1)) - 1)
    func rounded(_ m: Double, _ f: Int) -> Double {
      (m * Double(sign: .plus, exponent: f, significand: 1)).rounded(.toNearestOrEven)
    }
    for m in magnitudes + magnitudes.map({ -$0 }) {
      let f = try #require(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: m, bitWidth: bitWidth))
      let a = m.magnitude
      let fitsAtF = rounded(a, f) <= maximum
      let fitsAtNext = rounded(a, f + 1) <= maximum
      if f < 64 && f > -64 && !(fitsAtF && !fitsAtNext) {
        Issue.record("b=\(bitWidth) m=\(m): f=\(f), fits at f: \(fitsAtF), fits at f+1: \(fitsAtNext)")
        return
      }
      if f == 64 && !fitsAtF { Issue.record("b=\(bitWidth) m=\(m): clamped f=64 must fit"); return }
      if f == -64 && fitsAtNext { Issue.record("b=\(bitWidth) m=\(m): f=-64 only when the optimum is below"); return }
      // The format built from f quantizes m without saturating (unless clamped at -64).
      if f > -64 {
        let format = DynamicFixedPointFormat(bitWidth: bitWidth, fractionalBits: f)
        if format.quantize(a) != Int64(rounded(a, f)) { Issue.record("b=\(bitWidth) m=\(m) saturates at f=\(f)"); return }
      }
    }
  }

  @Test("fractionalBits(forMaxMagnitude:): special inputs")
  func fractionalBitsSpecial() {
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: .nan, bitWidth: 8) == nil)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: .infinity, bitWidth: 8) == nil)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: -.infinity, bitWidth: 8) == nil)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 0, bitWidth: 8) == 7)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: -0.0, bitWidth: 16) == 15)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: .leastNonzeroMagnitude, bitWidth: 8) == 7)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1e-300, bitWidth: 8) == 64)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1e300, bitWidth: 8) == -64)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1.0, bitWidth: 8) == 6)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 0.99, bitWidth: 8) == 7)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 127.4, bitWidth: 8) == 0)
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 127.5, bitWidth: 8) == -1)  // 127.5 -> 128
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1.0, bitWidth: 0) == -1)    // width 1: 0.5 -> 0
    #expect(DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: 1.0, bitWidth: 40) == 30)   // width 32
  }
}
