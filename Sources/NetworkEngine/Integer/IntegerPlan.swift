import CKernels
import FixedPointArithmetic
import PlatformSupport

/// Which implementation runs the Conv2D and Dense layers of an `IntegerPlan`.
public enum KernelVariant: String, Hashable, Sendable, Codable, CaseIterable {
  /// Obvious Int64 loops over the HWC tensors: the oracle. Slow on purpose.
  case reference
  /// im2col + register-blocked GEMM (the cheapest provably exact accumulator, see `AccumulatorKind`) and a direct depthwise kernel.
  /// Bit-exact with `reference`.
  case optimized
}

/// Requantization of one weighted layer, all shifts resolved (rounding: `.toNearestOrEven`).
///
/// Sign convention: every `...Shift` here is a **right** shift (division by 2^shift); a negative value means a
/// left shift, saturating. This is the convention of `FixedWidthInteger.shifted(rightBy:rounding:)`.
public struct WeightedLayerParameters: Hashable, Sendable {
  /// Node name.
  public var name: String
  /// The layer's precision pair.
  public var precision: LayerPrecision
  /// Bits of the stored input tensor (>= `precision.activationBits`).
  public var storedInputBits: Int
  /// Right shift taking stored input codes to the layer's `activationBits` codes (0 when they coincide).
  public var inputShift: Int
  /// Fractional bits of the derived weight codes (per-channel formats: the smallest of
  /// `channelWeightFractionalBits`).
  public var weightFractionalBits: Int
  /// Fractional bits of the layer's input codes.
  public var inputFractionalBits: Int
  /// Fractional bits of the accumulator: weightFractionalBits + inputFractionalBits.
  public var accumulatorFractionalBits: Int { weightFractionalBits + inputFractionalBits }
  /// Right shift from the accumulator to the stored output format (per-channel formats: the smallest of
  /// `channelOutputShifts`).
  public var outputShift: Int
  /// Bits of the stored output tensor.
  public var outputBits: Int
  /// The exact accumulator the optimized kernel uses (see `AccumulatorKind`).
  public var accumulator: AccumulatorKind
  /// Accumulation length.
  public var fanIn: Int
  /// Whether every input code of the layer is provably >= 0: its input is a ReLU or ReLU6 output, possibly through
  /// pooling windows that are never empty, GlobalAvgPool or Flatten. (A speed fact: the AVX2 8-bit kernel then
  /// needs no offset, see `AccumulatorKind.int8DotProduct`.)
  public var inputIsNonNegative: Bool = false
  /// For `.int8DotProduct`: the instructions, byte offset and Int16 lane budget, decided with the accumulator.
  var int8Form: Int8DotProductForm? = nil
  /// Per-channel weight formats whose channels do not all share one format: the fractional bits of each output
  /// channel's derived weight codes. Empty when every channel has `weightFractionalBits`.
  public var channelWeightFractionalBits: [Int] = []
  /// Per-channel weight formats whose channels do not all share one format: the right shift from channel c's
  /// accumulator to the stored output format. Empty when every channel uses `outputShift`.
  public var channelOutputShifts: [Int] = []

  /// Whether the output channels have different requantization shifts.
  public var hasChannelShifts: Bool { !channelOutputShifts.isEmpty }
  /// Fractional bits of output channel `c`'s derived weight codes.
  public func weightFractionalBits(channel c: Int) -> Int {
    channelWeightFractionalBits.isEmpty ? weightFractionalBits : channelWeightFractionalBits[c]
  }
  /// Right shift from output channel `c`'s accumulator to the stored output format.
  public func outputShift(channel c: Int) -> Int { channelOutputShifts.isEmpty ? outputShift : channelOutputShifts[c] }
}

/// An executable fixed-point network at one precision configuration: validated and prepared once ("prepare"),
/// then run many times without checks ("eval").
///
/// Semantics (docs/arithmetic.md): each weighted layer multiplies b_w-bit weights derived from the 16-bit master by
/// b_a-bit input activations, accumulates exactly, adds the bias at accumulator scale, and requantizes with one
/// rounding (`.toNearestOrEven`) and saturation into the stored format of its output, whose bit-width is the
/// highest activation precision among the tensor's readers (16 at the network output). ReLU, pooling and Add act on
/// integers. The final logits are dequantized to Float; a Softmax output is applied in Float on them.
public struct IntegerPlan: Sendable {
  /// The masters this plan derives from.
  public let model: FixedPointModel
  /// The precision configuration.
  public let configuration: PrecisionConfiguration
  /// The kernel implementation.
  public let kernels: KernelVariant
  /// Stored bit-width of every node's output.
  public let storageBits: [Int]
  /// Fractional bits of every node's stored output.
  public let storageFractionalBits: [Int]
  /// Resolved parameters of every weighted layer, in `network.weightedLayerIndices` order.
  public let layerParameters: [WeightedLayerParameters]
  @usableFromInline let steps: [IntegerStep]

