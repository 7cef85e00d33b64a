import FixedPointArithmetic

/// A network's 16-bit fixed-point masters: the one stored copy from which every precision is derived.
///
/// - Each weighted layer has its weights as Int16 codes `q = round(w * 2^f)` with `f` the largest fractional
///   bit count that represents `max |w|` (`DynamicFixedPointFormat.fractionalBits(forMaxMagnitude:bitWidth:)`),
///   and its bias as Int64 codes at the 16-bit accumulator scale `f_w + f_input` (both 16-bit master fractions).
/// - Activations are grouped: a *requantization point* (the input, every Conv2D/Dense, every Add) starts a group and
///   format-preserving nodes (ReLU, ReLU6, pooling, Flatten, Softmax's input side) join their input's group. Each
///   group has one 16-bit master fraction chosen from the calibrated range of its members.
/// - Optional *window shifts*: for a tensor at precision b the b-bit window may sit `s` bits lower in the master
///   (saturating the largest values), `s` in `0...(16 - b)`, chosen once per (tensor, b) to minimise squared
///   quantization error. All zero unless requested in `QuantizationOptions`.
///
/// See docs/arithmetic.md for the full semantics.
public struct FixedPointModel: Sendable {
  /// The folded network.
  public let network: Network
  /// Masters of the weighted layers, in `network.weightedLayerIndices` order.
  public let layers: [LayerMaster]
  /// Activation groups, ordered by their head node.
  public internal(set) var groups: [ActivationGroup]
  /// For every node, the index of its activation group.
  public let groupOfNode: [Int]
  /// The options the masters were made with.
  public let options: QuantizationOptions

  /// The 16-bit master of one weighted layer.
  public struct LayerMaster: Sendable, Hashable {
    /// Node index in the network.
    public var nodeIndex: Int
    /// Weight codes in the node's weight layout.
    public var weightCodes: [Int16]
    /// Fractional bits of the weight master. With per-channel formats (`channelFractionalBits` not empty): the
    /// smallest channel fraction (the per-tensor format's), which no computation uses.
    public var weightFractionalBits: Int
    /// Bias codes at scale 2^-(weightFractionalBits + input group's master fractional bits); with per-channel
    /// formats, the bias of channel c at scale 2^-(channelFractionalBits[c] + input group's master fractional bits).
    public var biasCodes: [Int64]
    /// `windowShifts[b]` for b in 0...16 (entries below 2 unused). Unused with per-channel formats.
    public var windowShifts: [Int]
    /// Per-channel weight formats (`QuantizationOptions.perChannelWeights`): the master fractional bits of each
    /// output channel, whose codes are the contiguous `weightCodes.count / outputChannels` codes of that channel.
    /// Empty when the layer has one format, `weightFractionalBits`.
    public var channelFractionalBits: [Int] = []
    /// Per-channel weight formats: `channelWindowShifts[c][b]`, the window shift of output channel c at b bits
    /// (b in 0...16, entries below 2 unused). Empty when the layer has one format.
    public var channelWindowShifts: [[Int]] = []
    /// Bias correction (`QuantizationOptions.biasCorrection`): `biasCorrections[b][c]`, the expected error of output
    /// channel c's b-bit weights (b in 0...16, entries below 2 empty) in units of 2^-(its master fraction) times the
    /// input's real units (`BiasCorrection.table`). Derived data, never a copy of the weights. Empty without it.
    public var biasCorrections: [[Double]] = []

    /// Whether each output channel has its own format (docs/arithmetic.md, "Per-channel weight formats").
    public var isPerChannel: Bool { !channelFractionalBits.isEmpty }
    /// Master fractional bits of output channel `c` (the layer's one format when it is per tensor).
    public func fractionalBits(channel c: Int) -> Int { isPerChannel ? channelFractionalBits[c] : weightFractionalBits }
    /// Window shift of output channel `c` at `bits` (the layer's one shift when it is per tensor).
    public func windowShift(channel c: Int, bitWidth bits: Int) -> Int {
      isPerChannel ? channelWindowShifts[c][bits] : windowShifts[bits]
    }
  }

