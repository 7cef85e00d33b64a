import Foundation
import Testing
@testable import NetworkTraining
import NetworkEngine
import PlatformSupport
import SeededRandom

struct TrainerTests {
  static func configuration(epochs: Int = 3, seed: UInt64 = 11, threads: Int = 1,
                            optimizer: OptimizerKind = .sgdNesterov, learningRate: Float = 0.05,
                            augmentation: ImageAugmentation = ImageAugmentation(cropPadding: 1, horizontalFlip: true)) -> TrainingConfiguration {
    TrainingConfiguration(epochs: epochs, batchSize: 32, optimizer: optimizer, learningRate: learningRate,
                          schedule: .cosine(warmupEpochs: 0.5, minimumFactor: 0.05), weightDecay: .l2(1e-4),
                          augmentation: augmentation, seed: seed, threads: threads)
  }

  @Test func tinyProblemLossFallsAndAccuracyRisesAboveChance() throws {
    let training = try TestSupport.patternImages(count: 256, seed: 1)
    let validation = try TestSupport.patternImages(count: 128, seed: 2)
    let network = try TestSupport.tinyNetwork(seed: 3)
    let trainer = try Trainer(network: network, training: training, validation: validation,
                              configuration: Self.configuration(epochs: 4, augmentation: .none))
    let before = try trainer.evaluate(validation)
    var reports: [EpochReport] = []
    let trained = try trainer.train { reports.append($0) }
    #expect(reports.count == 4)
    #expect(reports.map(\.epoch) == [1, 2, 3, 4])
    // Chance is 25% and ln 4 = 1.386 nats.
    #expect(reports.last!.trainingLoss < 0.5 * reports.first!.trainingLoss)
    #expect(reports.last!.trainingLoss < 0.6)
    #expect(reports.last!.validationAccuracy! > 0.8)
    #expect(before.accuracy < 0.5)
    #expect(reports.allSatisfy { $0.seconds >= 0 && $0.estimatedSecondsRemaining >= 0 })
    #expect(reports.last!.estimatedSecondsRemaining == 0)
    // The returned network keeps its BatchNorm (with learned running statistics) and the engine runs it.
    #expect(!trained.isFolded)
    let bn = trained.nodes.first { $0.name == "bn" }!
    #expect(bn.parameter(.mean)!.values.contains { $0 != 0 })
    #expect(trainer.history == reports)
  }

  @Test func sameSeedGivesIdenticalWeightsOnOneAndTwoThreads() throws {
    let training = try TestSupport.patternImages(count: 96, seed: 5)
    func run(seed: UInt64, threads: Int) throws -> [Float] {
      let trainer = try Trainer(network: try TestSupport.tinyNetwork(seed: 3), training: training,
                                configuration: Self.configuration(epochs: 2, seed: seed, threads: threads))
      return TestSupport.flatParameters(try trainer.train())
    }
    let a = try run(seed: 11, threads: 1)
    let b = try run(seed: 11, threads: 1)
    let c = try run(seed: 11, threads: 2)
    let d = try run(seed: 12, threads: 1)
    #expect(a == b)
    #expect(a == c)
    #expect(a != d)
  }

  @Test func checkpointResumeContinuesBitIdentically() throws {
    let training = try TestSupport.patternImages(count: 96, seed: 6)
    for optimizer in [OptimizerKind.sgdNesterov, .adam] {
      let config = Self.configuration(epochs: 3, optimizer: optimizer, learningRate: optimizer == .adam ? 0.01 : 0.05)
      let straight = try Trainer(network: try TestSupport.tinyNetwork(seed: 3), training: training, configuration: config)
      let expected = try straight.train()

      let first = try Trainer(network: try TestSupport.tinyNetwork(seed: 3), training: training, configuration: config)
      try first.trainEpoch()
      let state = first.exportState()
      #expect(state.completedEpochs == 1)
      #expect(state.randomState.count == 4)
      #expect(state.secondMoments.isEmpty == (optimizer != .adam))
      // A fresh trainer (different initial weights even) restored from the state continues the same run.
      let resumed = try Trainer(network: try TestSupport.tinyNetwork(seed: 99), training: training, configuration: config)
      try resumed.restore(state)
      #expect(resumed.completedEpochs == 1)
      let result = try resumed.train()
      #expect(TestSupport.flatParameters(result) == TestSupport.flatParameters(expected))
      #expect(resumed.history.count == 3)
    }
  }

