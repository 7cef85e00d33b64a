import NetworkEngine
import SeededRandom

/// What one epoch did (passed to the progress callback and kept in `Trainer.history`).
public struct EpochReport: Hashable, Sendable, Codable {
  /// The epoch just finished, 1-based.
  public var epoch: Int
  /// Epochs of the whole run.
  public var epochs: Int
  /// Mean cross-entropy of the epoch's training samples (training mode, augmented, label smoothing included;
  /// weight decay excluded), in nats.
  public var trainingLoss: Double
  /// Top-1 accuracy on the epoch's training samples, in 0...1.
  public var trainingAccuracy: Double
  /// Mean cross-entropy on the validation set (inference mode), when there is one.
  public var validationLoss: Double?
  /// Top-1 accuracy on the validation set, in 0...1, when there is one.
  public var validationAccuracy: Double?
  /// Learning rate of the epoch's last step.
  public var learningRate: Double
  /// Wall time of the epoch including validation, in seconds.
  public var seconds: Double
  /// Estimated wall time of the remaining epochs (mean seconds per epoch of this process x epochs left).
  public var estimatedSecondsRemaining: Double

  /// Creates a report.
  public init(epoch: Int, epochs: Int, trainingLoss: Double, trainingAccuracy: Double, validationLoss: Double?,
              validationAccuracy: Double?, learningRate: Double, seconds: Double, estimatedSecondsRemaining: Double) {
    self.epoch = epoch
    self.epochs = epochs
    self.trainingLoss = trainingLoss
    self.trainingAccuracy = trainingAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.learningRate = learningRate
    self.seconds = seconds
    self.estimatedSecondsRemaining = estimatedSecondsRemaining
  }
}

/// Loss and accuracy of a network on a labeled set (inference mode: BatchNorm with running statistics).
public struct LossAndAccuracy: Hashable, Sendable, Codable {
  /// Images evaluated.
  public var count: Int
  /// Images whose top-1 class (first maximum on ties) equals the label.
  public var correct: Int
  /// Mean cross-entropy in nats (without label smoothing).
  public var loss: Double
  /// `correct / count`, in 0...1 (0 for an empty set).
  public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }

  /// Creates an evaluation result.
  public init(count: Int, correct: Int, loss: Double) {
    self.count = count
    self.correct = correct
    self.loss = loss
  }
}

/// Trains a network with a softmax cross-entropy loss on labeled images.
///
/// The network's output must be a Softmax over `1x1xK`; labels must be in `0..<K`. BatchNorm runs in training
/// mode (batch statistics over the whole mini-batch, both halves combined) and keeps running statistics, which the
/// returned network carries (the engine folds BatchNorm when it loads a network for inference).
///
/// Determinism: everything random (shuffle, augmentation) comes from one `Xoshiro256StarStar` seeded with
/// `configuration.seed`; every mini-batch is split into the same two halves whatever the thread count, and
/// cross-half sums are always formed as half A + half B, so the results are bit-identical for 1 and 2 threads
/// (only the wall time changes). They can differ between machines or compilers only through Float rounding of
/// vectorized loops (e.g. FMA contraction).
///
/// Typical use:
/// ```
/// let trainer = try Trainer(network: net, training: train, validation: val, configuration: config)
/// let trained = try trainer.train { report in print(report.epoch, report.validationAccuracy ?? 0) }
/// ```
public final class Trainer {
  /// The run's configuration.
  public let configuration: TrainingConfiguration
  /// Training images.
  public let training: LabeledImages
  /// Validation images (evaluated after every epoch), if any.
  public let validation: LabeledImages?
  /// Epochs finished so far.
  public private(set) var completedEpochs = 0
  /// One report per finished epoch.
  public private(set) var history: [EpochReport] = []

  private var generator: Xoshiro256StarStar
  private let program: TrainingProgram
  private let optimizer: OptimizerState
  private var secondsThisProcess = 0.0
  private var epochsThisProcess = 0

