/// A histogram of |x| over logarithmic bins, recorded per node during calibration so that activation window shifts
/// (docs/arithmetic.md) can be chosen without the calibration data.
///
/// Bins: octave `[2^e, 2^(e+1))` for `e` in `minimumExponent ..< minimumExponent + octaveCount` is split into
/// `subdivisions` equal-width bins, so bin `(e - minimumExponent) * subdivisions + j` holds the magnitudes in
/// `[2^e * (1 + j / subdivisions), 2^e * (1 + (j + 1) / subdivisions))`. Magnitudes below `2^minimumExponent`
/// (including 0) are counted in ``zeroCount``; magnitudes at or above the top octave and infinities go to the last bin.
/// NaN is not counted.
///
/// Codable as `{"zeroCount": n, "indices": [...], "counts": [...]}` listing the non-empty bins in increasing order,
/// so a model file stays small.
public struct MagnitudeHistogram: Hashable, Sendable {
  /// Equal-width bins per octave.
  public static let subdivisions = 8
  /// Exponent of the lowest octave.
  public static let minimumExponent = -32
  /// Number of octaves (the top one ends at 2^(minimumExponent + octaveCount) = 2^32).
  public static let octaveCount = 64
  /// Number of bins.
  public static let binCount = subdivisions * octaveCount

  /// Values with |x| < 2^minimumExponent, zeros included.
  public private(set) var zeroCount: Int
  /// Count of every bin (dense, `binCount` entries).
  public private(set) var counts: [Int]

  /// An empty histogram.
  public init() {
    zeroCount = 0
    counts = Array(repeating: 0, count: Self.binCount)
  }

  /// Creates a histogram from its counts. Throws a message (the field and what was expected) when `counts` does
  /// not have ``binCount`` entries or any count is negative.
  public init(zeroCount: Int, counts: [Int]) throws(HistogramError) {
    guard zeroCount >= 0 else { throw HistogramError(field: "zeroCount", "must be >= 0, found \(zeroCount)") }
    guard counts.count == Self.binCount else {
      throw HistogramError(field: "counts", "expected \(Self.binCount) bins, found \(counts.count)")
    }
    if let bad = counts.firstIndex(where: { $0 < 0 }) {
      throw HistogramError(field: "counts[\(bad)]", "must be >= 0, found \(counts[bad])")
    }
    self.zeroCount = zeroCount
    self.counts = counts
  }

  /// Creates a histogram from its sparse form: the non-empty bins' indices, strictly increasing in
  /// `0..<binCount`, and their counts. Throws naming the field (`indices[1]`, `counts[0]`) and what was expected.
  public init(zeroCount: Int, indices: [Int], counts sparse: [Int]) throws(HistogramError) {
    guard indices.count == sparse.count else {
      throw HistogramError(field: "counts", "expected \(indices.count) integers (one count per index), found \(sparse.count)")
    }
    var dense = Array(repeating: 0, count: Self.binCount)
    for (k, index) in indices.enumerated() {
      guard index >= 0, index < Self.binCount else {
        throw HistogramError(field: "indices[\(k)]", "expected a bin index in 0..<\(Self.binCount), found \(index)")
      }
      guard k == 0 || index > indices[k - 1] else {
        throw HistogramError(field: "indices[\(k)]", "expected increasing bin indices, found \(index) after \(indices[k - 1])")
      }
      guard sparse[k] >= 0 else { throw HistogramError(field: "counts[\(k)]", "must be >= 0, found \(sparse[k])") }
      dense[index] = sparse[k]
    }
    try self.init(zeroCount: zeroCount, counts: dense)
  }

  /// The sparse form: indices of the non-empty bins, increasing, and their counts.
  public var nonEmptyBins: (indices: [Int], counts: [Int]) {
    let indices = counts.indices.filter { counts[$0] != 0 }
    return (indices, indices.map { counts[$0] })
  }

  /// Total number of values counted.
  public var total: Int { counts.reduce(zeroCount, &+) }