  /// The network (folded).
  public var network: Network { model.network }

  /// Prepares `model` at `configuration`. Throws when the configuration does not fit the network.
  public init(model: FixedPointModel, configuration: PrecisionConfiguration, kernels: KernelVariant = .optimized) throws {
    let resolved = try ResolvedConfiguration(model: model, configuration: configuration)
    self.model = model
    self.configuration = configuration
    self.kernels = kernels
    self.storageBits = resolved.storageBits
    self.storageFractionalBits = resolved.storageFractionalBits
    self.layerParameters = resolved.layerParameters
    self.steps = resolved.steps.map { $0.integerStep(model: model) }
  }

  /// Scratch memory for one thread's inferences with this plan.
  public final class Workspace {
    /// Stored output codes of every node of the last run, in node order (HWC).
    public internal(set) var outputs: [[Int16]]
    /// Raw scratch for converted inputs and im2col rows (16-byte aligned; grows on demand).
    @usableFromInline var scratch: UnsafeMutableRawPointer
    @usableFromInline var scratchBytes: Int
    convenience init(plan: IntegerPlan) { self.init(network: plan.network) }
    init(network: Network) {
      outputs = network.shapes.map { Array(repeating: 0, count: $0.elementCount) }
      scratchBytes = 1 << 16
      scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchBytes, alignment: 64)
    }
    deinit { scratch.deallocate() }
    /// Makes sure the scratch holds at least `bytes`.
    func reserve(_ bytes: Int) {
      if bytes > scratchBytes {
        scratch.deallocate()
        scratchBytes = bytes
        scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
      }
    }
  }

  /// A new workspace (one per thread).
  public func makeWorkspace() -> Workspace { Workspace(plan: self) }

  /// Quantizes a preprocessed float input into the input's stored format: round(x * 2^f) (ties to even),
  /// saturated to the stored bit-width; NaN becomes 0.
  public func quantizeInput(_ input: [Float]) -> [Int16] {
    Self.quantizeInput(input, bits: storageBits[0], fractionalBits: storageFractionalBits[0])
  }

  /// `quantizeInput` for an input stored at `bits` with `fractionalBits` (shared with `MultiPrecisionPlan`).
  static func quantizeInput(_ input: [Float], bits: Int, fractionalBits: Int) -> [Int16] {
    // Same result as DynamicFixedPointFormat.quantize: x * 2^f is exact in Double for every Float x and |f| <= 64,
    // its rounding is exact, the clamp keeps it inside the code range.
    let scale = scaledByPowerOfTwo(1, fractionalBits)
    let high = Double((1 << (bits - 1)) - 1), low = -high - 1
    // The loop is C (CKernels, InputQuantization.c): round to nearest even, NaN to 0, clamp, per element.
    return [Int16](unsafeUninitializedCapacity: input.count) { buffer, count in
      input.withUnsafeBufferPointer { x in
        if let source = x.baseAddress, let target = buffer.baseAddress {
          precsearch_quantize_input(source, Int64(x.count), scale, low, high, target)
        }
      }
      count = input.count
    }
  }

  /// Runs one preprocessed float input; returns the output codes (stored format of the output node's input group).
  @discardableResult
  public func runCodes(_ input: [Float], workspace: Workspace) -> [Int16] {
    precondition(input.count == network.inputShape.elementCount, "input has \(input.count) values, expected \(network.inputShape.elementCount)")
    workspace.outputs[0] = quantizeInput(input)
    Self.execute(steps, network: network, kernels: kernels, workspace)
    return workspace.outputs[network.outputIndex]
  }

  /// Runs nodes `start..<network.nodes.count` only, reading the outputs of nodes `0..<start` that the previous run
  /// in `workspace` left there: the caller guarantees they are what this plan would compute for the current input
  /// (e.g. a plan of the same model whose configuration agrees on every node before `start`, which is what
  /// `PrefixReuse` in PrecisionSearch establishes). Returns the output codes, like `runCodes(_:workspace:)`.
  ///
  /// - Precondition: `1 <= start < network.nodes.count` and `workspace` was made by a plan of the same network.
  public func runCodes(resumingAt start: Int, workspace: Workspace) -> [Int16] {
    precondition(start >= 1 && start < steps.count, "resume node \(start) is outside 1..<\(steps.count)")
    for i in start..<steps.count { Self.execute(steps[i], node: i, network: network, kernels: kernels, workspace) }
    return workspace.outputs[network.outputIndex]
  }

  /// Runs one preprocessed float input; returns class scores: dequantized logits, or Softmax probabilities (in
  /// Float, on the dequantized logits) when the network ends in Softmax.
  public func run(_ input: [Float], workspace: Workspace) -> [Float] {
    Self.scores(runCodes(input, workspace: workspace), fractionalBits: storageFractionalBits[network.outputIndex],
                network: network)
  }

  /// Convenience: runs with a fresh workspace.
  public func run(_ input: [Float]) -> [Float] { run(input, workspace: makeWorkspace()) }

  /// Dequantizes output codes with `fractionalBits` and applies a final Softmax in Float (shared with
  /// `MultiPrecisionPlan`).
  static func scores(_ codes: [Int16], fractionalBits f: Int, network: Network) -> [Float] {
    let scale = scaledByPowerOfTwo(1, -f)
    var scores = codes.map { Float(Double($0) * scale) }
    if case .softmax = network.nodes[network.outputIndex].operation {
      let m = scores.max() ?? 0
      var sum: Float = 0
      for j in scores.indices { scores[j] = LibM.exp(scores[j] - m); sum += scores[j] }
      for j in scores.indices { scores[j] /= sum }
    }
    return scores
  }

  /// Runs every step after the input (whose codes are already in `ws.outputs[0]`); shared with
  /// `MultiPrecisionPlan`.
  static func execute(_ steps: [IntegerStep], network: Network, kernels: KernelVariant, _ ws: Workspace) {
    for i in 1..<steps.count { execute(steps[i], node: i, network: network, kernels: kernels, ws) }
  }

  static func execute(_ step: IntegerStep, node i: Int, network: Network, kernels: KernelVariant,
                              _ ws: Workspace) {
    let inputs = network.inputIndices[i]
    var out = ws.outputs[i]
    ws.outputs[i] = []
    defer { ws.outputs[i] = out }
    switch step {
    case .input: break
    case .weighted(let kernel):
      switch kernels {
      case .reference: ReferenceKernels.weighted(ws.outputs[inputs[0]], kernel, &out)
      case .optimized: OptimizedKernels.weighted(ws.outputs[inputs[0]], kernel, &out, ws)
      }
    case .relu:
      ws.outputs[inputs[0]].withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in for j in 0..<o.count { o[j] = max(x[j], 0) } }
      }
    case .relu6(let six):
      ws.outputs[inputs[0]].withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in for j in 0..<o.count { o[j] = min(max(x[j], 0), six) } }
      }
    case .maxPool(let g), .avgPool(let g):
      let isMax: Bool
      if case .maxPool = step { isMax = true } else { isMax = false }
      switch kernels {
      case .reference: IntegerPooling.pool(ws.outputs[inputs[0]], g, max: isMax, &out)
      case .optimized: OptimizedKernels.pool(ws.outputs[inputs[0]], g, max: isMax, &out)
      }
    case .globalAvgPool:
      let s = network.shapes[inputs[0]]
      IntegerPooling.globalAverage(ws.outputs[inputs[0]], pixels: s.height * s.width, channels: s.channels, &out)
    case .add(let a):
      ws.outputs[inputs[0]].withUnsafeBufferPointer { x in
        ws.outputs[inputs[1]].withUnsafeBufferPointer { y in
          out.withUnsafeMutableBufferPointer { o in a.run(x.baseAddress!, y.baseAddress!, o.baseAddress!, count: o.count) }
        }
      }
    case .copy:
      out = ws.outputs[inputs[0]]
    }
  }
}

