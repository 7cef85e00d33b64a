import FixedPointArithmetic
import Testing

@Suite("Saturating add, subtract, multiply")
struct SaturatingArithmeticTests {
  @Test("All Int8 x Int8 pairs against an Int16 oracle")
  func int8Exhaustive() {
    for a in Int8.min ... Int8.max {
      for b in Int8.min ... Int8.max {
        let sum = Int8(clamping: Int16(a) + Int16(b))
        let difference = Int8(clamping: Int16(a) - Int16(b))
        let product = Int8(clamping: Int16(a) * Int16(b))
        if a.addingWithSaturation(b) != sum {
          Issue.record("\(hex(a)).addingWithSaturation(\(hex(b))) = \(hex(a.addingWithSaturation(b))), expected \(hex(sum))")
          return
        }
        if a.subtractingWithSaturation(b) != difference {
          Issue.record("\(hex(a)).subtractingWithSaturation(\(hex(b))) = \(hex(a.subtractingWithSaturation(b))), expected \(hex(difference))")
          return
        }
        if a.multipliedWithSaturation(by: b) != product {
          Issue.record("\(hex(a)).multipliedWithSaturation(by: \(hex(b))) = \(hex(a.multipliedWithSaturation(by: b))), expected \(hex(product))")
          return
        }
      }
    }
  }

  @Test("All UInt8 x UInt8 pairs against an Int16 oracle")
  func uint8Exhaustive() {
    for a in UInt8.min ... UInt8.max {
      for b in UInt8.min ... UInt8.max {
        let sum = UInt8(clamping: Int32(a) + Int32(b))
        let difference = UInt8(clamping: Int32(a) - Int32(b))
        let product = UInt8(clamping: Int32(a) * Int32(b))
        if a.addingWithSaturation(b) != sum || a.subtractingWithSaturation(b) != difference
          || a.multipliedWithSaturation(by: b) != product
        {
          Issue.record("UInt8 \(hex(a)), \(hex(b)): got \(hex(a.addingWithSaturation(b))) \(hex(a.subtractingWithSaturation(b))) \(hex(a.multipliedWithSaturation(by: b))), expected \(hex(sum)) \(hex(difference)) \(hex(product))")
          return
        }
      }
    }
  }

  @Test("Random and edge Int64 pairs against an Int128 oracle")
  func int64Random() {
    let values = edgeValues(Int64.self) + randomValues(Int64.self, count: 100, seed: 11)
    for a in values {
      for b in values {
        let sum = Int64(clamping: Int128(a) + Int128(b))
        let difference = Int64(clamping: Int128(a) - Int128(b))
        let product = Int64(clamping: Int128(a) * Int128(b))
        if a.addingWithSaturation(b) != sum || a.subtractingWithSaturation(b) != difference
          || a.multipliedWithSaturation(by: b) != product
        {
          Issue.record("Int64 \(hex(a)), \(hex(b)): got \(a.addingWithSaturation(b)) \(a.subtractingWithSaturation(b)) \(a.multipliedWithSaturation(by: b)), expected \(sum) \(difference) \(product)")
          return
        }
      }
    }
  }
}
