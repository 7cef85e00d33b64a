import NetworkEngine
import PlatformSupport

/// One trainable or running-statistics tensor of the network.
struct ParameterSlot: Sendable {
  /// Index of the node (in `Network.nodes`) that owns it.
  let node: Int
  let role: ParameterRole
  let shape: [Int]
  let count: Int
  /// Updated by the optimizer (weights, biases, gamma, beta); false for BatchNorm running mean/variance.
  let trainable: Bool
  /// Subject to weight decay (Conv2D/Dense weights only).
  let decays: Bool
  /// BatchNorm gamma/beta: the full-batch gradient is formed in the BatchNorm reduction, not summed from shards.
  let reducedByBatchNorm: Bool
  /// Conv2D weights (not depthwise): shard partials are laid out `[groups][partialRows][outputStride]`.
  var convolution: ConvLayer?

  /// Floats of one shard's partial gradient.
  var partialCount: Int {
    guard let layer = convolution else { return count }
    return layer.geometry.groups * layer.partialRows * layer.outputStride
  }
}

/// A BatchNorm node with its per-batch statistics and coefficients (written between phases, read by the shards).
final class BatchNormLayer: @unchecked Sendable {
  let epsilon: Float
  let pixels: Int
  let channels: Int
  let gammaSlot: Int, betaSlot: Int, meanSlot: Int, varianceSlot: Int
  /// Per-batch mean and 1 / sqrt(variance + epsilon).
  let batchMean: FloatBuffer
  let batchInverseDeviation: FloatBuffer
  /// y = x * scale + shift (training: batch statistics).
  let scale: FloatBuffer
  let shift: FloatBuffer
  /// Inference: running statistics.
  let inferenceScale: FloatBuffer
  let inferenceShift: FloatBuffer
  /// Input-gradient coefficients.
  let k1: FloatBuffer, k2: FloatBuffer, k3: FloatBuffer
  /// Elements per channel in the current batch.
  var elementCount: Double = 0

  init(epsilon: Float, pixels: Int, channels: Int, gammaSlot: Int, betaSlot: Int, meanSlot: Int, varianceSlot: Int) {
    self.epsilon = epsilon
    self.pixels = pixels
    self.channels = channels
    self.gammaSlot = gammaSlot
    self.betaSlot = betaSlot
    self.meanSlot = meanSlot
    self.varianceSlot = varianceSlot
    batchMean = FloatBuffer(count: channels)
    batchInverseDeviation = FloatBuffer(count: channels)
    scale = FloatBuffer(count: channels)
    shift = FloatBuffer(count: channels)
    inferenceScale = FloatBuffer(count: channels)
    inferenceShift = FloatBuffer(count: channels)
    k1 = FloatBuffer(count: channels)
    k2 = FloatBuffer(count: channels)
    k3 = FloatBuffer(count: channels)
  }
}

/// Memory of one shard (half of a mini-batch): activations and gradients of every node for up to `capacity`
/// images, parameter-gradient partial sums, BatchNorm partial moments, scratch.
final class ShardWorkspace: @unchecked Sendable {
  /// First image of the current batch handled by this shard, and how many.
  var start = 0
  var count = 0
  let activations: [FloatBuffer]
  let gradients: [FloatBuffer?]
  let argmax: [IndexBuffer?]
  let parameterGradients: [FloatBuffer?]
  /// BatchNorm partial moments (count, mean, M2) or gradient sums (sum dy, sum dy * (x - mean)), per node.
  var partialCount: [Double]
  let partialA: [DoubleBuffer?]
  let partialB: [DoubleBuffer?]
  let scratch: ShardScratch
  var lossSum: Double = 0
  var correct = 0

  init(activations: [FloatBuffer], gradients: [FloatBuffer?], argmax: [IndexBuffer?], parameterGradients: [FloatBuffer?],
       partialA: [DoubleBuffer?], partialB: [DoubleBuffer?], scratch: ShardScratch) {
    self.activations = activations
    self.gradients = gradients
    self.argmax = argmax
    self.parameterGradients = parameterGradients
    self.partialCount = Array(repeating: 0, count: activations.count)
    self.partialA = partialA
    self.partialB = partialB
    self.scratch = scratch
  }
}