  /// Prepares training of `network` (its current weights are the starting point).
  ///
  /// Throws `TrainingError` for an invalid configuration, a network without a Softmax output, images whose shape
  /// differs from the network input, labels outside `0..<classes`, or fewer training images than one batch.
  public init(network: Network, training: LabeledImages, validation: LabeledImages? = nil,
              configuration: TrainingConfiguration) throws {
    try configuration.validate()
    let capacity = (configuration.batchSize + 1) / 2
    let program = try TrainingProgram(network: network, capacity: capacity)
    self.program = program
    for (name, set) in [("training", training), ("validation", validation)] {
      guard let set else { continue }
      guard set.shape == network.inputShape else {
        throw TrainingError(name, "images are \(set.shape) but the network input is \(network.inputShape)")
      }
      if let bad = set.labels.firstIndex(where: { $0 >= program.classes }) {
        throw TrainingError("\(name).labels[\(bad)]", "must be in 0..<\(program.classes), got \(set.labels[bad])")
      }
    }
    guard training.count >= configuration.batchSize else {
      throw TrainingError("training", "has \(training.count) images, fewer than one batch of \(configuration.batchSize)")
    }
    self.configuration = configuration
    self.training = training
    self.validation = validation
    generator = Xoshiro256StarStar(seed: configuration.seed)
    optimizer = OptimizerState(kind: configuration.optimizer, weightDecay: configuration.weightDecay, slots: program.slots)
    program.threads = configuration.threads
    program.labelSmoothing = configuration.labelSmoothing
    program.batchNormMomentum = configuration.batchNormMomentum
  }

  /// Optimizer steps per epoch (`training.count / batchSize`, the incomplete last batch dropped).
  public var stepsPerEpoch: Int { training.count / configuration.batchSize }

  /// Learning rate at optimizer step `step` (0-based, counted over the whole run).
  public func learningRate(atStep step: Int) -> Double {
    let t = Double(step) / Double(stepsPerEpoch)
    return Double(configuration.learningRate) * configuration.schedule.factor(atEpoch: t, epochs: configuration.epochs)
  }

  /// Runs one epoch: shuffle, mini-batch steps, then validation. Throws when the loss becomes NaN or infinite.
  @discardableResult
  public func trainEpoch() throws -> EpochReport {
    guard completedEpochs < configuration.epochs else {
      throw TrainingError("epochs", "all \(configuration.epochs) epochs are done")
    }
    let clock = ContinuousClock()
    let started = clock.now
    let batch = configuration.batchSize
    let order = RandomDraws.shuffledIndices(count: training.count, using: &generator)
    var lossSum = 0.0, correct = 0, seen = 0
    var rate = 0.0
    program.updateRunningStatistics = true
    for b in 0..<stepsPerEpoch {
      let samples = Array(order[(b * batch)..<((b + 1) * batch)])
      var transforms: [SampleTransform]? = nil
      if !configuration.augmentation.isIdentity {
        transforms = samples.map { _ in SampleTransform.draw(configuration.augmentation, height: training.shape.height,
                                                         width: training.shape.width, using: &generator) }
      }
      program.setBatch(source: training, samples: samples, transforms: transforms)
      let result = program.runTraining(backward: true)
      lossSum += result.lossSum
      correct += result.correct
      seen += samples.count
      rate = learningRate(atStep: optimizer.steps)
      optimizer.apply(to: program, learningRate: Float(rate))
    }
    let trainingLoss = lossSum / Double(max(seen, 1))
    guard trainingLoss.isFinite else {
      throw TrainingError("trainingLoss", "became \(trainingLoss) in epoch \(completedEpochs + 1); lower the learning rate")
    }
    var validationResult: LossAndAccuracy?
    if let validation { validationResult = evaluateChecked(validation) }
    completedEpochs += 1
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    secondsThisProcess += seconds
    epochsThisProcess += 1
    let report = EpochReport(epoch: completedEpochs, epochs: configuration.epochs, trainingLoss: trainingLoss,
      trainingAccuracy: Double(correct) / Double(max(seen, 1)), validationLoss: validationResult?.loss,
      validationAccuracy: validationResult?.accuracy, learningRate: rate, seconds: seconds,
      estimatedSecondsRemaining: secondsThisProcess / Double(epochsThisProcess) * Double(configuration.epochs - completedEpochs))
    history.append(report)
    return report
  }

  /// Runs the remaining epochs, calling `progress` after each, and returns the trained network.
  public func train(progress: (EpochReport) throws -> Void = { _ in }) throws -> Network {
    while completedEpochs < configuration.epochs { try progress(try trainEpoch()) }
    return try network()
  }

  /// The network with the current weights and BatchNorm running statistics (BatchNorm not folded).
  public func network() throws -> Network { try program.currentNetwork() }

