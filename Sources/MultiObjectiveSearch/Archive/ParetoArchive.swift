/// The non-dominated candidates seen so far (an "external archive"), kept in a deterministic order.
///
/// Invariants (checked by ``checkInvariants()``):
/// - no member dominates another (under the archive's ``ConstraintHandling``);
/// - no two members share a genome;
/// - members are sorted by objectives lexicographically (for two objectives: by the first objective
///   ascending, hence the second descending), then violation, then genome lexicographically, so the
///   order does not depend on insertion order.
///
/// Because dominance is transitive, when every genome is inserted with one evaluation the archive
/// holds exactly the non-dominated points of everything inserted, whatever the insertion order.
/// A genome inserted again with a different evaluation (a noisy evaluator) replaces its entry only
/// if the new evaluation dominates the old one; otherwise the first evaluation is kept.
///
/// With ``ConstraintHandling/feasibilityFirst`` the archive holds only feasible points once one has
/// been seen; before that it holds the least-violating points. With ``ConstraintHandling/ignored``
/// it is the plain Pareto front of the objectives.
///
/// - Complexity: ``insert(_:)`` is O(M·N) for N members with M objectives.
public struct ParetoArchive: Hashable, Sendable, Codable {
  /// The number of objectives of every member (at least 1).
  public let objectiveCount: Int
  /// How the constraint violation takes part in dominance.
  public let constraintHandling: ConstraintHandling
  /// The members, in the deterministic order described above.
  public private(set) var members: [Candidate]

  /// Creates an empty archive.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` if `objectiveCount < 1`.
  public init(objectiveCount: Int, constraintHandling: ConstraintHandling = .feasibilityFirst) throws {
    guard objectiveCount >= 1 else {
      throw SearchError.invalidParameter(
        name: "ParetoArchive.objectiveCount", expected: "at least 1", actual: "\(objectiveCount)")
    }
    self.objectiveCount = objectiveCount
    self.constraintHandling = constraintHandling
    self.members = []
  }

  /// The number of members.
  public var count: Int { members.count }
  /// Whether the archive is empty.
  public var isEmpty: Bool { members.isEmpty }
  /// The members' objective vectors, in member order.
  public var objectiveVectors: [[Double]] { members.map(\.evaluation.objectives) }

  /// Offers `candidate` to the archive.
  ///
  /// - Returns: `true` if it was added (it is not dominated by a member and its genome is new, or
  ///   it dominates the member with the same genome); members it dominates are removed.
  /// - Throws: ``SearchError/invalidEvaluation(index:reason:)`` if the evaluation has the wrong
  ///   objective count, a non-finite objective or an invalid violation.
  @discardableResult
  public mutating func insert(_ candidate: Candidate) throws -> Bool {
    try candidate.evaluation.validate(objectiveCount: objectiveCount, index: 0)
    for member in members {
      switch Dominance.relation(candidate.evaluation, member.evaluation, constraintHandling: constraintHandling) {
      case .isDominated:
        return false
      case .equivalent, .incomparable:
        if member.genome == candidate.genome { return false }
      case .dominates:
        break
      }
    }
    members.removeAll {
      Dominance.dominates(candidate.evaluation, $0.evaluation, constraintHandling: constraintHandling)
    }
    var low = 0
    var high = members.count
    while low < high {
      let middle = low + (high - low) / 2
      if Self.precedes(members[middle], candidate) { low = middle + 1 } else { high = middle }
    }
    members.insert(candidate, at: low)
    return true
  }

  /// Offers every candidate of `candidates`, in order.
  ///
  /// - Returns: the number of candidates added.
  @discardableResult
  public mutating func insert(contentsOf candidates: some Sequence<Candidate>) throws -> Int {
    var added = 0
    for candidate in candidates where try insert(candidate) { added += 1 }
    return added
  }

  /// Whether a member has `genome`.
  public func contains(genome: [Int]) -> Bool {
    members.contains { $0.genome == genome }
  }

  /// Checks the invariants listed in the type's documentation.
  ///
  /// - Throws: ``SearchError/invariantViolated(_:)`` naming the first offending pair.
  public func checkInvariants() throws {
    for (i, member) in members.enumerated() {
      guard member.evaluation.objectives.count == objectiveCount else {
        throw SearchError.invariantViolated("member \(i) has \(member.evaluation.objectives.count) objectives")
      }
      if i > 0, !Self.precedes(members[i - 1], member) {
        throw SearchError.invariantViolated("members \(i - 1) and \(i) are out of order")
      }
      for j in (i + 1)..<members.count {
        if members[j].genome == member.genome {
          throw SearchError.invariantViolated("members \(i) and \(j) share the genome \(member.genome)")
        }
        let relation = Dominance.relation(
          member.evaluation, members[j].evaluation, constraintHandling: constraintHandling)
        if relation == .dominates || relation == .isDominated {
          throw SearchError.invariantViolated("members \(i) and \(j) are ordered by dominance (\(relation))")
        }
      }
    }
  }

  /// The archive order: objectives lexicographically, then violation, then genome lexicographically.
  internal static func precedes(_ a: Candidate, _ b: Candidate) -> Bool {
    if a.evaluation.objectives != b.evaluation.objectives {
      return a.evaluation.objectives.lexicographicallyPrecedes(b.evaluation.objectives)
    }
    if a.evaluation.constraintViolation != b.evaluation.constraintViolation {
      return a.evaluation.constraintViolation < b.evaluation.constraintViolation
    }
    return a.genome.lexicographicallyPrecedes(b.genome)
  }

  private enum CodingKeys: String, CodingKey {
    case objectiveCount, constraintHandling, members
  }

  /// Decodes an archive by re-inserting the stored members, so a hand-edited or corrupted file
  /// cannot break the invariants.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      objectiveCount: container.decode(Int.self, forKey: .objectiveCount),
      constraintHandling: container.decode(ConstraintHandling.self, forKey: .constraintHandling))
    try insert(contentsOf: container.decode([Candidate].self, forKey: .members))
  }

  /// Encodes the objective count, the constraint handling and the members in archive order.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(objectiveCount, forKey: .objectiveCount)
    try container.encode(constraintHandling, forKey: .constraintHandling)
    try container.encode(members, forKey: .members)
  }
}
