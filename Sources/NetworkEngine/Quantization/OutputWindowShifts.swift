import PlatformSupport

/// Which rule chooses an activation group's window shift at a bit-width b (docs/arithmetic.md, "Deriving a
/// precision b"), when activation window search is on.
public enum ActivationWindowCriterion: String, CaseIterable, Codable, Hashable, Sendable {
  /// The shift minimising the group's own estimated squared error, from its calibration histogram.
  case histogram
  /// The shift minimising the network's output divergence from the float reference on calibration inputs, stored
  /// in the model file as ``OutputWindowShifts`` (`activationRanges.outputWindowShifts`).
  case output
}

/// Activation window shifts chosen for the network's output rather than for each tensor: one shift per
/// (activation group, b) for b in 2...15, computed once from calibration inputs by
/// ``calibrate(network:ranges:inputs:weights:maximumShift:threads:)`` and stored in the model file beside the
/// activation ranges (`ActivationRanges.outputWindowShifts`).
///
/// The rule (docs/arithmetic.md): for each b separately, at the uniform configuration with b-bit activations and
/// 16-bit or b-bit weights (``CalibrationWeights``) everywhere, the groups are visited in topological order (by head node); group g tries every shift
/// s in `0...min(16 - b, maximumShift)` with the groups before it at their chosen shifts and the groups after it at
/// their histogram shifts, and keeps the s with the smallest mean Kullback-Leibler divergence
/// `KL(float reference || fixed point)` of the Softmax of the logits over the calibration inputs; ties go to the
/// smaller shift. A group whose b-bit format that configuration never uses (the network output's group, stored at
/// 16 bits, when no weighted layer reads it) gets 0.
public struct OutputWindowShifts: Hashable, Sendable, Codable {
  /// Smallest bit-width with a shift.
  public static let minimumBits = 2
  /// Largest bit-width with a shift (16 bits has none: its window is the master).
  public static let maximumBits = 15

  /// One activation group's shifts.
  public struct Group: Hashable, Sendable, Codable {
    /// The group's head node (its requantization point) in the folded network.
    public var node: String
    /// `shifts[b - 2]` for b in 2...15, each in `0...(16 - b)`.
    public var shifts: [Int]
    /// Creates a record.
    public init(node: String, shifts: [Int]) {
      self.node = node
      self.shifts = shifts
    }
  }

  /// The weights of the uniform configuration at which the shifts of bit-width b are chosen.
  public enum CalibrationWeights: String, CaseIterable, Codable, Hashable, Sendable {
    /// 16-bit weights (W16Ab).
    case sixteen = "16"
    /// Weights at b bits too, with weight window search (WbAb).
    case matching
    /// Both configurations: the divergences at W16Ab and at WbAb are added.
    case both

    /// The weight bit-widths of the configurations at activation width `b`.
    func weightBits(activationBits b: Int) -> [Int] {
      switch self {
      case .sixteen: return [16]
      case .matching: return [b]
      case .both: return [16, b]
      }
    }
  }

  /// Calibration inputs the shifts were chosen on.
  public var sampleCount: Int
  /// The weights the shifts were chosen with.
  public var weights: CalibrationWeights
  /// The largest shift tried.
  public var maximumShift: Int
  /// One record per activation group, in the order of `FixedPointModel.groups`.
  public var groups: [Group]

  /// Creates a table from records.
  public init(sampleCount: Int, weights: CalibrationWeights, maximumShift: Int, groups: [Group]) {
    self.sampleCount = sampleCount
    self.weights = weights
    self.maximumShift = maximumShift
    self.groups = groups
  }

  /// Checks the table against the activation groups whose head nodes are `heads` (in group order): one record per
  /// group naming its head, 14 shifts each within `0...(16 - b)`. Returns the first problem as (field, message),
  /// the field relative to the table (`groups[3].shifts[0]`), or nil when the table fits.
  public func problem(heads: [String]) -> (field: String, message: String)? {
    guard sampleCount >= 0 else { return ("sampleCount", "must be >= 0, found \(sampleCount)") }
    guard (0...14).contains(maximumShift) else { return ("maximumShift", "must be in 0...14, found \(maximumShift)") }
    guard groups.count == heads.count else {
      return ("groups", "expected one record per activation group (\(heads.count)), found \(groups.count)")
    }
    let widths = Self.maximumBits - Self.minimumBits + 1
    for (g, (record, head)) in zip(groups, heads).enumerated() {
      guard record.node == head else {
        return ("groups[\(g)].node", "expected '\(head)' (records follow the activation groups' order), found '\(record.node)'")
      }
      guard record.shifts.count == widths else {
        return ("groups[\(g)].shifts", "expected \(widths) shifts (bit-widths 2...15), found \(record.shifts.count)")
      }
      for (k, s) in record.shifts.enumerated() where !(0...(16 - (k + Self.minimumBits))).contains(s) {
        return ("groups[\(g)].shifts[\(k)]", "the shift at \(k + Self.minimumBits) bits must be in 0...\(16 - (k + Self.minimumBits)), found \(s)")
      }
    }
    return nil
  }

