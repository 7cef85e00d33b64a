import FixedPointArithmetic
import NetworkEngine

/// Generates a self-contained C99 library that computes, for each exported operating point, exactly the output codes
/// of `IntegerPlan(model:configuration:)` (docs/export.md).
///
/// Every integer parameter of the generated code (stored widths, fractional bits, shifts, window shifts, ReLU6
/// limits, Add alignments, geometry) is taken from the engine's own resolution of each configuration
/// (`ResolvedIntegerPlan`), never recomputed; the C helpers are transcriptions of the reference definitions
/// (`CRuntimeSource`). Pure: no Foundation, no files. The same model and request give the same text, byte for byte.
public enum CLibraryGenerator {
  /// Generates the library `request.prefix` for `model` (its 16-bit masters, built with the options the points were
  /// measured with).
  ///
  /// - Throws: `CodeGenerationError` for a bad prefix, no or duplicate points, a configuration that does not fit,
  ///   or a node or parameter the C code cannot represent.
  public static func generate(model: FixedPointModel, request: CLibraryRequest) throws -> CLibrary {
    if let problem = CIdentifier.problem(with: request.prefix) {
      throw CodeGenerationError.invalidPrefix(request.prefix, reason: problem)
    }
    guard !request.points.isEmpty else { throw CodeGenerationError.noPoints }
    var seen: [String] = []
    for point in request.points {
      if seen.contains(point.id) { throw CodeGenerationError.duplicatePointID(point.id) }
      seen.append(point.id)
      let measured = [point.validationAccuracy, point.testAccuracy ?? 0, point.energyJoules]
      guard measured.allSatisfy(\.isFinite) else {
        throw CodeGenerationError.invalidConfiguration(point: point.id, reason: "accuracies and energy must be finite")
      }
    }
    let plans = try request.points.map { point -> ResolvedIntegerPlan in
      do {
        return try ResolvedIntegerPlan(model: model, configuration: point.configuration)
      } catch let error as PrecisionError {
        throw CodeGenerationError.invalidConfiguration(point: point.id, reason: error.description)
      }
    }
    let layout = try Layout(model: model, plans: plans, request: request)
    let source = SourceWriter(model: model, plans: plans, request: request, layout: layout)
    let prefix = request.prefix
    return CLibrary(
      files: [
        GeneratedFile(name: "\(prefix).h", contents: source.header()),
        GeneratedFile(name: "\(prefix).c", contents: source.implementation()),
        GeneratedFile(name: "\(prefix)_weights.c", contents: source.weights()),
        GeneratedFile(name: "README.md", contents: source.readme()),
      ],
      memory: layout.memory)
  }
}

/// Everything resolved once: per node its kind and buffers, per (point, layer) its parameters, the scratch layout.
struct Layout {
  /// One weighted layer's parameters at one point, as the C table stores them.
  struct LayerPoint: Hashable {
    var weightBits: Int
    /// 16 - weightBits - windowShift (MasterPrecision.derive's right shift).
    var weightShift: Int
    var activationBits: Int
    /// Int64 accumulation (else Int32, when bw + ba + ceilLog2(fanIn) <= 31).
    var wide: Bool
    var inputShift: Int
    var outputShift: Int
    var outputBits: Int
    var biasShift: Int
    /// Byte offset of this point's codes in the packed blob (packed storage only).
    var packedOffset: Int
    /// Per-channel weight formats: per output channel (weight shift, output shift, bias shift), which replace the
    /// scalar ones; empty for a per-tensor layer.
    var channels: [ChannelShifts] = []
    /// Bias correction: per output channel the correction subtracted from the derived bias; empty without it.
    var biasCorrection: [Int64] = []
  }

  /// One output channel's shifts at one point (per-channel weight formats).
  struct ChannelShifts: Hashable {
    /// 16 - weightBits - the channel's window shift.
    var weightShift: Int
    var outputShift: Int
    var biasShift: Int
  }

  /// Whether any layer at any point has per-channel shifts (then the C code carries the per-channel tables).
  var hasChannelShifts: Bool { layerPoints.contains { $0.contains { !$0.channels.isEmpty } } }
  /// Whether any layer at any point has a bias correction (then the C code carries the correction tables).
  var hasBiasCorrection: Bool { layerPoints.contains { $0.contains { !$0.biasCorrection.isEmpty } } }

  /// A weighted layer's constants.
  struct Layer {
    var node: Int
    var geometry: ConvGeometry
    var weightCount: Int
    var outputChannels: Int
    /// Offsets in the static derived buffers of the `DERIVE_AT_SET_POINT` build.
    var weightOffset: Int
    var biasOffset: Int
  }

