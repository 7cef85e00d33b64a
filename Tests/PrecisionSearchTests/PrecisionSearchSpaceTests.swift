import Foundation
import MultiObjectiveSearch
import NetworkEngine
import Testing
@testable import PrecisionSearch

@Suite struct PrecisionSearchSpaceTests {
  @Test func genesInterleaveWeightAndActivationBitsPerLayer() throws {
    let space = try PrecisionSearchSpace(layerNames: ["a", "b"], weightCandidates: [8, 2, 4, 4],
                                         activationCandidates: [16, 8])
    #expect(space.weightCandidates == [2, 4, 8])
    #expect(space.searchSpace.genes.map(\.values) == [[2, 4, 8], [8, 16], [2, 4, 8], [8, 16]])
    let configuration = space.configuration(of: [4, 16, 2, 8])
    #expect(configuration.layers == [LayerPrecision(weightBits: 4, activationBits: 16),
                                     LayerPrecision(weightBits: 2, activationBits: 8)])
    #expect(space.genome(of: configuration) == [4, 16, 2, 8])
    #expect(space.contains(configuration))
    #expect(!space.contains(.uniform(4, layerCount: 2)))  // 4 is not an activation candidate
  }

  @Test func pinsReplaceTheCandidateSetOfTheirGenesOnly() throws {
    let space = try PrecisionSearchSpace(
      layerNames: ["first", "middle", "last"], weightCandidates: [2, 4, 8], activationCandidates: [4, 8],
      pins: [LayerPin(layer: 2, weightBits: 8, activationBits: nil), LayerPin(layer: 0, weightBits: 16, activationBits: 16)])
    #expect(space.pins.map(\.layer) == [0, 2])
    #expect(space.searchSpace.genes.map(\.values) == [[16], [16], [2, 4, 8], [4, 8], [8], [4, 8]])
    #expect(space.narrowestGenome == [16, 16, 2, 4, 8, 4])
    #expect(space.widestGenome == [16, 16, 8, 8, 8, 8])
    // Uniform genomes keep the pins and take the nearest allowed width elsewhere (the larger on a tie).
    #expect(space.nearestUniformGenome(bits: 6) == [16, 16, 8, 8, 8, 8])
    #expect(space.nearestUniformGenome(bits: 3) == [16, 16, 4, 4, 8, 4])
    #expect(space.uniformGenomes == [[16, 16, 8, 8, 8, 8], [16, 16, 4, 4, 8, 4], [16, 16, 2, 4, 8, 4]])
  }

  @Test func invalidSettingsAreRejectedWithTheFieldNamed() {
    #expect(throws: PrecisionSearchError.invalidSetting(name: "weight candidates", expected: "bit-widths in 2...16", actual: "17")) {
      try PrecisionSearchSpace(layerNames: ["a"], weightCandidates: [4, 17])
    }
    #expect(throws: PrecisionSearchError.invalidSetting(name: "activation candidates", expected: "at least one bit-width", actual: "none")) {
      try PrecisionSearchSpace(layerNames: ["a"], activationCandidates: [])
    }
    #expect(throws: PrecisionSearchError.self) {
      try PrecisionSearchSpace(layerNames: ["a"], pins: [LayerPin(layer: 1, weightBits: 8, activationBits: 8)])
    }
    #expect(throws: PrecisionSearchError.self) {
      try PrecisionSearchSpace(layerNames: ["a"], pins: [LayerPin(layer: 0, weightBits: 8, activationBits: nil),
                                                        LayerPin(layer: 0, weightBits: nil, activationBits: 8)])
    }
    #expect(throws: PrecisionSearchError.self) {
      try PrecisionSearchSpace(layerNames: ["a"], pins: [LayerPin(layer: 0, weightBits: 1, activationBits: nil)])
    }
    #expect(throws: PrecisionSearchError.self) { try PrecisionSearchSpace(layerNames: []) }
  }

  @Test func memoEncodesItsEntriesSortedByGenomeAndRoundTrips() throws {
    var memo = EvaluationMemo()
    let a = PrecisionMeasurement(energyPicojoules: 10, correct: 3, imagesRun: 4, imageCount: 4)
    let b = PrecisionMeasurement(energyPicojoules: 5, correct: 1, imagesRun: 2, imageCount: 4)
    memo.record(a, for: [8, 8])
    memo.record(b, for: [2, 16])
    memo.record(a, for: [4, 2])
    #expect(memo.sortedEntries.map(\.genome) == [[2, 16], [4, 2], [8, 8]])
    let decoded = try JSONCoding.roundTrip(memo)
    #expect(decoded == memo)
    let text = String(decoding: try JSONCoding.data(memo), as: UTF8.self)
    #expect(text.hasPrefix(#"[{"genome":[2,16]"#))
    #expect(memo[[2, 16]] == b)
    #expect(memo[[3, 3]] == nil)
  }

  @Test func measurementBoundsAndConstraintViolations() {
    let screened = PrecisionMeasurement(energyPicojoules: 50, correct: 30, imagesRun: 40, imageCount: 100)
    #expect(!screened.isComplete)
    #expect(screened.accuracy == 0.75)
    #expect(screened.correctUpperBound == 90)
    #expect(screened.accuracyUpperBound == 0.9)
    #expect(PrecisionConstraint.maximumEnergy(picojoules: 40).violation(of: screened, uniform16BitPicojoules: 100) == 0.1)
    #expect(PrecisionConstraint.maximumEnergy(picojoules: 60).violation(of: screened, uniform16BitPicojoules: 100) == 0)
    #expect(PrecisionConstraint.minimumAccuracy(0.8).violation(of: screened, uniform16BitPicojoules: 100) == 0.8 - 0.75)
    #expect(PrecisionConstraint.minimumAccuracy(0.7).isMet(by: screened))
    #expect(!PrecisionConstraint.maximumEnergy(picojoules: 49.9).isMet(by: screened))
  }

  @Test func confidenceBoundLiesBetweenTheEstimateAndTheHardBound() {
    let exact = ScreeningSettings(chunkCount: 8, rule: .exact)
    let confidence = ScreeningSettings(chunkCount: 8, rule: .confidence(z: 3))
    #expect(exact.correctUpperBound(correct: 60, imagesRun: 100, imageCount: 1000) == 960)
    let bound = confidence.correctUpperBound(correct: 60, imagesRun: 100, imageCount: 1000)
    // Estimate 600; z = 3 standard errors of about 900 * sqrt(0.24 * (1/100 + 1/900)) = 46.5 each.
    #expect(bound > 600 + 3 * 40 && bound < 600 + 3 * 50)
    #expect(confidence.correctUpperBound(correct: 0, imagesRun: 10, imageCount: 1000) > 0)
    #expect(confidence.correctUpperBound(correct: 10, imagesRun: 10, imageCount: 20) == 20)  // capped at the hard bound
    #expect(confidence.correctUpperBound(correct: 7, imagesRun: 20, imageCount: 20) == 7)  // complete
    #expect(throws: PrecisionSearchError.self) { try ScreeningSettings(chunkCount: 0).validate() }
    #expect(throws: PrecisionSearchError.self) { try ScreeningSettings(rule: .confidence(z: .nan)).validate() }
  }

  @Test func weightMemoryCountsWeightsAtTheirWidthAndBiasesAtTheTableWidth() {
    let workloads = [
      LayerWorkloadFixture.make(name: "a", weights: 100, biases: 10),
      LayerWorkloadFixture.make(name: "b", weights: 30, biases: 3),
    ]
    let memory = WeightMemory(
      workloads: workloads,
      configuration: PrecisionConfiguration(layers: [LayerPrecision(weightBits: 4, activationBits: 8),
                                                     LayerPrecision(weightBits: 3, activationBits: 2)]),
      biasBitsPerValue: 32)
    #expect(memory.weightBits == 100 * 4 + 30 * 3)
    #expect(memory.biasBits == 13 * 32)
    #expect(memory.bytes == (490 + 416 + 7) / 8)
  }
}

import EnergyModel

enum LayerWorkloadFixture {
  static func make(name: String, weights: Int, biases: Int) -> LayerWorkload {
    LayerWorkload(name: name, macs: weights * 4, weightCount: weights, biasCount: biases, inputElements: 16, outputElements: 8)
  }
}

/// Encodes and decodes through JSON, as checkpoints do.
enum JSONCoding {
  static func data(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try encoder.encode(value)
  }

  static func roundTrip<T: Codable>(_ value: T) throws -> T {
    try JSONDecoder().decode(T.self, from: data(value))
  }
}
