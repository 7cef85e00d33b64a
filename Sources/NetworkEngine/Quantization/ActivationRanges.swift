/// The range observed at one node's output over a calibration set.
public struct ActivationRange: Hashable, Sendable, Codable {
  /// Node name.
  public var node: String
  /// Largest |x| observed.
  public var maxMagnitude: Float
  /// Largest x observed (0 if none was positive); what matters when every reader is a ReLU.
  public var maxPositive: Float
  /// Histogram of |x| over the calibration set, for choosing activation window shifts (absent in model files
  /// calibrated before it was recorded).
  public var histogram: MagnitudeHistogram?
  /// The mean of each channel of the node's output over the calibration set (every position of every input), for
  /// bias correction (`QuantizationOptions.biasCorrection`). Recorded for the nodes a weighted layer reads; nil
  /// for the others and in model files calibrated before it was recorded.
  public var channelMeans: [Float]?
  /// Creates a range record.
  public init(node: String, maxMagnitude: Float, maxPositive: Float, histogram: MagnitudeHistogram? = nil,
              channelMeans: [Float]? = nil) {
    self.node = node
    self.maxMagnitude = maxMagnitude
    self.maxPositive = maxPositive
    self.histogram = histogram
    self.channelMeans = channelMeans
  }
}

/// Activation ranges of every node output, observed with the float reference on calibration inputs
/// (training inputs, never validation or test). Stored in model files so that the integer engine needs no data.
public struct ActivationRanges: Hashable, Sendable, Codable {
  /// One record per node of the folded network, in its node order.
  public var ranges: [ActivationRange]
  /// Number of calibration inputs observed.
  public var sampleCount: Int
  /// Activation window shifts chosen for the network's output (`ActivationWindowCriterion.output`), when they have
  /// been computed (`precsearch recalibrate --activation-windows output`); nil otherwise.
  public var outputWindowShifts: OutputWindowShifts?

  /// Creates ranges from records.
  public init(ranges: [ActivationRange], sampleCount: Int, outputWindowShifts: OutputWindowShifts? = nil) {
    self.ranges = ranges
    self.sampleCount = sampleCount
    self.outputWindowShifts = outputWindowShifts
  }

  /// Whether every record carries a histogram (needed by `QuantizationOptions.activationWindowSearch`).
  public var hasHistograms: Bool { ranges.allSatisfy { $0.histogram != nil } }

  /// Whether every node a weighted layer of `network` (folded, in the records' node order) reads has channel
  /// means (needed by `QuantizationOptions.biasCorrection`).
  public func hasChannelMeans(for network: Network) -> Bool {
    network.weightedLayerIndices.allSatisfy {
      let input = network.inputIndices[$0][0]
      return input < ranges.count && ranges[input].channelMeans != nil
    }
  }

  /// Runs `plan` on every input and records each node's output range and magnitude histogram, and the channel
  /// means of every node a weighted layer reads (summed in Double in input order, then divided by the number of
  /// values per channel and rounded once to Float).
  public init(observing plan: FloatPlan, inputs: [[Float]]) {
    let network = plan.network
    let ws = plan.makeWorkspace()
    var maxAbs = Array(repeating: Float(0), count: network.nodes.count)
    var maxPos = maxAbs
    var histograms = Array(repeating: MagnitudeHistogram(), count: network.nodes.count)
    let readByWeighted = network.nodes.indices.map { i in
      network.consumerIndices[i].contains { network.nodes[$0].operation.isWeighted }
    }
    var sums = network.nodes.indices.map { readByWeighted[$0] ? Array(repeating: 0.0, count: network.shapes[$0].channels) : [] }
    for input in inputs {
      _ = plan.run(input, workspace: ws)
      for (i, values) in ws.outputs.enumerated() {
        for v in values {
          maxAbs[i] = max(maxAbs[i], abs(v))
          maxPos[i] = max(maxPos[i], v)
        }
        histograms[i].record(values)
        if readByWeighted[i] {
          let channels = sums[i].count
          for (j, v) in values.enumerated() { sums[i][j % channels] += Double(v) }
        }
      }
    }
    ranges = network.nodes.indices.map { i in
      let perChannel = Double(network.shapes[i].height * network.shapes[i].width * inputs.count)
      return ActivationRange(node: network.nodes[i].name, maxMagnitude: maxAbs[i], maxPositive: maxPos[i],
                             histogram: histograms[i],
                             channelMeans: readByWeighted[i] ? sums[i].map { Float(perChannel > 0 ? $0 / perChannel : 0) } : nil)
    }
    sampleCount = inputs.count
  }
}
