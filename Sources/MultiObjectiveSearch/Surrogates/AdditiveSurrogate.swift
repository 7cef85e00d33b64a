/// A surrogate of one objective that is additive over the genes: ridge regression on *threshold* features.
///
/// Gene `g` with allowed values `v0 < v1 < ... < vk` contributes the features `[x_g < v1]`, ..., `[x_g < vk]`, so
/// the model is `value ≈ intercept + Σ_g Σ_{j ≥ 1} weight(g, j) · [x_g < v_j]`: each step down a gene's domain adds
/// its own weight. A value never sampled between two sampled ones is predicted between them, by steps (its two
/// steps' features always agree in the samples, and ridge splits their effect equally); a step beyond every sampled
/// value gets no weight. Fitted by least squares on centred features with the penalty `ridge · |weight|²` (the
/// intercept is not penalized), solved by a Cholesky factorization of the normal equations.
///
/// Used by the precision search to choose which NSGA-II offspring to measure (``HypervolumePreselection``); it is
/// deterministic (a function of the samples in order) and cheap next to one measurement.
public struct AdditiveSurrogate: Hashable, Sendable {
  /// The largest number of features a surrogate may have (larger spaces get none: the normal equations would cost
  /// too much).
  public static let maximumFeatureCount = 1024
  /// The smallest pivot the factorization accepts; a smaller one (a feature with no variance left) is replaced by
  /// ``replacementPivot``.
  static let smallestPivot = 1e-12
  /// The pivot used in place of a vanishing one.
  static let replacementPivot = 1e-6

  /// Per gene, the thresholds of its features: its allowed values but the lowest.
  public let thresholds: [[Int]]
  /// The penalty on the squared weights (> 0).
  public let ridge: Double
  /// The fitted constant.
  public private(set) var intercept: Double
  /// The fitted weight of each feature, gene by gene in threshold order.
  public private(set) var weights: [Double]

  /// The number of features of `searchSpace` (the sum over genes of their value count minus one).
  public static func featureCount(of searchSpace: SearchSpace) -> Int {
    searchSpace.genes.reduce(0) { $0 + $1.count - 1 }
  }

  /// Fits the surrogate.
  ///
  /// - Parameters:
  ///   - searchSpace: the genes; at most ``maximumFeatureCount`` features.
  ///   - samples: genomes of the space with their finite values, at least one.
  ///   - ridge: the penalty, finite and > 0 (so the normal equations are positive definite).
  /// - Throws: ``SearchError`` for too many features, no samples, an invalid genome or a non-finite value.
  public init(searchSpace: SearchSpace, samples: [(genome: [Int], value: Double)], ridge: Double) throws {
    let count = Self.featureCount(of: searchSpace)
    guard count <= Self.maximumFeatureCount else {
      throw SearchError.invalidParameter(name: "surrogate features", expected: "at most \(Self.maximumFeatureCount)",
                                         actual: "\(count)")
    }
    guard !samples.isEmpty else {
      throw SearchError.invalidParameter(name: "surrogate samples", expected: "at least one", actual: "none")
    }
    guard ridge.isFinite, ridge > 0 else {
      throw SearchError.invalidParameter(name: "ridge", expected: "a finite value > 0", actual: "\(ridge)")
    }
    for (index, sample) in samples.enumerated() {
      try searchSpace.validate(sample.genome)
      guard sample.value.isFinite else {
        throw SearchError.invalidParameter(name: "samples[\(index)].value", expected: "a finite value",
                                           actual: "\(sample.value)")
      }
    }
    thresholds = searchSpace.genes.map { Array($0.values.dropFirst()) }
    self.ridge = ridge
    intercept = 0
    weights = []
    fit(samples)
  }

  /// The indices of the features that are 1 for `genome`, increasing.
  func activeFeatures(of genome: [Int]) -> [Int] {
    var result: [Int] = []
    var offset = 0
    for (gene, values) in thresholds.enumerated() {
      for (position, value) in values.enumerated() where genome[gene] < value { result.append(offset + position) }
      offset += values.count
    }
    return result
  }

  /// The predicted value of `genome`, a genome of the space the surrogate was fitted on (a value outside a gene's
  /// domain is placed by the thresholds it is below).
  ///
  /// - Throws: ``SearchError/genomeLengthMismatch(expected:actual:)`` for a genome of another length.
  public func predict(_ genome: [Int]) throws -> Double {
    guard genome.count == thresholds.count else {
      throw SearchError.genomeLengthMismatch(expected: thresholds.count, actual: genome.count)
    }
    return activeFeatures(of: genome).reduce(intercept) { $0 + weights[$1] }
  }

  /// Solves `(Xcᵀ Xc + ridge · I) w = Xcᵀ (y - ȳ)` with `Xc` the centred features, then `intercept = ȳ - w · x̄`.
  private mutating func fit(_ samples: [(genome: [Int], value: Double)]) {
    let featureCount = thresholds.reduce(0) { $0 + $1.count }
    let rows = samples.map { activeFeatures(of: $0.genome) }
    let sampleCount = Double(samples.count)
    let mean = samples.reduce(0) { $0 + $1.value } / sampleCount
    var featureMeans = [Double](repeating: 0, count: featureCount)
    for row in rows { for feature in row { featureMeans[feature] += 1 } }
    featureMeans = featureMeans.map { $0 / sampleCount }
    // Co-occurrence counts and the right-hand side, then the centred normal matrix.
    var coOccurrences = [Double](repeating: 0, count: featureCount * featureCount)
    var rightHandSide = [Double](repeating: 0, count: featureCount)
    for (row, sample) in zip(rows, samples) {
      for feature in row {
        rightHandSide[feature] += sample.value - mean
        for other in row { coOccurrences[feature * featureCount + other] += 1 }
      }
    }
    var normal = [Double](repeating: 0, count: featureCount * featureCount)
    for i in 0..<featureCount {
      for j in 0..<featureCount {
        normal[i * featureCount + j] = coOccurrences[i * featureCount + j] - sampleCount * featureMeans[i] * featureMeans[j]
      }
      normal[i * featureCount + i] += ridge
    }
    weights = Self.solvePositiveDefinite(normal, rightHandSide, size: featureCount)
    intercept = mean - zip(weights, featureMeans).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// Solves `A x = b` for a symmetric positive definite `A` (row-major, `size × size`) by Cholesky factorization;
  /// a vanishing pivot is replaced by ``replacementPivot``.
  static func solvePositiveDefinite(_ matrix: [Double], _ rightHandSide: [Double], size: Int) -> [Double] {
    var lower = [Double](repeating: 0, count: size * size)
    for i in 0..<size {
      for j in 0...i {
        var sum = matrix[i * size + j]
        for k in 0..<j { sum -= lower[i * size + k] * lower[j * size + k] }
        if i == j {
          lower[i * size + i] = sum > smallestPivot ? sum.squareRoot() : replacementPivot
        } else {
          lower[i * size + j] = sum / lower[j * size + j]
        }
      }
    }
    var forward = [Double](repeating: 0, count: size)
    for i in 0..<size {
      var sum = rightHandSide[i]
      for k in 0..<i { sum -= lower[i * size + k] * forward[k] }
      forward[i] = sum / lower[i * size + i]
    }
    var solution = [Double](repeating: 0, count: size)
    for i in stride(from: size - 1, through: 0, by: -1) {
      var sum = forward[i]
      for k in (i + 1)..<size { sum -= lower[k * size + i] * solution[k] }
      solution[i] = sum / lower[i * size + i]
    }
    return solution
  }
}
