import CKernels
import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// The AVX2 pair kernels (`precsearch_gemm_u8s8_pairs`, `precsearch_gemm_s16_pairs`) against an Int64 oracle, at
/// every instruction-set level this CPU has (the portable level runs their C definitions), on random operands and on
/// the extremes their bounds allow; and the plans choose them where the bounds say so. Part of the serialized
/// `KernelInstructionSetTests`, the one suite that caps the level (process-wide).
extension KernelInstructionSetTests {
  /// A: `rows` x `depth` values drawn by `activation`; B: `depth` x `columns` drawn by `weight`. Returns the
  /// oracle C (Int64) with columns padded to `stride`.
  func oracle(_ a: [Int64], _ b: [Int64], rows: Int, depth: Int, columns: Int, stride: Int) -> [Int64] {
    var c = Array(repeating: Int64(0), count: rows * stride)
    for r in 0..<rows { for o in 0..<columns { for k in 0..<depth { c[r * stride + o] += a[r * depth + k] * b[k * columns + o] } } }
    return c
  }

  /// The 8-bit pairs kernel with the form `Int8DotProductForm.pairs` gives, for every (bw, ba) pair <= 8 bits that
  /// has one, signed and non-negative inputs: random bytes, and the extremes (every byte at its maximum, every weight
  /// at -2^(bw-1), the case that reaches the Int16 lane bound exactly; and weights at 2^(bw-1) - 1).
  @Test(arguments: levelsToTest)
  func int8PairsMatchTheOracleAtTheBounds(_ level: KernelInstructionSet) {
    var g = TestRandom(seed: 41_000)
    var formsRun = 0, lanesFilledToTheBound = 0
    withLevel(level) {
      for weightBits in 2...8 {
        for activationBits in 2...8 {
          for nonNegative in [false, true] {
            let rows = 8, columns = 20, stride = 32, depth = 4 * Int.random(in: 1...70, using: &g)
            guard let form = Int8DotProductForm.pairs(weightBits: weightBits, activationBits: activationBits,
                                                      paddedFanIn: depth, inputIsNonNegative: nonNegative)
            else {
              // No form only where a lane could saturate: signed ba + bw >= 16, non-negative >= 17.
              #expect(weightBits + activationBits >= (nonNegative ? 17 : 16), "bw \(weightBits) ba \(activationBits)")
              continue
            }
            formsRun += 1
            let maxByte = nonNegative ? (1 << (activationBits - 1)) - 1 : (1 << activationBits) - 1
            let minWeight = -(1 << (weightBits - 1)), maxWeight = (1 << (weightBits - 1)) - 1
            // The extreme patterns fill a lane to groupsPerFlush * pairBound, within 2 pair bounds of 32767, when the
            // depth holds that many groups.
            if depth / 4 >= form.groupsPerFlush!, form.groupsPerFlush! * (maxByte << weightBits) > 32767 - 2 * (maxByte << weightBits) {
              lanesFilledToTheBound += 1
            }
            for pattern in 0..<3 {
              let a: [Int64] = (0..<(rows * depth)).map { _ in
                pattern == 0 ? Int64(Int.random(in: 0...maxByte, using: &g)) : Int64(maxByte)
              }
              let b: [Int64] = (0..<(depth * columns)).map { _ in
                switch pattern {
                case 0: return Int64(Int.random(in: minWeight...maxWeight, using: &g))
                case 1: return Int64(minWeight)
                default: return Int64(maxWeight)
                }
              }
              // B as [depth / 4][stride][4].
              var packed = Array(repeating: Int8(0), count: depth * stride)
              for k in 0..<depth { for o in 0..<columns { packed[(k / 4) * stride * 4 + o * 4 + k % 4] = Int8(b[k * columns + o]) } }
              let bytes = a.map { UInt8($0) }
              var c = Array(repeating: Int32(0x5A5A), count: rows * stride)
              var zero: Int64 = 0
              precsearch_gemm_u8s8_pairs(bytes, Int64(rows), Int64(depth), &zero, 1, Int64(depth), packed,
                                         Int64(stride), Int64(form.groupsPerFlush!), &c)
              let expected = oracle(a, b, rows: rows, depth: depth, columns: columns, stride: stride)
              #expect(c.map(Int64.init) == expected, "\(level) bw \(weightBits) ba \(activationBits) nonNegative \(nonNegative) pattern \(pattern)")
            }
          }
        }
      }
    }
    // Every (bw, ba) in 2...8 has the non-negative form (49); the signed one all but 8 x 8 (48).
    #expect(formsRun == 97)
    #expect(lanesFilledToTheBound > 0)
  }

