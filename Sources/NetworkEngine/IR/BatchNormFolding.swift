extension Network {
  /// True when the network contains no BatchNorm node.
  public var isFolded: Bool {
    !nodes.contains { if case .batchNorm = $0.operation { return true } else { return false } }
  }

  /// The inference form of the network: every BatchNorm folded into the Conv2D or Dense that feeds it.
  ///
  /// For output channel `o` with `s = gamma[o] / sqrt(variance[o] + epsilon)`: `w'[o, ...] = w[o, ...] * s` and
  /// `b'[o] = (b[o] - mean[o]) * s + beta[o]` (b = 0 when the layer has no bias). The folded layer keeps its name;
  /// readers of the BatchNorm read the layer instead. Computed in Double, rounded once to Float.
  ///
  /// Throws when a BatchNorm does not directly follow a Conv2D/Dense that only it reads, or when folding would
  /// produce a non-finite value.
  public func foldingBatchNorm() throws -> Network {
    var nodes = self.nodes
    var removed = Set<Int>()
    var renamed: [String: String] = [:]
    for i in nodes.indices {
      guard case .batchNorm(let epsilon) = nodes[i].operation else { continue }
      let producer = inputIndices[i][0]
      guard nodes[producer].operation.isWeighted, consumerIndices[producer] == [i] else {
        throw NetworkError(node: nodes[i].name,
          "BatchNorm can be folded only directly after a Conv2D or Dense whose output nothing else reads")
      }
      let gamma = nodes[i].parameter(.gamma)!.values, beta = nodes[i].parameter(.beta)!.values
      let mean = nodes[i].parameter(.mean)!.values, variance = nodes[i].parameter(.variance)!.values
      var layer = nodes[producer]
      let weight = layer.parameter(.weight)!
      let outputs = gamma.count
      let perOutput = weight.values.count / outputs
      let oldBias = layer.parameter(.bias)?.values ?? Array(repeating: 0, count: outputs)
      var newWeights = weight.values
      var newBias = oldBias
      for o in 0..<outputs {
        let s = Double(gamma[o]) / (Double(variance[o]) + Double(epsilon)).squareRoot()
        for k in 0..<perOutput { newWeights[o * perOutput + k] = Float(Double(weight.values[o * perOutput + k]) * s) }
        newBias[o] = Float((Double(oldBias[o]) - Double(mean[o])) * s + Double(beta[o]))
      }
      if newWeights.contains(where: { !$0.isFinite }) || newBias.contains(where: { !$0.isFinite }) {
        throw NetworkError(node: nodes[i].name, "folding into '\(layer.name)' gives non-finite weights (zero variance with epsilon 0?)")
      }
      layer.parameters = [ParameterTensor(role: .weight, shape: weight.shape, values: newWeights),
                          ParameterTensor(role: .bias, shape: [outputs], values: newBias)]
      nodes[producer] = layer
      removed.insert(i)
      renamed[nodes[i].name] = layer.name
    }
    if removed.isEmpty { return self }
    var result: [Node] = []
    for (i, var node) in nodes.enumerated() where !removed.contains(i) {
      node.inputs = node.inputs.map { renamed[$0] ?? $0 }
      result.append(node)
    }
    return try Network(nodes: result)
  }
}
