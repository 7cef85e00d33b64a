/// NSGA-II's environmental selection: keep whole fronts in rank order, and cut the last front that
/// does not fit by decreasing crowding distance.
///
/// Ties in crowding distance are broken by lower index, so the result is a pure function of the input.
public struct RankAndCrowdingSurvival: Hashable, Sendable, Codable {
  /// How the constraint violation takes part in the ranking.
  public var constraintHandling: ConstraintHandling

  /// Creates the survival operator.
  public init(constraintHandling: ConstraintHandling = .feasibilityFirst) {
    self.constraintHandling = constraintHandling
  }

  /// The indices of the `count` survivors among `evaluations`, in survival order: the first front's
  /// indices ascending, then the second's, …, then the part of the cut front, most isolated first.
  ///
  /// Returns every index when `count >= evaluations.count`, and none when `count <= 0`.
  public func select(_ evaluations: [Evaluation], count: Int) -> [Int] {
    guard count > 0 else { return [] }
    var survivors: [Int] = []
    survivors.reserveCapacity(min(count, evaluations.count))
    for front in NonDominatedSorting.fronts(evaluations, constraintHandling: constraintHandling) {
      let remaining = count - survivors.count
      if front.count <= remaining {
        survivors.append(contentsOf: front)
        if front.count == remaining { break }
        continue
      }
      let crowding = CrowdingDistance.unchecked(front.map { evaluations[$0].objectives })
      let order = front.indices.sorted { a, b in
        crowding[a] != crowding[b] ? crowding[a] > crowding[b] : front[a] < front[b]
      }
      survivors.append(contentsOf: order.prefix(remaining).map { front[$0] })
      break
    }
    return survivors
  }

  /// The rank (0 = best front) and crowding distance (within its front) of every point.
  ///
  /// These are what ``BinaryTournamentSelection`` compares.
  public func ranksAndCrowding(_ evaluations: [Evaluation]) -> (ranks: [Int], crowding: [Double]) {
    var ranks = Array(repeating: 0, count: evaluations.count)
    var crowding = Array(repeating: 0.0, count: evaluations.count)
    for (rank, front) in NonDominatedSorting.fronts(evaluations, constraintHandling: constraintHandling).enumerated() {
      let distances = CrowdingDistance.unchecked(front.map { evaluations[$0].objectives })
      for (position, index) in front.enumerated() {
        ranks[index] = rank
        crowding[index] = distances[position]
      }
    }
    return (ranks, crowding)
  }
}
