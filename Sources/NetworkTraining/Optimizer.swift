import PlatformSupport

/// Optimizer moments per parameter slot and the update rule (runs on the calling thread after each batch).
final class OptimizerState: @unchecked Sendable {
  let kind: OptimizerKind
  let weightDecay: WeightDecay
  /// Momentum buffer (SGD) or first moment (Adam), per trainable slot.
  let first: [FloatBuffer?]
  /// Second moment (Adam only).
  let second: [FloatBuffer?]
  /// Updates applied so far (Adam's bias-correction exponent).
  var steps = 0

  init(kind: OptimizerKind, weightDecay: WeightDecay, slots: [ParameterSlot]) {
    self.kind = kind
    self.weightDecay = weightDecay
    first = slots.map { $0.trainable ? FloatBuffer(count: $0.count) : nil }
    if case .adam = kind {
      second = slots.map { $0.trainable ? FloatBuffer(count: $0.count) : nil }
    } else {
      second = slots.map { _ in nil }
    }
  }

  /// One update of every trainable slot of `program` from its full-batch gradients, at `learningRate`.
  func apply(to program: TrainingProgram, learningRate: Float) {
    steps += 1
    var correction1: Float = 1, correction2: Float = 1
    if case let .adam(beta1, beta2, _) = kind {
      correction1 = Float(1 - LibM.pow(Double(beta1), Double(steps)))
      correction2 = Float(1 - LibM.pow(Double(beta2), Double(steps)))
    }
    for (k, slot) in program.slots.enumerated() where slot.trainable {
      let w = program.values[k].pointer, g = program.gradients[k].pointer, m = first[k]!.pointer
      let count = slot.count
      var l2: Float = 0
      if slot.decays {
        switch weightDecay {
        case .none: break
        case .l2(let rate): l2 = rate
        case .decoupled(let rate):
          let factor = 1 - learningRate * rate
          for j in 0..<count { w[j] *= factor }
        }
      }
      switch kind {
      case let .sgd(momentum, nesterov):
        if nesterov {
          for j in 0..<count {
            let gj = g[j] + l2 * w[j]
            m[j] = momentum * m[j] + gj
            w[j] -= learningRate * (gj + momentum * m[j])
          }
        } else {
          for j in 0..<count {
            let gj = g[j] + l2 * w[j]
            m[j] = momentum * m[j] + gj
            w[j] -= learningRate * m[j]
          }
        }
      case let .adam(beta1, beta2, epsilon):
        let v = second[k]!.pointer
        let step1 = learningRate / correction1, root2 = 1 / correction2.squareRoot()
        for j in 0..<count {
          let gj = g[j] + l2 * w[j]
          m[j] = beta1 * m[j] + (1 - beta1) * gj
          v[j] = beta2 * v[j] + (1 - beta2) * gj * gj
          w[j] -= step1 * m[j] / ((v[j].squareRoot() * root2) + epsilon)
        }
      }
    }
    program.refreshDerivedWeights()
  }
}
