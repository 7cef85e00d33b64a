import Foundation
import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// Window shifts (docs/arithmetic.md, "Deriving a precision b"): the magnitude histograms recorded at calibration,
/// the shift choice for weights and activations, and bit-exactness of the kernels when windows sit lower.
@Suite struct WindowShiftTests {
  @Test func everyMagnitudeLandsInsideItsBin() {
    var g = TestRandom(seed: 11)
    var samples: [Float] = []
    // Octave edges and their neighbours, exhaustively for a range of exponents, then random magnitudes.
    for e in -32..<32 {
      let edge = Float(sign: .plus, exponent: e, significand: 1)
      samples += [edge, edge.nextUp, edge.nextDown, edge * 1.125, (edge * 1.125).nextDown, edge * 1.999]
    }
    for _ in 0..<20_000 {
      samples.append(Float(sign: .plus, exponent: Int.random(in: -32...31, using: &g), significand: Float.random(in: 1..<2, using: &g)))
    }
    let smallest = Float(sign: .plus, exponent: MagnitudeHistogram.minimumExponent, significand: 1)
    for m in samples where m >= smallest && m < Float(sign: .plus, exponent: 32, significand: 1) {
      let bin = MagnitudeHistogram.binIndex(ofMagnitude: m)
      let (lower, upper) = MagnitudeHistogram.edges(ofBin: bin)
      if !(Double(m) >= lower && Double(m) < upper) { Issue.record("\(m) in bin \(bin) [\(lower), \(upper))"); return }
    }
  }

  @Test func recordsZerosOverflowAndNaN() {
    var h = MagnitudeHistogram()
    h.record([0, -0, 1e-12, .nan, .infinity, -3e38, 1, -1, 1.5])
    #expect(h.zeroCount == 3)  // 0, -0 and 1e-12 < 2^-32
    #expect(h.total == 8)      // NaN is not counted
    #expect(h.counts[MagnitudeHistogram.binCount - 1] == 2)  // inf and 3e38 in the top bin
    #expect(h.counts[32 * 8] == 2)  // 1 and -1: octave 2^0, first sub-bin
    #expect(h.counts[32 * 8 + 4] == 1)  // 1.5
  }

  @Test func codableRoundTripAndRejection() throws {
    var h = MagnitudeHistogram()
    h.record([0.25, 0.3, 7, 7, 1e9])
    let data = try JSONEncoder().encode(h)
    #expect(try JSONDecoder().decode(MagnitudeHistogram.self, from: data) == h)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"indices\"") && !text.contains("0,0,0"), "sparse form: \(text)")
    for bad in [#"{"zeroCount":0,"indices":[5,3],"counts":[1,1]}"#, #"{"zeroCount":0,"indices":[512],"counts":[1]}"#,
                #"{"zeroCount":0,"indices":[1],"counts":[-1]}"#, #"{"zeroCount":0,"indices":[1,2],"counts":[1]}"#] {
      #expect(throws: DecodingError.self) { try JSONDecoder().decode(MagnitudeHistogram.self, from: Data(bad.utf8)) }
    }
    #expect(throws: HistogramError.self) { try MagnitudeHistogram(zeroCount: -1, counts: h.counts) }
    #expect(throws: HistogramError.self) { try MagnitudeHistogram(zeroCount: 0, counts: [1, 2]) }
    var negative = h.counts
    negative[3] = -1
    #expect(throws: HistogramError.self) { try MagnitudeHistogram(zeroCount: 0, counts: negative) }
  }

  @Test func estimatedErrorByHand() throws {
    // 10 values in bin [1, 1.125), step 1/4, limit 8: rounding noise (1/16)/12 each.
    var counts = Array(repeating: 0, count: MagnitudeHistogram.binCount)
    counts[32 * 8] = 10
    let h = try MagnitudeHistogram(zeroCount: 5, counts: counts)
    #expect(abs(h.estimatedSquaredError(step: 0.25, limit: 8) - 10.0 / 16 / 12) < 1e-12)
    // Limit 0.5 below the bin: saturation error (midpoint 1.0625 - 0.5)^2 each.
    #expect(abs(h.estimatedSquaredError(step: 0.25, limit: 0.5) - 10 * 0.5625 * 0.5625) < 1e-12)
    // Values far below half a step round to 0: error midpoint^2, not step^2 / 12.
    #expect(abs(h.estimatedSquaredError(step: 1024, limit: 1e6) - 10 * 1.0625 * 1.0625) < 1e-9)
    // A limit inside the bin splits it by width: half below (rounding), half above (saturation).
    let split = h.estimatedSquaredError(step: 0.25, limit: 1.0625)
    let expected = 10 * (0.5 * (1.0 / 16 / 12) + 0.5 * pow2(1.09375 - 1.0625))
    #expect(abs(split - expected) < 1e-12)
  }

  private func pow2(_ x: Double) -> Double { x * x }