/// Everything an `IntegerPlan` needs at one configuration except the derived weight codes: stored widths and
/// formats of every tensor, each weighted layer's shifts, accumulator kind, geometry and bias at the point's
/// accumulator scale (O(output channels) per layer), and the parameters of the other nodes. `IntegerPlan` and
/// `MultiPrecisionPlan` share it, so both compute the same thing by construction.
struct ResolvedConfiguration: Sendable {
  /// The configuration resolved.
  let configuration: PrecisionConfiguration
  /// Stored bit-width of every node's output.
  let storageBits: [Int]
  /// Fractional bits of every node's stored output.
  let storageFractionalBits: [Int]
  /// Parameters of every weighted layer, in `network.weightedLayerIndices` order.
  let layerParameters: [WeightedLayerParameters]
  /// One step per node.
  let steps: [ResolvedStep]

  /// A weighted layer at one configuration, without its derived weights.
  struct WeightedLayer: Sendable, Equatable {
    /// Index in `model.layers`.
    let layer: Int
    let parameters: WeightedLayerParameters
    let geometry: ConvGeometry
    /// Bias at the accumulator scale, saturated to +-2^62 (bias correction included).
    let bias: [Int64]
    /// Bias correction (`QuantizationOptions.biasCorrection`): the correction subtracted from each output channel's
    /// shifted bias master, at the accumulator scale and saturated to +-2^62. Empty without it.
    var biasCorrection: [Int64] = []
    /// The window shift the weight codes are derived with (per-channel formats: unused).
    let weightWindowShift: Int
    /// Per-channel formats: the window shift of each output channel's codes. Empty for a per-tensor layer.
    let channelWindowShifts: [Int]