  /// The Int16 pair kernel with the layout `Int16PairLayout` gives (split or not), several segments (implicit GEMM
  /// form), random codes and the extremes: every activation at -2^(ba-1) and every weight at -2^(bw-1) (the
  /// largest positive pair sums), and activations at 2^(ba-1) - 1 against weights at -2^(bw-1).
  @Test(arguments: levelsToTest)
  func int16PairsMatchTheOracleAtTheBounds(_ level: KernelInstructionSet) {
    var g = TestRandom(seed: 42_000)
    var splitRuns = 0
    withLevel(level) {
      for (weightBits, activationBits) in [(16, 16), (16, 15), (15, 16), (12, 14), (16, 8), (8, 16), (13, 13), (9, 16), (2, 16), (16, 2)] {
        let layout = Int16PairLayout(weightBits: weightBits, activationBits: activationBits)
        if layout.highPairsPerBlock != nil { splitRuns += 1 }
        let columns = 18, stride = 32
        let segments = 3, segmentLength = 2 * Int.random(in: 60...200, using: &g), depth = segments * segmentLength
        let minA = -(1 << (activationBits - 1)), maxA = (1 << (activationBits - 1)) - 1
        let minW = -(1 << (weightBits - 1)), maxW = (1 << (weightBits - 1)) - 1
        // Row counts that the AVX2 kernel tiles as one tile of 4 (4), 6 and 2 (8) and two of 6 (12).
        for (rows, pattern) in [4, 8, 12].flatMap({ rows in (0..<3).map { (rows, $0) } }) {
          let a: [Int64] = (0..<(rows * depth)).map { _ in
            switch pattern {
            case 0: return Int64(Int.random(in: minA...maxA, using: &g))
            case 1: return Int64(minA)
            default: return Int64(maxA)
            }
          }
          let b: [Int64] = (0..<(depth * columns)).map { _ in
            pattern == 0 ? Int64(Int.random(in: minW...maxW, using: &g)) : Int64(minW)
          }
          var packed = Array(repeating: Int16(0), count: depth * stride)
          for k in 0..<depth { for o in 0..<columns { packed[(k / 2) * stride * 2 + o * 2 + k % 2] = Int16(b[k * columns + o]) } }
          // Rows laid out as segments: row r, segment s at r * depth + s * segmentLength (offsets in elements).
          let split = layout.highPairsPerBlock != nil
          let low = a.map { split ? Int16($0 & 255) : Int16($0) }, high = a.map { Int16($0 >> 8) }
          let offsets = (0..<segments).map { Int64($0 * segmentLength) }
          var c = Array(repeating: Int64(0x5A5A), count: rows * stride)
          high.withUnsafeBufferPointer { hp in
            precsearch_gemm_s16_pairs(low, split ? hp.baseAddress : nil, Int64(rows), Int64(depth), offsets,
                                      Int64(segments), Int64(segmentLength), packed, Int64(stride),
                                      Int64(layout.lowPairsPerBlock), Int64(layout.highPairsPerBlock ?? 1), &c)
          }
          let expected = oracle(a, b, rows: rows, depth: depth, columns: columns, stride: stride)
          #expect(c == expected, "\(level) bw \(weightBits) ba \(activationBits) rows \(rows) pattern \(pattern) \(layout)")
        }
      }
    }
    #expect(splitRuns >= 3)
  }

