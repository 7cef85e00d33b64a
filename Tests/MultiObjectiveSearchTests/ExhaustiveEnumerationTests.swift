import Foundation
import MultiObjectiveSearch
import Testing

@Suite struct ExhaustiveEnumerationTests {
  /// Genes with 3, 1, 4 and 2 values (24 genomes), values not starting at 0 so that indices and values differ.
  static func space() throws -> SearchSpace {
    try SearchSpace(genes: [GeneDomain(values: [2, 5, 9]), GeneDomain(values: [7]), GeneDomain(values: [1, 2, 3, 4]),
                            GeneDomain(values: [0, 16])])
  }

  /// Two conflicting objectives from the genome, with ties, so the front is neither a single point nor everything.
  static func objectives(_ genome: [Int]) -> [Double] {
    let sum = Double(genome.reduce(0, +))
    return [sum, -Double((genome[0] * 3 + genome[2] * 5 + genome[3]) % 11) - sum / 10]
  }

  @Test func asksEveryGenomeOnceInLexicographicOrderAndFindsTheExactFront() throws {
    let space = try Self.space()
    var enumeration = try ExhaustiveEnumeration(searchSpace: space, objectiveCount: 2, batchSize: 5)
    #expect(enumeration.genomeCount == 24)
    var asked: [[Int]] = []
    var batchSizes: [Int] = []
    while true {
      let batch = enumeration.ask(maximumCount: batchSizes.count == 1 ? 3 : 100)
      if batch.isEmpty { break }
      #expect(enumeration.ask(maximumCount: 100) == batch)  // outstanding batch again
      batchSizes.append(batch.count)
      asked += batch
      try enumeration.tell(batch.map { Evaluation(objectives: Self.objectives($0)) })
    }
    #expect(batchSizes == [5, 3, 5, 5, 5, 1])
    #expect(enumeration.isComplete && enumeration.evaluationCount == 24 && enumeration.generation == 6)
    // Lexicographic in value indices: first gene slowest, last fastest; every genome once.
    var expected: [[Int]] = []
    for a in [2, 5, 9] { for c in [1, 2, 3, 4] { for d in [0, 16] { expected.append([a, 7, c, d]) } } }
    #expect(asked == expected)
    // The archive is the non-dominated set of all 24 evaluations.
    let all = expected.map { Candidate(genome: $0, evaluation: Evaluation(objectives: Self.objectives($0))) }
    let exact = all.filter { candidate in
      !all.contains { other in
        zip(other.objectives, candidate.objectives).allSatisfy { $0 <= $1 } && other.objectives != candidate.objectives
      }
    }
    #expect(Set(enumeration.result.front.map(\.genome)) == Set(exact.map(\.genome)))
    #expect(exact.count > 1 && exact.count < 24)
  }

  @Test func tellChecksTheBatchAndLeavesTheStateUnchangedOnError() throws {
    var enumeration = try ExhaustiveEnumeration(searchSpace: try Self.space(), objectiveCount: 2, batchSize: 4)
    #expect(throws: SearchError.noPendingBatch) { try enumeration.tell([]) }
    let batch = enumeration.ask(maximumCount: 10)
    let before = enumeration
    #expect(throws: SearchError.self) { try enumeration.tell([Evaluation(objectives: [1, 2])]) }
    #expect(throws: SearchError.self) { try enumeration.tell(batch.map { _ in Evaluation(objectives: [.nan, 0]) }) }
    #expect(enumeration == before)
  }

  @Test func aDecodedStateContinuesLikeTheOriginal() throws {
    func finish(_ enumeration: inout ExhaustiveEnumeration) throws {
      while case let batch = enumeration.ask(maximumCount: 100), !batch.isEmpty {
        try enumeration.tell(batch.map { Evaluation(objectives: Self.objectives($0)) })
      }
    }
    var original = try ExhaustiveEnumeration(searchSpace: try Self.space(), objectiveCount: 2, batchSize: 7)
    let first = original.ask(maximumCount: 100)
    try original.tell(first.map { Evaluation(objectives: Self.objectives($0)) })
    _ = original.ask(maximumCount: 100)  // outstanding when saved
    var decoded = try JSONDecoder().decode(ExhaustiveEnumeration.self, from: try JSONEncoder().encode(original))
    #expect(decoded == original)
    try finish(&original)
    try finish(&decoded)
    #expect(decoded == original)
  }

  @Test func refusesSpacesTooLargeToEnumerate() throws {
    let big = try SearchSpace(geneCount: 25, domain: GeneDomain(values: [0, 1]))  // 2^25 genomes
    #expect(throws: SearchError.self) { try ExhaustiveEnumeration(searchSpace: big, objectiveCount: 2) }
    let fits = try SearchSpace(geneCount: 24, domain: GeneDomain(values: [0, 1]))  // 2^24: the limit
    #expect(try ExhaustiveEnumeration(searchSpace: fits, objectiveCount: 2).genomeCount == 1 << 24)
    #expect(throws: SearchError.self) { try ExhaustiveEnumeration(searchSpace: fits, objectiveCount: 2, batchSize: 0) }
  }
}