  /// Loss and top-1 accuracy of the current weights on `images` (inference mode), on the configured threads.
  /// Throws `TrainingError` when the images do not match the network input shape or a label is not in
  /// `0..<classes`.
  public func evaluate(_ images: LabeledImages) throws -> LossAndAccuracy {
    guard images.shape == program.network.inputShape else {
      throw TrainingError("images", "are \(images.shape) but the network input is \(program.network.inputShape)")
    }
    if let bad = images.labels.firstIndex(where: { $0 >= program.classes }) {
      throw TrainingError("labels[\(bad)]", "must be in 0..<\(program.classes), got \(images.labels[bad])")
    }
    return evaluateChecked(images)
  }

  private func evaluateChecked(_ images: LabeledImages) -> LossAndAccuracy {
    let smoothing = program.labelSmoothing
    program.labelSmoothing = 0
    defer { program.labelSmoothing = smoothing }
    let size = 2 * program.capacity
    var lossSum = 0.0, correct = 0
    var start = 0
    while start < images.count {
      let end = min(start + size, images.count)
      program.setBatch(source: images, samples: Array(start..<end))
      let result = program.runInference()
      lossSum += result.lossSum
      correct += result.correct
      start = end
    }
    return LossAndAccuracy(count: images.count, correct: correct, loss: images.count == 0 ? 0 : lossSum / Double(images.count))
  }

  /// The complete trainer state (weights, running statistics, optimizer moments, epoch, random state, history) as
  /// plain values, for checkpoints. Export between epochs: a restored run then continues bit-identically.
  public func exportState() -> TrainingState {
    var parameters: [NamedTensor] = [], first: [NamedTensor] = [], second: [NamedTensor] = []
    for (k, slot) in program.slots.enumerated() {
      let name = program.network.nodes[slot.node].name
      parameters.append(NamedTensor(node: name, role: slot.role, values: Self.array(program.values[k], slot.count)))
      if let m = optimizer.first[k] { first.append(NamedTensor(node: name, role: slot.role, values: Self.array(m, slot.count))) }
      if let v = optimizer.second[k] { second.append(NamedTensor(node: name, role: slot.role, values: Self.array(v, slot.count))) }
    }
    return TrainingState(configuration: configuration, completedEpochs: completedEpochs, optimizerSteps: optimizer.steps,
                         randomState: generator.state, parameters: parameters, firstMoments: first,
                         secondMoments: second, history: history)
  }

  private static func array(_ buffer: FloatBuffer, _ count: Int) -> [Float] {
    Array(UnsafeBufferPointer(start: buffer.pointer, count: count))
  }

  /// Restores a state exported by `exportState()` for the same network structure.
  ///
  /// The trainer keeps its own configuration (so a run can be extended to more epochs; only the same
  /// configuration reproduces an uninterrupted run bit for bit). Throws `TrainingError` naming the field when the
  /// state does not fit: version, tensors missing / extra / of the wrong size / non-finite, negative variances,
  /// optimizer moments of another optimizer, epochs beyond the configuration, or an invalid random state.
  public func restore(_ state: TrainingState) throws {
    guard state.version == TrainingState.currentVersion else {
      throw TrainingError("version", "unsupported training state version \(state.version), expected \(TrainingState.currentVersion)")
    }
    guard state.completedEpochs >= 0, state.completedEpochs <= configuration.epochs else {
      throw TrainingError("completedEpochs", "must be in 0...\(configuration.epochs), got \(state.completedEpochs)")
    }
    guard state.optimizerSteps >= 0 else { throw TrainingError("optimizerSteps", "must be >= 0, got \(state.optimizerSteps)") }
    let restoredGenerator = try restoredRandomGenerator(state.randomState)
    let slots = program.slots
    let names = slots.map { program.network.nodes[$0.node].name }
    func match(_ list: [NamedTensor], _ field: String, _ include: (Int) -> Bool) throws -> [Int: [Float]] {
      var found: [Int: [Float]] = [:]
      for (n, tensor) in list.enumerated() {
        guard let k = slots.indices.first(where: { names[$0] == tensor.node && slots[$0].role == tensor.role }), include(k) else {
          throw TrainingError("\(field)[\(n)]", "no \(tensor.role.rawValue) tensor of node '\(tensor.node)' expected here")
        }
        guard found[k] == nil else { throw TrainingError("\(field)[\(n)]", "duplicate tensor \(tensor.node).\(tensor.role.rawValue)") }
        guard tensor.values.count == slots[k].count else {
          throw TrainingError("\(field)[\(n)]", "\(tensor.node).\(tensor.role.rawValue) has \(tensor.values.count) values, expected \(slots[k].count)")
        }
        if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
          throw TrainingError("\(field)[\(n)]", "\(tensor.node).\(tensor.role.rawValue) value #\(bad) is not finite")
        }
        found[k] = tensor.values
      }
      for k in slots.indices where include(k) && found[k] == nil {
        throw TrainingError(field, "missing tensor \(names[k]).\(slots[k].role.rawValue)")
      }
      return found
    }
    let parameters = try match(state.parameters, "parameters") { _ in true }
    for (k, v) in parameters where slots[k].role == .variance && v.contains(where: { $0 < 0 }) {
      throw TrainingError("parameters", "\(names[k]).variance has a negative value")
    }
    let first = try match(state.firstMoments, "firstMoments") { slots[$0].trainable }
    let isAdam: Bool
    if case .adam = configuration.optimizer { isAdam = true } else { isAdam = false }
    let second = try match(state.secondMoments, "secondMoments") { isAdam && slots[$0].trainable }
    // All checks passed: apply.
    for (k, v) in parameters { v.withUnsafeBufferPointer { program.values[k].pointer.update(from: $0.baseAddress!, count: v.count) } }
    for (k, v) in first { v.withUnsafeBufferPointer { optimizer.first[k]!.pointer.update(from: $0.baseAddress!, count: v.count) } }
    for (k, v) in second { v.withUnsafeBufferPointer { optimizer.second[k]!.pointer.update(from: $0.baseAddress!, count: v.count) } }
    program.refreshDerivedWeights()
    optimizer.steps = state.optimizerSteps
    completedEpochs = state.completedEpochs
    generator = restoredGenerator
    history = state.history
  }
}