/// A network compiled for mini-batch training: parameters in place, per-node steps, two shard workspaces, and the
/// phase plans (runs of shard-local actions separated by BatchNorm reductions over the whole batch).
final class TrainingProgram: @unchecked Sendable {
  enum Step {
    case input
    case conv(ConvLayer)
    case dense(DenseLayer)
    case batchNorm(BatchNormLayer)
    case relu, relu6
    case maxPool(ConvGeometry), avgPool(ConvGeometry)
    case globalAvgPool(pixels: Int, channels: Int)
    case add, flatten
    case softmax(classes: Int)
  }

  enum Action {
    case load
    case zeroGradients
    case forward(Int)
    case batchNormMoments(Int)
    case batchNormApply(Int)
    case lossGradient(Int)
    case backward(Int)
    case batchNormGradientSums(Int)
    case batchNormBackward(Int)
  }

  enum Reduction {
    case moments(Int)
    case gradientSums(Int)
  }

  struct Segment {
    var actions: [Action] = []
    var reduction: Reduction?
  }

  /// Largest number of Floats one shard may allocate (2^30 = 4 GiB).
  static let maximumShardFloats = 1 << 30

  let network: Network
  let steps: [Step]
  /// Images per shard.
  let capacity: Int
  let slots: [ParameterSlot]
  /// Slot index by node and role.
  let slotIndex: [[ParameterRole: Int]]
  /// Current values of every slot.
  let values: [FloatBuffer]
  /// Full-batch gradient of the mean loss, per trainable slot.
  let gradients: [FloatBuffer]
  /// Whether node i's output gradient is needed.
  let flows: [Bool]
  /// `overwrite[i][k]`: node i is the first (in backward order) to write the gradient of its k-th input.
  let overwrite: [[Bool]]
  let shards: [ShardWorkspace]
  let trainingForward: [Segment]
  let inferenceForward: [Segment]
  let backward: [Segment]
  /// Output node (Softmax) and its logits node.
  let outputIndex: Int
  let logitsIndex: Int
  let classes: Int

  // Per-batch shared state (set on the calling thread before each run).
  var source: LabeledImages
  var decoder: PixelDecoder?
  var batchSamples: [Int] = []
  var batchLabels: [Int] = []
  var batchTransforms: [SampleTransform] = []
  var threads = 1
  var labelSmoothing: Float = 0
  var batchNormMomentum: Float = 0.1
  var updateRunningStatistics = true

