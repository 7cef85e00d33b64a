import Testing
@testable import NetworkEngine

extension KernelInstructionSetTests {
  /// `AddParameters.run` (the C Int32 loop, the Int64 loop or the definition, by shift range) equals
  /// `AddParameters.reference` element for element at every level, for alignment shifts 0...16, output shifts
  /// -2...32 (0: the C loop only clamps) and output widths 2, 8, 15 and 16, on random codes and the Int16 extremes.
  @Test(arguments: levelsToTest)
  func residualAdditionMatchesItsDefinition(_ level: KernelInstructionSet) {
    var g = TestRandom(seed: 8_100)
    let extremes: [Int16] = [.min, .min + 1, -1, 0, 1, .max - 1, .max]
    let count = 96
    withLevel(level) {
      for leftShift0 in [0, 1, 7, 14, 15, 16] {
        for leftShift1 in [0, 3, 14, 16] {
          for outputShift in [-2, -1, 0, 1, 2, 13, 29, 30, 31, 32] {
            for outputBits in [2, 8, 15, 16] {
              let parameters = AddParameters(leftShift0: leftShift0, leftShift1: leftShift1, outputShift: outputShift,
                                             outputBits: outputBits)
              let x = (0..<count).map { $0 < extremes.count ? extremes[$0] : Int16.random(in: .min ... .max, using: &g) }
              // The extremes at both ends of y, so that they meet the extremes of x and random codes.
              let y = (0..<count).map { i -> Int16 in
                if i < extremes.count { return extremes[extremes.count - 1 - i] }
                if i >= count - extremes.count { return extremes[count - 1 - i] }
                return Int16.random(in: .min ... .max, using: &g)
              }
              var out = Array(repeating: Int16(0x5A5), count: count)
              x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                  out.withUnsafeMutableBufferPointer { op in
                    parameters.run(xp.baseAddress!, yp.baseAddress!, op.baseAddress!, count: count)
                  }
                }
              }
              let expected = zip(x, y).map { parameters.reference($0, $1) }
              #expect(out == expected, "\(level) \(parameters)")
            }
          }
        }
      }
    }
  }
}
