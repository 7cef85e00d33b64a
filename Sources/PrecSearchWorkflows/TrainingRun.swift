import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import SeededRandom

/// What a training task trains, apart from where its data comes from: the network, its input and classes, and the
/// hyper-parameters (docs/training.md). `precsearch train` keeps a registry of recipes, one per task; a test passes
/// a tiny one of its own to `TrainingRun`, which trains whatever recipe it is given.
public struct TrainingRecipe: Sendable {
  /// Shape of one input image.
  public var inputShape: TensorShape
  /// Class names, in label order.
  public var classNames: [String]
  /// Architecture, for reports and provenance.
  public var architectureName: String
  /// The model file's description.
  public var modelDescription: String
  /// Builds the randomly initialized network.
  public var makeNetwork: @Sendable (inout Xoshiro256StarStar) throws -> Network
  /// Epochs when the caller gives none.
  public var defaultEpochs: Int
  /// Base learning rate of SGD with Nesterov momentum 0.9 (cosine schedule after one warm-up epoch).
  public var learningRate: Float
  /// L2 weight decay of Conv2D and Dense weights.
  public var weightDecay: Float
  /// Random crop (shift), horizontal flip and spectrogram masking of the training images.
  public var augmentation: ImageAugmentation
  /// Label smoothing of the cross-entropy targets.
  public var labelSmoothing: Float
  /// The audio front-end the model file records (`audioFrontEnd`), for models that read WAV clips; nil: none.
  public var audioFrontEnd: AudioFrontEnd?

  /// Creates a recipe.
  public init(inputShape: TensorShape, classNames: [String], architectureName: String, modelDescription: String,
              makeNetwork: @escaping @Sendable (inout Xoshiro256StarStar) throws -> Network, defaultEpochs: Int,
              learningRate: Float, weightDecay: Float = 5e-4, augmentation: ImageAugmentation,
              labelSmoothing: Float = 0, audioFrontEnd: AudioFrontEnd? = nil) {
    self.inputShape = inputShape
    self.classNames = classNames
    self.architectureName = architectureName
    self.modelDescription = modelDescription
    self.makeNetwork = makeNetwork
    self.defaultEpochs = defaultEpochs
    self.learningRate = learningRate
    self.weightDecay = weightDecay
    self.augmentation = augmentation
    self.labelSmoothing = labelSmoothing
    self.audioFrontEnd = audioFrontEnd
  }

  /// The training configuration with the run's epochs, batch size, seed and threads: SGD with Nesterov momentum,
  /// a cosine schedule after one warm-up epoch, L2 weight decay, BatchNorm momentum 0.1.
  public func configuration(epochs: Int, batchSize: Int, seed: UInt64, threads: Int) -> TrainingConfiguration {
    TrainingConfiguration(
      epochs: epochs, batchSize: batchSize, optimizer: .sgdNesterov, learningRate: learningRate,
      schedule: .cosine(warmupEpochs: 1, minimumFactor: 0), weightDecay: .l2(weightDecay), augmentation: augmentation,
      labelSmoothing: labelSmoothing, batchNormMomentum: 0.1, seed: seed, threads: threads)
  }
}

/// One training run of `precsearch train` as a library call (issue #17): the network of a recipe initialized from
/// the seed, the epoch loop with the caller's hook after every epoch (progress, checkpoints) and an optional stop,
/// and the model file of the result with activation ranges calibrated on inputs the caller chooses. Files, data
/// loading, progress text and provenance stay with the caller; the same inputs give the same model.
public final class TrainingRun {
  /// The recipe trained.
  public let recipe: TrainingRecipe
  /// The trainer (its state is what a checkpoint saves).
  public let trainer: Trainer

  /// Initializes the recipe's network from `seed` (`Xoshiro256StarStar`) and prepares a trainer over `training`,
  /// validating on `validation` after every epoch.
  ///
  /// - Throws: `TrainingError` when the network, data or configuration do not fit together.
  public init(recipe: TrainingRecipe, training: LabeledImages, validation: LabeledImages,
              configuration: TrainingConfiguration) throws {
    self.recipe = recipe
    var initialization = Xoshiro256StarStar(seed: configuration.seed)
    let network = try recipe.makeNetwork(&initialization)
    trainer = try Trainer(network: network, training: training, validation: validation, configuration: configuration)
  }

  /// Continues from a saved trainer state (`Trainer.exportState()` of an earlier run with the same inputs).
  public func resume(from state: TrainingState) throws { try trainer.restore(state) }

  /// How `train` ended.
  public enum Outcome: Equatable, Sendable {
    /// Every epoch of the configuration ran.
    case finished
    /// The run stopped after epoch `stopAfter`, before the last one.
    case stopped(afterEpoch: Int)
  }

  /// Trains the remaining epochs, calling `afterEpoch` with each epoch's report once the epoch is done (the
  /// trainer's state is then the epoch's end, ready to be saved). With `stopAfter`, returns after that epoch
  /// when it comes before the last one.
  public func train(stopAfter: Int? = nil, afterEpoch: (EpochReport) throws -> Void) throws -> Outcome {
    let epochs = trainer.configuration.epochs
    while trainer.completedEpochs < epochs {
      try afterEpoch(try trainer.trainEpoch())
      if let stopAfter, trainer.completedEpochs >= stopAfter, trainer.completedEpochs < epochs {
        return .stopped(afterEpoch: trainer.completedEpochs)
      }
    }
    return .finished
  }

  /// The trained network as a model file: its `preprocessing`, the recipe's classes and audio front-end, and
  /// activation ranges calibrated on `calibrationInputs` (preprocessed training inputs, never the test split)
  /// through the float reference. Metrics and provenance are the caller's to add.
  public func modelFile(name: String, preprocessing: InputPreprocessing,
                        calibrationInputs: [[Float]]) throws -> ModelFile {
    let network = try trainer.network()
    let ranges = ActivationRanges(observing: try FloatPlan(network: network), inputs: calibrationInputs)
    var model = ModelFile(name: name, description: recipe.modelDescription, network: network,
                          preprocessing: preprocessing, labels: recipe.classNames, activationRanges: ranges)
    model.audioFrontEnd = recipe.audioFrontEnd
    return model
  }
}