    /// Derives the weight codes from the 16-bit master and packs them for the kernels.
    func kernel(model: FixedPointModel) -> WeightedLayerKernel {
      let master = model.layers[layer]
      let bits = parameters.precision.weightBits, ws = weightWindowShift
      let weights = channelWindowShifts.isEmpty
        ? MultiPrecisionDerivation.derive(master.weightCodes, toBitWidth: bits, windowShift: ws)
        : MultiPrecisionDerivation.derive(master.weightCodes, toBitWidth: bits, channelWindowShifts: channelWindowShifts)
      return WeightedLayerKernel(parameters: parameters, geometry: geometry, weights: weights, bias: bias)
    }
  }

  /// One node's step before weights are derived.
  enum ResolvedStep: Sendable {
    case weighted(WeightedLayer)
    case fixed(IntegerStep)

    /// The executable step (derives the weights of a weighted layer).
    func integerStep(model: FixedPointModel) -> IntegerStep {
      switch self {
      case .weighted(let layer): return .weighted(layer.kernel(model: model))
      case .fixed(let step): return step
      }
    }
  }

  init(model: FixedPointModel, configuration: PrecisionConfiguration) throws {
    let network = model.network
    try configuration.validate(for: network)
    self.configuration = configuration
    let groupBits = model.groupStorageBits(activationBits: configuration.layers.map(\.activationBits))
    let storageBits = network.nodes.indices.map { groupBits[model.groupOfNode[$0]] }
    let storageFraction = network.nodes.indices.map {
      model.groups[model.groupOfNode[$0]].fractionalBits(atBitWidth: storageBits[$0])
    }
    self.storageBits = storageBits
    self.storageFractionalBits = storageFraction

    var steps: [ResolvedStep] = []
    var parameters: [WeightedLayerParameters] = []
    var layerNumber = 0
    // Whether every code of each node's output is >= 0 (see `WeightedLayerParameters.inputIsNonNegative`).
    var nonNegative = Array(repeating: false, count: network.nodes.count)
    for (i, node) in network.nodes.enumerated() {
      let ins = network.inputIndices[i]
      switch node.operation {
      case .relu, .relu6: nonNegative[i] = true
      case .globalAvgPool, .flatten: nonNegative[i] = nonNegative[ins[0]]
      case .maxPool(let a), .avgPool(let a):
        // An empty window would give Int16.min (max) or 0 / 0 (average): only windows that meet the input count.
        let g = try ConvGeometry(pool: a, node: node, input: network.shapes[ins[0]], output: network.shapes[i])
        nonNegative[i] = nonNegative[ins[0]] && g.everyWindowMeetsTheInput
      default: break
      }
      switch node.operation {
      case .input:
        steps.append(.fixed(.input(bits: storageBits[i], fractionalBits: storageFraction[i])))
      case .conv2D, .dense:
        let master = model.layers[layerNumber]
        let p = configuration.layers[layerNumber]
        let inGroup = model.groups[model.groupOfNode[ins[0]]]
        let geometry: ConvGeometry
        if case .conv2D(let a) = node.operation {
          geometry = try ConvGeometry(conv: a, node: node, input: network.shapes[ins[0]], output: network.shapes[i])
        } else {
          geometry = ConvGeometry(input: network.shapes[ins[0]], output: network.shapes[i], kernelHeight: 1,
                                  kernelWidth: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1,
                                  dilationWidth: 1, padTop: 0, padLeft: 0, groups: 1)
        }
        let ws = master.windowShifts[p.weightBits]
        let fa = inGroup.fractionalBits(atBitWidth: p.activationBits)
        // Per channel c (one channel standing for all of a per-tensor layer): window shift, derived weight fraction.
        let channelShifts = master.isPerChannel ? master.channelWindowShifts.map { $0[p.weightBits] } : [ws]
        let channelFractions = channelShifts.indices.map {
          MasterPrecision.fractionalBits(master: master.fractionalBits(channel: $0), bitWidth: p.weightBits,
                                         windowShift: channelShifts[$0])
        }
        let fw = channelFractions.min()!
        // Bias master of channel c is at scale fw16_c + fa16; the derived scale is fw_c + fa <= that, so this is a
        // right shift >= 0.
        let biasShifts = channelFractions.indices.map {
          (master.fractionalBits(channel: $0) + inGroup.fractionalBits) - (channelFractions[$0] + fa)
        }
        // Saturated to +-2^62 so that accumulator (|acc| <= 2^58) + bias never overflows Int64.
        let biasLimit = Int64(1) << 62
        var bias = master.biasCodes.enumerated().map { c, code in
          min(max(code.shifted(rightBy: biasShifts[master.isPerChannel ? c : 0], rounding: .toNearestOrEven),
                  -biasLimit), biasLimit)
        }
        // Bias correction (docs/arithmetic.md): minus the expected error of the derived weights at this scale.
        var corrections: [Int64] = []
        if !master.biasCorrections.isEmpty {
          let table = master.biasCorrections[p.weightBits]
          corrections = bias.indices.map { c in
            BiasCorrection.accumulatorCorrection(table[c], inputFractionalBits: fa,
                                                 droppedWeightBits: 16 - p.weightBits - channelShifts[master.isPerChannel ? c : 0])
          }
          bias = zip(bias, corrections).map { BiasCorrection.corrected(bias: $0, correction: $1) }
        }
        let fanIn = geometry.fanIn
        let accumulator = AccumulatorKind.resolve(weightBits: p.weightBits, activationBits: p.activationBits,
          fanIn: fanIn,
          paddedFanIn: geometry.supportsImplicitGEMM
            ? geometry.kernelHeight * geometry.kernelWidth * ((geometry.input.channels + 3) / 4 * 4)
            : (fanIn + 3) / 4 * 4,
          grouped: geometry.groups != 1, inputIsNonNegative: nonNegative[ins[0]])
        let parameters1 = WeightedLayerParameters(
          name: node.name, precision: p, storedInputBits: storageBits[ins[0]],
          inputShift: storageFraction[ins[0]] - fa, weightFractionalBits: fw, inputFractionalBits: fa,
          outputShift: fw + fa - storageFraction[i], outputBits: storageBits[i],
          accumulator: accumulator.kind, fanIn: fanIn, inputIsNonNegative: nonNegative[ins[0]],
          int8Form: accumulator.int8Form)
        // Channels with different formats: per-channel fractions and requantization shifts (all equal: the
        // per-tensor form, which every kernel runs as today).
        var parametersPerChannel = parameters1
        if channelFractions.contains(where: { $0 != fw }) {
          parametersPerChannel.channelWeightFractionalBits = channelFractions
          parametersPerChannel.channelOutputShifts = channelFractions.map { $0 + fa - storageFraction[i] }
        }
        parameters.append(parametersPerChannel)
        steps.append(.weighted(WeightedLayer(layer: layerNumber, parameters: parametersPerChannel, geometry: geometry,
                                             bias: bias, biasCorrection: corrections, weightWindowShift: ws,
                                             channelWindowShifts: master.isPerChannel ? channelShifts : [])))
        layerNumber += 1
      case .batchNorm:
        preconditionFailure("FixedPointModel holds a folded network")
      case .relu: steps.append(.fixed(.relu))
      case .relu6:
        let six = DynamicFixedPointFormat(bitWidth: storageBits[i], fractionalBits: storageFraction[i]).quantize(6)
        steps.append(.fixed(.relu6(six: Int16(six))))
      case .maxPool(let a):
        steps.append(.fixed(.maxPool(try ConvGeometry(pool: a, node: node, input: network.shapes[ins[0]], output: network.shapes[i]))))
      case .avgPool(let a):
        steps.append(.fixed(.avgPool(try ConvGeometry(pool: a, node: node, input: network.shapes[ins[0]], output: network.shapes[i]))))
      case .globalAvgPool: steps.append(.fixed(.globalAvgPool))
      case .add:
        let fa = storageFraction[ins[0]], fb = storageFraction[ins[1]]
        let f = max(fa, fb)
        steps.append(.fixed(.add(AddParameters(leftShift0: f - fa, leftShift1: f - fb, outputShift: f - storageFraction[i],
                                               outputBits: storageBits[i]))))
      case .flatten, .softmax: steps.append(.fixed(.copy))
      }
    }
    self.steps = steps
    self.layerParameters = parameters
  }
}

