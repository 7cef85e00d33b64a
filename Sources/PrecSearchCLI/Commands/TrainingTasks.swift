import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import SeededRandom

/// The reference models `precsearch train` knows. Each case's whole definition (data, splits, input, classes,
/// network, augmentation, hyper-parameters) is one `TrainingTaskDefinition` in `definition`; to add a task, add a
/// case and its definition.
enum TrainingTask: String, CaseIterable, Sendable {
  /// LeNet-style ConvNet on Fashion-MNIST (28x28x1, 10 classes, about 0.85 M MACs).
  case fashion
  /// ResNet-8 (MLPerf Tiny) on CIFAR-10 (32x32x3, 10 classes, about 12.5 M MACs).
  case cifar10
  /// mini-Xception on FER2013 (48x48x1, 7 expression classes, 5.5 M MACs).
  case fer
  /// DS-CNN (MLPerf Tiny) on synthetic keyword-spotting clips (49x10x1 MFCC, 12 classes, 2.66 M MACs; KWSTraining.swift).
  case kws
  /// DS-CNN on real speech in MLPerf Tiny's classes and front-end, tested on MLPerf Tiny's test set (KWSTraining.swift).
  case kwsReal = "kws-real"

  /// The task's definition.
  var definition: TrainingTaskDefinition {
    switch self {
    case .fashion: return .fashion
    case .cifar10: return .cifar10
    case .fer: return .fer
    case .kws: return .kws
    case .kwsReal: return .kwsReal
    }
  }

  var dataName: String { definition.dataName }
  var architectureName: String { definition.architectureName }
  var modelDescription: String { definition.modelDescription }
  var defaultEpochs: Int { definition.defaultEpochs }
  var inputShape: TensorShape { definition.inputShape }
  var format: ImageDatasetFormat { definition.format }
  var classNames: [String] { definition.classNames }


  /// The task's network, initialized from `generator`.
  func makeNetwork(using generator: inout Xoshiro256StarStar) throws -> Network {
    try definition.recipe.makeNetwork(&generator)
  }

  /// The task's hyper-parameters with the command line's epochs, batch size, seed and threads.
  func configuration(epochs: Int, batchSize: Int, seed: UInt64, threads: Int) -> TrainingConfiguration {
    definition.configuration(epochs: epochs, batchSize: batchSize, seed: seed, threads: threads)
  }
}

/// Where a task's validation images come from.
enum ValidationSource: Hashable, Sendable {
  /// Held out of the published training split by `seededStratified(perClass: --validation-per-class, seed: 1)`
  /// (IDX, CIFAR-10: they publish no validation split).
  case heldOut
  /// The validation split the data set is published with (FER2013's `PublicTest`); nothing is held out.
  case published
}

/// Everything that defines a training task, in one place: where its data comes from (data set, format, splits) and
/// its `TrainingRecipe` (input shape, classes, network and hyper-parameters, docs/training.md).
struct TrainingTaskDefinition: Sendable {
  /// The data set's name in provenance and reports (`fashion-mnist`).
  var dataName: String
  /// What `--data` must hold, for help texts and errors ("Fashion-MNIST IDX files (train-* and t10k-*)").
  var dataDescription: String
  /// The on-disk format `--data` must hold.
  var format: ImageDatasetFormat
  /// Where the validation images come from.
  var validation: ValidationSource
  /// What is trained: network, input, classes, hyper-parameters (`TrainingRun` trains it).
  var recipe: TrainingRecipe

  /// A definition from its data fields and the fields of its recipe (see `TrainingRecipe`).
  init(dataName: String, dataDescription: String, format: ImageDatasetFormat, validation: ValidationSource,
       inputShape: TensorShape, classNames: [String], architectureName: String, modelDescription: String,
       makeNetwork: @escaping @Sendable (inout Xoshiro256StarStar) throws -> Network, defaultEpochs: Int,
       learningRate: Float, weightDecay: Float = 5e-4, augmentation: ImageAugmentation, labelSmoothing: Float = 0,
       audioFrontEnd: AudioFrontEnd? = nil) {
    self.dataName = dataName
    self.dataDescription = dataDescription
    self.format = format
    self.validation = validation
    recipe = TrainingRecipe(inputShape: inputShape, classNames: classNames, architectureName: architectureName,
                            modelDescription: modelDescription, makeNetwork: makeNetwork, defaultEpochs: defaultEpochs,
                            learningRate: learningRate, weightDecay: weightDecay, augmentation: augmentation,
                            labelSmoothing: labelSmoothing, audioFrontEnd: audioFrontEnd)
  }

