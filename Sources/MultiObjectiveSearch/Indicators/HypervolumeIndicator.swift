/// A hypervolume measurement setting: a reference point, optionally in normalized coordinates.
///
/// When `normalization` is set, points are first mapped by it and `referencePoint` is read in the
/// normalized coordinates (for example `[1.1, 1.1]` with ideal/nadir anchors). Algorithms use an
/// indicator to record the hypervolume of their archive after every generation.
public struct HypervolumeIndicator: Hashable, Sendable, Codable {
  /// The reference (upper) corner, in the normalized coordinates if ``normalization`` is set.
  public let referencePoint: [Double]
  /// The optional map applied to every point before measuring.
  public let normalization: ObjectiveNormalization?

  /// Creates an indicator.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` for an empty or non-finite
  ///   reference point, or a normalization of another dimension.
  public init(referencePoint: [Double], normalization: ObjectiveNormalization? = nil) throws {
    guard !referencePoint.isEmpty, referencePoint.allSatisfy(\.isFinite) else {
      throw SearchError.invalidParameter(
        name: "HypervolumeIndicator.referencePoint", expected: "at least one finite value",
        actual: "\(referencePoint)")
    }
    if let normalization, normalization.objectiveCount != referencePoint.count {
      throw SearchError.invalidParameter(
        name: "HypervolumeIndicator.normalization", expected: "\(referencePoint.count) objectives",
        actual: "\(normalization.objectiveCount) objectives")
    }
    self.referencePoint = referencePoint
    self.normalization = normalization
  }

  /// The number of objectives measured.
  public var objectiveCount: Int { referencePoint.count }

  /// The hypervolume of `points` (raw objective vectors).
  ///
  /// - Throws: as ``Hypervolume/compute(_:referencePoint:)``.
  public func value(of points: [[Double]]) throws -> Double {
    if let normalization {
      let mapped = try points.map { try normalization.normalize($0) }
      return try Hypervolume.compute(mapped, referencePoint: referencePoint)
    }
    return try Hypervolume.compute(points, referencePoint: referencePoint)
  }

  /// The hypervolume of the archive's members' objective vectors.
  ///
  /// - Throws: ``SearchError/objectiveCountMismatch(expected:actual:)`` if the archive has another
  ///   objective count.
  public func value(of archive: ParetoArchive) throws -> Double {
    guard archive.objectiveCount == objectiveCount else {
      throw SearchError.objectiveCountMismatch(expected: objectiveCount, actual: archive.objectiveCount)
    }
    return uncheckedValue(of: archive)
  }

  /// Archive members are validated on insertion, so only the dimension needs the caller's guarantee.
  internal func uncheckedValue(of archive: ParetoArchive) -> Double {
    var points = archive.objectiveVectors
    if let normalization { points = points.map(normalization.unchecked) }
    return Hypervolume.unchecked(points, referencePoint: referencePoint)
  }

  private enum CodingKeys: String, CodingKey {
    case referencePoint, normalization
  }

  /// Decodes the reference point and optional normalization and validates them as
  /// ``init(referencePoint:normalization:)`` does.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(
      referencePoint: container.decode([Double].self, forKey: .referencePoint),
      normalization: container.decodeIfPresent(ObjectiveNormalization.self, forKey: .normalization))
  }

  /// Encodes the reference point and, when set, the normalization.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(referencePoint, forKey: .referencePoint)
    try container.encodeIfPresent(normalization, forKey: .normalization)
  }
}
