extension Candidate {
  /// Pairs `genomes` with `evaluations` after checking the count and every evaluation.
  internal static func batch(
    genomes: [[Int]], evaluations: [Evaluation], objectiveCount: Int
  ) throws -> [Candidate] {
    guard evaluations.count == genomes.count else {
      throw SearchError.evaluationCountMismatch(expected: genomes.count, actual: evaluations.count)
    }
    for (index, evaluation) in evaluations.enumerated() {
      try evaluation.validate(objectiveCount: objectiveCount, index: index)
    }
    return zip(genomes, evaluations).map { Candidate(genome: $0, evaluation: $1) }
  }
}
