public import MultiObjectiveSearch
import NetworkEngine

/// The precision assignment as a generic `SearchProblem`, for driving any `SearchAlgorithm` directly
/// (`algorithm.minimize(&problem, until:)`), for example to compare algorithms at equal evaluation counts.
///
/// Objectives `[energy in pJ, -validation accuracy]`; the constraint's violation as in
/// ``PrecisionConstraint/violation(of:uniform16BitPicojoules:)``. Each genome is measured once (``memo``); a
/// batch is screened against the front of complete measurements (``front``), as in ``PrecisionSearch``, which
/// is the resumable, hybrid driver `precsearch optimize` uses.
public struct PrecisionProblem: SearchProblem {
  /// The genes.
  public let space: PrecisionSearchSpace
  /// Measures the genomes.
  public let evaluator: PrecisionEvaluator
  /// The constraint every evaluation reports.
  public let constraint: PrecisionConstraint
  /// Energy at uniform 16 bits, in pJ.
  public let uniform16BitPicojoules: Double
  /// Every genome measured.
  public private(set) var memo = EvaluationMemo()
  /// The non-dominated complete measurements (`[energy, -accuracy]`, constraint ignored).
  public private(set) var front: ParetoArchive

  /// Creates the problem.
  ///
  /// - Throws: energy-model errors, or ``PrecisionSearchError`` when the space does not fit the evaluator's model.
  public init(space: PrecisionSearchSpace, evaluator: PrecisionEvaluator, constraint: PrecisionConstraint = .none) throws {
    guard space.layerCount == evaluator.layerCount else {
      throw PrecisionSearchError.invalidSetting(
        name: "search space", expected: "\(evaluator.layerCount) weighted layers (the model's)", actual: "\(space.layerCount)")
    }
    self.space = space
    self.evaluator = evaluator
    self.constraint = constraint
    self.uniform16BitPicojoules = try evaluator.uniform16BitPicojoules()
    self.front = try ParetoArchive(objectiveCount: 2, constraintHandling: .ignored)
  }

  /// The genes as a generic search space.
  public var searchSpace: SearchSpace { space.searchSpace }
  /// Two: energy and minus accuracy.
  public var objectiveCount: Int { 2 }

  /// Measures the genomes not in the memo (screened against ``front``) and returns one evaluation per genome.
  ///
  /// - Throws: evaluation errors; `SearchError` for a genome outside the space.
  public mutating func evaluate(_ genomes: [[Int]]) throws -> [Evaluation] {
    for genome in genomes { try searchSpace.validate(genome) }
    var missing: [[Int]] = []
    var pending = Set<[Int]>()
    for genome in genomes where memo[genome] == nil && pending.insert(genome).inserted { missing.append(genome) }
    if !missing.isEmpty {
      let reference = front.members.compactMap { member in
        memo[member.genome].map { ScreeningReference(energyPicojoules: $0.energyPicojoules, correct: $0.correct) }
      }
      let measured = try evaluator.measure(missing.map(space.configuration(of:)), reference: reference)
      for (genome, measurement) in zip(missing, measured) {
        memo.record(measurement, for: genome)
        if measurement.isComplete {
          _ = try? front.insert(Candidate(genome: genome, evaluation: Evaluation(objectives: measurement.objectives)))
        }
      }
    }
    return genomes.map { genome in
      let measurement = memo[genome]!
      return Evaluation(objectives: measurement.objectives,
                        constraintViolation: constraint.violation(of: measurement, uniform16BitPicojoules: uniform16BitPicojoules))
    }
  }
}