  /// One activation group (see the type's documentation).
  public struct ActivationGroup: Sendable, Hashable {
    /// The requantization point that starts the group.
    public var headNode: Int
    /// Fractional bits of the 16-bit master format.
    public var fractionalBits: Int
    /// Largest calibrated magnitude among the members (as used for `fractionalBits`).
    public var calibratedMagnitude: Float
    /// `windowShifts[b]` for b in 0...16.
    public var windowShifts: [Int]
    /// Fractional bits of the group's codes at precision `bits`.
    public func fractionalBits(atBitWidth bits: Int) -> Int {
      MasterPrecision.fractionalBits(master: fractionalBits, bitWidth: bits, windowShift: windowShifts[bits])
    }
  }

  /// Builds the masters of `network` (BatchNorm is folded first) from calibrated activation ranges.
  public init(network unfolded: Network, ranges: ActivationRanges, options: QuantizationOptions = QuantizationOptions()) throws {
    let network = try unfolded.foldingBatchNorm()
    self.network = network
    self.options = options
    guard ranges.ranges.count == network.nodes.count else {
      throw NetworkError(node: "", "activation ranges cover \(ranges.ranges.count) nodes but the folded network has \(network.nodes.count)")
    }
    for (r, node) in zip(ranges.ranges, network.nodes) {
      guard r.node == node.name else {
        throw NetworkError(node: node.name, "activation range record is for '\(r.node)'; ranges must follow the folded network's node order")
      }
      guard r.maxMagnitude.isFinite, r.maxPositive.isFinite, r.maxMagnitude >= 0 else {
        throw NetworkError(node: node.name, "activation range is not finite and non-negative (\(r.maxMagnitude))")
      }
    }
    let (heads, groupOf) = Self.activationGroups(of: network)
    var magnitude = Array(repeating: Float(0), count: heads.count)
    for (i, r) in ranges.ranges.enumerated() {
      if case .softmax = network.nodes[i].operation { continue }  // probabilities, not a fixed-point tensor
      let readers = network.consumerIndices[i]
      let onlyReLU = !readers.isEmpty && readers.allSatisfy {
        switch network.nodes[$0].operation { case .relu, .relu6: return true; default: return false }
      }
      magnitude[groupOf[i]] = max(magnitude[groupOf[i]], onlyReLU ? r.maxPositive : r.maxMagnitude)
    }
    var groups: [ActivationGroup] = []
    for (g, head) in heads.enumerated() {
      let f = DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: Double(magnitude[g]), bitWidth: 16)!
      groups.append(ActivationGroup(headNode: head, fractionalBits: f, calibratedMagnitude: magnitude[g],
                                    windowShifts: Array(repeating: 0, count: 17)))
    }
    if options.activationWindowSearch {
      guard ranges.hasHistograms else {
        throw NetworkError(node: "", "activation window search needs the calibration histograms of every node "
          + "(activationRanges recorded by this version; recalibrate the model)")
      }
      // Each group's histogram: the members whose values are read at a derived precision (by a weighted layer or
      // an Add) or are the network output; tensors read only by ReLU/pooling are represented by what follows them.
      var merged = Array(repeating: MagnitudeHistogram(), count: heads.count)
      for (i, r) in ranges.ranges.enumerated() {
        if case .softmax = network.nodes[i].operation { continue }
        let consumed = i == network.outputIndex || network.consumerIndices[i].contains {
          let reader = network.nodes[$0].operation
          if case .add = reader { return true }
          return reader.isWeighted
        }
        if consumed, let histogram = r.histogram { merged[groupOf[i]].merge(histogram) }
      }
      for g in groups.indices {
        for b in LayerPrecision.minimumBits..<16 {
          groups[g].windowShifts[b] = WindowSearch.bestShift(histogram: merged[g], masterFractionalBits: groups[g].fractionalBits,
                                                             bitWidth: b)
        }
      }
    }
    if options.activationWindowSearch && options.activationWindowCriterion == .output {
      guard let table = ranges.outputWindowShifts else {
        throw NetworkError(node: "", "activation windows chosen for the network's output need the model's "
          + "activationRanges.outputWindowShifts (precsearch recalibrate --activation-windows output)")
      }
      if let (field, message) = table.problem(heads: heads.map { network.nodes[$0].name }) {
        throw NetworkError(node: "", "activationRanges.outputWindowShifts.\(field): \(message)")
      }
      for g in groups.indices {
        for (k, s) in table.groups[g].shifts.enumerated() { groups[g].windowShifts[k + OutputWindowShifts.minimumBits] = s }
      }
    }
    // Weighted layers.
    var layers: [LayerMaster] = []
    for i in network.weightedLayerIndices {
      let node = network.nodes[i]
      let w = node.parameter(.weight)!.values
      let outputs = network.shapes[i].channels
      let fin = groups[groupOf[network.inputIndices[i][0]]].fractionalBits
      let bias = node.parameter(.bias)?.values ?? Array(repeating: 0, count: outputs)
      // One format per tensor, or (perChannelWeights) one per output channel: the contiguous `perChannel` weights.
      let channelCount = options.perChannelWeights ? outputs : 1
      let perChannel = w.count / max(outputs, 1)
      var codes: [Int16] = []
      codes.reserveCapacity(w.count)
      var fractions: [Int] = []
      var shifts: [[Int]] = []
      for c in 0..<channelCount {
        let slice = channelCount == 1 ? w[...] : w[(c * perChannel)..<((c + 1) * perChannel)]
        let maxW = slice.reduce(Float(0)) { max($0, abs($1)) }
        let f = DynamicFixedPointFormat.fractionalBits(forMaxMagnitude: Double(maxW), bitWidth: 16)!
        let format = DynamicFixedPointFormat(bitWidth: 16, fractionalBits: f)
        let channelCodes = slice.map { Int16(format.quantize(Double($0))) }
        var channelShifts = Array(repeating: 0, count: 17)
        if options.weightWindowSearch {
          for b in LayerPrecision.minimumBits..<16 {
            channelShifts[b] = WindowSearch.bestShift(codes: channelCodes, bitWidth: b)
          }
        }
        codes += channelCodes
        fractions.append(f)
        shifts.append(channelShifts)
      }
      let biasCodes = bias.enumerated().map { (c, b) -> Int64 in
        // b * 2^(f_c + f_in), exact power-of-two scaling then one rounding; saturates instead of trapping.
        let biasScale = fractions[channelCount == 1 ? 0 : c] + fin
        return Int64(saturating: scaledByPowerOfTwo(Double(b), biasScale), rounding: .toNearestOrEven)
      }
      var master = LayerMaster(nodeIndex: i, weightCodes: codes, weightFractionalBits: fractions.min() ?? 15,
                               biasCodes: biasCodes, windowShifts: shifts[0])
      if options.perChannelWeights {
        master.channelFractionalBits = fractions
        master.channelWindowShifts = shifts
      }
      if options.biasCorrection {
        let input = network.inputIndices[i][0]
        guard let means = ranges.ranges[input].channelMeans else {
          throw NetworkError(node: node.name, "bias correction needs the calibration means of the layer's input "
            + "'\(network.nodes[input].name)' (activationRanges recorded by this version; recalibrate the model)")
        }
        guard means.count == network.shapes[input].channels, means.allSatisfy(\.isFinite) else {
          throw NetworkError(node: node.name, "the calibration means of '\(network.nodes[input].name)' are not "
            + "\(network.shapes[input].channels) finite values, one per channel")
        }
        var groupCount = 1, tapFractions = [1.0]
        if case .conv2D(let a) = node.operation {
          groupCount = a.groups
          tapFractions = BiasCorrection.tapFractions(try ConvGeometry(conv: a, node: node, input: network.shapes[input],
                                                                      output: network.shapes[i]))
        }
        let layer = master
        master.biasCorrections = BiasCorrection.table(
          codes: codes, outputChannels: outputs, groups: groupCount, means: means, tapFractions: tapFractions,
          windowShift: { layer.windowShift(channel: $0, bitWidth: $1) })
      }
      layers.append(master)
    }
    self.layers = layers
    self.groups = groups
    self.groupOfNode = groupOf
  }

  /// Convenience: calibrates on `calibrationInputs` with the float reference, then builds the masters.
  public init(network: Network, calibrationInputs: [[Float]], options: QuantizationOptions = QuantizationOptions()) throws {
    let plan = try FloatPlan(network: network)
    try self.init(network: plan.network, ranges: ActivationRanges(observing: plan, inputs: calibrationInputs),
                  options: options)
  }
}