  /// Compiles `network` (whose output must be a Softmax over a flat `1x1xK` tensor) for shards of up to
  /// `capacity` images. `inputGradient` also computes the gradient with respect to the network input (tests).
  init(network: Network, capacity: Int, inputGradient: Bool = false) throws {
    guard capacity >= 1 else { throw TrainingError("capacity", "must be >= 1") }
    self.network = network
    self.capacity = capacity
    let nodes = network.nodes, count = nodes.count
    guard case .softmax = nodes[network.outputIndex].operation else {
      throw TrainingError("node '\(nodes[network.outputIndex].name)'",
        "training needs a Softmax output (softmax cross-entropy is fused with it), found \(nodes[network.outputIndex].operation.kind)")
    }
    let outputShape = network.shapes[network.outputIndex]
    guard outputShape.height == 1, outputShape.width == 1, outputShape.channels >= 2 else {
      throw TrainingError("node '\(nodes[network.outputIndex].name)'", "the Softmax output must be flat 1x1xK with K >= 2, got \(outputShape)")
    }
    outputIndex = network.outputIndex
    logitsIndex = network.inputIndices[outputIndex][0]
    classes = outputShape.channels

    // Parameters.
    var slots: [ParameterSlot] = []
    var slotIndex = Array(repeating: [ParameterRole: Int](), count: count)
    var values: [FloatBuffer] = []
    for (i, node) in nodes.enumerated() {
      for role in ParameterRole.allCases {
        guard let p = node.parameter(role) else { continue }
        let trainable = role != .mean && role != .variance
        slotIndex[i][role] = slots.count
        slots.append(ParameterSlot(node: i, role: role, shape: p.shape, count: p.values.count, trainable: trainable,
                                   decays: role == .weight, reducedByBatchNorm: role == .gamma || role == .beta))
        values.append(FloatBuffer(p.values))
      }
    }
    self.slotIndex = slotIndex
    self.values = values
    gradients = slots.map { FloatBuffer(count: $0.trainable ? $0.count : 1) }

    // Steps.
    var steps: [Step] = []
    for (i, node) in nodes.enumerated() {
      let inputs = network.inputIndices[i].map { network.shapes[$0] }
      let shape = network.shapes[i]
      switch node.operation {
      case .input: steps.append(.input)
      case .conv2D(let a):
        let g = try ConvGeometry(conv: a, node: node, input: inputs[0], output: shape)
        steps.append(.conv(ConvLayer(geometry: g, weightSlot: slotIndex[i][.weight]!, biasSlot: slotIndex[i][.bias])))
      case .dense(let a):
        steps.append(.dense(DenseLayer(inputs: inputs[0].channels, outputs: a.outputFeatures,
                                       weightSlot: slotIndex[i][.weight]!, biasSlot: slotIndex[i][.bias])))
      case .batchNorm(let epsilon):
        steps.append(.batchNorm(BatchNormLayer(epsilon: epsilon, pixels: shape.height * shape.width, channels: shape.channels,
          gammaSlot: slotIndex[i][.gamma]!, betaSlot: slotIndex[i][.beta]!, meanSlot: slotIndex[i][.mean]!,
          varianceSlot: slotIndex[i][.variance]!)))
      case .relu: steps.append(.relu)
      case .relu6: steps.append(.relu6)
      case .maxPool(let p): steps.append(.maxPool(try ConvGeometry(pool: p, node: node, input: inputs[0], output: shape)))
      case .avgPool(let p): steps.append(.avgPool(try ConvGeometry(pool: p, node: node, input: inputs[0], output: shape)))
      case .globalAvgPool: steps.append(.globalAvgPool(pixels: inputs[0].height * inputs[0].width, channels: inputs[0].channels))
      case .add: steps.append(.add)
      case .flatten: steps.append(.flatten)
      case .softmax: steps.append(.softmax(classes: shape.channels))
      }
    }
    self.steps = steps
    for step in steps {
      if case .conv(let layer) = step, !layer.depthwise { slots[layer.weightSlot].convolution = layer }
    }
    self.slots = slots

    // Gradient flow and first writers.
    var flows = Array(repeating: false, count: count)
    for i in 0..<count {
      if i == 0 { flows[i] = inputGradient; continue }
      flows[i] = slots.contains { $0.node == i && $0.trainable } || network.inputIndices[i].contains { flows[$0] }
    }
    self.flows = flows
    var written = Array(repeating: false, count: count)
    var overwrite = network.inputIndices.map { Array(repeating: false, count: $0.count) }
    for i in stride(from: count - 1, through: 1, by: -1) where flows[i] {
      for (k, j) in network.inputIndices[i].enumerated() where flows[j] {
        overwrite[i][k] = !written[j]
        written[j] = true
      }
    }
    self.overwrite = overwrite

    // Plans.
    var forwardTraining: [Segment] = [Segment(actions: [.load])]
    var forwardInference: [Segment] = [Segment(actions: [.load])]
    for i in 1..<count {
      if case .batchNorm = steps[i] {
        forwardTraining[forwardTraining.count - 1].actions.append(.batchNormMoments(i))
        forwardTraining[forwardTraining.count - 1].reduction = .moments(i)
        forwardTraining.append(Segment(actions: [.batchNormApply(i)]))
      } else {
        forwardTraining[forwardTraining.count - 1].actions.append(.forward(i))
      }
      forwardInference[0].actions.append(.forward(i))
    }
    var backwardPlan: [Segment] = [Segment(actions: [.zeroGradients])]
    for i in stride(from: count - 1, through: 1, by: -1) where flows[i] {
      switch steps[i] {
      case .softmax:
        backwardPlan[backwardPlan.count - 1].actions.append(.lossGradient(i))
      case .batchNorm:
        backwardPlan[backwardPlan.count - 1].actions.append(.batchNormGradientSums(i))
        backwardPlan[backwardPlan.count - 1].reduction = .gradientSums(i)
        backwardPlan.append(Segment(actions: [.batchNormBackward(i)]))
      default:
        backwardPlan[backwardPlan.count - 1].actions.append(.backward(i))
      }
    }
    trainingForward = forwardTraining
    inferenceForward = forwardInference
    backward = backwardPlan

    // Scratch sizes.
    let np = roundUp(capacity, toMultipleOf: 4)
    var columns = 1, product = 1, transposed = 1, gather = 1, channels = 1, padded = 1, paddedGradient = 1
    for step in steps {
      switch step {
      case .conv(let layer):
        let g = layer.geometry
        let pp = g.paddedOutputPixels, ks = layer.fanInStride, og = g.outputChannelsPerGroup
        if layer.depthwise {
          product = max(product, g.kernelHeight * g.kernelWidth * g.output.channels)
        } else if layer.implicit {
          let slack = TrainingKernels.implicitSlack(layer)
          padded = max(padded, layer.paddedHeight * layer.paddedWidth * layer.implicitChannels + slack)
          paddedGradient = max(paddedGradient, layer.gradientHeight * layer.gradientWidth * g.output.channels + slack)
          let rows = roundUp(g.output.height * layer.paddedWidth, toMultipleOf: 4)
          let rowsX = roundUp(g.input.height * layer.gradientWidth, toMultipleOf: 4)
          product = max(product, rows * layer.outputStride, rowsX * layer.inputStride)
          gather = max(gather, rows * layer.outputStride)
        } else {
          columns = max(columns, pp * ks + 16)
          product = max(product, pp * layer.outputStride, pp * ks)
          transposed = max(transposed, pp * og)
          gather = max(gather, pp * layer.outputStride)
        }
      case .dense(let layer):
        let op = roundUp(layer.outputs, toMultipleOf: 4)
        product = max(product, np * layer.outputStride, op * layer.inputStride, np * layer.inputStride)
        transposed = max(transposed, op * np)
        gather = max(gather, np * layer.inputStride)
      case .batchNorm(let layer):
        channels = max(channels, layer.channels)
      default: break
      }
    }

    // Memory budget: refuse configurations whose buffers would not fit (instead of failing to allocate).
    var floats = columns + product + transposed + gather + padded + paddedGradient
    for (i, shape) in network.shapes.enumerated() {
      let (tensor, o1) = capacity.multipliedReportingOverflow(by: shape.elementCount)
      guard !o1, tensor <= TrainingProgram.maximumShardFloats else { floats = .max; break }
      floats += tensor * (flows[i] ? 2 : 1)
      if floats > TrainingProgram.maximumShardFloats { break }
    }
    guard floats <= TrainingProgram.maximumShardFloats else {
      throw TrainingError("batchSize", "a half batch of \(capacity) images needs more than \(TrainingProgram.maximumShardFloats / (1 << 28)) GiB of activations per shard; use a smaller batch")
    }

    // Shards.
    var shards: [ShardWorkspace] = []
    for _ in 0..<ShardExecution.shardCount {
      // Slack past the last image: GEMM A operands are read in 4-row tiles (at most 3 rows of `channels` beyond).
      let activations = network.shapes.map { FloatBuffer(count: capacity * $0.elementCount + 4 * $0.channels + 16) }
      let grads: [FloatBuffer?] = network.shapes.indices.map {
        flows[$0] ? FloatBuffer(count: capacity * network.shapes[$0].elementCount + 4 * network.shapes[$0].channels + 16) : nil
      }
      let argmax: [IndexBuffer?] = steps.indices.map {
        if case .maxPool = steps[$0] { return IndexBuffer(count: capacity * network.shapes[$0].elementCount) }
        return nil
      }
      let parameterGradients: [FloatBuffer?] = slots.map {
        $0.trainable && !$0.reducedByBatchNorm ? FloatBuffer(count: $0.partialCount) : nil
      }
      let partialA: [DoubleBuffer?] = steps.map { if case .batchNorm(let l) = $0 { return DoubleBuffer(count: l.channels) }; return nil }
      let partialB: [DoubleBuffer?] = steps.map { if case .batchNorm(let l) = $0 { return DoubleBuffer(count: l.channels) }; return nil }
      shards.append(ShardWorkspace(activations: activations, gradients: grads, argmax: argmax,
        parameterGradients: parameterGradients, partialA: partialA, partialB: partialB,
        scratch: ShardScratch(columns: columns, product: product, transposed: transposed, gather: gather, padded: padded,
                              paddedGradient: paddedGradient, channels: channels)))
    }
    self.shards = shards
    source = try LabeledImages(shape: network.inputShape, preprocessed: [], labels: [])
    refreshDerivedWeights()
  }