  /// Shape of one input image.
  var inputShape: TensorShape { recipe.inputShape }
  /// Class names, in label order.
  var classNames: [String] { recipe.classNames }
  /// Architecture, for reports and provenance.
  var architectureName: String { recipe.architectureName }
  /// The model file's description.
  var modelDescription: String { recipe.modelDescription }
  /// Epochs when `--epochs` is not given.
  var defaultEpochs: Int { recipe.defaultEpochs }
  /// The training images' augmentation.
  var augmentation: ImageAugmentation { recipe.augmentation }
  /// The audio front-end the model file records.
  var audioFrontEnd: AudioFrontEnd? { recipe.audioFrontEnd }

  /// The training configuration with the command line's epochs, batch size, seed and threads.
  func configuration(epochs: Int, batchSize: Int, seed: UInt64, threads: Int) -> TrainingConfiguration {
    recipe.configuration(epochs: epochs, batchSize: batchSize, seed: seed, threads: threads)
  }

  /// LeNet on Fashion-MNIST.
  static let fashion = TrainingTaskDefinition(
    dataName: "fashion-mnist", dataDescription: "Fashion-MNIST IDX files (train-* and t10k-*)", format: .idx,
    validation: .heldOut, inputShape: TensorShape(height: 28, width: 28, channels: 1),
    classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    architectureName: "LeNet (ReferenceArchitectures.leNet)",
    modelDescription: "LeNet-style ConvNet trained on Fashion-MNIST by precsearch train",
    makeNetwork: { try ReferenceArchitectures.leNet(classes: 10, using: &$0) },
    defaultEpochs: 30, learningRate: 0.05, augmentation: ImageAugmentation(cropPadding: 2, horizontalFlip: true))

  /// ResNet-8 on CIFAR-10.
  static let cifar10 = TrainingTaskDefinition(
    dataName: "cifar10",
    dataDescription: "CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin, possibly in cifar-10-batches-bin/)",
    format: .cifar10Binary, validation: .heldOut, inputShape: TensorShape(height: 32, width: 32, channels: 3),
    classNames: CIFAR10Reader.classNames,
    architectureName: "ResNet-8 (ReferenceArchitectures.resNet8)",
    modelDescription: "ResNet-8 (MLPerf Tiny) trained on CIFAR-10 by precsearch train",
    makeNetwork: { try ReferenceArchitectures.resNet8(classes: 10, using: &$0) },
    defaultEpochs: 40, learningRate: 0.1, augmentation: ImageAugmentation(cropPadding: 4, horizontalFlip: true))

  /// mini-Xception on FER2013: validation is the published PublicTest split, test the PrivateTest split
  /// (docs/training.md explains the hyper-parameters).
  static let fer = TrainingTaskDefinition(
    dataName: "fer2013",
    dataDescription: "FER2013 record files (train.bin, publictest.bin, privatetest.bin) or the Kaggle fer2013.csv",
    format: .fer2013, validation: .published, inputShape: TensorShape(height: 48, width: 48, channels: 1),
    classNames: FER2013Reader.classNames,
    architectureName: "mini-Xception (ReferenceArchitectures.miniXception)",
    modelDescription: "mini-Xception trained on FER2013 (facial expressions) by precsearch train",
    makeNetwork: { try ReferenceArchitectures.miniXception(classes: 7, using: &$0) },
    defaultEpochs: 60, learningRate: 0.1, augmentation: ImageAugmentation(cropPadding: 4, horizontalFlip: true),
    labelSmoothing: 0.1)
}
