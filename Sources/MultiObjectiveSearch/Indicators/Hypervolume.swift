/// Exact hypervolume: the volume of objective space dominated by a point set and bounded by a
/// reference point (all objectives minimized).
///
/// Only points strictly better than the reference point in every objective contribute; others add
/// nothing. Algorithms, by dimension M:
/// - M = 1: `reference − min`.
/// - M = 2: sort by the first objective and sweep staircase rectangles. O(N log N).
/// - M = 3: sort by the third objective and add slabs `area₂(points below) × thickness`, each area
///   by the 2-D sweep (the "HSO" slicing idea). O(N² log N), exact.
/// - M > 3: the same slicing, recursively. O(N^(M−1) log N): meant for small sets only.
///
/// Duplicates and dominated points are harmless (they add no volume).
public enum Hypervolume {
  /// The hypervolume of `points` with respect to `referencePoint`.
  ///
  /// - Parameters:
  ///   - points: objective vectors, each with `referencePoint.count` finite values.
  ///   - referencePoint: at least one finite value; the upper corner of the measured region.
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` for an empty or non-finite
  ///   reference point or a non-finite coordinate, ``SearchError/objectiveCountMismatch(expected:actual:)``
  ///   for a point of the wrong dimension.
  public static func compute(_ points: [[Double]], referencePoint: [Double]) throws -> Double {
    guard !referencePoint.isEmpty, referencePoint.allSatisfy(\.isFinite) else {
      throw SearchError.invalidParameter(
        name: "referencePoint", expected: "at least one finite value", actual: "\(referencePoint)")
    }
    for (index, point) in points.enumerated() {
      guard point.count == referencePoint.count else {
        throw SearchError.objectiveCountMismatch(expected: referencePoint.count, actual: point.count)
      }
      guard point.allSatisfy(\.isFinite) else {
        throw SearchError.invalidParameter(
          name: "points[\(index)]", expected: "finite coordinates", actual: "\(point)")
      }
    }
    return unchecked(points, referencePoint: referencePoint)
  }

  /// Hypervolume for inputs already validated (equal dimensions, finite values).
  internal static func unchecked(_ points: [[Double]], referencePoint: [Double]) -> Double {
    let contributing = points.filter { point in
      zip(point, referencePoint).allSatisfy { $0 < $1 }
    }
    guard !contributing.isEmpty else { return 0 }
    return sliced(contributing, referencePoint: referencePoint, dimension: referencePoint.count)
  }

  /// Volume dominated by `points` (all strictly inside the box) in their first `dimension` coordinates.
  private static func sliced(_ points: [[Double]], referencePoint: [Double], dimension: Int) -> Double {
    switch dimension {
    case 1:
      return referencePoint[0] - (points.lazy.map { $0[0] }.min() ?? referencePoint[0])
    case 2:
      return sweep2D(points, referencePoint: referencePoint)
    default:
      let axis = dimension - 1
      let sorted = points.sorted { $0[axis] < $1[axis] }
      var volume = 0.0
      var position = 0
      while position < sorted.count {
        // Include every point at this level, then measure the slab up to the next level.
        let level = sorted[position][axis]
        while position < sorted.count && sorted[position][axis] == level { position += 1 }
        let top = position < sorted.count ? sorted[position][axis] : referencePoint[axis]
        let area = sliced(Array(sorted[0..<position]), referencePoint: referencePoint, dimension: axis)
        volume += area * (top - level)
      }
      return volume
    }
  }

  /// The 2-D staircase sweep over the first two coordinates.
  private static func sweep2D(_ points: [[Double]], referencePoint: [Double]) -> Double {
    let sorted = points.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }
    var area = 0.0
    var ceiling = referencePoint[1]
    for point in sorted where point[1] < ceiling {
      area += (referencePoint[0] - point[0]) * (ceiling - point[1])
      ceiling = point[1]
    }
    return area
  }
}
