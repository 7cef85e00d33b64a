import PlatformSupport

/// A problem with training input, configuration or a checkpoint. Names the field and says what was expected.
public struct TrainingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The field, argument or node the problem concerns (e.g. `batchSize`, `labels[17]`, `node 'conv1'`).
  public var field: String
  /// What is wrong and what was expected.
  public var message: String

  /// Creates an error about `field`.
  public init(_ field: String, _ message: String) {
    self.field = field
    self.message = message
  }

  /// `field: message`.
  public var description: String { "\(field): \(message)" }
}

/// The update rule.
public enum OptimizerKind: Hashable, Sendable, Codable {
  /// SGD with momentum (PyTorch form): `v = momentum * v + g`, step `v` (or `g + momentum * v` with Nesterov).
  /// `momentum` in `0..<1` (0: plain SGD).
  case sgd(momentum: Float, nesterov: Bool)
  /// Adam (Kingma and Ba) with bias correction. `beta1`, `beta2` in `0..<1`; `epsilon > 0` (added to the square
  /// root of the corrected second moment).
  case adam(beta1: Float, beta2: Float, epsilon: Float)

  /// SGD, momentum 0.9, Nesterov.
  public static let sgdNesterov = OptimizerKind.sgd(momentum: 0.9, nesterov: true)
  /// Adam with the usual constants (0.9, 0.999, 1e-8).
  public static let adam = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
}

/// Weight decay, applied to Conv2D and Dense weights only (never to biases or BatchNorm gamma/beta).
public enum WeightDecay: Hashable, Sendable, Codable {
  /// No decay.
  case none
  /// Coupled L2 regularization: `rate * w` is added to the gradient before the optimizer (classic SGD weight
  /// decay; the term of `rate / 2 * |w|^2` in the loss). Not included in the reported loss.
  case l2(Float)
  /// Decoupled weight decay (Loshchilov and Hutter, "AdamW"/"SGDW"): `w -= learningRate * rate * w` before the
  /// gradient step, with the scheduled learning rate.
  case decoupled(Float)
}

/// How the learning rate evolves, as a factor of the base rate over fractional epochs `t` in `0..<epochs`
/// (evaluated at every optimizer step: `t = epoch + step / stepsPerEpoch`).
public enum LearningRateSchedule: Hashable, Sendable, Codable {
  /// Factor 1 throughout.
  case constant
  /// Linear warm-up from 0 at `t = 0` to 1 at `t = warmupEpochs` (>= 0; 0 for none), then half a cosine from 1
  /// down to `minimumFactor` (in 0...1) at the end of the last epoch.
  case cosine(warmupEpochs: Double, minimumFactor: Double)
  /// Multiply by `factor` (in 0...1) every `everyEpochs` (>= 1) epochs.
  case step(everyEpochs: Int, factor: Double)

  /// The factor at fractional epoch `t` of a run of `epochs` epochs (in 0...1 for valid parameters).
  public func factor(atEpoch t: Double, epochs: Int) -> Double {
    switch self {
    case .constant:
      return 1
    case let .cosine(warmup, minimum):
      if warmup > 0, t < warmup { return max(t, 0) / warmup }
      let span = Double(epochs) - warmup
      guard span > 0 else { return 1 }
      let progress = min(max((t - warmup) / span, 0), 1)
      return minimum + (1 - minimum) * 0.5 * (1 + LibM.cos(Double.pi * progress))
    case let .step(every, factor):
      guard every >= 1 else { return 1 }
      let drops = t > 0 ? Int(min(t, 1e15)) / every : 0
      return drops == 0 ? 1 : LibM.pow(factor, Double(drops))
    }
  }

  func validate() throws {
    switch self {
    case .constant: break
    case let .cosine(warmup, minimum):
      guard warmup.isFinite, warmup >= 0 else { throw TrainingError("schedule.warmupEpochs", "must be finite and >= 0, got \(warmup)") }
      guard minimum >= 0, minimum <= 1 else { throw TrainingError("schedule.minimumFactor", "must be in 0...1, got \(minimum)") }
    case let .step(every, factor):
      guard every >= 1 else { throw TrainingError("schedule.everyEpochs", "must be >= 1, got \(every)") }
      guard factor >= 0, factor <= 1 else { throw TrainingError("schedule.factor", "must be in 0...1, got \(factor)") }
    }
  }
}

