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
          precsearch_requantize_i64_f64(sums, Int64(sumStride), Int64(rows), bias, Int64(count), scale, nil, low, high,
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

  /// The Double-lane requantization loops of every GEMM scalar (`precsearch_requantize_f64`, `_i32_f64`,
  /// `_i64_f64`) with one scale per element (per-channel weight formats) and with negative shifts (a saturating
  /// left shift: the exact product clamped), against the Int64 definition at every level; Int32 sums span Int32,
  /// the others 2^51, and biases up to 2^50 (the 8-bit dot products' bound).
  @Test(arguments: levelsToTest)
  func doubleLaneRequantizationWithChannelScalesAndLeftShifts(_ level: KernelInstructionSet) {
    var g = TestRandom(seed: 7_373)
    let count = 37, rows = 4, sumStride = 40, outputStride = 41
    withLevel(level) {
      for bits in [2, 8, 16] {
        for round in 0..<6 {
          // Shifts per element: left (negative) and right, different per channel.
          let shifts = (0..<count).map { i in [-30, -3, -1, 0, 1, 2, 9, 17, 31, 45][(i + round) % 10] }
          let scales = shifts.map { Double(sign: .plus, exponent: -$0, significand: 1) }
          let bias = (0..<count).map { i -> Int64 in
            i % 5 == 0 ? 0 : Int64.random(in: -(Int64(1) << 50)...(Int64(1) << 50), using: &g) >> Int.random(in: 0...50, using: &g)
          }
          let wide = (0..<(rows * sumStride)).map { _ -> Int64 in
            Int64.random(in: -(Int64(1) << 51)...(Int64(1) << 51), using: &g) >> Int.random(in: 0...51, using: &g)
          }
          let narrow = (0..<(rows * sumStride)).map { i -> Int32 in
            i % 7 == 0 ? [Int32.min, Int32.max, 0, -1, 1][i / 7 % 5] : Int32.random(in: .min ... .max, using: &g) >> Int32.random(in: 0...31, using: &g)
          }
          let low = -Double(1 << (bits - 1)), high = Double((1 << (bits - 1)) - 1)
          func expected(_ sum: Int64, _ i: Int) -> Int16 {
            Int16((sum + bias[i]).shifted(rightBy: shifts[i], rounding: .toNearestOrEven).clamped(toSignedBitWidth: bits))
          }
          var fromInt64 = Array(repeating: Int16(0x5A5), count: rows * outputStride)
          var fromInt32 = fromInt64, fromDouble = fromInt64
          scales.withUnsafeBufferPointer { sp in
            precsearch_requantize_i64_f64(wide, Int64(sumStride), Int64(rows), bias, Int64(count), 1, sp.baseAddress,
                                          low, high, &fromInt64, Int64(outputStride))
            precsearch_requantize_i32_f64(narrow, Int64(sumStride), Int64(rows), bias, Int64(count), 1, sp.baseAddress,
                                          low, high, &fromInt32, Int64(outputStride))
            precsearch_requantize_f64(wide.map(Double.init), Int64(sumStride), Int64(rows), bias, Int64(count), 1,
                                      sp.baseAddress, low, high, &fromDouble, Int64(outputStride))
          }
          for row in 0..<rows {
            for i in 0..<count {
              let at = row * outputStride + i, sum = row * sumStride + i
              #expect(fromInt64[at] == expected(wide[sum], i), "\(level) i64 bits \(bits) shift \(shifts[i])")
              #expect(fromDouble[at] == expected(wide[sum], i), "\(level) f64 bits \(bits) shift \(shifts[i])")
              #expect(fromInt32[at] == expected(Int64(narrow[sum]), i), "\(level) i32 bits \(bits) shift \(shifts[i])")
            }
            for i in count..<outputStride {
              #expect(fromInt64[row * outputStride + i] == 0x5A5 && fromInt32[row * outputStride + i] == 0x5A5)
            }
          }
        }
      }
    }
  }
}
