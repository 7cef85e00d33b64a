/// What a problem reports for one genome: objective values (all minimized) and a constraint violation.
///
/// - `objectives`: finite values, all to be minimized (negate a quantity to maximize it, for
///   example `-accuracy`).
/// - `constraintViolation`: 0 means feasible; a positive value says how far the genome is from
///   feasibility (for example `energy - budget` in the energy unit). Lower is always better.
public struct Evaluation: Hashable, Sendable, Codable {
  /// The objective values, all minimized; finite.
  public var objectives: [Double]
  /// How far the genome is from feasibility: 0 = feasible, otherwise positive and finite.
  public var constraintViolation: Double

  /// Creates an evaluation; it is checked by the algorithms when told (see ``validate(objectiveCount:index:)``).
  public init(objectives: [Double], constraintViolation: Double = 0) {
    self.objectives = objectives
    self.constraintViolation = constraintViolation
  }

  /// Whether the constraint is met (violation exactly 0).
  public var isFeasible: Bool { constraintViolation == 0 }

  /// Checks the objective count, that objectives are finite, and that the violation is finite and ≥ 0.
  ///
  /// - Parameter index: the evaluation's position in its batch, used in the error message.
  /// - Throws: ``SearchError/invalidEvaluation(index:reason:)``.
  public func validate(objectiveCount: Int, index: Int) throws {
    guard objectives.count == objectiveCount else {
      throw SearchError.invalidEvaluation(
        index: index, reason: "has \(objectives.count) objectives, expected \(objectiveCount)")
    }
    if let position = objectives.firstIndex(where: { !$0.isFinite }) {
      throw SearchError.invalidEvaluation(
        index: index, reason: "objective \(position) is \(objectives[position]), expected a finite value")
    }
    guard constraintViolation.isFinite, constraintViolation >= 0 else {
      throw SearchError.invalidEvaluation(
        index: index, reason: "constraint violation is \(constraintViolation), expected a finite value >= 0")
    }
  }
}