/// x * 2^n computed exactly (for finite x and moderate n) without a libm call.
@usableFromInline func scaledByPowerOfTwo(_ x: Double, _ n: Int) -> Double {
  var result = x
  var remaining = n
  while remaining > 0 { let s = min(remaining, 1000); result *= Double(sign: .plus, exponent: s, significand: 1); remaining -= s }
  while remaining < 0 { let s = min(-remaining, 1000); result /= Double(sign: .plus, exponent: s, significand: 1); remaining += s }
  return result
}

/// How masters are made.
public struct QuantizationOptions: Hashable, Sendable, Codable {
  /// Choose a per-(weight tensor, b) window shift that minimises the weights' squared quantization error.
  public var weightWindowSearch: Bool
  /// Choose a per-(activation group, b) window shift that minimises the estimated squared quantization error of the
  /// calibration activations (from their `MagnitudeHistogram`s).
  public var activationWindowSearch: Bool
  /// How activation window shifts are chosen when `activationWindowSearch` is set: from each group's histogram
  /// (the default) or for the network's output (the model's `ActivationRanges.outputWindowShifts`).
  public var activationWindowCriterion: ActivationWindowCriterion
  /// Give each output channel of a Conv2D/Dense weight tensor its own master format and window shifts
  /// (docs/arithmetic.md, "Per-channel weight formats"); false: one format per tensor.
  public var perChannelWeights: Bool
  /// Correct each weighted layer's bias by the expected output shift of its derived weights (docs/arithmetic.md,
  /// "Bias correction"; needs `ActivationRange.channelMeans` of every weighted layer's input).
  public var biasCorrection: Bool
  /// Creates options (defaults: no window search; activation windows by histogram when searched; per-tensor weight
  /// formats; no bias correction).
  public init(weightWindowSearch: Bool = false, activationWindowSearch: Bool = false,
              activationWindowCriterion: ActivationWindowCriterion = .histogram, perChannelWeights: Bool = false,
              biasCorrection: Bool = false) {
    self.weightWindowSearch = weightWindowSearch
    self.activationWindowSearch = activationWindowSearch
    self.activationWindowCriterion = activationWindowCriterion
    self.perChannelWeights = perChannelWeights
    self.biasCorrection = biasCorrection
  }
  private enum CodingKeys: String, CodingKey {
    case weightWindowSearch, activationWindowSearch, activationWindowCriterion, perChannelWeights, biasCorrection
  }
  /// Decodes options; a missing flag is `false` and a missing criterion `histogram` (options written before they
  /// existed).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    weightWindowSearch = try container.decodeIfPresent(Bool.self, forKey: .weightWindowSearch) ?? false
    activationWindowSearch = try container.decodeIfPresent(Bool.self, forKey: .activationWindowSearch) ?? false
    activationWindowCriterion = try container.decodeIfPresent(ActivationWindowCriterion.self,
                                                              forKey: .activationWindowCriterion) ?? .histogram
    perChannelWeights = try container.decodeIfPresent(Bool.self, forKey: .perChannelWeights) ?? false
    biasCorrection = try container.decodeIfPresent(Bool.self, forKey: .biasCorrection) ?? false
  }
  /// Encodes options; the criterion only when it is not `histogram`, `perChannelWeights` and `biasCorrection`
  /// only when set, so options encode as before they existed.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(weightWindowSearch, forKey: .weightWindowSearch)
    try container.encode(activationWindowSearch, forKey: .activationWindowSearch)
    if activationWindowCriterion != .histogram {
      try container.encode(activationWindowCriterion, forKey: .activationWindowCriterion)
    }
    if perChannelWeights { try container.encode(true, forKey: .perChannelWeights) }
    if biasCorrection { try container.encode(true, forKey: .biasCorrection) }
  }
}

