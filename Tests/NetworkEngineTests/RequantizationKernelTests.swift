import CKernels
import FixedPointArithmetic
import Testing
@testable import NetworkEngine

extension KernelInstructionSetTests {
  /// `precsearch_requantize_i64_f64` (Int64 sums and bias converted to Double lanes exactly, then scaled, rounded to
  /// nearest even and clamped) equals the Int64 definition, `(sum + bias)` shifted right with ties to even and
  /// saturated, at every level: random sums and biases across the magnitudes up to its bound 2^51, the bound itself
  /// on both sides, and ties, for shifts 1...40 and output widths 2, 8 and 16.
  @Test(arguments: levelsToTest)
  func int64SumsRequantizeInDoubleLanesAsDefined(_ level: KernelInstructionSet) {
    var g = TestRandom(seed: 5_151)
    let bound = Int64(1) << 51
    let count = 40, rows = 3, sumStride = 48, outputStride = 44
    withLevel(level) {
      for shift in [1, 2, 7, 15, 16, 30, 40] {
        for bits in [2, 8, 16] {
          let edges: [Int64] = [bound, -bound, bound - 1, -bound + 1, 0, 1, -1,
                                Int64(1) << (shift - 1), -(Int64(1) << (shift - 1)), 3 << (shift - 1), -(3 << (shift - 1))]
          let sums = (0..<(rows * sumStride)).map { i -> Int64 in
            if i % sumStride < edges.count { return edges[i % sumStride] }
            let magnitude = Int64(1) << Int.random(in: 0...51, using: &g)
            return Int64.random(in: -magnitude...magnitude, using: &g)
          }
          // Zero, the bound on either side and random biases (|sum + bias| <= 2^52 stays exact in Double).
          let bias = (0..<count).map { i -> Int64 in
            switch i % 4 {
            case 0: return 0
            case 1: return bound
            case 2: return -bound
            default: return Int64.random(in: -bound...bound, using: &g)
            }
          }
          var output = Array(repeating: Int16(0x5A5), count: rows * outputStride)
          let low = -Double(1 << (bits - 1)), high = Double((1 << (bits - 1)) - 1)
          let scale = Double(sign: .plus, exponent: -shift, significand: 1)
          precsearch_requantize_i64_f64(sums, Int64(sumStride), Int64(rows), bias, Int64(count), scale, low, high,
                                        &output, Int64(outputStride))
          for row in 0..<rows {
            for i in 0..<count {
              let expected = Int16((sums[row * sumStride + i] + bias[i])
                .shifted(rightBy: shift, rounding: .toNearestOrEven).clamped(toSignedBitWidth: bits))
              #expect(output[row * outputStride + i] == expected, "\(level) shift \(shift) bits \(bits) row \(row) i \(i)")
            }
            for i in count..<outputStride { #expect(output[row * outputStride + i] == 0x5A5) }
          }
        }
      }
    }
  }
}