  @Test func restoreRejectsMismatchedStates() throws {
    let training = try TestSupport.patternImages(count: 64, seed: 6)
    let trainer = try Trainer(network: try TestSupport.tinyNetwork(seed: 3), training: training,
                              configuration: Self.configuration(epochs: 2))
    let good = trainer.exportState()
    var wrongSize = good
    wrongSize.parameters[0].values.removeLast()
    var missing = good
    missing.parameters.removeLast()
    var unknown = good
    unknown.parameters[0].node = "nope"
    var notFinite = good
    notFinite.firstMoments[0].values[0] = .nan
    var badRandom = good
    badRandom.randomState = [0, 0, 0, 0]
    var tooFar = good
    tooFar.completedEpochs = 3
    var adamMoments = good
    adamMoments.secondMoments = good.firstMoments
    var version = good
    version.version = 2
    let cases: [(TrainingState, String)] = [(wrongSize, "parameters[0]"), (missing, "parameters"), (unknown, "parameters[0]"),
      (notFinite, "firstMoments[0]"), (badRandom, "randomState"), (tooFar, "completedEpochs"),
      (adamMoments, "secondMoments[0]"), (version, "version")]
    for (state, field) in cases {
      #expect { try trainer.restore(state) } throws: { ($0 as? TrainingError)?.field == field }
    }
    // Nothing was applied by the failed restores.
    try trainer.restore(good)
    #expect(trainer.exportState() == good)
  }

