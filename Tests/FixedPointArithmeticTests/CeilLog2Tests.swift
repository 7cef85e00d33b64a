import FixedPointArithmetic
import Testing

@Suite("ceilLog2")
struct CeilLog2Tests {
  @Test("Small values and the definition 2^(c-1) < n <= 2^c for n in 2...70_000")
  func definition() {
    #expect(ceilLog2(1) == 0)
    #expect(ceilLog2(2) == 1)
    #expect(ceilLog2(3) == 2)
    #expect(ceilLog2(4) == 2)
    #expect(ceilLog2(5) == 3)
    for n in 2 ... 70_000 {
      let c = ceilLog2(n)
      if !((1 << (c - 1)) < n && n <= (1 << c)) {
        Issue.record("ceilLog2(\(n)) = \(c)")
        return
      }
    }
  }

  @Test("Edges: n <= 1 gives 0, powers of two, Int.max")
  func edges() {
    for n in [Int.min, -1, 0, 1] { #expect(ceilLog2(n) == 0) }
    for k in 0 ... 62 {
      #expect(ceilLog2(1 << k) == k)
      #expect(ceilLog2((1 << k) + 1) == k + 1)
    }
    #expect(ceilLog2(Int.max) == Int.bitWidth - 1)
  }
}
