import Dispatch
import EnergyModel
import MultiObjectiveSearch
import NetworkEngine
@testable import PrecisionSearch
import SeededRandom

/// SplitMix64 (SeededRandom) for repeatable test data.
typealias TestGenerator = SplitMix64

/// A pool that really runs its workers on several threads (results must not depend on it).
struct ThreadedPool: WorkerPool {
  let workerCount: Int
  func run(_ body: @Sendable (Int) -> Void) {
    DispatchQueue.concurrentPerform(iterations: workerCount, execute: body)
  }
}

/// A tiny precision problem, fast in debug builds: a 6x6x1 input, conv 3x3x4 (same) + ReLU + 2x2 max pool,
/// Dense 8 + ReLU, Dense 4, Softmax (about 1,600 MACs, three weighted layers `conv`, `hidden`, `out`), with
/// random weights; the labels of the random images are the float network's own predictions, so accuracy is
/// near 100 % at 16 bits and falls as widths shrink.
enum TinyProblem {
  static let layerNames = ["conv", "hidden", "out"]

  static func network(seed: UInt64 = 3) throws -> Network {
    var generator = TestGenerator(seed: seed)
    var builder = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 1))
    try builder.conv("conv", Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3), using: &generator)
    try builder.add("relu1", .relu)
    try builder.add("pool", .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2)))
    try builder.add("flatten", .flatten)
    try builder.dense("hidden", outputs: 8, using: &generator)
    try builder.add("relu2", .relu)
    try builder.dense("out", outputs: 4, using: &generator)
    try builder.add("softmax", .softmax)
    return try builder.build()
  }

  /// Random inputs in [-1, 1] labelled by the float network.
  static func data(network: Network, count: Int, seed: UInt64) throws -> (inputs: [[Float]], labels: [Int]) {
    var generator = TestGenerator(seed: seed)
    let plan = try FloatPlan(network: network)
    let inputs = (0..<count).map { _ in (0..<36).map { _ in Float.random(in: -1...1, using: &generator) } }
    let labels = inputs.map { input -> Int in
      let scores = plan.run(input)
      return scores.indices.max { scores[$0] < scores[$1] } ?? 0
    }
    return (inputs, labels)
  }

  static func model(seed: UInt64 = 3) throws -> FixedPointModel {
    let network = try network(seed: seed)
    let calibration = try data(network: network, count: 32, seed: seed &+ 1000).inputs
    return try FixedPointModel(network: network, calibrationInputs: calibration)
  }

  static func split(model: FixedPointModel, count: Int = 160, seed: UInt64 = 11) throws -> EvaluationSplit {
    let (inputs, labels) = try data(network: try network(), count: count, seed: seed)
    return try EvaluationSplit(inputs: inputs, labels: labels, inputShape: model.network.inputShape, classCount: 4)
  }

  /// The model and the 400 images the evaluators use, made once.
  static let shared: (model: FixedPointModel, split: EvaluationSplit) = {
    let model = try! TinyProblem.model()
    return (model, try! TinyProblem.split(model: model, count: 400))
  }()

  static func evaluator(workers: any WorkerPool = SerialWorkerPool(),
                        screening: ScreeningSettings = ScreeningSettings(chunkCount: 4, rule: .exact),
                        images: Int = 160) throws -> PrecisionEvaluator {
    try PrecisionEvaluator(model: shared.model, split: shared.split.prefix(images),
                           estimator: EnergyEstimator(presetNamed: "horowitz45-bitwise"), workers: workers,
                           screening: screening)
  }

  /// Every configuration of a small grid: each layer's weight and activation bits in `bits`.
  static func grid(_ bits: [Int]) -> [PrecisionConfiguration] {
    var result: [PrecisionConfiguration] = [PrecisionConfiguration(layers: [])]
    for _ in 0..<3 {
      result = result.flatMap { partial in
        bits.flatMap { w in bits.map { a in PrecisionConfiguration(layers: partial.layers + [LayerPrecision(weightBits: w, activationBits: a)]) } }
      }
    }
    return result
  }
}

/// The configurations of `measurements` not dominated by any other (energy down, correct count up).
func nonDominated(_ measurements: [(PrecisionConfiguration, PrecisionMeasurement)]) -> [PrecisionConfiguration] {
  measurements.filter { candidate in
    !measurements.contains { other in
      other.1.energyPicojoules <= candidate.1.energyPicojoules && other.1.correct >= candidate.1.correct
        && (other.1.energyPicojoules < candidate.1.energyPicojoules || other.1.correct > candidate.1.correct)
    }
  }.map(\.0)
}