  /// Chooses the shifts of every activation group of `network` (see the type's documentation).
  ///
  /// - Parameters:
  ///   - network: the network (BatchNorm is folded first, as `FixedPointModel` does).
  ///   - ranges: its calibrated activation ranges; with histograms, the groups not yet visited sit at their
  ///     histogram shifts, else at 0. Any `outputWindowShifts` already in `ranges` is ignored.
  ///   - inputs: calibration inputs (training inputs, never a split accuracy is reported on).
  ///   - weights: 16-bit weights, weights at each b (with weight window search), or both (divergences added).
  ///   - maximumShift: the largest shift tried (in 0...14).
  ///   - threads: threads for the 14 bit-widths (each bit-width is one piece computed in a fixed order, so the
  ///     result does not depend on this).
  /// - Throws: `NetworkError` when the masters cannot be built or an input does not have the network's input size.
  public static func calibrate(network: Network, ranges: ActivationRanges, inputs: [[Float]],
                               weights: CalibrationWeights = .sixteen, maximumShift: Int = 4,
                               threads: Int = 1) throws -> OutputWindowShifts {
    guard (0...14).contains(maximumShift) else {
      throw NetworkError(node: "", "the largest output window shift must be in 0...14, found \(maximumShift)")
    }
    var histogramRanges = ranges
    histogramRanges.outputWindowShifts = nil
    let base = try FixedPointModel(network: network, ranges: histogramRanges,
                                   options: QuantizationOptions(weightWindowSearch: true,
                                                                activationWindowSearch: ranges.hasHistograms))
    let folded = base.network
    guard inputs.allSatisfy({ $0.count == folded.inputShape.elementCount }) else {
      throw NetworkError(node: "", "a calibration input does not have the network's \(folded.inputShape.elementCount) values")
    }
    // Reference log-probabilities from the float plan (the Softmax's input when the network ends in one).
    let floatPlan = try FloatPlan(network: folded)
    let logitsNode: Int
    if case .softmax = folded.nodes[folded.outputIndex].operation { logitsNode = folded.inputIndices[folded.outputIndex][0] }
    else { logitsNode = folded.outputIndex }
    let floatWorkspace = floatPlan.makeWorkspace()
    let reference: [[Double]] = inputs.map { input in
      _ = floatPlan.run(input, workspace: floatWorkspace)
      return logSoftmax(floatWorkspace.outputs[logitsNode].map(Double.init))
    }
    let layerCount = folded.weightedLayerIndices.count
    let bitWidths = Array(minimumBits...maximumBits)
    let columns: [[Int]] = try ParallelMap.map(count: bitWidths.count, threads: max(threads, 1)) { piece in
      let b = bitWidths[piece]
      var model = base
      // (Weight window shifts exist below 16 bits only, so the 16-bit weights are the masters either way.)
      let configurations = weights.weightBits(activationBits: b).map { w in
        PrecisionConfiguration(layers: Array(repeating: LayerPrecision(weightBits: w, activationBits: b), count: layerCount))
      }
      let storage = model.groupStorageBits(activationBits: Array(repeating: b, count: layerCount))
      var chosen: [Int] = []
      for g in model.groups.indices {
        let head = model.groups[g].headNode
        let readAtB = storage[g] == b || folded.nodes.indices.contains { i in
          model.groupOfNode[i] == g && folded.consumerIndices[i].contains { folded.nodes[$0].operation.isWeighted }
        }
        guard readAtB else {
          model.setActivationWindowShift(group: g, bits: b, shift: 0)
          chosen.append(0)
          continue
        }
        let candidates = Array(0...min(16 - b, maximumShift))
        var divergence = Array(repeating: 0.0, count: candidates.count)
        for configuration in configurations {
          var plans: [IntegerPlan] = []
          for s in candidates {
            model.setActivationWindowShift(group: g, bits: b, shift: s)
            plans.append(try IntegerPlan(model: model, configuration: configuration))
          }
          // Nodes before the head do not depend on the group's format: every candidate after the first resumes there.
          let workspace = plans[0].makeWorkspace()
          for (n, input) in inputs.enumerated() {
            for (k, plan) in plans.enumerated() {
              let codes = k == 0 || head == 0 ? plan.runCodes(input, workspace: workspace)
                                              : plan.runCodes(resumingAt: head, workspace: workspace)
              divergence[k] += klDivergence(reference[n], codes: codes,
                                            fractionalBits: plan.storageFractionalBits[folded.outputIndex])
            }
          }
        }
        var best = 0
        for k in divergence.indices where divergence[k] < divergence[best] { best = k }
        model.setActivationWindowShift(group: g, bits: b, shift: candidates[best])
        chosen.append(candidates[best])
      }
      return chosen
    }
    return OutputWindowShifts(
      sampleCount: inputs.count, weights: weights, maximumShift: maximumShift,
      groups: base.groups.indices.map { g in
        Group(node: folded.nodes[base.groups[g].headNode].name, shifts: columns.map { $0[g] })
      })
  }

  /// `log softmax(z)` in Double: `z - max - log(sum exp(z - max))`.
  static func logSoftmax(_ z: [Double]) -> [Double] {
    let m = z.max() ?? 0
    var sum = 0.0
    for v in z { sum += LibM.exp(v - m) }
    let l = m + LibM.log(sum)
    return z.map { $0 - l }
  }

  /// `KL(p || q)` for reference log-probabilities `logP` and the fixed-point logits `codes * 2^-f`.
  static func klDivergence(_ logP: [Double], codes: [Int16], fractionalBits f: Int) -> Double {
    let scale = scaledByPowerOfTwo(1, -f)
    let logQ = logSoftmax(codes.map { Double($0) * scale })
    var sum = 0.0
    for j in logP.indices { sum += LibM.exp(logP[j]) * (logP[j] - logQ[j]) }
    return sum
  }
}
