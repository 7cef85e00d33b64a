/// An affine map of objective vectors: `(value − ideal) / (nadir − ideal)` per objective, so the
/// ideal point maps to 0 and the nadir point to 1.
///
/// An objective whose `nadir` equals its `ideal` is only shifted (divided by 1), never divided by 0.
public struct ObjectiveNormalization: Hashable, Sendable, Codable {
  /// The per-objective lower anchor (mapped to 0); finite.
  public let ideal: [Double]
  /// The per-objective upper anchor (mapped to 1); finite and ≥ `ideal`.
  public let nadir: [Double]

  /// Creates a normalization from explicit anchors.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` unless both have the same
  ///   non-zero length, are finite, and `nadir[k] >= ideal[k]` for every objective.
  public init(ideal: [Double], nadir: [Double]) throws {
    guard !ideal.isEmpty, ideal.count == nadir.count else {
      throw SearchError.invalidParameter(
        name: "ObjectiveNormalization", expected: "ideal and nadir of the same non-zero length",
        actual: "\(ideal.count) and \(nadir.count) values")
    }
    for k in ideal.indices where !(ideal[k].isFinite && nadir[k].isFinite && nadir[k] >= ideal[k]) {
      throw SearchError.invalidParameter(
        name: "ObjectiveNormalization objective \(k)", expected: "finite ideal <= finite nadir",
        actual: "ideal \(ideal[k]), nadir \(nadir[k])")
    }
    self.ideal = ideal
    self.nadir = nadir
  }

  /// The normalization whose ideal and nadir are the per-objective minimum and maximum of `points`.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` for no points, ragged or
  ///   non-finite points.
  public static func bounding(_ points: [[Double]]) throws -> ObjectiveNormalization {
    guard let first = points.first else {
      throw SearchError.invalidParameter(name: "points", expected: "at least one point", actual: "none")
    }
    var low = first
    var high = first
    for point in points.dropFirst() {
      guard point.count == first.count else {
        throw SearchError.objectiveCountMismatch(expected: first.count, actual: point.count)
      }
      for k in point.indices {
        low[k] = min(low[k], point[k])
        high[k] = max(high[k], point[k])
      }
    }
    return try ObjectiveNormalization(ideal: low, nadir: high)
  }

  /// The number of objectives.
  public var objectiveCount: Int { ideal.count }

  /// `point` mapped to normalized coordinates.
  ///
  /// - Throws: ``SearchError/objectiveCountMismatch(expected:actual:)`` for a wrong length.
  public func normalize(_ point: [Double]) throws -> [Double] {
    guard point.count == ideal.count else {
      throw SearchError.objectiveCountMismatch(expected: ideal.count, actual: point.count)
    }
    return unchecked(point)
  }

  /// `point` mapped back from normalized coordinates (the inverse of ``normalize(_:)``).
  ///
  /// - Throws: ``SearchError/objectiveCountMismatch(expected:actual:)`` for a wrong length.
  public func denormalize(_ point: [Double]) throws -> [Double] {
    guard point.count == ideal.count else {
      throw SearchError.objectiveCountMismatch(expected: ideal.count, actual: point.count)
    }
    return point.indices.map { k in
      let range = nadir[k] - ideal[k]
      return ideal[k] + point[k] * (range > 0 ? range : 1)
    }
  }

  /// Normalization without the length check (callers guarantee it).
  internal func unchecked(_ point: [Double]) -> [Double] {
    point.indices.map { k in
      let range = nadir[k] - ideal[k]
      return (point[k] - ideal[k]) / (range > 0 ? range : 1)
    }
  }

  private enum CodingKeys: String, CodingKey {
    case ideal, nadir
  }

  /// Decodes `{"ideal": [...], "nadir": [...]}` and validates it as ``init(ideal:nadir:)`` does.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      ideal: container.decode([Double].self, forKey: .ideal), nadir: container.decode([Double].self, forKey: .nadir))
  }

  /// Encodes `{"ideal": [...], "nadir": [...]}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(ideal, forKey: .ideal)
    try container.encode(nadir, forKey: .nadir)
  }
}