/// Add: both operands are aligned by left shifts to the finer of their two formats, summed exactly (saturating
/// Int64), then requantized by a rounding right shift (ties to even) and saturated to the output bits.
public struct AddParameters: Hashable, Sendable {
  /// Left shift of operand 0 (>= 0).
  public var leftShift0: Int
  /// Left shift of operand 1 (>= 0).
  public var leftShift1: Int
  /// Right shift from the aligned sum to the output format (negative: left, saturating).
  public var outputShift: Int
  /// Output bit-width.
  public var outputBits: Int

  /// The definition, one element at a time.
  func reference(_ x: Int16, _ y: Int16) -> Int16 {
    let l = Int64(x).shiftedWithSaturation(leftBy: leftShift0, rounding: .toNearestOrEven)
    let r = Int64(y).shiftedWithSaturation(leftBy: leftShift1, rounding: .toNearestOrEven)
    return Int16(l.addingWithSaturation(r).shifted(rightBy: outputShift, rounding: .toNearestOrEven)
                   .clamped(toSignedBitWidth: outputBits))
  }

  /// Runs over `count` elements. With both left shifts <= 40 the aligned operands stay below 2^55 and their sum
  /// below 2^56, so plain Int64 arithmetic equals the saturating definition; otherwise the definition runs.
  func run(_ x: UnsafePointer<Int16>, _ y: UnsafePointer<Int16>, _ out: UnsafeMutablePointer<Int16>, count: Int) {
    if leftShift0 <= 14 && leftShift1 <= 14 && outputShift >= 0 && outputShift <= 30 {
      // Int32 lanes: each aligned operand is below 2^29 in magnitude, the sum below 2^30 (a shift of 0 only clamps).
      // The loop is C (CKernels, IntegerRequantization.c): Int32RoundingShift element for element.
      precsearch_add_i16(x, y, Int64(count), Int32(leftShift0), Int32(leftShift1), Int32(outputShift),
                         -(Int32(1) << (outputBits - 1)), (Int32(1) << (outputBits - 1)) - 1, out)
    } else if leftShift0 <= 40 && leftShift1 <= 40 {
      let requantizer = Requantizer(shift: outputShift, bits: outputBits)
      for j in 0..<count { out[j] = requantizer.apply((Int64(x[j]) << leftShift0) + (Int64(y[j]) << leftShift1)) }
    } else {
      for j in 0..<count { out[j] = reference(x[j], y[j]) }
    }
  }
}