  /// Re-lays out conv/dense weights for the kernels; call after every change of `values`.
  func refreshDerivedWeights() {
    for step in steps {
      switch step {
      case .conv(let layer): layer.refresh(from: values[layer.weightSlot].pointer)
      case .dense(let layer): layer.refresh(from: values[layer.weightSlot].pointer)
      default: break
      }
    }
  }

  /// Sets the source and the samples of the next batch (at most `2 * capacity`) and splits it into two shards.
  func setBatch(source: LabeledImages, samples: [Int], transforms: [SampleTransform]? = nil) {
    precondition(samples.count >= 1 && samples.count <= 2 * capacity, "batch size out of range")
    if case .raw(_, let rule) = source.pixels { decoder = PixelDecoder(rule, channels: source.shape.channels) } else { decoder = nil }
    self.source = source
    batchSamples = samples
    batchLabels = samples.map { source.labels[$0] }
    batchTransforms = transforms ?? Array(repeating: .identity, count: samples.count)
    let first = (samples.count + 1) / 2
    shards[0].start = 0
    shards[0].count = first
    shards[1].start = first
    shards[1].count = samples.count - first
  }

  /// Forward (training mode, batch statistics) and optionally backward over the current batch. Returns the summed
  /// loss and the number of correct top-1 predictions; `gradients` then hold the gradient of the mean loss.
  @discardableResult
  func runTraining(backward doBackward: Bool) -> (lossSum: Double, correct: Int) {
    run(trainingForward)
    if doBackward {
      run(backward)
      combineGradients()
    }
    return totals()
  }

