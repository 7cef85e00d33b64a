@testable import MultiObjectiveSearch
import SeededRandom
import Testing

@Suite struct AdditiveSurrogateTests {
  /// Three genes with uneven domains: 3 · 4 · 2 = 24 genomes, 2 + 3 + 1 = 6 features.
  static func space() throws -> SearchSpace {
    try SearchSpace(genes: [GeneDomain(values: [2, 4, 8]), GeneDomain(values: [3, 5, 6, 16]), GeneDomain(values: [1, 7])])
  }

  static func allGenomes(_ space: SearchSpace) -> [[Int]] {
    space.genes.reduce([[]]) { partial, domain in partial.flatMap { prefix in domain.values.map { prefix + [$0] } } }
  }

  /// An additive function of the genes with a different effect per value.
  static func additive(_ genome: [Int]) -> Double {
    let first = [2: 0.9, 4: 0.25, 8: 0.0][genome[0]]!
    let second = [3: -1.5, 5: 0.5, 6: 0.125, 16: 0.0][genome[1]]!
    let third = [1: 2.0, 7: 0.0][genome[2]]!
    return 0.75 + first + second + third
  }

  @Test func recoversAnAdditiveFunctionFromEveryGenome() throws {
    let space = try Self.space()
    let genomes = Self.allGenomes(space)
    #expect(genomes.count == 24)
    #expect(AdditiveSurrogate.featureCount(of: space) == 6)
    let surrogate = try AdditiveSurrogate(searchSpace: space, samples: genomes.map { ($0, Self.additive($0)) },
                                          ridge: 1e-9)
    for genome in genomes {
      #expect(abs(try surrogate.predict(genome) - Self.additive(genome)) < 1e-6, "\(genome)")
    }
  }

  @Test func generalizesFromOneStepPerGene() throws {
    // The widest genome and every single-gene step down from it determine an additive function exactly.
    let space = try Self.space()
    let widest = space.genes.map { $0.values.last! }
    var samples = [(genome: widest, value: Self.additive(widest))]
    for gene in 0..<3 {
      for value in space.genes[gene].values.dropLast() {
        var genome = widest
        genome[gene] = value
        samples.append((genome, Self.additive(genome)))
      }
    }
    let surrogate = try AdditiveSurrogate(searchSpace: space, samples: samples, ridge: 1e-9)
    for genome in Self.allGenomes(space) {
      #expect(abs(try surrogate.predict(genome) - Self.additive(genome)) < 1e-6, "\(genome)")
    }
  }

  @Test func anUnseenValueIsInterpolatedBySteps() throws {
    // Gene 0 is only ever seen at 2 and 8: the features [x < 4] and [x < 8] always agree, so ridge splits the
    // 2 -> 8 effect equally between them and 4 is predicted halfway.
    let space = try Self.space()
    let samples = Self.allGenomes(space).filter { $0[0] != 4 }.map { ($0, Self.additive($0)) }
    let surrogate = try AdditiveSurrogate(searchSpace: space, samples: samples, ridge: 1e-6)
    let low = try surrogate.predict([2, 16, 7])
    let middle = try surrogate.predict([4, 16, 7])
    let high = try surrogate.predict([8, 16, 7])
    #expect(abs(low - Self.additive([2, 16, 7])) < 1e-4 && abs(high - Self.additive([8, 16, 7])) < 1e-4)
    #expect(abs(middle - (low + high) / 2) < 1e-4)
  }

  @Test func aConstantGivesItsValueEverywhere() throws {
    let space = try Self.space()
    let surrogate = try AdditiveSurrogate(searchSpace: space, samples: [([2, 3, 1], 0.25), ([8, 16, 7], 0.25)],
                                          ridge: 1)
    for genome in Self.allGenomes(space) { #expect(abs(try surrogate.predict(genome) - 0.25) < 1e-12) }
    #expect(throws: SearchError.self) { try surrogate.predict([2, 3]) }
  }

  @Test func solvesAKnownSystem() {
    // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0].
    let x = AdditiveSurrogate.solvePositiveDefinite([4, 2, 2, 3], [2, 1], size: 2)
    #expect(abs(x[0] - 0.5) < 1e-12 && abs(x[1]) < 1e-12)
  }

  @Test func rejectsBadInput() throws {
    let space = try Self.space()
    #expect(throws: SearchError.self) { try AdditiveSurrogate(searchSpace: space, samples: [], ridge: 1) }
    #expect(throws: SearchError.self) { try AdditiveSurrogate(searchSpace: space, samples: [([2, 3, 1], .nan)], ridge: 1) }
    #expect(throws: SearchError.self) { try AdditiveSurrogate(searchSpace: space, samples: [([2, 3, 2], 0)], ridge: 1) }
    #expect(throws: SearchError.self) { try AdditiveSurrogate(searchSpace: space, samples: [([2, 3, 1], 0)], ridge: 0) }
    let large = try SearchSpace(geneCount: 2, domain: GeneDomain(values: Array(0...600)))
    #expect(AdditiveSurrogate.featureCount(of: large) == 1200)
    #expect(throws: SearchError.self) { try AdditiveSurrogate(searchSpace: large, samples: [([0, 0], 0)], ridge: 1) }
  }
}

@Suite struct HypervolumePreselectionTests {
  static let reference = [1.1, 1.1]

