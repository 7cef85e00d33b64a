/// Surrogate pre-selection for two objectives: which of a pool of candidate offspring to evaluate, chosen greedily
/// by the hypervolume their *predicted* objectives would add to the current front.
///
/// Pick after pick, the candidate whose predicted point adds the most hypervolume to the front (with the points
/// already picked added as if measured, so the picks spread along the front rather than pile onto one gap) is
/// taken; a candidate predicted to be dominated scores minus its distance in the second objective to the front at
/// its first objective (`-(y − min{y_f : x_f ≤ x})`), so the least dominated come first when nothing is predicted
/// to improve the front. Ties go to the earlier candidate. Candidates marked as excluded (for example already
/// measured) are never picked by score but fill the batch, in pool order, when there are not enough others.
public enum HypervolumePreselection {
  /// The indices (into `predicted`) of at most `count` candidates, in picking order.
  ///
  /// - Parameters:
  ///   - count: the number to choose (≥ 0).
  ///   - predicted: the candidates' predicted objective vectors `[x, y]`, both minimized.
  ///   - front: the measured front's objective vectors `[x, y]`.
  ///   - referencePoint: the hypervolume's reference point `[x, y]`.
  ///   - excluded: indices never picked by score.
  /// - Throws: ``SearchError`` for a negative count or vectors that are not finite pairs.
  public static func choose(count: Int, predicted: [[Double]], front: [[Double]], referencePoint: [Double],
                            excluded: Set<Int> = []) throws -> [Int] {
    guard count >= 0 else {
      throw SearchError.invalidParameter(name: "count", expected: "at least 0", actual: "\(count)")
    }
    for point in [referencePoint] + predicted + front {
      guard point.count == 2 else { throw SearchError.objectiveCountMismatch(expected: 2, actual: point.count) }
      guard point.allSatisfy(\.isFinite) else {
        throw SearchError.invalidParameter(name: "objective vector", expected: "finite values", actual: "\(point)")
      }
    }
    var current = front
    var chosen: [Int] = []
    var taken = Set<Int>()
    while chosen.count < count {
      let base = Hypervolume.unchecked(current, referencePoint: referencePoint)
      var best: (index: Int, score: Double)?
      for index in predicted.indices where !taken.contains(index) && !excluded.contains(index) {
        let point = predicted[index]
        var score = Hypervolume.unchecked(current + [point], referencePoint: referencePoint) - base
        if score <= 0 {
          let frontY = current.filter { $0[0] <= point[0] }.map { $0[1] }.min() ?? referencePoint[1]
          score = -(point[1] - frontY)
        }
        if best.map({ score > $0.score }) ?? true { best = (index, score) }
      }
      guard let best else { break }
      chosen.append(best.index)
      taken.insert(best.index)
      current.append(predicted[best.index])
    }
    for index in predicted.indices where chosen.count < count && !taken.contains(index) {
      chosen.append(index)
      taken.insert(index)
    }
    return chosen
  }
}
