import FixedPointArithmetic
import Testing

@Suite("clamped(toSignedBitWidth:)")
struct SignedBitWidthClampingTests {
  @Test("All Int16 values x widths 1...16 against an Int32 oracle")
  func int16Exhaustive() {
    for width in 1 ... 16 {
      let lower = -(Int32(1) << (width - 1))
      let upper = (Int32(1) << (width - 1)) - 1
      for x in Int16.min ... Int16.max {
        let expected = Int16(min(max(Int32(x), lower), upper))
        let got = x.clamped(toSignedBitWidth: width)
        if got != expected {
          Issue.record("\(hex(x)).clamped(toSignedBitWidth: \(width)) = \(hex(got)), expected \(hex(expected))")
          return
        }
      }
    }
  }

  @Test("All UInt8 values x widths 1...8: negative half of the range is empty")
  func uint8Exhaustive() {
    for width in 1 ... 8 {
      let upper = (Int32(1) << (width - 1)) - 1
      for x in UInt8.min ... UInt8.max {
        let expected = UInt8(min(Int32(x), upper))
        let got = x.clamped(toSignedBitWidth: width)
        if got != expected {
          Issue.record("\(hex(x)).clamped(toSignedBitWidth: \(width)) = \(hex(got)), expected \(hex(expected))")
          return
        }
      }
    }
  }

  @Test("Out-of-range widths are clamped to 1...bitWidth")
  func outOfRangeWidths() {
    for width in [Int.min, -5, 0] {
      #expect((5 as Int16).clamped(toSignedBitWidth: width) == 0)
      #expect((-5 as Int16).clamped(toSignedBitWidth: width) == -1)
    }
    for width in [17, 64, Int.max] {
      #expect(Int16.min.clamped(toSignedBitWidth: width) == .min)
      #expect(Int16.max.clamped(toSignedBitWidth: width) == .max)
    }
    #expect(Int64.min.clamped(toSignedBitWidth: 64) == .min)
    #expect(Int64.max.clamped(toSignedBitWidth: 32) == Int64(Int32.max))
    #expect(Int64.min.clamped(toSignedBitWidth: 32) == Int64(Int32.min))
    #expect(UInt64.max.clamped(toSignedBitWidth: 64) == UInt64(Int64.max))
  }
}