@usableFromInline enum IntegerStep: Sendable {
  case input(bits: Int, fractionalBits: Int)
  case weighted(WeightedLayerKernel)
  case relu
  case relu6(six: Int16)
  case maxPool(ConvGeometry)
  case avgPool(ConvGeometry)
  case globalAvgPool
  case add(AddParameters)
  case copy
}

/// A weighted layer ready to run: geometry, derived weight codes (node layout
/// `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`), bias at accumulator scale, shifts, and
/// the packed layouts the optimized kernels use.
@usableFromInline struct WeightedLayerKernel: Sendable {
  @usableFromInline let parameters: WeightedLayerParameters
  @usableFromInline let geometry: ConvGeometry
  @usableFromInline let weights: [Int16]
  @usableFromInline let bias: [Int64]
  /// The exact accumulator of the optimized kernel.
  let accumulator: AccumulatorKind
  /// Optimized GEMM layout: per group `[fanIn][gemmColumnStride]` (output channels of the group, zero padded to a
  /// multiple of 16), converted to the accumulator's scalar.
  let gemmWeights: GEMMWeights
  let gemmColumnStride: Int
  /// Optimized depthwise layout: [kernelHeight * kernelWidth][channels].
  let depthwiseWeights: [Int16]
  /// The optimized depthwise kernel's lanes and their packed weights and bias (`.integer` for other layers).
  let depthwiseLanes: DepthwiseLanes
  let requantizer: Requantizer
  /// Per-channel shifts (`WeightedLayerParameters.hasChannelShifts`): one requantizer per output channel; else empty.
  let channelRequantizers: [Requantizer]
  /// How the optimized GEMM path requantizes (floating point when provably exact).
  let floatingRequantization: FloatingRequantization
  /// The bias as Float (exact when `floatingRequantization` is `.float`).
  let floatBias: [Float]
  /// Tap offsets into the padded grid (implicit GEMM, see `ConvGeometry.supportsImplicitGEMM`).
  let gridTapOffsets: [Int]
  /// For the 8-bit dot-product path: bias minus the offset correction offset * sum(weights), per output channel.
  var int8Bias: [Int64] = []
  /// With `.int32` floating requantization: the requantization bias (`int8Bias` for the 8-bit dot-product path,
  /// else `bias`) truncated to Int32, so that the requantization loop runs in Int32 lanes only. Exact: the true
  /// sum accumulator + bias fits in Int32 (see `FloatingRequantization.int32`), so the wrapping sum of the
  /// truncations is that sum.
  var int32Bias: [Int32] = []

  enum GEMMWeights: Sendable {
    case none
    case float([Float])
    case int32([Int32])
    case int64([Int64])
    /// Int64 accumulator kind with |accumulator| <= 2^51: exact in Double lanes, which multiply-add faster.
    case double([Double])
    /// Weight bytes `[rowLength / 4][gemmColumnStride][4]` and the A row length (implicit GEMM: the input channels
    /// rounded up to 4, per tap; im2col: fanIn rounded up to 4).
    case int8([Int8], rowLength: Int)
    /// Int16 weights `[group][rowLength / 2][gemmColumnStride][2]` for the pair GEMM (`Int16PairLayout`; A row
    /// length: implicit GEMM, the input channels rounded up to 2, per tap; im2col, fanIn rounded up to 2).
    case int16Pairs([Int16], rowLength: Int, layout: Int16PairLayout)
  }