  let network: Network
  /// Per weighted layer (configuration order).
  var layers: [Layer] = []
  /// `[point][layer]`.
  var layerPoints: [[LayerPoint]] = []
  /// Node indices of the ReLU6 nodes, and `[point][relu6]` limits.
  var relu6Nodes: [Int] = []
  var relu6Limits: [[Int16]] = []
  /// Node indices of the Add nodes, and `[point][add]` parameters.
  var addNodes: [Int] = []
  var addParameters: [[AddParameters]] = []
  /// Per point: input bits and fractional bits; output fractional bits.
  var inputFormats: [(bits: Int, fractionalBits: Int)] = []
  var outputFractionalBits: [Int] = []
  /// Packed blob and, per point, that point's codes packed alone.
  var packedBlob: [UInt8] = []
  var packedBytesPerPoint: [Int] = []
  /// Scratch layout: byte offsets (bias of one layer, one filter, derived input codes, activation slots).
  var biasScratchOffset = 0
  var weightScratchOffset = 0
  var derivedInputOffset = 0
  var slotOffsets: [Int] = []
  /// Slot of each node's output (-1: the caller's input buffer).
  var slotOfNode: [Int] = []
  var scratchBytes = 0
  var memory = CLibraryMemory(master16WeightBytes: 0, biasBytes: 0, storedWeightBytes: 0, packedBytesSaved: nil,
                              scratchBytes: 0, activationBytes: 0, layerScratchBytes: 0,
                              deriveAtSetPointStaticBytes: 0, packedWeightBytesPerPoint: [])