/// Random image augmentation, applied to every training sample of every epoch (never to validation data).
///
/// Random crop with zero padding: the image is padded with `cropPadding` zero pixels on each side and a window of
/// the original size is cut at a uniformly random offset, which is the same as translating it by `(dy, dx)` drawn
/// uniformly from `-cropPadding...cropPadding` each (a small random shift) with zero fill. "Zero" is a raw pixel
/// value of 0 for raw data (after preprocessing: `-mean / standardDeviation`), and 0 for preprocessed data.
/// With `horizontalFlip`, the image is mirrored left-right with probability 1/2 (only for tasks where mirror images
/// keep their class, e.g. CIFAR-10, Fashion-MNIST). With `masking`, bands of rows and columns are then masked
/// (SpecAugment, for spectrogram-like inputs). All draws come from the trainer's seeded generator.
public struct ImageAugmentation: Hashable, Sendable, Codable {
  /// Zero padding of the random crop = largest shift in pixels, on each axis (0: no crop/shift; at most 64).
  public var cropPadding: Int
  /// Mirror left-right with probability 1/2.
  public var horizontalFlip: Bool
  /// Time and frequency masking, applied after the crop and flip (`.none`: no masking).
  public var masking: SpectrogramMasking

  /// Creates an augmentation.
  public init(cropPadding: Int = 0, horizontalFlip: Bool = false, masking: SpectrogramMasking = .none) {
    self.cropPadding = cropPadding
    self.horizontalFlip = horizontalFlip
    self.masking = masking
  }

  /// No augmentation.
  public static let none = ImageAugmentation()

  /// True when the augmentation changes nothing.
  public var isIdentity: Bool { cropPadding == 0 && !horizontalFlip && masking.isIdentity }

  private enum CodingKeys: String, CodingKey { case cropPadding, horizontalFlip, masking }

  /// Decodes an augmentation; `masking` is optional (absent in files written before it existed: no masking).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    cropPadding = try container.decode(Int.self, forKey: .cropPadding)
    horizontalFlip = try container.decode(Bool.self, forKey: .horizontalFlip)
    masking = try container.decodeIfPresent(SpectrogramMasking.self, forKey: .masking) ?? .none
  }

  /// Encodes the augmentation; `masking` only when it masks something (so older readers still read the rest).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(cropPadding, forKey: .cropPadding)
    try container.encode(horizontalFlip, forKey: .horizontalFlip)
    if !masking.isIdentity { try container.encode(masking, forKey: .masking) }
  }
}

/// SpecAugment's time and frequency masking (Park et al., 2019, "SpecAugment: A Simple Data Augmentation Method
/// for Automatic Speech Recognition"), for inputs laid out as time (rows, the height) x frequency or coefficient
/// (columns, the width), such as the 49 x 10 MFCC features of keyword spotting.
///
/// Each training sample gets `timeMasks` bands of consecutive rows and `frequencyMasks` bands of consecutive
/// columns set to 0 in the network's input space, which is the training-set mean of standardized inputs
/// (SpecAugment masks with the mean). A band's width is drawn uniformly from `0...maximumTimeWidth` (or
/// `0...maximumFrequencyWidth`; 0 masks nothing) and its first row (column) uniformly from the positions that keep
/// it inside the input; bands may overlap. Widths wider than the input are clamped to it.
public struct SpectrogramMasking: Hashable, Sendable, Codable {
  /// Number of time bands (bands of rows) per sample, 0...16.
  public var timeMasks: Int
  /// Largest width of a time band in rows, 0...1024.
  public var maximumTimeWidth: Int
  /// Number of frequency bands (bands of columns) per sample, 0...16.
  public var frequencyMasks: Int
  /// Largest width of a frequency band in columns, 0...1024.
  public var maximumFrequencyWidth: Int

  /// Creates a masking rule.
  public init(timeMasks: Int = 0, maximumTimeWidth: Int = 0, frequencyMasks: Int = 0, maximumFrequencyWidth: Int = 0) {
    self.timeMasks = timeMasks
    self.maximumTimeWidth = maximumTimeWidth
    self.frequencyMasks = frequencyMasks
    self.maximumFrequencyWidth = maximumFrequencyWidth
  }

  /// No masking.
  public static let none = SpectrogramMasking()

  /// True when no band can ever be masked.
  public var isIdentity: Bool {
    (timeMasks == 0 || maximumTimeWidth == 0) && (frequencyMasks == 0 || maximumFrequencyWidth == 0)
  }

  /// Checks the ranges; the error names the field.
  func validate() throws {
    for (name, value, limit) in [("timeMasks", timeMasks, 16), ("maximumTimeWidth", maximumTimeWidth, 1024),
                                 ("frequencyMasks", frequencyMasks, 16),
                                 ("maximumFrequencyWidth", maximumFrequencyWidth, 1024)] {
      guard value >= 0, value <= limit else {
        throw TrainingError("augmentation.masking.\(name)", "must be in 0...\(limit), got \(value)")
      }
    }
  }
}