/// A named parameter-sized tensor of a checkpoint (parameter values or optimizer moments).
public struct NamedTensor: Hashable, Sendable, Codable {
  /// Node name.
  public var node: String
  /// Which tensor of the node (weight, bias, gamma, beta, mean, variance).
  public var role: ParameterRole
  /// Row-major values, as in `ParameterTensor`.
  public var values: [Float]

  /// Creates a tensor.
  public init(node: String, role: ParameterRole, values: [Float]) {
    self.node = node
    self.role = role
    self.values = values
  }
}

/// Everything needed to resume training exactly: plain values, Codable, for the I/O layer to save.
public struct TrainingState: Hashable, Sendable, Codable {
  /// Version of this layout.
  public static let currentVersion = 1
  /// Layout version (`currentVersion` when exported).
  public var version: Int
  /// The configuration of the run that exported the state (informational; `restore` keeps the trainer's).
  public var configuration: TrainingConfiguration
  /// Epochs finished.
  public var completedEpochs: Int
  /// Optimizer steps applied (drives the schedule and Adam's bias correction).
  public var optimizerSteps: Int
  /// `Xoshiro256StarStar.state` (4 words).
  public var randomState: [UInt64]
  /// Every parameter tensor, including BatchNorm running mean and variance.
  public var parameters: [NamedTensor]
  /// SGD momentum buffers or Adam first moments, one per trainable tensor.
  public var firstMoments: [NamedTensor]
  /// Adam second moments (empty for SGD).
  public var secondMoments: [NamedTensor]
  /// Reports of the finished epochs.
  public var history: [EpochReport]

  /// Creates a state (normally via `Trainer.exportState()`).
  public init(version: Int = TrainingState.currentVersion, configuration: TrainingConfiguration, completedEpochs: Int,
              optimizerSteps: Int, randomState: [UInt64], parameters: [NamedTensor], firstMoments: [NamedTensor],
              secondMoments: [NamedTensor], history: [EpochReport]) {
    self.version = version
    self.configuration = configuration
    self.completedEpochs = completedEpochs
    self.optimizerSteps = optimizerSteps
    self.randomState = randomState
    self.parameters = parameters
    self.firstMoments = firstMoments
    self.secondMoments = secondMoments
    self.history = history
  }
}

/// The training generator restored from a checkpoint's `randomState`; a bad state is a `TrainingError` naming the
/// field.
func restoredRandomGenerator(_ state: [UInt64]) throws -> Xoshiro256StarStar {
  do {
    return try Xoshiro256StarStar(state: state)
  } catch {
    throw TrainingError("randomState", "\(error)")
  }
}
