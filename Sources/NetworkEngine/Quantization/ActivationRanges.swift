/// The range observed at one node's output over a calibration set.
public struct ActivationRange: Hashable, Sendable, Codable {
  /// Node name.
  public var node: String
  /// Largest |x| observed.
  public var maxMagnitude: Float
  /// Largest x observed (0 if none was positive); what matters when every reader is a ReLU.
  public var maxPositive: Float
  /// Creates a range record.
  public init(node: String, maxMagnitude: Float, maxPositive: Float) {
    self.node = node
    self.maxMagnitude = maxMagnitude
    self.maxPositive = maxPositive
  }
}

/// Activation ranges of every node output, observed with the float reference on calibration inputs
/// (training inputs, never validation or test). Stored in model files so that the integer engine needs no data.
public struct ActivationRanges: Hashable, Sendable, Codable {
  /// One record per node of the folded network, in its node order.
  public var ranges: [ActivationRange]
  /// Number of calibration inputs observed.
  public var sampleCount: Int

  /// Creates ranges from records.
  public init(ranges: [ActivationRange], sampleCount: Int) {
    self.ranges = ranges
    self.sampleCount = sampleCount
  }

  /// Runs `plan` on every input and records each node's output range.
  public init(observing plan: FloatPlan, inputs: [[Float]]) {
    let ws = plan.makeWorkspace()
    var maxAbs = Array(repeating: Float(0), count: plan.network.nodes.count)
    var maxPos = maxAbs
    for input in inputs {
      _ = plan.run(input, workspace: ws)
      for (i, values) in ws.outputs.enumerated() {
        for v in values {
          maxAbs[i] = max(maxAbs[i], abs(v))
          maxPos[i] = max(maxPos[i], v)
        }
      }
    }
    ranges = plan.network.nodes.indices.map {
      ActivationRange(node: plan.network.nodes[$0].name, maxMagnitude: maxAbs[$0], maxPositive: maxPos[$0])
    }
    sampleCount = inputs.count
  }
}