  init(model: FixedPointModel, plans: [ResolvedIntegerPlan], request: CLibraryRequest) throws {
    network = model.network
    let nodes = network.nodes
    // Node kinds must agree across points (one network); collect per-point parameters.
    var weightedOffset = 0, biasOffset = 0
    for (i, node) in nodes.enumerated() {
      switch plans[0].steps[i] {
      case .weighted(let first):
        let master = model.layers[first.layerIndex]
        layers.append(Layer(node: i, geometry: first.geometry, weightCount: master.weightCodes.count,
                            outputChannels: master.biasCodes.count, weightOffset: weightedOffset,
                            biasOffset: biasOffset))
        weightedOffset += master.weightCodes.count
        biasOffset += master.biasCodes.count
      case .relu6: relu6Nodes.append(i)
      case .add: addNodes.append(i)
      case .input, .relu, .maxPool, .avgPool, .globalAvgPool, .copy: break
      }
      for plan in plans {
        let same: Bool
        switch (plans[0].steps[i], plan.steps[i]) {
        case (.weighted(let a), .weighted(let b)): same = a.geometry == b.geometry && a.layerIndex == b.layerIndex
        case (.maxPool(let a), .maxPool(let b)), (.avgPool(let a), .avgPool(let b)): same = a == b
        case (.input, .input), (.relu, .relu), (.relu6, .relu6), (.globalAvgPool, .globalAvgPool), (.add, .add),
             (.copy, .copy): same = true
        default: same = false
        }
        guard same else {
          throw CodeGenerationError.unsupportedNode(node: node.name, reason: "its step differs between points")
        }
      }
      if case .softmax = node.operation, i != network.outputIndex {
        throw CodeGenerationError.unsupportedNode(node: node.name, reason: "Softmax is supported only as the output")
      }
    }
    guard !layers.isEmpty else {
      throw CodeGenerationError.unsupportedNode(node: nodes[0].name, reason: "the network has no Conv2D or Dense layer")
    }
    let preprocessing = request.preprocessing
    let channels = network.inputShape.channels
    for list in [preprocessing.mean, preprocessing.standardDeviation] where !(list.count == 1 || list.count == channels) {
      throw CodeGenerationError.invalidPreprocessing("mean and deviation need 1 or \(channels) values, got \(list.count)")
    }
    guard preprocessing.scale.isFinite, (preprocessing.mean + preprocessing.standardDeviation).allSatisfy(\.isFinite),
          preprocessing.standardDeviation.allSatisfy({ $0 > 0 }) else {
      throw CodeGenerationError.invalidPreprocessing("scale, means and deviations must be finite, deviations > 0")
    }
    for (p, plan) in plans.enumerated() {
      var row: [LayerPoint] = []
      var sixes: [Int16] = []
      var adds: [AddParameters] = []
      for (i, step) in plan.steps.enumerated() {
        switch step {
        case .input(let bits, let fractionalBits):
          // The C quantization scales by 2^f in float: f must keep 2^f a normal float.
          guard (-126...127).contains(fractionalBits) else {
            throw CodeGenerationError.unsupportedNode(node: nodes[i].name,
                                                      reason: "input fractional bits \(fractionalBits) outside -126...127")
          }
          inputFormats.append((bits, fractionalBits))
        case .weighted(let layer):
          row.append(try Self.layerPoint(layer, model: model, point: request.points[p].id, node: nodes[i].name))
        case .relu6(let six): sixes.append(six)
        case .add(let parameters):
          for value in [parameters.leftShift0, parameters.leftShift1, parameters.outputShift]
          where !(-1000...1000).contains(value) {
            throw CodeGenerationError.unsupportedNode(node: nodes[i].name, reason: "shift \(value) out of range")
          }
          adds.append(parameters)
        default: break
        }
      }
      layerPoints.append(row)
      relu6Limits.append(sixes)
      addParameters.append(adds)
      outputFractionalBits.append(plan.storageFractionalBits[network.outputIndex])
    }
    // Packed codes: one run per distinct (layer, bits, window shift), in order of first use.
    var runs: [(layer: Int, bits: Int, shift: Int, channels: [ChannelShifts], offset: Int)] = []
    if request.weightStorage == .packed {
      for p in plans.indices {
        for k in layers.indices {
          let lp = layerPoints[p][k]
          if let run = runs.first(where: {
            $0.layer == k && $0.bits == lp.weightBits && $0.shift == lp.weightShift && $0.channels == lp.channels
          }) {
            layerPoints[p][k].packedOffset = run.offset
            continue
          }
          let offset = packedBlob.count
          let master = model.layers[k].weightCodes
          let length = master.count / layers[k].outputChannels
          let codes = master.indices.map { j in
            let shift = lp.channels.isEmpty ? lp.weightShift : lp.channels[j / length].weightShift
            return master[j].shifted(rightBy: shift, rounding: .toNearestOrEven).clamped(toSignedBitWidth: lp.weightBits)
          }
          packedBlob += Self.pack(codes, bits: lp.weightBits)
          guard packedBlob.count < 1 << 28 else {
            throw CodeGenerationError.unsupportedNode(node: nodes[layers[k].node].name,
                                                      reason: "the packed codes exceed 256 MiB (32-bit bit offsets)")
          }
          runs.append((k, lp.weightBits, lp.weightShift, lp.channels, offset))
          layerPoints[p][k].packedOffset = offset
        }
      }
    }
    let layerList = layers
    packedBytesPerPoint = layerPoints.map { row in
      zip(row, layerList).reduce(0) { $0 + ($1.1.weightCount * $1.0.weightBits + 7) / 8 }
    }
    // Liveness: a slot per live tensor; a node's slot is free after its last reader ran.
    var lastReader = Array(repeating: -1, count: nodes.count)
    for (i, inputs) in network.inputIndices.enumerated() { for j in inputs { lastReader[j] = max(lastReader[j], i) } }
    lastReader[network.outputIndex] = nodes.count
    slotOfNode = Array(repeating: -1, count: nodes.count)
    var slotBusy: [Bool] = []
    for i in 1..<nodes.count {
      let free = slotBusy.firstIndex(of: false) ?? slotBusy.count
      if free == slotBusy.count { slotBusy.append(true) } else { slotBusy[free] = true }
      slotOfNode[i] = free
      for j in Set(network.inputIndices[i]).sorted() where lastReader[j] == i && slotOfNode[j] >= 0 {
        slotBusy[slotOfNode[j]] = false
      }
    }
    func aligned(_ bytes: Int) -> Int { (bytes + 7) / 8 * 8 }
    let maximumChannels = layers.map(\.outputChannels).max() ?? 0
    let maximumFanIn = layers.map { $0.weightCount / max($0.outputChannels, 1) }.max() ?? 0
    let graph = network
    let maximumLayerInput = layers.map { graph.shapes[graph.inputIndices[$0.node][0]].elementCount }.max() ?? 0
    let maximumTensor = graph.shapes.dropFirst().map(\.elementCount).max() ?? 0
    biasScratchOffset = 0
    weightScratchOffset = aligned(8 * maximumChannels)
    derivedInputOffset = weightScratchOffset + aligned(2 * maximumFanIn)
    var offset = derivedInputOffset + aligned(2 * maximumLayerInput)
    let layerScratch = offset
    for _ in slotBusy.indices {
      slotOffsets.append(offset)
      offset += aligned(2 * maximumTensor)
    }
    scratchBytes = max(offset, 8)
    let master16 = 2 * layers.reduce(0) { $0 + $1.weightCount }
    let biasBytes = 8 * layers.reduce(0) { $0 + $1.outputChannels }
    let stored = request.weightStorage == .packed ? packedBlob.count : master16
    memory = CLibraryMemory(
      master16WeightBytes: master16, biasBytes: biasBytes, storedWeightBytes: stored,
      packedBytesSaved: request.weightStorage == .packed ? master16 - packedBlob.count : nil,
      scratchBytes: scratchBytes, activationBytes: scratchBytes - layerScratch, layerScratchBytes: layerScratch,
      deriveAtSetPointStaticBytes: master16 + biasBytes, packedWeightBytesPerPoint: packedBytesPerPoint)
  }