/// How many master formats a weight tensor has (docs/arithmetic.md, "Per-channel weight formats"): the one owner of
/// the setting and its names, used by `--weight-granularity` and recorded as `model.weightGranularity` in a Pareto
/// JSON (a document without it means `per-tensor`).
public enum WeightGranularity: String, CaseIterable, Codable, Hashable, Sendable {
  /// One fractional length (and window shift per bit-width) per weight tensor.
  case perTensor = "per-tensor"
  /// One fractional length (and window shift per bit-width) per output channel of a Conv2D/Dense weight tensor.
  case perChannel = "per-channel"

  /// The granularity of `options`.
  public init(_ options: QuantizationOptions) { self = options.perChannelWeights ? .perChannel : .perTensor }

  /// `options` with this granularity.
  public func applied(to options: QuantizationOptions) -> QuantizationOptions {
    var result = options
    result.perChannelWeights = self == .perChannel
    return result
  }
}

extension FixedPointModel {
  /// The activation groups of a folded network (see the type's documentation): the head node of every group in
  /// node order, and the group of every node.
  public static func activationGroups(of network: Network) -> (heads: [Int], groupOfNode: [Int]) {
    var groupOf = Array(repeating: -1, count: network.nodes.count)
    var heads: [Int] = []
    for (i, node) in network.nodes.enumerated() {
      let joins: Bool
      switch node.operation {
      case .softmax: joins = true
      default: joins = node.operation.preservesFormat
      }
      if joins { groupOf[i] = groupOf[network.inputIndices[i][0]] }
      else { groupOf[i] = heads.count; heads.append(i) }
    }
    return (heads, groupOf)
  }

