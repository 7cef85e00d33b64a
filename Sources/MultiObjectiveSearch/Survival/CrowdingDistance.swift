/// NSGA-II's crowding distance: how isolated each point is among the points of its front.
///
/// For every objective with a non-zero range the points are ordered by that objective (ties by
/// index); the two end points get +∞ and every interior point adds `(next − previous) / range`.
/// Special cases, following pymoo's `calc_crowding_distance`:
///
/// - **Zero-range objective** (all points equal in it): it contributes nothing, not ∞ nor NaN.
/// - **Duplicates** (equal objective vectors): only the first occurrence (lowest index) takes part;
///   every later copy gets 0, so copies are the first to go when a front must be cut.
/// - **Two or fewer distinct points**: each distinct point gets +∞.
///
/// Distances are not divided by the number of objectives (only their order matters).
/// - Complexity: O(M·N log N).
public enum CrowdingDistance {
  /// The crowding distance of each point of `objectives` (one vector per point, equal lengths).
  ///
  /// - Throws: ``SearchError/objectiveCountMismatch(expected:actual:)`` if the vectors differ in length.
  public static func distances(_ objectives: [[Double]]) throws -> [Double] {
    guard let first = objectives.first else { return [] }
    if let bad = objectives.first(where: { $0.count != first.count }) {
      throw SearchError.objectiveCountMismatch(expected: first.count, actual: bad.count)
    }
    return unchecked(objectives)
  }

  /// Crowding distances without the length check; ragged vectors are compared on their common
  /// leading objectives (never traps).
  internal static func unchecked(_ objectives: [[Double]]) -> [Double] {
    let count = objectives.count
    guard count > 0 else { return [] }
    let objectiveCount = objectives.lazy.map(\.count).min() ?? 0
    var distance = Array(repeating: 0.0, count: count)

    // Find duplicates: sort lexicographically (ties by index); an entry equal to its predecessor
    // is a later copy of the first entry of its run.
    let lexicographic = (0..<count).sorted { a, b in
      for k in 0..<objectiveCount where objectives[a][k] != objectives[b][k] {
        return objectives[a][k] < objectives[b][k]
      }
      return a < b
    }
    var isUnique = Array(repeating: true, count: count)
    for position in lexicographic.indices.dropFirst()
    where objectives[lexicographic[position]] == objectives[lexicographic[position - 1]] {
      isUnique[lexicographic[position]] = false
    }
    let unique = (0..<count).filter { isUnique[$0] }

    if unique.count <= 2 {
      for index in unique { distance[index] = .infinity }
      return distance
    }
    for k in 0..<objectiveCount {
      let order = unique.sorted { a, b in
        objectives[a][k] != objectives[b][k] ? objectives[a][k] < objectives[b][k] : a < b
      }
      let low = objectives[order[0]][k]
      let high = objectives[order[order.count - 1]][k]
      let range = high - low
      guard range > 0 else { continue }  // zero-range objective: no contribution
      distance[order[0]] = .infinity
      distance[order[order.count - 1]] = .infinity
      for position in 1..<(order.count - 1) {
        let gap = objectives[order[position + 1]][k] - objectives[order[position - 1]][k]
        distance[order[position]] += gap / range
      }
    }
    return distance
  }
}