  /// The C table entry of one weighted layer at one point, checked against the engine's resolution.
  static func layerPoint(_ layer: ResolvedWeightedLayer, model: FixedPointModel, point: String, node: String) throws
    -> LayerPoint {
    let p = layer.parameters
    let master = model.layers[layer.layerIndex]
    // MasterPrecision.derive's clamps: bits into 2...16, window into 0...(16 - bits).
    let bits = min(max(p.precision.weightBits, 2), 16)
    let window = min(max(layer.weightWindowShift, 0), 16 - bits)
    let inputGroup = model.groups[model.groupOfNode[model.network.inputIndices[master.nodeIndex][0]]]
    let biasShift = (master.weightFractionalBits + inputGroup.fractionalBits) - p.accumulatorFractionalBits
    // Per output channel (all channels alike for a per-tensor layer): window, bias shift and output shift, each
    // checked against the engine's resolution. The C code derives the bias from its master with the bias shift; it
    // must give the engine's bias exactly.
    let limit = Int64(1) << 62
    var channels: [ChannelShifts] = []
    for c in 0..<master.biasCodes.count {
      let channelWindow = min(max(layer.weightWindowShift(channel: c), 0), 16 - bits)
      let fraction = MasterPrecision.fractionalBits(master: master.fractionalBits(channel: c), bitWidth: bits,
                                                    windowShift: channelWindow)
      guard fraction == p.weightFractionalBits(channel: c) else {
        throw CodeGenerationError.unsupportedNode(node: node, reason: "point '\(point)': weight format mismatch")
      }
      let channelBiasShift = (master.fractionalBits(channel: c) + inputGroup.fractionalBits) - (fraction + p.inputFractionalBits)
      var derived = min(max(master.biasCodes[c].shifted(rightBy: channelBiasShift, rounding: .toNearestOrEven), -limit), limit)
      if !layer.biasCorrection.isEmpty {
        derived = BiasCorrection.corrected(bias: derived, correction: layer.biasCorrection[c])
      }
      guard derived == layer.bias[c] else {
        throw CodeGenerationError.unsupportedNode(node: node, reason: "point '\(point)': the bias at accumulator scale "
          + "is not the master shifted by \(channelBiasShift) minus its correction (the engine's resolution changed; "
          + "update the generator)")
      }
      for value in [p.outputShift(channel: c), channelBiasShift] where !(-1000...1000).contains(value) {
        throw CodeGenerationError.unsupportedNode(node: node, reason: "point '\(point)': shift \(value) out of range")
      }
      channels.append(ChannelShifts(weightShift: 16 - bits - channelWindow, outputShift: p.outputShift(channel: c),
                                    biasShift: channelBiasShift))
    }
    for value in [p.inputShift, p.outputShift, biasShift] where !(-1000...1000).contains(value) {
      throw CodeGenerationError.unsupportedNode(node: node, reason: "point '\(point)': shift \(value) out of range")
    }
    let wide = !(p.precision.weightBits + p.precision.activationBits + ceilLog2(p.fanIn) <= 31)
    return LayerPoint(weightBits: bits, weightShift: 16 - bits - window, activationBits: p.precision.activationBits,
                      wide: wide, inputShift: p.inputShift, outputShift: p.outputShift, outputBits: p.outputBits,
                      biasShift: biasShift, packedOffset: 0, channels: master.isPerChannel ? channels : [],
                      biasCorrection: layer.biasCorrection)
  }

  /// `codes` as `bits`-bit two's complement, least significant bit first, padded to a whole byte.
  static func pack(_ codes: [Int16], bits: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity((codes.count * bits + 7) / 8)
    var buffer: UInt32 = 0
    var filled = 0
    let mask = (UInt32(1) << UInt32(bits)) - 1
    for code in codes {
      buffer |= (UInt32(truncatingIfNeeded: Int32(code)) & mask) << UInt32(filled)
      filled += bits
      while filled >= 8 {
        bytes.append(UInt8(truncatingIfNeeded: buffer))
        buffer >>= 8
        filled -= 8
      }
    }
    if filled > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
    return bytes
  }
}