  init(parameters: WeightedLayerParameters, geometry: ConvGeometry, weights: [Int16], bias: [Int64]) {
    self.parameters = parameters
    self.geometry = geometry
    self.weights = weights
    self.bias = bias
    let k = geometry.fanIn
    accumulator = parameters.accumulator
    requantizer = Requantizer(shift: parameters.outputShift, bits: parameters.outputBits)
    channelRequantizers = parameters.channelOutputShifts.map { Requantizer(shift: $0, bits: parameters.outputBits) }
    let maxBias = bias.reduce(Int64(0)) { max($0, $1 == .min ? .max : abs($1)) }
    floatingRequantization = FloatingRequantization.choose(accumulator: accumulator, parameters: parameters,
                                                           maxBias: maxBias)
    floatBias = bias.map { Float($0) }
    gridTapOffsets = geometry.supportsImplicitGEMM ? geometry.gridTapOffsets : []
    if geometry.isDepthwise {
      let taps = geometry.kernelHeight * geometry.kernelWidth, c = geometry.output.channels
      var d = Array(repeating: Int16(0), count: taps * c)
      for ch in 0..<c { for t in 0..<taps { d[t * c + ch] = weights[ch * taps + t] } }
      depthwiseWeights = d
      depthwiseLanes = DepthwiseLanes.choose(parameters: parameters, geometry: geometry, weights: d, bias: bias)
      gemmWeights = .none
      gemmColumnStride = 0
    } else {
      let og = geometry.outputChannelsPerGroup
      let stride = (og + 15) / 16 * 16
      /// `[group][fanIn][stride]` with zero padding, converted to the accumulator's scalar (one pass, no
      /// intermediate copy: this runs on every change of operating point in a `MultiPrecisionPlan` workspace).
      func pack<S: GEMMScalar>(_: S.Type) -> [S] {
        let count = geometry.groups * k * stride
        return [S](unsafeUninitializedCapacity: count) { out, initialized in
          out.initialize(repeating: S(code: 0))
          weights.withUnsafeBufferPointer { w in
            for o in 0..<geometry.output.channels {
              let base = (o / og) * k * stride + o % og
              let source = o * k
              for j in 0..<k { out[base + j * stride] = S(code: w[source + j]) }
            }
          }
          initialized = count
        }
      }
      /// `[group][rowLength / 2][stride][2]` Int16 pairs, zero padded.
      func packPairs() -> GEMMWeights {
        let cin = geometry.inputChannelsPerGroup, channelsEven = (cin + 1) / 2 * 2
        let implicit = geometry.supportsImplicitGEMM
        let taps = geometry.kernelHeight * geometry.kernelWidth
        let rowLength = implicit ? taps * channelsEven : (k + 1) / 2 * 2
        let groupCount = rowLength * stride
        var pairs = Array(repeating: Int16(0), count: geometry.groups * groupCount)
        pairs.withUnsafeMutableBufferPointer { b in
          weights.withUnsafeBufferPointer { w in
            for o in 0..<geometry.output.channels {
              let base = (o / og) * groupCount, column = o % og
              for j in 0..<k {
                // Row of A holding weight j: implicit, tap j / cin at tap * channelsEven + channel; im2col, j.
                let row = implicit ? (j / cin) * channelsEven + j % cin : j
                b[base + (row >> 1) * stride * 2 + column * 2 + (row & 1)] = w[o * k + j]
              }
            }
          }
        }
        return .int16Pairs(pairs, rowLength: rowLength,
                           layout: Int16PairLayout(weightBits: parameters.precision.weightBits,
                                                   activationBits: parameters.precision.activationBits))
      }
      // The pair GEMM runs the Int32 and Int64 kinds from the AVX2 level up (the CPU's, or the cap read now): on
      // ResNet-8 at 16 bits it measured faster than the Double lanes at the AVX-512 level too (1,917 and 2,116
      // against 1,601 and 1,610 images/s, alternating, thread CPU time).
      let pairsAvailable = KernelInstructionSet.current >= .avx2
      switch accumulator {
      case .int32 where pairsAvailable, .int64 where pairsAvailable: gemmWeights = packPairs()
      case .exactFloat32: gemmWeights = .float(pack(Float.self))
      case .int32: gemmWeights = .int32(pack(Int32.self))
      case .int64:
        // Every partial sum is an integer of magnitude <= 2^bound (see AccumulatorKind); up to 2^51 Double
        // holds it exactly.
        let bound = parameters.precision.weightBits + parameters.precision.activationBits - 2 + ceilLog2(k)
        gemmWeights = bound <= 51 ? .double(pack(Double.self)) : .int64(pack(Int64.self))
      case .int8DotProduct:
        // k ordering of A: per tap (ky, kx) the channels padded to a multiple of 4 (implicit GEMM), or the fanIn
        // values padded at the end (im2col).
        let cin = geometry.input.channels, c4 = (cin + 3) / 4 * 4
        let implicit = geometry.supportsImplicitGEMM
        let taps = geometry.kernelHeight * geometry.kernelWidth
        let rowLength = implicit ? taps * c4 : (k + 3) / 4 * 4
        var bytes = Array(repeating: Int8(0), count: rowLength * stride)
        var corrections = Array(repeating: Int64(0), count: geometry.output.channels)
        let offset = (parameters.int8Form ?? .vectorNeuralNetwork).activationOffset
        // Weight j of output o goes to A-row `row` (implicit: tap j / cin, channel j % cin, at tap * c4 + channel),
        // stored at byte (row / 4) * stride * 4 + o * 4 + row % 4. Ungrouped (the kind requires it): k = taps * cin.
        let segments = implicit ? taps : 1, segmentLength = implicit ? cin : k, segmentStride = implicit ? c4 : k
        bytes.withUnsafeMutableBufferPointer { b in
          weights.withUnsafeBufferPointer { w in
            for o in 0..<geometry.output.channels {
              var sum: Int32 = 0
              var j = o * k
              for t in 0..<segments {
                for c in 0..<segmentLength {
                  let value = w[j]  // within [-128, 127]: weight bits <= 8
                  let row = t * segmentStride + c
                  b[(row >> 2) * stride * 4 + o * 4 + (row & 3)] = Int8(truncatingIfNeeded: value)
                  sum &+= Int32(value)  // |sum| <= 128 * fanIn < 2^31 (paddedFanIn * 255 * 128 < 2^31)
                  j += 1
                }
              }
              corrections[o] = Int64(offset) * Int64(sum)
            }
          }
        }
        gemmWeights = .int8(bytes, rowLength: rowLength)
        // |acc + 128 sum(w)| < 2^31 and |bias| <= 2^62, so bias - correction stays far inside Int64; the requantized
        // result equals the reference because (raw - correction) + bias == raw + (bias - correction) exactly.
        int8Bias = zip(bias, corrections).map { $0 - $1 }
      }
      gemmColumnStride = stride
      depthwiseWeights = []
      depthwiseLanes = .integer
      if case .int32 = floatingRequantization {
        int32Bias = (accumulator == .int8DotProduct ? int8Bias : bias).map { Int32(truncatingIfNeeded: $0) }
      }
    }
  }

