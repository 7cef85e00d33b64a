import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FixedPointArithmetic
@testable import NetworkEngine
import PrecSearchTestSupport

/// The optimized depthwise kernel (exact Float / Double lanes over a zero-padded grid, or Int64), the branch-free
/// input derivation and the optimized pooling must equal their definitions element for element.
@Suite struct DepthwiseKernelTests {
  /// A random depthwise layer: geometry with padding, stride and dilation, odd and SIMD-sized channel counts,
  /// precisions 2...16 (16-bit layers need the Double lanes), stored inputs wider than the activations (input
  /// derivation), output shifts including negative ones and biases from tiny to saturated (the Int64 fallback).
  func randomDepthwiseLayer(_ g: inout TestRandom) -> (WeightedLayerKernel, [Int16]) {
    let c = [1, 3, 7, 16, 17, 33, 64][Int.random(in: 0...6, using: &g)]
    let kh = Int.random(in: 1...5, using: &g), kw = Int.random(in: 1...5, using: &g)
    let sh = Int.random(in: 1...3, using: &g), sw = Int.random(in: 1...3, using: &g)
    let dh = Int.random(in: 1...3, using: &g), dw = Int.random(in: 1...3, using: &g)
    let padTop = Int.random(in: 0...2, using: &g), padBottom = Int.random(in: 0...2, using: &g)
    let padLeft = Int.random(in: 0...2, using: &g), padRight = Int.random(in: 0...2, using: &g)
    // Inputs at least as large as one dilated window (with padding), up to a few windows more.
    let inH = max(1, (kh - 1) * dh + 1 - padTop - padBottom) + Int.random(in: 0...7, using: &g)
    let inW = max(1, (kw - 1) * dw + 1 - padLeft - padRight) + Int.random(in: 0...7, using: &g)
    let outH = (inH + padTop + padBottom - (kh - 1) * dh - 1) / sh + 1
    let outW = (inW + padLeft + padRight - (kw - 1) * dw - 1) / sw + 1
    let geometry = ConvGeometry(input: TensorShape(height: inH, width: inW, channels: c),
                                output: TensorShape(height: outH, width: outW, channels: c), kernelHeight: kh,
                                kernelWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh,
                                dilationWidth: dw, padTop: padTop, padLeft: padLeft, groups: c)
    let wb = [2, 4, 8, 12, 16, Int.random(in: 2...16, using: &g)][Int.random(in: 0...5, using: &g)]
    let ab = [2, 4, 8, 12, 16, Int.random(in: 2...16, using: &g)][Int.random(in: 0...5, using: &g)]
    let stored = Int.random(in: ab...16, using: &g)
    let inputShift = Bool.random(using: &g) ? 0 : Int.random(in: 0...(stored - ab + 2), using: &g)
    let outputShift = Int.random(in: -2...(wb + ab + 2), using: &g)
    let outputBits = Int.random(in: 2...16, using: &g)
    let fanIn = kh * kw
    let parameters = WeightedLayerParameters(
      name: "dw", precision: LayerPrecision(weightBits: wb, activationBits: ab), storedInputBits: stored,
      inputShift: inputShift, weightFractionalBits: 0, inputFractionalBits: 0, outputShift: outputShift,
      outputBits: outputBits, accumulator: AccumulatorKind.choose(weightBits: wb, activationBits: ab, fanIn: fanIn),
      fanIn: fanIn)
    let wMax = (1 << (wb - 1)) - 1, xMax = (1 << (stored - 1)) - 1
    // Extreme codes often: the bounds behind the lanes' exactness are reached.
    func code(_ maximum: Int) -> Int16 {
      switch Int.random(in: 0...5, using: &g) {
      case 0: return Int16(maximum)
      case 1: return Int16(-maximum - 1)
      default: return Int16(Int.random(in: (-maximum - 1)...maximum, using: &g))
      }
    }
    let weights = (0..<(c * fanIn)).map { _ in code(wMax) }
    let biasLimit = [Int64(1) << 8, Int64(1) << 22, Int64(1) << 40, Int64(1) << 62][Int.random(in: 0...3, using: &g)]
    let bias = (0..<c).map { _ in Int64.random(in: -biasLimit...biasLimit, using: &g) }
    let x = (0..<(inH * inW * c)).map { _ in code(xMax) }
    return (WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: weights, bias: bias), x)
  }

  @Test(arguments: 0..<4)
  func depthwiseMatchesReferenceOnRandomLayers(seed: UInt64) throws {
    var g = TestRandom(seed: 7000 + seed)
    let ws = IntegerPlan.Workspace(network: try Network(nodes: [
      Node(name: "input", operation: .input(TensorShape(height: 1, width: 1, channels: 1)))]))
    var lanes = Set<String>()
    for trial in 0..<60 {
      let (kernel, x) = randomDepthwiseLayer(&g)
      #expect(kernel.geometry.isDepthwise || kernel.geometry.groups == 1)
      guard kernel.geometry.isDepthwise else { continue }  // one channel is an ordinary convolution
      switch kernel.depthwiseLanes {
      case .float: lanes.insert("float")
      case .double: lanes.insert("double")
      case .integer: lanes.insert("integer")
      }
      let count = kernel.geometry.output.elementCount
      var reference = [Int16](repeating: 0, count: count), optimized = [Int16](repeating: 0x5A5A, count: count)
      ReferenceKernels.weighted(x, kernel, &reference)
      OptimizedKernels.weighted(x, kernel, &optimized, ws)
      if let j = reference.indices.first(where: { reference[$0] != optimized[$0] }) {
        Issue.record("seed \(seed) trial \(trial): element \(j) reference \(reference[j]) optimized \(optimized[j]); \(kernel.parameters) \(kernel.geometry)")
        return
      }
    }
    // Every kind of lanes ran (so the comparison above covered each).
    #expect(lanes == ["float", "double", "integer"], "lanes exercised: \(lanes.sorted())")
  }

  /// A 16-bit depthwise layer (Int64 accumulator kind) with extreme codes (the Double lanes reach 2^34-sized sums,
  /// mostly saturating) and with small codes and biases (unsaturated results, where small shifts make many rounding
  /// ties); checked against the reference and against an independent Double oracle.
  @Test func sixteenBitDepthwiseWithExtremeCodesMatchesReferenceAndDoubleOracle() throws {
    let geometry = ConvGeometry(input: TensorShape(height: 6, width: 5, channels: 19),
                                output: TensorShape(height: 6, width: 5, channels: 19), kernelHeight: 3, kernelWidth: 3,
                                strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1,
                                padLeft: 1, groups: 19)
    let ws = IntegerPlan.Workspace(network: try Network(nodes: [
      Node(name: "input", operation: .input(TensorShape(height: 1, width: 1, channels: 1)))]))
    var g = TestRandom(seed: 99)
    for (shift, outputBits) in [(0, 16), (1, 16), (2, 8), (14, 16), (20, 8), (33, 16), (40, 2)] {
     for small in [false, true] {
      let parameters = WeightedLayerParameters(
        name: "dw16", precision: LayerPrecision(weightBits: 16, activationBits: 16), storedInputBits: 16,
        inputShift: 0, weightFractionalBits: 0, inputFractionalBits: 0, outputShift: shift, outputBits: outputBits,
        accumulator: .int64, fanIn: 9)
      let weights = (0..<(19 * 9)).map { j in sixteenBitCode(j, period: 3, small: small, &g) }
      let x = (0..<(6 * 5 * 19)).map { j in sixteenBitCode(j + 1, period: 2, small: small, &g) }
      let biasLimit: Int64 = small ? 1 << 10 : 1 << 40
      let bias = (0..<19).map { _ in Int64.random(in: -biasLimit...biasLimit, using: &g) }
      let kernel = WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: weights, bias: bias)
      guard case .double = kernel.depthwiseLanes else {
        Issue.record("16-bit depthwise layer does not use the Double lanes")
        return
      }
      var reference = [Int16](repeating: 0, count: x.count), optimized = reference
      ReferenceKernels.weighted(x, kernel, &reference)
      OptimizedKernels.weighted(x, kernel, &optimized, ws)
      #expect(reference == optimized, "shift \(shift) bits \(outputBits) small \(small)")
      // Independent oracle: the exact sum (< 2^53, so Double is exact), scaled, rounded half to even, saturated.
      let limit = Double(1 << (outputBits - 1))
      for oy in 0..<6 { for ox in 0..<5 { for ch in 0..<19 {
        var sum = Double(bias[ch])
        for ky in 0..<3 { for kx in 0..<3 {
          let iy = oy - 1 + ky, ix = ox - 1 + kx
          guard iy >= 0, iy < 6, ix >= 0, ix < 5 else { continue }
          sum += Double(x[(iy * 5 + ix) * 19 + ch]) * Double(weights[ch * 9 + ky * 3 + kx])
        } }
        let scaled = (sum * Double(sign: .plus, exponent: -shift, significand: 1)).rounded(.toNearestOrEven)
        let expected = Int16(min(max(scaled, -limit), limit - 1))
        let j = (oy * 5 + ox) * 19 + ch
        if optimized[j] != expected {
          Issue.record("shift \(shift) small \(small): element \(j) optimized \(optimized[j]) expected \(expected)")
          return
        }
      } } }
     }
    }
  }

  /// Ordinary and grouped 16-bit convolutions (Int64 accumulator kind) run in Double GEMM lanes below the AVX2 level
  /// and in the Int16 pair GEMM (split activations) from it up; with extreme codes the sums reach 2^30 * fanIn.
  /// Implicit GEMM (stride 1) and im2col (stride 2) paths, biases small and saturated. (Either packing here, as
  /// `KernelInstructionSetTests` may cap the level meanwhile; `sixteenBitConvolutionsAtLevel` checks each.)
  @Test func sixteenBitConvolutionInDoubleLanesMatchesReference() throws {
    try sixteenBitConvolutionsMatchReference(expectingPairs: nil)
  }

  /// The body of `sixteenBitConvolutionInDoubleLanesMatchesReference`; `expectingPairs` (when not nil) is the packing
  /// the kernels must have: the Int16 pairs (true) or Double lanes (false).
  func sixteenBitConvolutionsMatchReference(expectingPairs: Bool?) throws {
    let ws = IntegerPlan.Workspace(network: try Network(nodes: [
      Node(name: "input", operation: .input(TensorShape(height: 1, width: 1, channels: 1)))]))
    var g = TestRandom(seed: 123)
    for (stride, groups, biasLimit) in [(1, 1, Int64(1) << 20), (2, 1, Int64(1) << 40), (1, 2, Int64(1) << 62), (2, 3, 1 << 30)] {
      let cin = 5 * groups, cout = 7 * groups  // odd counts: partial SIMD blocks
      let inH = 7, inW = 6, outH = (inH + 2 - 3) / stride + 1, outW = (inW + 2 - 3) / stride + 1
      let geometry = ConvGeometry(input: TensorShape(height: inH, width: inW, channels: cin),
                                  output: TensorShape(height: outH, width: outW, channels: cout), kernelHeight: 3,
                                  kernelWidth: 3, strideHeight: stride, strideWidth: stride, dilationHeight: 1,
                                  dilationWidth: 1, padTop: 1, padLeft: 1, groups: groups)
      for shift in [0, 1, 2, 17, 31, -3] {
       for small in [false, true] {  // small codes: unsaturated results, many ties at small shifts
        let parameters = WeightedLayerParameters(
          name: "conv16", precision: LayerPrecision(weightBits: 16, activationBits: 16), storedInputBits: 16,
          inputShift: 0, weightFractionalBits: 0, inputFractionalBits: 0, outputShift: shift, outputBits: 16,
          accumulator: .int64, fanIn: geometry.fanIn)
        let weights = (0..<(cout * geometry.fanIn)).map { j in sixteenBitCode(j, period: 4, small: small, &g) }
        let x = (0..<(inH * inW * cin)).map { j in sixteenBitCode(j, period: 3, small: small, &g) }
        let limit = small ? 1 << 10 : biasLimit
        let bias = (0..<cout).map { _ in Int64.random(in: -limit...limit, using: &g) }
        let kernel = WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: weights, bias: bias)
        let pairs: Bool
        switch kernel.gemmWeights {
        case .double: pairs = false
        case let .int16Pairs(_, _, layout):
          pairs = true
          #expect(layout.highPairsPerBlock != nil, "16 x 16 bits must split the activations")
        default:
          Issue.record("16-bit convolution uses neither the Double lanes nor the Int16 pairs")
          return
        }
        if let expectingPairs, pairs != expectingPairs {
          Issue.record("16-bit convolution: pairs \(pairs), expected \(expectingPairs)")
          return
        }
        var reference = [Int16](repeating: 0, count: geometry.output.elementCount), optimized = reference
        ReferenceKernels.weighted(x, kernel, &reference)
        OptimizedKernels.weighted(x, kernel, &optimized, ws)
        #expect(reference == optimized, "stride \(stride) groups \(groups) shift \(shift) small \(small)")
       }
      }
    }
  }

  /// A 16-bit code: extreme (Int16.min at every `period`-th index, Int16.max after it, else uniform), or small
  /// (|code| <= 60) so that sums stay far from saturation.
  func sixteenBitCode(_ j: Int, period: Int, small: Bool, _ g: inout TestRandom) -> Int16 {
    if small { return Int16.random(in: -60...60, using: &g) }
    return j % period == 0 ? .min : (j % period == 1 ? .max : Int16.random(in: .min ... .max, using: &g))
  }

  /// `InputDerivation` equals `deriveInput` for every Int16 code, at widths and shifts covering the identity,
  /// the branch-free path and the fallback (every width 2...16 and shift 0...17 with PRECSEARCH_LONG_TESTS).
  @Test func inputDerivationMatchesDeriveInputForEveryCode() throws {
    let long = LongTests.isEnabled
    let geometry = ConvGeometry(input: TensorShape(height: 1, width: 1, channels: 1),
                                output: TensorShape(height: 1, width: 1, channels: 1), kernelHeight: 1, kernelWidth: 1,
                                strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0,
                                padLeft: 0, groups: 1)
    for bits in long ? Array(2...16) : [2, 8, 16] {
      for shift in long ? Array(0...17) : [0, 1, 7, 15, 16, 17] {
        let parameters = WeightedLayerParameters(
          name: "derive", precision: LayerPrecision(weightBits: 8, activationBits: bits), storedInputBits: 16,
          inputShift: shift, weightFractionalBits: 0, inputFractionalBits: 0, outputShift: 0, outputBits: 16,
          accumulator: .int64, fanIn: 1)
        let kernel = WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: [1], bias: [0])
        let derivation = InputDerivation(parameters)
        for code in Int16.min...Int16.max where derivation.apply(code) != kernel.deriveInput(code) {
          Issue.record("bits \(bits) shift \(shift) code \(code): \(derivation.apply(code)) != \(kernel.deriveInput(code))")
          return
        }
      }
    }
  }

  /// The optimized max and average pooling equal `IntegerPooling.pool` on random geometries with padding and
  /// extreme codes.
  @Test func optimizedPoolingMatchesDefinition() {
    poolingTrials(seed: 31, label: "default level")
  }

  /// 80 random pooling geometries (padding, strides, 1 to 33 channels, extreme codes): optimized max and average
  /// pooling equal `IntegerPooling.pool`.
  func poolingTrials(seed: UInt64, label: String) {
    var g = TestRandom(seed: seed)
    for trial in 0..<80 {
      let c = [1, 5, 16, 33][Int.random(in: 0...3, using: &g)]
      let kh = Int.random(in: 1...4, using: &g), kw = Int.random(in: 1...4, using: &g)
      let sh = Int.random(in: 1...3, using: &g), sw = Int.random(in: 1...3, using: &g)
      let padTop = Int.random(in: 0...(kh - 1), using: &g), padLeft = Int.random(in: 0...(kw - 1), using: &g)
      let inH = kh + Int.random(in: 0...6, using: &g), inW = kw + Int.random(in: 0...6, using: &g)
      let outH = (inH + padTop - kh) / sh + 1, outW = (inW + padLeft - kw) / sw + 1
      let geometry = ConvGeometry(input: TensorShape(height: inH, width: inW, channels: c),
                                  output: TensorShape(height: outH, width: outW, channels: c), kernelHeight: kh,
                                  kernelWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: 1,
                                  dilationWidth: 1, padTop: padTop, padLeft: padLeft, groups: 1)
      let x = (0..<(inH * inW * c)).map { j in
        j % 7 == 0 ? Int16.min : (j % 7 == 1 ? Int16.max : Int16.random(in: .min ... .max, using: &g))
      }
      for isMax in [true, false] {
        var expected = [Int16](repeating: 0, count: outH * outW * c), actual = expected
        IntegerPooling.pool(x, geometry, max: isMax, &expected)
        OptimizedKernels.pool(x, geometry, max: isMax, &actual)
        #expect(expected == actual, "\(label) trial \(trial) max \(isMax)")
      }
    }
  }

  /// The DS-CNN (depthwise-separable, average pooling) runs bit-exactly in the optimized kernels at uniform 16, 8
  /// and 4 bits and at a mixed configuration.
  @Test func dsCNNOptimizedMatchesReference() throws {
    var g = TestRandom(seed: 5)
    let net = try ReferenceArchitectures.dsCNN(using: &g)
    let inputs = [randomInput(net, using: &g)]
    let model = try FixedPointModel(network: net, calibrationInputs: inputs)
    let n = model.network.weightedLayerNames.count
    let mixed = PrecisionConfiguration(layers: (0..<n).map {
      LayerPrecision(weightBits: [8, 4, 6, 16][$0 % 4], activationBits: [8, 6, 16, 4][$0 % 4])
    })
    for configuration in [.uniform(16, layerCount: n), .uniform(8, layerCount: n), .uniform(4, layerCount: n), mixed] {
      let reference = try IntegerPlan(model: model, configuration: configuration, kernels: .reference)
      let optimized = try IntegerPlan(model: model, configuration: configuration, kernels: .optimized)
      let rw = reference.makeWorkspace(), ow = optimized.makeWorkspace()
      reference.runCodes(inputs[0], workspace: rw)
      optimized.runCodes(inputs[0], workspace: ow)
      #expect(rw.outputs == ow.outputs, "\(configuration)")
    }
  }
}