/// Everything that defines a training run besides the network and the data.
public struct TrainingConfiguration: Hashable, Sendable, Codable {
  /// Passes over the training set (>= 1).
  public var epochs: Int
  /// Samples per mini-batch (>= 2, at most the training-set size). Each batch is split into two halves
  /// (`ceil(batchSize / 2)` and `floor(batchSize / 2)`) processed on the two cores. The last incomplete batch of an
  /// epoch is dropped (the shuffle changes every epoch, so every sample is still seen).
  public var batchSize: Int
  /// The update rule.
  public var optimizer: OptimizerKind
  /// Base learning rate (> 0), multiplied by the schedule's factor at every step.
  public var learningRate: Float
  /// Learning-rate schedule.
  public var schedule: LearningRateSchedule
  /// Weight decay of Conv2D/Dense weights.
  public var weightDecay: WeightDecay
  /// Image augmentation of training samples.
  public var augmentation: ImageAugmentation
  /// Label smoothing `s` in `0..<1`: the cross-entropy target is `(1 - s) * onehot + s / classes`.
  public var labelSmoothing: Float
  /// Weight of the new batch statistic in the BatchNorm running averages (PyTorch convention, in 0...1; Keras'
  /// momentum 0.99 is 0.01 here): `running = (1 - m) * running + m * batch`. The running variance is updated
  /// with the unbiased batch variance.
  public var batchNormMomentum: Float
  /// Seed of the generator that shuffles and augments (weight initialization is the caller's, before training).
  public var seed: UInt64
  /// Threads (1 or 2). Results are bit-identical for both: only the wall time changes (see `ShardExecution`).
  public var threads: Int

  /// Creates a configuration; defaults: SGD with Nesterov momentum 0.9, learning rate 0.05, cosine schedule with
  /// 1 warm-up epoch down to 0, L2 weight decay 5e-4, no augmentation, BatchNorm momentum 0.1, 2 threads.
  public init(epochs: Int, batchSize: Int = 128, optimizer: OptimizerKind = .sgdNesterov, learningRate: Float = 0.05,
              schedule: LearningRateSchedule = .cosine(warmupEpochs: 1, minimumFactor: 0),
              weightDecay: WeightDecay = .l2(5e-4), augmentation: ImageAugmentation = .none,
              labelSmoothing: Float = 0, batchNormMomentum: Float = 0.1, seed: UInt64 = 0, threads: Int = 2) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.learningRate = learningRate
    self.schedule = schedule
    self.weightDecay = weightDecay
    self.augmentation = augmentation
    self.labelSmoothing = labelSmoothing
    self.batchNormMomentum = batchNormMomentum
    self.seed = seed
    self.threads = threads
  }

  /// Checks every field; the error names the field and the accepted range.
  public func validate() throws {
    guard epochs >= 1, epochs <= 1_000_000 else { throw TrainingError("epochs", "must be in 1...1000000, got \(epochs)") }
    guard batchSize >= 2, batchSize <= 1 << 16 else { throw TrainingError("batchSize", "must be in 2...65536, got \(batchSize)") }
    guard learningRate.isFinite, learningRate > 0 else { throw TrainingError("learningRate", "must be finite and > 0, got \(learningRate)") }
    switch optimizer {
    case let .sgd(momentum, _):
      guard momentum >= 0, momentum < 1 else { throw TrainingError("optimizer.momentum", "must be in 0..<1, got \(momentum)") }
    case let .adam(beta1, beta2, epsilon):
      guard beta1 >= 0, beta1 < 1 else { throw TrainingError("optimizer.beta1", "must be in 0..<1, got \(beta1)") }
      guard beta2 >= 0, beta2 < 1 else { throw TrainingError("optimizer.beta2", "must be in 0..<1, got \(beta2)") }
      guard epsilon.isFinite, epsilon > 0 else { throw TrainingError("optimizer.epsilon", "must be finite and > 0, got \(epsilon)") }
    }
    try schedule.validate()
    switch weightDecay {
    case .none: break
    case .l2(let r), .decoupled(let r):
      guard r.isFinite, r >= 0, r < 1 else { throw TrainingError("weightDecay", "must be in 0..<1, got \(r)") }
    }
    guard augmentation.cropPadding >= 0, augmentation.cropPadding <= 64 else {
      throw TrainingError("augmentation.cropPadding", "must be in 0...64, got \(augmentation.cropPadding)")
    }
    try augmentation.masking.validate()
    guard labelSmoothing >= 0, labelSmoothing < 1 else { throw TrainingError("labelSmoothing", "must be in 0..<1, got \(labelSmoothing)") }
    guard batchNormMomentum >= 0, batchNormMomentum <= 1 else {
      throw TrainingError("batchNormMomentum", "must be in 0...1, got \(batchNormMomentum)")
    }
    guard threads == 1 || threads == 2 else { throw TrainingError("threads", "must be 1 or 2, got \(threads)") }
  }
}