  /// Forward in inference mode (BatchNorm with running statistics).
  @discardableResult
  func runInference() -> (lossSum: Double, correct: Int) {
    prepareInference()
    run(inferenceForward)
    return totals()
  }

  private func totals() -> (lossSum: Double, correct: Int) {
    var loss = 0.0, correct = 0
    for shard in shards where shard.count > 0 {
      loss += shard.lossSum
      correct += shard.correct
    }
    return (loss, correct)
  }

  private func run(_ segments: [Segment]) {
    for segment in segments {
      ShardExecution.run(threads: threads) { s in
        let shard = shards[s]
        guard shard.count > 0 else { return }
        for action in segment.actions { perform(action, shard) }
      }
      if let reduction = segment.reduction { reduce(reduction) }
    }
  }

  private func prepareInference() {
    for step in steps {
      guard case .batchNorm(let l) = step else { continue }
      let gamma = values[l.gammaSlot].pointer, beta = values[l.betaSlot].pointer
      let mean = values[l.meanSlot].pointer, variance = values[l.varianceSlot].pointer
      for c in 0..<l.channels {
        let s = Double(gamma[c]) / (Double(variance[c]) + Double(l.epsilon)).squareRoot()
        l.inferenceScale.pointer[c] = Float(s)
        l.inferenceShift.pointer[c] = Float(Double(beta[c]) - Double(mean[c]) * s)
      }
    }
  }

  private func combineGradients() {
    for (k, slot) in slots.enumerated() where slot.trainable && !slot.reducedByBatchNorm {
      let out = gradients[k].pointer
      let active = shards.filter { $0.count > 0 }
      if let layer = slot.convolution {
        // [groups][partialRows][outputStride] partials -> [outputChannels][fanIn], shard 0 + shard 1.
        let g = layer.geometry, fanIn = g.fanIn, og = g.outputChannelsPerGroup, cin = g.inputChannelsPerGroup
        let rows = layer.partialRows, stride = layer.outputStride, tapStride = layer.partialTapStride
        for grp in 0..<g.groups {
          for o in 0..<og {
            let dst = out + (grp * og + o) * fanIn
            for q in 0..<fanIn {
              let row = (q / cin) * tapStride + q % cin
              var sum: Float = 0
              for (n, shard) in active.enumerated() {
                let v = shard.parameterGradients[k]!.pointer[(grp * rows + row) * stride + o]
                sum = n == 0 ? v : sum + v
              }
              dst[q] = sum
            }
          }
        }
        continue
      }
      out.update(from: active[0].parameterGradients[k]!.pointer, count: slot.count)
      for shard in active.dropFirst() {
        let partial = shard.parameterGradients[k]!.pointer
        for j in 0..<slot.count { out[j] += partial[j] }
      }
    }
  }

