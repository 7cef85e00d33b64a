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
  /// Creates a range record.
  public init(node: String, maxMagnitude: Float, maxPositive: Float, histogram: MagnitudeHistogram? = nil) {
    self.node = node
    self.maxMagnitude = maxMagnitude
    self.maxPositive = maxPositive
    self.histogram = histogram
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

  /// Runs `plan` on every input and records each node's output range and magnitude histogram.
  public init(observing plan: FloatPlan, inputs: [[Float]]) {
    let ws = plan.makeWorkspace()
    var maxAbs = Array(repeating: Float(0), count: plan.network.nodes.count)
    var maxPos = maxAbs
    var histograms = Array(repeating: MagnitudeHistogram(), count: plan.network.nodes.count)
    for input in inputs {
      _ = plan.run(input, workspace: ws)
      for (i, values) in ws.outputs.enumerated() {
        for v in values {
          maxAbs[i] = max(maxAbs[i], abs(v))
          maxPos[i] = max(maxPos[i], v)
        }
        histograms[i].record(values)
      }
    }
    ranges = plan.network.nodes.indices.map {
      ActivationRange(node: plan.network.nodes[$0].name, maxMagnitude: maxAbs[$0], maxPositive: maxPos[$0],
                      histogram: histograms[$0])
    }
    sampleCount = inputs.count
  }
}