  /// Sets group `group`'s window shift at `bits` (for `OutputWindowShifts.calibrate`, which tries shifts).
  mutating func setActivationWindowShift(group: Int, bits: Int, shift: Int) {
    groups[group].windowShifts[bits] = shift
  }

  /// The width every activation group is stored at when the weighted layers (in `network.weightedLayerIndices`
  /// order) read `activationBits`: the highest input width among the group's readers (a weighted reader's activation
  /// width; an Add's group width; 16 for a Softmax or the network output), at least `LayerPrecision.minimumBits`
  /// (docs/arithmetic.md). Groups are visited in reverse topological order, so an Add's group is known before the
  /// groups it reads. The one definition of the rule: `IntegerPlan` stores activations by it and the energy model
  /// prices the stored widths by it.
  public func groupStorageBits(activationBits: [Int]) -> [Int] {
    var activationOfNode = [Int](repeating: 0, count: network.nodes.count)
    for (k, i) in network.weightedLayerIndices.enumerated() where k < activationBits.count {
      activationOfNode[i] = activationBits[k]
    }
    var groupBits = Array(repeating: 0, count: groups.count)
    for g in stride(from: groups.count - 1, through: 0, by: -1) {
      var bits = 0
      for i in network.nodes.indices where groupOfNode[i] == g {
        if i == network.outputIndex { bits = 16 }
        for r in network.consumerIndices[i] {
          let reader = network.nodes[r].operation
          if reader.isWeighted { bits = max(bits, activationOfNode[r]) }
          else if case .add = reader { bits = max(bits, groupBits[groupOfNode[r]]) }
          else if case .softmax = reader { bits = 16 }
        }
      }
      groupBits[g] = max(bits, LayerPrecision.minimumBits)
    }
    return groupBits
  }
}