  // MARK: Reductions (calling thread, between phases)

  private func reduce(_ reduction: Reduction) {
    switch reduction {
    case .moments(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      let c = l.channels
      var count = 0.0
      var mean = Array(repeating: 0.0, count: c), m2 = Array(repeating: 0.0, count: c)
      for shard in shards where shard.count > 0 {
        let nb = shard.partialCount[i], mb = shard.partialA[i]!.pointer, qb = shard.partialB[i]!.pointer
        let total = count + nb
        for j in 0..<c {
          let delta = mb[j] - mean[j]
          mean[j] += delta * nb / total
          m2[j] += qb[j] + delta * delta * count * nb / total
        }
        count = total
      }
      l.elementCount = count
      let gamma = values[l.gammaSlot].pointer, beta = values[l.betaSlot].pointer
      let runningMean = values[l.meanSlot].pointer, runningVariance = values[l.varianceSlot].pointer
      let momentum = Double(batchNormMomentum)
      for j in 0..<c {
        let variance = max(m2[j] / count, 0)
        let inverse = 1 / (variance + Double(l.epsilon)).squareRoot()
        l.batchMean.pointer[j] = Float(mean[j])
        l.batchInverseDeviation.pointer[j] = Float(inverse)
        let s = Double(gamma[j]) * inverse
        l.scale.pointer[j] = Float(s)
        l.shift.pointer[j] = Float(Double(beta[j]) - mean[j] * s)
        if updateRunningStatistics {
          let unbiased = count > 1 ? max(m2[j] / (count - 1), 0) : variance
          runningMean[j] = Float((1 - momentum) * Double(runningMean[j]) + momentum * mean[j])
          runningVariance[j] = Float((1 - momentum) * Double(runningVariance[j]) + momentum * unbiased)
        }
      }
    case .gradientSums(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      let c = l.channels, n = l.elementCount
      let gamma = values[l.gammaSlot].pointer
      let gradGamma = gradients[l.gammaSlot].pointer, gradBeta = gradients[l.betaSlot].pointer
      for j in 0..<c {
        var s1 = 0.0, s2 = 0.0
        for shard in shards where shard.count > 0 {
          s1 += shard.partialA[i]!.pointer[j]
          s2 += shard.partialB[i]!.pointer[j]
        }
        let inverse = Double(l.batchInverseDeviation.pointer[j])
        let sumNormalized = s2 * inverse  // sum of dy * x_hat
        gradBeta[j] = Float(s1)
        gradGamma[j] = Float(sumNormalized)
        let a = Double(gamma[j]) * inverse
        l.k1.pointer[j] = Float(a)
        l.k2.pointer[j] = Float(-a * inverse * sumNormalized / n)
        l.k3.pointer[j] = Float(-a * s1 / n)
      }
    }
  }

  // MARK: Shard actions

  private func perform(_ action: Action, _ w: ShardWorkspace) {
    let n = w.count
    switch action {
    case .load:
      let size = network.inputShape.elementCount
      let input = w.activations[0].pointer
      for j in 0..<n {
        source.write(batchSamples[w.start + j], transform: batchTransforms[w.start + j], decoder: decoder,
                     to: input + j * size)
      }
      w.lossSum = 0
      w.correct = 0
    case .zeroGradients:
      for g in w.parameterGradients { g?.zero() }
    case .forward(let i):
      forward(i, w)
    case .batchNormMoments(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      w.partialCount[i] = 0
      w.partialA[i]!.zero()
      w.partialB[i]!.zero()
      TrainingKernels.batchNormMoments(input: w.activations[network.inputIndices[i][0]].pointer, images: n,
        pixels: l.pixels, channels: l.channels, count: &w.partialCount[i], mean: w.partialA[i]!.pointer,
        m2: w.partialB[i]!.pointer, scratch: w.scratch)
    case .batchNormApply(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      TrainingKernels.channelAffine(input: w.activations[network.inputIndices[i][0]].pointer, output: w.activations[i].pointer,
        rows: n * l.pixels, channels: l.channels, scale: l.scale.pointer, shift: l.shift.pointer)
    case .batchNormGradientSums(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      w.partialA[i]!.zero()
      w.partialB[i]!.zero()
      TrainingKernels.batchNormGradientSums(input: w.activations[network.inputIndices[i][0]].pointer,
        outputGradient: w.gradients[i]!.pointer, images: n, pixels: l.pixels, channels: l.channels,
        mean: l.batchMean.pointer, sumGradient: w.partialA[i]!.pointer, sumGradientCentered: w.partialB[i]!.pointer,
        scratch: w.scratch)
    case .batchNormBackward(let i):
      guard case .batchNorm(let l) = steps[i] else { return }
      let j = network.inputIndices[i][0]
      guard let dx = w.gradients[j] else { return }
      TrainingKernels.batchNormInputGradient(input: w.activations[j].pointer, outputGradient: w.gradients[i]!.pointer,
        inputGradient: dx.pointer, overwrite: overwrite[i][0], rows: n * l.pixels, channels: l.channels,
        mean: l.batchMean.pointer, k1: l.k1.pointer, k2: l.k2.pointer, k3: l.k3.pointer)
    case .lossGradient(let i):
      lossGradient(i, w)
    case .backward(let i):
      backward(i, w)
    }
  }

  private func forward(_ i: Int, _ w: ShardWorkspace) {
    let n = w.count
    let ins = network.inputIndices[i]
    let y = w.activations[i].pointer
    let size = network.shapes[i].elementCount
    switch steps[i] {
    case .input:
      break
    case .conv(let layer):
      TrainingKernels.convForward(layer, input: w.activations[ins[0]].pointer, output: y, images: n,
                                  bias: layer.biasSlot.map { UnsafePointer(values[$0].pointer) }, scratch: w.scratch)
    case .dense(let layer):
      TrainingKernels.denseForward(layer, input: w.activations[ins[0]].pointer, output: y, images: n,
                                   bias: layer.biasSlot.map { UnsafePointer(values[$0].pointer) }, scratch: w.scratch)
    case .batchNorm(let l):
      TrainingKernels.channelAffine(input: w.activations[ins[0]].pointer, output: y, rows: n * l.pixels, channels: l.channels,
                                    scale: l.inferenceScale.pointer, shift: l.inferenceShift.pointer)
    case .relu:
      let x = w.activations[ins[0]].pointer
      for j in 0..<(n * size) { y[j] = max(x[j], 0) }
    case .relu6:
      let x = w.activations[ins[0]].pointer
      for j in 0..<(n * size) { y[j] = min(max(x[j], 0), 6) }
    case .maxPool(let g):
      TrainingKernels.maxPoolForward(g, input: w.activations[ins[0]].pointer, output: y, argmax: w.argmax[i]!.pointer, images: n)
    case .avgPool(let g):
      TrainingKernels.avgPoolForward(g, input: w.activations[ins[0]].pointer, output: y, images: n)
    case let .globalAvgPool(pixels, channels):
      TrainingKernels.globalAvgPoolForward(input: w.activations[ins[0]].pointer, output: y, images: n, pixels: pixels,
                                           channels: channels)
    case .add:
      let a = w.activations[ins[0]].pointer, b = w.activations[ins[1]].pointer
      for j in 0..<(n * size) { y[j] = a[j] + b[j] }
    case .flatten:
      y.update(from: w.activations[ins[0]].pointer, count: n * size)
    case .softmax(let k):
      softmax(logits: w.activations[ins[0]].pointer, probabilities: y, classes: k, w)
    }
  }

  private func softmax(logits: UnsafePointer<Float>, probabilities: UnsafeMutablePointer<Float>, classes k: Int,
                       _ w: ShardWorkspace) {
    let smoothing = Double(labelSmoothing)
    for image in 0..<w.count {
      let z = logits + image * k, p = probabilities + image * k
      let label = batchLabels[w.start + image]
      var best = 0
      for j in 1..<k where z[j] > z[best] { best = j }
      let m = z[best]
      var sum: Float = 0
      for j in 0..<k { p[j] = LibM.exp(z[j] - m); sum += p[j] }
      let inverse = 1 / sum
      for j in 0..<k { p[j] *= inverse }
      let logSumExp = LibM.log(Double(sum)) + Double(m)
      var loss = (1 - smoothing) * (logSumExp - Double(z[label]))
      if smoothing > 0 {
        var all = 0.0
        for j in 0..<k { all += logSumExp - Double(z[j]) }
        loss += smoothing / Double(k) * all
      }
      w.lossSum += loss
      if best == label { w.correct += 1 }
    }
  }

  private func lossGradient(_ i: Int, _ w: ShardWorkspace) {
    let j = network.inputIndices[i][0]
    guard let dz = w.gradients[j]?.pointer else { return }
    let k = classes
    let scale = 1 / Float(batchSamples.count)
    let off = labelSmoothing / Float(k), on = 1 - labelSmoothing + off
    let p = w.activations[i].pointer
    let write = overwrite[i][0]
    for image in 0..<w.count {
      let label = batchLabels[w.start + image]
      let pr = p + image * k, dr = dz + image * k
      for c in 0..<k {
        let g = (pr[c] - (c == label ? on : off)) * scale
        if write { dr[c] = g } else { dr[c] += g }
      }
    }
  }

  private func backward(_ i: Int, _ w: ShardWorkspace) {
    let n = w.count
    let ins = network.inputIndices[i]
    let dy = w.gradients[i]!.pointer
    let size = network.shapes[i].elementCount
    let dx0 = w.gradients[ins.first ?? 0]
    switch steps[i] {
    case .input, .batchNorm, .softmax:
      break
    case .conv(let layer):
      TrainingKernels.convBackward(layer, input: w.activations[ins[0]].pointer, outputGradient: dy,
        inputGradient: dx0?.pointer, overwrite: overwrite[i][0], images: n,
        weightGradient: w.parameterGradients[layer.weightSlot]!.pointer,
        biasGradient: layer.biasSlot.map { w.parameterGradients[$0]!.pointer }, scratch: w.scratch)
    case .dense(let layer):
      TrainingKernels.denseBackward(layer, input: w.activations[ins[0]].pointer, outputGradient: dy,
        inputGradient: dx0?.pointer, overwrite: overwrite[i][0], images: n,
        weightGradient: w.parameterGradients[layer.weightSlot]!.pointer,
        biasGradient: layer.biasSlot.map { w.parameterGradients[$0]!.pointer }, scratch: w.scratch)
    case .relu:
      guard let dx = dx0 else { return }
      TrainingKernels.maskedGradient(dy, mask: w.activations[i].pointer, low: 0, high: .infinity, into: dx.pointer,
                                     count: n * size, overwrite: overwrite[i][0])
    case .relu6:
      guard let dx = dx0 else { return }
      TrainingKernels.maskedGradient(dy, mask: w.activations[ins[0]].pointer, low: 0, high: 6, into: dx.pointer,
                                     count: n * size, overwrite: overwrite[i][0])
    case .maxPool(let g):
      guard let dx = dx0 else { return }
      TrainingKernels.maxPoolBackward(g, outputGradient: dy, argmax: w.argmax[i]!.pointer, inputGradient: dx.pointer,
                                      overwrite: overwrite[i][0], images: n)
    case .avgPool(let g):
      guard let dx = dx0 else { return }
      TrainingKernels.avgPoolBackward(g, outputGradient: dy, inputGradient: dx.pointer, overwrite: overwrite[i][0], images: n)
    case let .globalAvgPool(pixels, channels):
      guard let dx = dx0 else { return }
      TrainingKernels.globalAvgPoolBackward(outputGradient: dy, inputGradient: dx.pointer, overwrite: overwrite[i][0],
                                            images: n, pixels: pixels, channels: channels)
    case .add:
      for (k, j) in ins.enumerated() {
        guard let dx = w.gradients[j] else { continue }
        TrainingKernels.accumulate(dy, into: dx.pointer, count: n * size, overwrite: overwrite[i][k])
      }
    case .flatten:
      guard let dx = dx0 else { return }
      TrainingKernels.accumulate(dy, into: dx.pointer, count: n * size, overwrite: overwrite[i][0])
    }
  }

  /// The network with the current parameter values (BatchNorm unfolded, with its running statistics).
  func currentNetwork() throws -> Network {
    var nodes = network.nodes
    for (k, slot) in slots.enumerated() {
      guard let p = nodes[slot.node].parameters.firstIndex(where: { $0.role == slot.role }) else { continue }
      nodes[slot.node].parameters[p].values = Array(UnsafeBufferPointer(start: values[k].pointer, count: slot.count))
    }
    do { return try Network(nodes: nodes) } catch {
      throw TrainingError("network", "the trained parameters do not form a valid network (diverged to NaN/Inf?): \(error)")
    }
  }
}