  @Test func picksTheLargestGainFirstAndSpreadsTheRest() throws {
    let front = [[0.2, 0.8], [0.6, 0.2]]
    // 0: in the wide gap between the front's points; 1: the same point again; 2: a small gain at the low end;
    // 3: dominated by the front.
    let predicted = [[0.4, 0.4], [0.4, 0.4], [0.1, 0.95], [0.7, 0.5]]
    let chosen = try HypervolumePreselection.choose(count: 3, predicted: predicted, front: front,
                                                    referencePoint: Self.reference)
    // After 0 is picked (as if measured), its twin adds nothing, so the small gain comes before it.
    #expect(chosen == [0, 2, 1])
  }

  @Test func ordersDominatedCandidatesByTheirDistanceToTheFront() throws {
    let front = [[0.2, 0.3]]
    let predicted = [[0.5, 0.9], [0.5, 0.35], [0.1, 1.2], [0.3, 0.6]]
    // Candidate 2 lies outside the reference box and left of every front point: its distance is to the reference
    // point's y (0.1). After 1 is picked, 0 and 3 are still measured against the front point at y 0.3.
    let chosen = try HypervolumePreselection.choose(count: 4, predicted: predicted, front: front,
                                                    referencePoint: Self.reference)
    #expect(chosen == [1, 2, 3, 0])
  }

  @Test func excludedCandidatesOnlyFillTheBatch() throws {
    let predicted = [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]
    let chosen = try HypervolumePreselection.choose(count: 2, predicted: predicted, front: [],
                                                    referencePoint: Self.reference, excluded: [0])
    #expect(chosen == [1, 2])
    let filled = try HypervolumePreselection.choose(count: 3, predicted: predicted, front: [],
                                                    referencePoint: Self.reference, excluded: [0, 2])
    #expect(filled == [1, 0, 2])
    #expect(try HypervolumePreselection.choose(count: 0, predicted: predicted, front: [], referencePoint: Self.reference).isEmpty)
    #expect(try HypervolumePreselection.choose(count: 5, predicted: predicted, front: [], referencePoint: Self.reference).count == 3)
  }

  @Test func rejectsBadInput() {
    #expect(throws: SearchError.self) {
      try HypervolumePreselection.choose(count: -1, predicted: [], front: [], referencePoint: Self.reference)
    }
    #expect(throws: SearchError.self) {
      try HypervolumePreselection.choose(count: 1, predicted: [[0.1, 0.2, 0.3]], front: [], referencePoint: Self.reference)
    }
    #expect(throws: SearchError.self) {
      try HypervolumePreselection.choose(count: 1, predicted: [[0.1, .infinity]], front: [], referencePoint: Self.reference)
    }
  }
}

@Suite struct NSGA2PreselectionTests {
  static func algorithm() throws -> NSGA2 {
    let space = try SearchSpace(geneCount: 6, domain: GeneDomain(values: Array(0..<8)))
    return try NSGA2(configuration: NSGA2.Configuration(populationSize: 10, seed: 7), searchSpace: space,
                     objectiveCount: 2)
  }

  static func evaluate(_ genomes: [[Int]]) -> [Evaluation] {
    genomes.map { genome in
      let sum = Double(genome.reduce(0, +))
      return Evaluation(objectives: [sum, Double(genome[0] * 3 + genome[1]) - sum])
    }
  }

  @Test func choosesFromTheCandidatesOfALargerGeneration() throws {
    var plain = try Self.algorithm()
    try plain.tell(Self.evaluate(plain.ask(maximumCount: 10)))
    var pooled = plain
    var reference = plain
    var seen: [[Int]] = []
    let batch = try pooled.ask(maximumCount: 10, candidatesPerOffspring: 3) { candidates, count in
      seen = candidates
      #expect(count == 10)
      return Array(candidates.indices.reversed().prefix(count))
    }
    #expect(seen.count == 30)
    #expect(batch == Array(seen.reversed().prefix(10)))
    // The first `count` candidates are the offspring the plain ask builds.
    #expect(Array(seen.prefix(10)) == reference.ask(maximumCount: 10))
    // Asked again before tell: the same batch, without calling choose.
    #expect(try pooled.ask(maximumCount: 10, candidatesPerOffspring: 3) { _, _ in [] } == batch)
    try pooled.tell(Self.evaluate(batch))
    #expect(pooled.evaluationCount == 20)
  }

  @Test func oneCandidatePerOffspringIsThePlainAsk() throws {
    var plain = try Self.algorithm()
    try plain.tell(Self.evaluate(plain.ask(maximumCount: 10)))
    var pooled = plain
    let batch = try pooled.ask(maximumCount: 10, candidatesPerOffspring: 1) { _, _ in
      Issue.record("choose must not be called")
      return []
    }
    #expect(batch == plain.ask(maximumCount: 10))
  }

  @Test func rejectsABadChoiceAndStaysUsable() throws {
    var algorithm = try Self.algorithm()
    try algorithm.tell(Self.evaluate(algorithm.ask(maximumCount: 10)))
    for bad in [[Int](), Array(repeating: 0, count: 10), Array(25..<35), Array(0..<9)] {
      #expect(throws: SearchError.self) {
        _ = try algorithm.ask(maximumCount: 10, candidatesPerOffspring: 3) { _, _ in bad }
      }
    }
    #expect(throws: SearchError.self) {
      _ = try algorithm.ask(maximumCount: 10, candidatesPerOffspring: 0) { _, _ in [] }
    }
    let batch = try algorithm.ask(maximumCount: 10, candidatesPerOffspring: 3) { _, count in Array(0..<count) }
    #expect(batch.count == 10)
    try algorithm.tell(Self.evaluate(batch))
  }
}
