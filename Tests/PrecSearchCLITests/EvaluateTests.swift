import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI

@Suite struct EvaluateTests {
  /// The class the float reference picks for every image of `data`.
  static func floatPredictions(_ model: ModelFile, _ data: LoadedDataset) throws -> [Int] {
    let plan = try FloatPlan(network: model.network)
    return (0..<data.images.count).map {
      FixedPointEvaluation.argmax(plan.run(model.preprocessing.apply(data.images.image($0), channels: 1)))
    }
  }

  static func evaluate(_ model: ModelFile, _ configuration: PrecisionConfiguration, _ data: LoadedDataset,
                       kernels: KernelVariant = .optimized, limit: Int? = nil) throws -> FixedPointEvaluation {
    try FixedPointEvaluation.run(model: model, ranges: model.activationRanges!, configuration: configuration, kernels: kernels,
                       data: data, limit: limit, dataDescription: "fixture")
  }

  @Test func countsMatchASequentialRunAndTheFloatAccuracyIsExact() throws {
    let model = try Fixtures.tinyModel()
    var data = try Fixtures.images(count: 20, seed: 7)
    let floatClasses = try Self.floatPredictions(model, data)
    // Even images get the float reference's class, odd ones another class: float accuracy is exactly 50%.
    let labels = floatClasses.enumerated().map { i, c in i % 2 == 0 ? c : (c + 1) % 10 }
    data = try Fixtures.relabeled(data, labels)
    let configuration = try PrecisionConfiguration(weightBits: [8, 6, 4], activationBits: [8, 6, 4])
    let evaluation = try Self.evaluate(model, configuration, data)
    #expect(evaluation.evaluatedImages == 20 && evaluation.availableImages == 20)
    #expect(evaluation.floatCorrect == 10)
    // Independent sequential run of the integer engine with the reference kernels.
    let plan = try IntegerPlan(model: FixedPointModel(network: model.network, ranges: model.activationRanges!),
                               configuration: configuration, kernels: .reference)
    let fixedClasses = (0..<20).map {
      FixedPointEvaluation.argmax(plan.run(model.preprocessing.apply(data.images.image($0), channels: 1)))
    }
    #expect(evaluation.fixedPointCorrect == zip(fixedClasses, labels).filter { $0 == $1 }.count)
    #expect(evaluation.agreeing == zip(fixedClasses, floatClasses).filter { $0 == $1 }.count)
    #expect(evaluation.layerNames == ["conv1", "conv2", "fc"])
    // conv1 14*14*4 outputs x 9; conv2 7*7*8 outputs x 36; fc 392 x 10.
    #expect(evaluation.layerMACs == [7_056, 14_112, 3_920])
  }

  @Test func referenceAndOptimizedKernelsGiveTheSameCountsAndLimitIsApplied() throws {
    let model = try Fixtures.tinyModel(seed: 2)
    let data = try Fixtures.images(count: 12, seed: 8)
    let configuration = PrecisionConfiguration.uniform(weightBits: 5, activationBits: 3, layerCount: 3)
    let optimized = try Self.evaluate(model, configuration, data, kernels: .optimized, limit: 9)
    let reference = try Self.evaluate(model, configuration, data, kernels: .reference, limit: 9)
    #expect(optimized.evaluatedImages == 9 && optimized.availableImages == 12)
    #expect(optimized.fixedPointCorrect == reference.fixedPointCorrect)
    #expect(optimized.agreeing == reference.agreeing)
    #expect(optimized.floatCorrect == reference.floatCorrect)
    #expect(try Self.evaluate(model, configuration, data, limit: 1000).evaluatedImages == 12)
  }

  @Test func sixteenBitsAgreesWithTheFloatReference() throws {
    let model = try Fixtures.tinyModel(seed: 4)
    var data = try Fixtures.images(count: 20, seed: 9)
    data = try Fixtures.relabeled(data, try Self.floatPredictions(model, data))
    let evaluation = try Self.evaluate(model, .uniform(16, layerCount: 3), data)
    #expect(evaluation.floatCorrect == 20)
    // Random weights give close logits, so allow one flip in 20 at 16 bits.
    #expect(evaluation.agreeing >= 19)
  }

  @Test func mismatchedDataIsARuntimeFailure() throws {
    let model = try Fixtures.tinyModel()
    let data = try Fixtures.images(count: 4, seed: 1, labels: [0, 1, 10, 3])
    #expect(throws: CommandFailure("label 10 of image 2 in 'labels' is outside the model's 10 classes (0...9)")) {
      try Self.evaluate(model, .uniform(8, layerCount: 3), data)
    }
    let small = LoadedDataset(images: try ImageDataset(height: 8, width: 8, channels: 1, pixels: Array(repeating: 0, count: 64),
                                                       labels: [0]), imagesPath: "i", labelsPath: "l")
    #expect(throws: CommandFailure("the images in 'fixture' are 8x8x1 but the model's input is 28x28x1 (height x width x channels)")) {
      try Self.evaluate(model, .uniform(8, layerCount: 3), small)
    }
  }

  @Test func reportTextAndJSON() throws {
    let model = try Fixtures.tinyModel()
    var data = try Fixtures.images(count: 10, seed: 5)
    data = try Fixtures.relabeled(data, try Self.floatPredictions(model, data))
    let evaluation = try Self.evaluate(model, .uniform(8, layerCount: 3), data, kernels: .reference)
    let report = EvaluationReport(modelPath: "tiny.psmodel", model: model, evaluation: evaluation)
    #expect(report.accuracy.floatReference == 1)
    #expect(report.accuracy.floatReferenceCorrect == 10)
    #expect(report.configuration == "w8a8,w8a8,w8a8")
    let text = report.text
    #expect(text.hasPrefix("Model:    tiny.psmodel (test-tiny), 3 weighted layers\n"))
    #expect(text.contains("Data:     fixture: 10 of 10 images\n"))
    #expect(text.contains("Kernels:  reference, window search: none\n"))
    #expect(text.contains("Accuracy, float reference:  100.00% (10 / 10)\n"))
    let conv2 = try #require(text.split(separator: "\n").first { $0.hasPrefix("conv2") })
    #expect(conv2.split(separator: " ") == ["conv2", "8", "8", "14,112"])
    let json = try JSONOutput.encode(report)
    let decoded = try JSONDecoder().decode(EvaluationReport.self, from: Foundation.Data(json.utf8))
    #expect(decoded == report)
    let object = try #require(try JSONSerialization.jsonObject(with: Foundation.Data(json.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["schemaVersion", "tool", "model", "modelName", "data", "kernels", "windowSearch",
                                 "configuration", "layers", "accuracy", "timing"])
  }

  @Test func argmaxTakesTheFirstMaximumAndIgnoresNaN() {
    #expect(FixedPointEvaluation.argmax([0.1, 0.7, 0.7, 0.2]) == 1)
    #expect(FixedPointEvaluation.argmax([.nan, 0.3, 0.1]) == 1)
    #expect(FixedPointEvaluation.argmax([]) == 0)
  }
}
