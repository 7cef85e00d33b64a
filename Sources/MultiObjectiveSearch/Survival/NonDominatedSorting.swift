/// Deb's fast non-dominated sorting: splits points into fronts F1, F2, … where F1 holds the points no
/// other point dominates, F2 those dominated only by points of F1, and so on.
///
/// - Complexity: O(M·N²) time and O(N²) memory for N points with M objectives.
/// - Determinism: fronts are listed in rank order and every front holds its indices in increasing
///   order, whatever the input order of equal points.
public enum NonDominatedSorting {
  /// The fronts of `evaluations` as arrays of indices into `evaluations`.
  ///
  /// Equivalent points (same violation class and equal objectives, for example duplicates) land in
  /// the same front. With ``ConstraintHandling/feasibilityFirst``, all feasible points come before
  /// all infeasible ones.
  public static func fronts(
    _ evaluations: [Evaluation], constraintHandling: ConstraintHandling = .feasibilityFirst
  ) -> [[Int]] {
    let count = evaluations.count
    guard count > 0 else { return [] }
    var dominatedBy = Array(repeating: [Int](), count: count)  // S_p: points p dominates
    var dominationCount = Array(repeating: 0, count: count)  // n_p: points dominating p
    for p in 0..<count {
      for q in (p + 1)..<count {
        switch Dominance.relation(evaluations[p], evaluations[q], constraintHandling: constraintHandling) {
        case .dominates:
          dominatedBy[p].append(q)
          dominationCount[q] += 1
        case .isDominated:
          dominatedBy[q].append(p)
          dominationCount[p] += 1
        case .equivalent, .incomparable:
          break
        }
      }
    }
    var fronts: [[Int]] = []
    var current = (0..<count).filter { dominationCount[$0] == 0 }
    while !current.isEmpty {
      fronts.append(current)
      var next: [Int] = []
      for p in current {
        for q in dominatedBy[p] {
          dominationCount[q] -= 1
          if dominationCount[q] == 0 { next.append(q) }
        }
      }
      next.sort()
      current = next
    }
    return fronts
  }

  /// The fronts of plain objective vectors (all treated as feasible).
  public static func fronts(objectives: [[Double]]) -> [[Int]] {
    fronts(objectives.map { Evaluation(objectives: $0) }, constraintHandling: .ignored)
  }

  /// The rank (0 = first front) of every point of `evaluations`, in input order.
  public static func ranks(
    _ evaluations: [Evaluation], constraintHandling: ConstraintHandling = .feasibilityFirst
  ) -> [Int] {
    var ranks = Array(repeating: 0, count: evaluations.count)
    for (rank, front) in fronts(evaluations, constraintHandling: constraintHandling).enumerated() {
      for index in front { ranks[index] = rank }
    }
    return ranks
  }
}