  /// The bin of magnitude `m` (finite or infinite, >= 2^minimumExponent).
  @inlinable static func binIndex(ofMagnitude m: Float) -> Int {
    if !m.isFinite { return binCount - 1 }
    let octave = Int(m.exponent) - minimumExponent
    if octave >= octaveCount { return binCount - 1 }
    let sub = Int((m.significand - 1) * Float(subdivisions))  // significand in [1, 2): sub in 0..<subdivisions
    return octave * subdivisions + min(sub, subdivisions - 1)
  }

  /// Counts every value of `values`.
  public mutating func record(_ values: [Float]) {
    let smallest = Float(sign: .plus, exponent: Self.minimumExponent, significand: 1)
    for v in values {
      let m = abs(v)
      if m.isNaN { continue }
      if m < smallest { zeroCount += 1 } else { counts[Self.binIndex(ofMagnitude: m)] += 1 }
    }
  }

  /// Adds `other`'s counts to this histogram (saturating, so it never traps).
  public mutating func merge(_ other: MagnitudeHistogram) {
    zeroCount = zeroCount.addingReportingOverflow(other.zeroCount).overflow ? .max : zeroCount + other.zeroCount
    for i in counts.indices {
      let (sum, overflow) = counts[i].addingReportingOverflow(other.counts[i])
      counts[i] = overflow ? .max : sum
    }
  }

  /// Lower and upper edge of bin `index`.
  public static func edges(ofBin index: Int) -> (lower: Double, upper: Double) {
    let e = index / subdivisions + minimumExponent, j = index % subdivisions
    let base = Double(sign: .plus, exponent: e, significand: 1)
    return (base * (1 + Double(j) / Double(subdivisions)), base * (1 + Double(j + 1) / Double(subdivisions)))
  }

  /// Estimated squared error of quantizing the counted values with step `step` and saturation magnitude `limit`:
  /// each bin contributes its count times `(midpoint - limit)^2` when its midpoint lies above `limit` (saturation),
  /// else `min(step^2 / 12, midpoint^2)` (uniform rounding noise; values below half a step round to 0). Bins that
  /// straddle `limit` are split in proportion to their width on each side.
  public func estimatedSquaredError(step: Double, limit: Double) -> Double {
    let rounding = step * step / 12
    var error = 0.0
    for (i, c) in counts.enumerated() where c > 0 {
      let (lo, hi) = Self.edges(ofBin: i)
      let count = Double(c)
      func inside(_ a: Double, _ b: Double) -> Double { let mid = (a + b) / 2; return min(rounding, mid * mid) }
      func above(_ a: Double, _ b: Double) -> Double { let d = (a + b) / 2 - limit; return d * d }
      if hi <= limit {
        error += count * inside(lo, hi)
      } else if lo >= limit {
        error += count * above(lo, hi)
      } else {
        let share = (limit - lo) / (hi - lo)
        error += count * (share * inside(lo, limit) + (1 - share) * above(limit, hi))
      }
    }
    return error
  }
}

/// A malformed ``MagnitudeHistogram``: the field and what was expected.
public struct HistogramError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The offending field (`counts[3]`).
  public var field: String
  /// What was expected.
  public var message: String
  /// Creates an error.
  public init(field: String, _ message: String) {
    self.field = field
    self.message = message
  }
  /// `field: message`.
  public var description: String { "\(field): \(message)" }
}

extension MagnitudeHistogram: Codable {
  private enum CodingKeys: String, CodingKey { case zeroCount, indices, counts }

  /// Decodes the sparse form (see `init(zeroCount:indices:counts:)`).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    do {
      try self.init(zeroCount: try container.decode(Int.self, forKey: .zeroCount),
                    indices: try container.decode([Int].self, forKey: .indices),
                    counts: try container.decode([Int].self, forKey: .counts))
    } catch let error as HistogramError {
      throw DecodingError.dataCorruptedError(forKey: .counts, in: container, debugDescription: error.description)
    }
  }

  /// Encodes the sparse form (non-empty bins only).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    let (indices, sparse) = nonEmptyBins
    try container.encode(zeroCount, forKey: .zeroCount)
    try container.encode(indices, forKey: .indices)
    try container.encode(sparse, forKey: .counts)
  }
}