  /// Requantizes an exact accumulator value (bias not yet added) to the stored output code:
  /// round((accumulator + bias) / 2^outputShift(channel)) with ties to even, saturated to the output bits. The bias
  /// is saturated to +-2^62 at plan time and |accumulator| <= 2^58, so the sum is exact.
  @inlinable @inline(__always)
  func requantize(_ accumulator: Int64, channel: Int) -> Int16 {
    Int16((accumulator + bias[channel])
      .shifted(rightBy: parameters.outputShift(channel: channel), rounding: .toNearestOrEven)
      .clamped(toSignedBitWidth: parameters.outputBits))
  }

  /// Takes a stored input code to the layer's activation precision.
  @inlinable @inline(__always)
  func deriveInput(_ code: Int16) -> Int16 {
    code.shifted(rightBy: parameters.inputShift, rounding: .toNearestOrEven)
      .clamped(toSignedBitWidth: parameters.precision.activationBits)
  }
}

extension ConvGeometry {
  /// True when every window of a pooling node (dilation 1) holds at least one input element: window `o` of an axis
  /// covers `o * stride - padBefore ... o * stride - padBefore + kernel - 1`, so it is enough that the first ends at
  /// or after 0 and the last starts at or before `input - 1`.
  var everyWindowMeetsTheInput: Bool {
    func axis(input: Int, output: Int, kernel: Int, stride: Int, padBefore: Int) -> Bool {
      output >= 1 && kernel - 1 - padBefore >= 0 && (output - 1) * stride - padBefore <= input - 1
    }
    return dilationHeight == 1 && dilationWidth == 1
      && axis(input: input.height, output: output.height, kernel: kernelHeight, stride: strideHeight, padBefore: padTop)
      && axis(input: input.width, output: output.width, kernel: kernelWidth, stride: strideWidth, padBefore: padLeft)
  }
}