  @Test func invalidInputsAreRejectedWithTheFieldName() throws {
    let training = try TestSupport.patternImages(count: 64, seed: 6)
    let network = try TestSupport.tinyNetwork(seed: 3)
    func field(_ body: () throws -> Void) -> String? {
      do { try body(); return nil } catch { return (error as? TrainingError)?.field }
    }
    var c = Self.configuration()
    c.batchSize = 1
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "batchSize")
    c = Self.configuration(); c.batchSize = 128
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "training")
    c = Self.configuration(); c.threads = 3
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "threads")
    c = Self.configuration(); c.learningRate = .nan
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "learningRate")
    c = Self.configuration(); c.optimizer = .sgd(momentum: 1, nesterov: false)
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "optimizer.momentum")
    c = Self.configuration(); c.schedule = .step(everyEpochs: 0, factor: 0.1)
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "schedule.everyEpochs")
    c = Self.configuration(); c.augmentation.cropPadding = -1
    #expect(field { _ = try Trainer(network: network, training: training, configuration: c) } == "augmentation.cropPadding")
    let badLabels = try LabeledImages(shape: training.shape, preprocessed: Array(repeating: 0, count: 64 * 64),
                                      labels: Array(repeating: 4, count: 64))
    #expect(field { _ = try Trainer(network: network, training: badLabels, configuration: Self.configuration()) } == "training.labels[0]")
    let wrongShape = try LabeledImages(shape: TensorShape(height: 4, width: 4, channels: 1), preprocessed: Array(repeating: 0, count: 64 * 16),
                                       labels: Array(repeating: 0, count: 64))
    #expect(field { _ = try Trainer(network: network, training: wrongShape, configuration: Self.configuration()) } == "training")
    #expect(field { _ = try LabeledImages(shape: training.shape, preprocessed: [1, 2], labels: [0]) } == "pixels")
    #expect(field { _ = try LabeledImages(shape: training.shape, preprocessed: Array(repeating: 0, count: 64), labels: [-1]) } == "labels[0]")
    // A network whose output is not a Softmax cannot be trained with cross-entropy.
    var generator = Xoshiro256StarStar(seed: 1)
    var b = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 3))
    try b.dense("fc", outputs: 2, using: &generator)
    let noSoftmax = try b.build()
    let flat = try LabeledImages(shape: noSoftmax.inputShape, preprocessed: Array(repeating: 0, count: 3 * 4), labels: [0, 1, 0, 1])
    #expect(field { _ = try Trainer(network: noSoftmax, training: flat, configuration: TrainingConfiguration(epochs: 1, batchSize: 2)) } == "node 'fc'")
  }

  @Test func evaluationRejectsMismatchedImages() throws {
    let training = try TestSupport.patternImages(count: 64, seed: 6)
    let trainer = try Trainer(network: try TestSupport.tinyNetwork(seed: 3), training: training,
                              configuration: Self.configuration(epochs: 1))
    let wrongShape = try LabeledImages(shape: TensorShape(height: 2, width: 2, channels: 1), preprocessed: [0, 0, 0, 0], labels: [0])
    #expect { _ = try trainer.evaluate(wrongShape) } throws: { ($0 as? TrainingError)?.field == "images" }
    let badLabel = try LabeledImages(shape: training.shape, preprocessed: Array(repeating: 0, count: 64), labels: [9])
    #expect { _ = try trainer.evaluate(badLabel) } throws: { ($0 as? TrainingError)?.field == "labels[0]" }
    let empty = try trainer.evaluate(try LabeledImages(shape: training.shape, preprocessed: [], labels: []))
    #expect(empty.count == 0 && empty.accuracy == 0)
  }

  @Test func oversizedBatchesAreRefusedBeforeAllocating() throws {
    var generator = Xoshiro256StarStar(seed: 1)
    let network = try ReferenceArchitectures.resNet8(using: &generator)
    #expect { _ = try TrainingProgram(network: network, capacity: 30_000) } throws: { ($0 as? TrainingError)?.field == "batchSize" }
  }

  @Test func fittedPreprocessingNormalizesEachChannel() throws {
    // Two channels: channel 0 takes 0 and 255 equally often, channel 1 is constant 51.
    let raw: [UInt8] = [0, 51, 255, 51, 0, 51, 255, 51]
    let rule = try InputPreprocessing.fitted(to: raw, channels: 2)
    #expect(abs(rule.mean[0] - 0.5) < 1e-6 && abs(rule.standardDeviation[0] - 0.5) < 1e-6)
    #expect(abs(rule.mean[1] - 0.2) < 1e-6 && rule.standardDeviation[1] == 1)
    let x = rule.apply(raw, channels: 2)
    #expect(x[0] == -1 && x[2] == 1 && abs(x[1]) < 1e-6)
    #expect(throws: TrainingError.self) { _ = try InputPreprocessing.fitted(to: [1, 2, 3], channels: 2) }
    #expect(throws: TrainingError.self) { _ = try InputPreprocessing.fitted(to: [1, 2], channels: 2, scale: 0) }
  }

  @Test func inferenceModeMatchesTheEngineFloatReference() throws {
    // Train briefly so that the BatchNorm running statistics are non-trivial, then compare the trainer's
    // inference-mode evaluation with the engine's FloatPlan (which folds BatchNorm) on the same images.
    let training = try TestSupport.patternImages(count: 64, seed: 8)
    let trainer = try Trainer(network: try TestSupport.tinyNetwork(seed: 4), training: training,
                              configuration: Self.configuration(epochs: 1))
    let network = try trainer.train()
    let plan = try FloatPlan(network: network)
    let test = try TestSupport.patternImages(count: 16, seed: 9)
    guard case .preprocessed(let pixels) = test.pixels else { Issue.record("expected floats"); return }
    var engineCorrect = 0
    var engineLoss = 0.0
    for i in 0..<test.count {
      let p = plan.run(Array(pixels[(i * 64)..<((i + 1) * 64)]))
      let best = p.indices.max { p[$0] < p[$1] }!
      if best == test.labels[i] { engineCorrect += 1 }
      engineLoss -= LibM.log(Double(p[test.labels[i]]))
    }
    let evaluation = try trainer.evaluate(test)
    #expect(evaluation.correct == engineCorrect)
    #expect(abs(evaluation.loss - engineLoss / 16) < 1e-3)
  }

  @Test func runningStatisticsFollowTheMomentumRule() throws {
    // One batch with momentum 1 sets the running mean to the batch mean and the running variance to the unbiased
    // batch variance of the BatchNorm input.
    var generator = Xoshiro256StarStar(seed: 2)
    var b = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 2))
    b.batchNorm("bn", epsilon: 0)
    try b.dense("fc", outputs: 2, using: &generator)
    try b.add("softmax", .softmax)
    let network = try b.build()
    let images = try LabeledImages(shape: network.inputShape, preprocessed: [1, 10, 2, 20, 3, 30, 6, 40], labels: [0, 1, 0, 1])
    var config = TrainingConfiguration(epochs: 1, batchSize: 4, schedule: .constant, weightDecay: .none)
    config.batchNormMomentum = 1
    let trainer = try Trainer(network: network, training: images, configuration: config)
    let trained = try trainer.train()
    let bn = trained.nodes.first { $0.name == "bn" }!
    #expect(bn.parameter(.mean)!.values == [3, 25])
    // channel 0: deviations -2, -1, 0, 3 -> 14 / 3; channel 1: -15, -5, 5, 15 -> 500 / 3.
    let variance = bn.parameter(.variance)!.values
    #expect(abs(variance[0] - 14.0 / 3) < 1e-5 && abs(variance[1] - 500.0 / 3) < 1e-3)
  }

  @Test func rawPixelsArePreprocessedExactlyLikeTheEngine() throws {
    let rule = InputPreprocessing(scale: 1 / 255, mean: [0.5, 0.25], standardDeviation: [0.2, 0.4])
    let raw: [UInt8] = [0, 255, 17, 128, 200, 3, 99, 1]
    let images = try LabeledImages(shape: TensorShape(height: 2, width: 2, channels: 2), raw: raw, preprocessing: rule, labels: [0])
    var out = [Float](repeating: 0, count: 8)
    out.withUnsafeMutableBufferPointer { images.write(0, transform: .identity, decoder: PixelDecoder(rule, channels: 2), to: $0.baseAddress!) }
    #expect(out == rule.apply(raw, channels: 2))
  }

  @Test func subsetsKeepPixelsAndLabelsTogether() throws {
    let floats = try LabeledImages(shape: TensorShape(height: 1, width: 2, channels: 1), preprocessed: [1, 2, 3, 4, 5, 6], labels: [7, 8, 9])
    let picked = try floats.subset([2, 0])
    guard case .preprocessed(let values) = picked.pixels else { Issue.record("expected floats"); return }
    #expect(values == [5, 6, 1, 2] && picked.labels == [9, 7])
    let raw = try LabeledImages(shape: TensorShape(height: 1, width: 1, channels: 2), raw: [1, 2, 3, 4],
                                preprocessing: .identity, labels: [0, 1])
    guard case .raw(let bytes, _) = try raw.subset([1]).pixels else { Issue.record("expected raw"); return }
    #expect(bytes == [3, 4])
    #expect { _ = try raw.subset([2]) } throws: { ($0 as? TrainingError)?.field == "indices[0]" }
  }

  @Test func augmentationShiftsWithZeroFillAndFlips() throws {
    // 3x3, one channel, values 1...9 (row-major).
    let images = try LabeledImages(shape: TensorShape(height: 3, width: 3, channels: 1), preprocessed: (1...9).map(Float.init), labels: [0])
    func apply(_ t: SampleTransform) -> [Float] {
      var out = [Float](repeating: -1, count: 9)
      out.withUnsafeMutableBufferPointer { images.write(0, transform: t, decoder: nil, to: $0.baseAddress!) }
      return out
    }
    #expect(apply(.identity) == (1...9).map(Float.init))
    #expect(apply(SampleTransform(shiftY: 1, shiftX: 0, flip: false)) == [0, 0, 0, 1, 2, 3, 4, 5, 6])
    #expect(apply(SampleTransform(shiftY: 0, shiftX: -1, flip: false)) == [2, 3, 0, 5, 6, 0, 8, 9, 0])
    #expect(apply(SampleTransform(shiftY: 0, shiftX: 0, flip: true)) == [3, 2, 1, 6, 5, 4, 9, 8, 7])
    #expect(apply(SampleTransform(shiftY: -1, shiftX: 1, flip: true)) == [0, 6, 5, 0, 9, 8, 0, 0, 0])
    // Raw data pads with the preprocessed value of a raw 0.
    let rule = InputPreprocessing(scale: 1, mean: [2], standardDeviation: [4])
    let raw = try LabeledImages(shape: TensorShape(height: 1, width: 2, channels: 1), raw: [10, 20], preprocessing: rule, labels: [0])
    var out = [Float](repeating: 0, count: 2)
    out.withUnsafeMutableBufferPointer {
      raw.write(0, transform: SampleTransform(shiftY: 0, shiftX: 1, flip: false), decoder: PixelDecoder(rule, channels: 1), to: $0.baseAddress!)
    }
    #expect(out == [-0.5, 2])
    // Draws stay within the padding, and both flips occur.
    var generator = Xoshiro256StarStar(seed: 4)
    let draws = (0..<400).map { _ in SampleTransform.draw(ImageAugmentation(cropPadding: 2, horizontalFlip: true), height: 3, width: 3, using: &generator)
    }
    #expect(Set(draws.map(\.shiftY)) == [-2, -1, 0, 1, 2])
    #expect(Set(draws.map(\.shiftX)) == [-2, -1, 0, 1, 2])
    #expect(draws.contains { $0.flip } && draws.contains { !$0.flip })
    #expect(draws.allSatisfy { $0.maskedRows.isEmpty && $0.maskedColumns.isEmpty })
  }

  @Test func spectrogramMaskingZeroesRowAndColumnBandsAfterTheShift() throws {
    // 3 rows (time) x 4 columns (frequency) x 2 channels, values 1...24.
    let images = try LabeledImages(shape: TensorShape(height: 3, width: 4, channels: 2), preprocessed: (1...24).map(Float.init), labels: [0])
    func apply(_ t: SampleTransform) -> [Float] {
      var out = [Float](repeating: -1, count: 24)
      out.withUnsafeMutableBufferPointer { images.write(0, transform: t, decoder: nil, to: $0.baseAddress!) }
      return out
    }
    var t = SampleTransform()
    t.maskedRows = [1..<2]
    t.maskedColumns = [2..<4]
    #expect(apply(t) == [1, 2, 3, 4, 0, 0, 0, 0,
                         0, 0, 0, 0, 0, 0, 0, 0,
                         17, 18, 19, 20, 0, 0, 0, 0])
    t.shiftY = 1  // masks apply to the shifted image: row 0 is the zero fill, row 2 holds the old row 1
    t.maskedColumns = []
    #expect(apply(t) == [0, 0, 0, 0, 0, 0, 0, 0,
                         0, 0, 0, 0, 0, 0, 0, 0,
                         9, 10, 11, 12, 13, 14, 15, 16])
    // Draws: every width in 0...maximum occurs, bands stay inside, widths clamp to the extent, and the count holds.
    var generator = Xoshiro256StarStar(seed: 9)
    let masking = SpectrogramMasking(timeMasks: 2, maximumTimeWidth: 3, frequencyMasks: 1, maximumFrequencyWidth: 9)
    var rowWidths = Set<Int>(), columnWidths = Set<Int>()
    for _ in 0..<500 {
      let d = SampleTransform.draw(ImageAugmentation(masking: masking), height: 10, width: 4, using: &generator)
      #expect(d.shiftX == 0 && d.shiftY == 0 && !d.flip)
      #expect(d.maskedRows.count <= 2 && d.maskedColumns.count <= 1)
      #expect(d.maskedRows.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= 10 && !$0.isEmpty })
      #expect(d.maskedColumns.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= 4 && !$0.isEmpty })
      rowWidths.formUnion(d.maskedRows.map(\.count))
      columnWidths.formUnion(d.maskedColumns.map(\.count))
    }
    #expect(rowWidths == [1, 2, 3] && columnWidths == [1, 2, 3, 4])
    // Validation names the field; older encodings without `masking` decode to no masking and encode the same.
    var configuration = TrainingConfiguration(epochs: 1, augmentation: ImageAugmentation(masking: SpectrogramMasking(timeMasks: 17)))
    #expect { try configuration.validate() } throws: { ($0 as? TrainingError)?.field == "augmentation.masking.timeMasks" }
    configuration.augmentation = ImageAugmentation(cropPadding: 1)
    let old = try JSONDecoder().decode(ImageAugmentation.self, from: Data(#"{"cropPadding":1,"horizontalFlip":false}"#.utf8))
    #expect(old == configuration.augmentation && old.masking == .none)
    #expect(String(decoding: try JSONEncoder().encode(old), as: UTF8.self).contains("masking") == false)
    let masked = ImageAugmentation(masking: masking)
    #expect(try JSONDecoder().decode(ImageAugmentation.self, from: try JSONEncoder().encode(masked)) == masked)
  }
}