  /// 16-bit convolutions with extreme codes (`DepthwiseKernelTests`): Double lanes at the portable level, the Int16
  /// pairs with split activations from AVX2 up; bit-exact either way.
  @Test(arguments: levelsToTest)
  func sixteenBitConvolutionsAtLevel(_ level: KernelInstructionSet) throws {
    try withLevel(level) {
      try DepthwiseKernelTests().sixteenBitConvolutionsMatchReference(expectingPairs: level >= .avx2)
    }
  }

  /// At the AVX2 level the plans of ResNet-8 (ReLU before every convolution but the first) take the pair kernels:
  /// 8 bits through `vpmaddubsw` with no offset and one group per widening, 4 bits with Int16 lanes summed over many
  /// groups, 16 bits through the Int16 pairs with split activations; and each is bit-exact with the reference.
  @Test func avx2PlansChooseThePairKernels() throws {
    guard KernelInstructionSet.supported >= .avx2 else { return }
    var g = TestRandom(seed: 43_000)
    let net = try ReferenceArchitectures.resNet8(using: &g)
    let inputs = [randomInput(net, using: &g)]
    let model = try FixedPointModel(network: net, calibrationInputs: inputs)
    let n = net.weightedLayerNames.count
    try withLevel(.avx2) {
      let kernels = IntegerKernelTests()
      let p8 = try IntegerPlan(model: model, configuration: .uniform(8, layerCount: n))
      // The first convolution reads the signed input (8 + 8 > 15: no pairs form), every other layer a ReLU.
      #expect(p8.layerParameters.map(\.inputIsNonNegative) == [false] + Array(repeating: true, count: n - 1))
      #expect(p8.layerParameters.dropFirst().allSatisfy {
        $0.accumulator == .int8DotProduct && $0.int8Form == Int8DotProductForm(activationOffset: 0, groupsPerFlush: 1)
      }, "\(p8.layerParameters.map { "\($0.accumulator) \(String(describing: $0.int8Form))" })")
      #expect(p8.layerParameters[0].accumulator == .exactFloat32)
      let p4 = try IntegerPlan(model: model, configuration: .uniform(4, layerCount: n))
      #expect(p4.layerParameters[0].int8Form == Int8DotProductForm(activationOffset: 8, groupsPerFlush: 32767 / (15 * 16)))
      #expect(p4.layerParameters.dropFirst().allSatisfy { $0.int8Form?.groupsPerFlush == 32767 / (7 * 16) })
      let p16 = try IntegerPlan(model: model, configuration: .uniform(16, layerCount: n))
      let pairLayouts = p16.steps.compactMap { step -> Int16PairLayout? in
        if case .weighted(let k) = step, case let .int16Pairs(_, _, layout) = k.gemmWeights { return layout }
        return nil
      }
      #expect(pairLayouts.count == n && pairLayouts.allSatisfy { $0.highPairsPerBlock != nil })
      for bits in [8, 4, 16] { try kernels.expectBitExact(model, .uniform(bits, layerCount: n), inputs, "avx2 uniform \(bits)") }
      let mixed = PrecisionConfiguration(layers: (0..<n).map {
        LayerPrecision(weightBits: [8, 7, 3, 12][$0 % 4], activationBits: [8, 8, 5, 16][$0 % 4])
      })
      try kernels.expectBitExact(model, mixed, inputs, "avx2 mixed")
    }
    // Below AVX2 no pair kernel is chosen.
    try withLevel(.portable) {
      let p8 = try IntegerPlan(model: model, configuration: .uniform(8, layerCount: n))
      #expect(p8.layerParameters.allSatisfy { $0.accumulator != .int8DotProduct })
    }
  }
}
