import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchTestSupport
import PrecSearchWorkflows
import SeededRandom
import Testing

/// `TrainingRun` with a recipe of the test's own (a 1-conv network on 8x8 patterns, trained in well under a second):
/// it learns, it is deterministic, a stopped and resumed run gives the uninterrupted run's network, and its model
/// file carries the recipe's classes, front-end and calibrated ranges.
struct TrainingRunTests {
  /// conv 3x3x4 + BatchNorm + ReLU, 2x2 max pool, flatten, dense 4, softmax on 8x8x1.
  static let recipe = TrainingRecipe(
    inputShape: TensorShape(height: 8, width: 8, channels: 1), classNames: ["bar", "column", "diagonal", "square"],
    architectureName: "tiny", modelDescription: "a tiny test network",
    makeNetwork: { generator in
      var b = NetworkBuilder(input: TensorShape(height: 8, width: 8, channels: 1))
      try b.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &generator)
      b.batchNorm("bn")
      try b.add("relu", .relu)
      try b.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
      try b.add("flatten", .flatten)
      try b.dense("fc", outputs: 4, using: &generator)
      try b.add("softmax", .softmax)
      return try b.build()
    },
    defaultEpochs: 3, learningRate: 0.05, augmentation: .none, audioFrontEnd: .mlperfTiny)

  static func patterns(count: Int, seed: UInt64) throws -> LabeledImages {
    let (pixels, labels) = PatternImages.pixels(count: count, seed: seed)
    return try LabeledImages(shape: TensorShape(height: 8, width: 8, channels: 1), preprocessed: pixels, labels: labels)
  }

  static func makeRun(seed: UInt64 = 7, epochs: Int = 3) throws -> TrainingRun {
    try TrainingRun(recipe: recipe, training: try patterns(count: 192, seed: 1), validation: try patterns(count: 64, seed: 2),
                    configuration: recipe.configuration(epochs: epochs, batchSize: 32, seed: seed, threads: 1))
  }

  static func parameters(_ network: Network) -> [Float] {
    network.nodes.flatMap { node in node.parameters.sorted { $0.role.rawValue < $1.role.rawValue }.flatMap(\.values) }
  }

  @Test func learnsAndReportsEveryEpoch() throws {
    let run = try Self.makeRun()
    var reports: [EpochReport] = []
    let outcome = try run.train { reports.append($0) }
    #expect(outcome == .finished)
    #expect(reports.map(\.epoch) == [1, 2, 3])
    // Chance is 25%.
    #expect((reports.last?.validationAccuracy ?? 0) > 0.7)
  }

  @Test func sameSeedSameNetworkOtherSeedAnother() throws {
    let a = try Self.makeRun(seed: 7), b = try Self.makeRun(seed: 7), c = try Self.makeRun(seed: 8)
    for run in [a, b, c] { _ = try run.train { _ in } }
    #expect(Self.parameters(try a.trainer.network()) == Self.parameters(try b.trainer.network()))
    #expect(Self.parameters(try a.trainer.network()) != Self.parameters(try c.trainer.network()))
  }

  @Test func stoppedAndResumedRunGivesTheUninterruptedNetwork() throws {
    let whole = try Self.makeRun()
    _ = try whole.train { _ in }
    let first = try Self.makeRun()
    var epochs: [Int] = []
    let outcome = try first.train(stopAfter: 1) { epochs.append($0.epoch) }
    #expect(outcome == .stopped(afterEpoch: 1))
    #expect(epochs == [1])
    let second = try Self.makeRun()
    try second.resume(from: first.trainer.exportState())
    let rest = try second.train { epochs.append($0.epoch) }
    #expect(rest == .finished)
    #expect(epochs == [1, 2, 3])
    #expect(Self.parameters(try second.trainer.network()) == Self.parameters(try whole.trainer.network()))
    // A stop at or after the last epoch is no stop.
    #expect(try Self.makeRun().train(stopAfter: 3) { _ in } == .finished)
  }

  @Test func modelFileCarriesTheRecipeAndCalibratedRanges() throws {
    let run = try Self.makeRun(epochs: 1)
    _ = try run.train { _ in }
    let preprocessing = InputPreprocessing(scale: 1, mean: [0], standardDeviation: [1])
    let calibration = PatternImages.pixels(count: 16, seed: 3).pixels
    let inputs = (0..<16).map { Array(calibration[($0 * 64)..<(($0 + 1) * 64)]) }
    let model = try run.modelFile(name: "tiny", preprocessing: preprocessing, calibrationInputs: inputs)
    #expect(model.labels == Self.recipe.classNames)
    #expect(model.audioFrontEnd == .mlperfTiny)
    #expect(model.description == "a tiny test network")
    let ranges = try #require(model.activationRanges)
    #expect(ranges.sampleCount == 16)
    #expect(ranges.ranges.contains { $0.maxMagnitude > 0 })
  }
}