/// Which tensors get per-(tensor, bit-width) window shifts (docs/arithmetic.md, "Deriving a precision b"): the one
/// owner of the setting and its names, used by `--window-search` and recorded as `model.windowSearch` in a Pareto JSON.
public enum WindowSearchMode: String, CaseIterable, Codable, Hashable, Sendable {
  /// No window shifts (spelled `none`; not `none` in Swift, which `Optional` would shadow).
  case disabled = "none"
  /// Weight tensors only.
  case weights
  /// Activation groups only.
  case activations
  /// Both.
  case all
  /// Activation groups only, with the shifts chosen for the network's output (`ActivationWindowCriterion.output`).
  case activationsOutput = "activations-output"
  /// Weight tensors, and activation groups with the shifts chosen for the network's output.
  case allOutput = "all-output"

  /// The engine options of the mode.
  public var quantizationOptions: QuantizationOptions {
    QuantizationOptions(weightWindowSearch: self == .weights || self == .all || self == .allOutput,
                        activationWindowSearch: self != .disabled && self != .weights,
                        activationWindowCriterion: usesOutputCriterion ? .output : .histogram)
  }

  /// Whether the mode's activation shifts are the model's `ActivationRanges.outputWindowShifts`.
  public var usesOutputCriterion: Bool { self == .activationsOutput || self == .allOutput }

  /// The mode of `options` (the criterion matters only with activation window search).
  public init(_ options: QuantizationOptions) {
    let output = options.activationWindowCriterion == .output
    switch (options.weightWindowSearch, options.activationWindowSearch) {
    case (false, false): self = .disabled
    case (true, false): self = .weights
    case (false, true): self = output ? .activationsOutput : .activations
    case (true, true): self = output ? .allOutput : .all
    }
  }
}

/// Per-(tensor, b) window shift selection.
public enum WindowSearch {
  /// The shift s in 0...(16 - b) that minimises sum over codes of (derive(q, b, s) * 2^(16-b-s) - q)^2,
  /// i.e. the squared error against the master; ties go to the smaller shift.
  public static func bestShift(codes: [Int16], bitWidth b: Int) -> Int {
    var best = 0
    var bestError = Double.infinity
    for s in 0...(16 - b) {
      let scale = Double(sign: .plus, exponent: 16 - b - s, significand: 1)
      var error = 0.0
      for q in codes {
        let d = Double(MasterPrecision.derive(q, toBitWidth: b, windowShift: s)) * scale - Double(q)
        error += d * d
      }
      if error < bestError { bestError = error; best = s }
    }
    return best
  }

  /// The shift s in 0...(16 - b) that minimises `histogram.estimatedSquaredError` for the b-bit window of a master
  /// with `masterFractionalBits` (step 2^-(f - (16 - b) + s), saturation at (2^(b-1) - 1) steps); ties go to the
  /// smaller shift. An empty histogram gives 0.
  public static func bestShift(histogram: MagnitudeHistogram, masterFractionalBits f: Int, bitWidth b: Int) -> Int {
    var best = 0
    var bestError = Double.infinity
    for s in 0...(16 - b) {
      let step = Double(sign: .plus, exponent: -(f - (16 - b) + s), significand: 1)
      let error = histogram.estimatedSquaredError(step: step, limit: Double((1 << (b - 1)) - 1) * step)
      if error < bestError { bestError = error; best = s }
    }
    return best
  }
}