  @Test func activationShiftFollowsTheDistribution() throws {
    // Master fraction 10 (max 32); many values near 1 and one at 30: at 4 bits (step 4 unshifted) the window
    // should drop, saturating the outlier, because that buys resolution for everything else.
    var h = MagnitudeHistogram()
    h.record(Array(repeating: 1, count: 10_000) + [30])
    #expect(WindowSearch.bestShift(histogram: h, masterFractionalBits: 10, bitWidth: 4) > 0)
    // Values near 0.05 already round to 0 at a small cost: one outlier at 30 outweighs them, so no shift.
    h = MagnitudeHistogram()
    h.record(Array(repeating: 0.05, count: 10_000) + [30])
    #expect(WindowSearch.bestShift(histogram: h, masterFractionalBits: 10, bitWidth: 4) == 0)
    // Values spread up to the maximum: no shift.
    var flat = MagnitudeHistogram()
    flat.record((0..<10_000).map { Float($0) / 10_000 * 31 })
    #expect(WindowSearch.bestShift(histogram: flat, masterFractionalBits: 10, bitWidth: 4) == 0)
    #expect(WindowSearch.bestShift(histogram: MagnitudeHistogram(), masterFractionalBits: 10, bitWidth: 4) == 0)
  }

  @Test func weightShiftMatchesBruteForce() {
    // The exact weight rule against an independent computation of the error for every shift.
    var g = TestRandom(seed: 3)
    for _ in 0..<20 {
      let codes = (0..<64).map { _ in Int16(clamping: Int(Double.random(in: -1...1, using: &g) * Double.random(in: 0...1, using: &g) * 32767)) }
      for b in [2, 3, 4, 6, 8, 12] {
        var errors: [Double] = []
        for s in 0...(16 - b) {
          var e = 0.0
          for q in codes {
            let scaled = Double(q) / Double(1 << (16 - b - s))
            let rounded = scaled.rounded(.toNearestOrEven)
            let saturated = min(max(rounded, -Double(1 << (b - 1))), Double((1 << (b - 1)) - 1))
            let d = saturated * Double(1 << (16 - b - s)) - Double(q)
            e += d * d
          }
          errors.append(e)
        }
        let best = errors.indices.min { errors[$0] < errors[$1] || (errors[$0] == errors[$1] && $0 < $1) }!
        #expect(WindowSearch.bestShift(codes: codes, bitWidth: b) == best)
      }
    }
  }

  @Test func activationSearchNeedsHistograms() throws {
    var g = TestRandom(seed: 9)
    let net = try ReferenceArchitectures.leNet(using: &g)
    let plan = try FloatPlan(network: net)
    let ranges = ActivationRanges(observing: plan, inputs: [randomInput(net, using: &g)])
    let bare = ActivationRanges(ranges: ranges.ranges.map {
      ActivationRange(node: $0.node, maxMagnitude: $0.maxMagnitude, maxPositive: $0.maxPositive)
    }, sampleCount: ranges.sampleCount)
    #expect(throws: NetworkError.self) {
      try FixedPointModel(network: plan.network, ranges: bare, options: QuantizationOptions(activationWindowSearch: true))
    }
    let model = try FixedPointModel(network: plan.network, ranges: ranges, options: QuantizationOptions(activationWindowSearch: true))
    #expect(model.groups.allSatisfy { $0.windowShifts[16] == 0 && $0.windowShifts.allSatisfy { $0 >= 0 } })
    // Without the option every shift stays 0.
    let plain = try FixedPointModel(network: plan.network, ranges: ranges)
    #expect(plain.groups.allSatisfy { $0.windowShifts.allSatisfy { $0 == 0 } })
  }

  /// Activation windows below the master (inputs with rare outliers make the search pick them): both kernels
  /// still agree bit for bit at random precisions, including stored-vs-read derivations across shifted windows.
  @Test(arguments: 0..<4)
  func kernelsAgreeWithShiftedWindows(seed: UInt64) throws {
    var g = TestRandom(seed: 4000 + seed)
    let support = IntegerKernelTests()
    var shiftedGroups = 0
    for trial in 0..<5 {
      let net = try support.twoBranchNetwork(&g)
      var inputs = (0..<40).map { _ in randomInput(net, range: -1...1, using: &g) }
      inputs[0][0] = 20  // one outlier: the max-based master format wastes most of a low-precision window
      let model = try FixedPointModel(network: net, calibrationInputs: inputs,
                                      options: QuantizationOptions(weightWindowSearch: trial % 2 == 0, activationWindowSearch: true))
      shiftedGroups += model.groups.filter { $0.windowShifts.contains { $0 != 0 } }.count
      inputs = Array(inputs.prefix(3))  // the outlier input and two typical ones
      for _ in 0..<4 {
        let config = PrecisionConfiguration(layers: [support.randomPrecision(&g), support.randomPrecision(&g)])
        try support.expectBitExact(model, config, inputs, "seed \(seed) trial \(trial)")
      }
      try support.expectBitExact(model, .uniform(3, layerCount: 2), inputs, "uniform 3")
    }
    #expect(shiftedGroups > 0, "the test should exercise activation window shifts")
  }
}
