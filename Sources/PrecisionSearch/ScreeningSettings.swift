/// How the evaluator screens configurations on part of the split before running the rest.
///
/// The split is cut into ``chunkCount`` strided chunks (chunk `k` holds images `k, k + chunkCount, ...`, so every
/// chunk samples the whole split evenly even when the split is sorted by class). All configurations of a batch
/// run chunk after chunk. After each chunk but the last, a configuration whose upper bound on the correct count
/// of the whole split (``correctUpperBound(correct:imagesRun:imageCount:)``) is dominated by a completely
/// measured configuration (energy <= its energy and correct count >= the bound, one of them strictly) stops
/// there. It then reports its accuracy on the images it ran, which never exceeds the bound, so it stays
/// dominated; only complete measurements can enter the front.
public struct ScreeningSettings: Hashable, Sendable, Codable {
  /// The bound a configuration is screened with.
  public enum Rule: Hashable, Sendable, Codable {
    /// The hard bound `correct + images not yet run`: a configuration that is non-dominated on the whole split is
    /// never screened out, whatever the images; it saves work only on configurations far behind the front.
    case exact
    /// A one-sided confidence bound `z` standard errors above the estimate (see
    /// ``ScreeningSettings/correctUpperBound(correct:imagesRun:imageCount:)``), never above the hard bound. A
    /// configuration whose true accuracy is non-dominated is screened out only if the images it ran
    /// underestimate it by more than `z` standard errors (probability about 0.13 % per check for `z = 3`,
    /// treating the strided chunks as a random sample); such a configuration sits within a few standard errors
    /// of the front anyway.
    case confidence(z: Double)
  }

  /// The number of chunks (1...1024). 1 disables screening. Default 16.
  public var chunkCount: Int
  /// The bound. Default `confidence(z: 3)`.
  public var rule: Rule

  /// Creates the settings.
  public init(chunkCount: Int = 16, rule: Rule = .confidence(z: 3)) {
    self.chunkCount = chunkCount
    self.rule = rule
  }

  /// No screening: every configuration runs on every image.
  public static let disabled = ScreeningSettings(chunkCount: 1, rule: .exact)

  /// Checks the ranges.
  ///
  /// - Throws: ``PrecisionSearchError/invalidSetting(name:expected:actual:)``.
  public func validate() throws {
    guard (1...1024).contains(chunkCount) else {
      throw PrecisionSearchError.invalidSetting(name: "screening chunk count", expected: "1...1024", actual: "\(chunkCount)")
    }
    if case .confidence(let z) = rule, !(z.isFinite && z >= 0) {
      throw PrecisionSearchError.invalidSetting(name: "screening z", expected: "a finite value >= 0", actual: "\(z)")
    }
  }

  /// An upper bound on the correct count over the whole split of a configuration that classified `correct` of
  /// the `imagesRun` images it ran correctly, out of `imageCount`.
  ///
  /// - ``Rule/exact``: `correct + (imageCount - imagesRun)`.
  /// - ``Rule/confidence(z:)``: with `m` images run, `r = imageCount - m` left, `p = correct / m` and the
  ///   Agresti-Coull proportion `q = (correct + 2) / (m + 4)` (so the spread never vanishes at 0 or 1):
  ///   `correct + r * p + z * r * sqrt(q (1 - q) (1/m + 1/r))`, the estimate of the final count plus `z` standard
  ///   errors of the difference between the accuracy of the images left and that of the images run; capped at
  ///   the hard bound.
  public func correctUpperBound(correct: Int, imagesRun: Int, imageCount: Int) -> Double {
    let remaining = imageCount - imagesRun
    let hard = Double(correct + remaining)
    guard case .confidence(let z) = rule, imagesRun > 0, remaining > 0 else { return hard }
    let m = Double(imagesRun), r = Double(remaining)
    let p = Double(correct) / m
    let q = (Double(correct) + 2) / (m + 4)
    let bound = Double(correct) + r * p + z * r * (q * (1 - q) * (1 / m + 1 / r)).squareRoot()
    return min(bound, hard)
  }
}

/// A completely measured configuration that can screen others out: its energy and its correct count on the
/// same split.
public struct ScreeningReference: Hashable, Sendable, Codable {
  /// Energy of one inference, in pJ.
  public var energyPicojoules: Double
  /// Images of the split classified correctly (exact).
  public var correct: Int

  /// Creates a reference point.
  public init(energyPicojoules: Double, correct: Int) {
    self.energyPicojoules = energyPicojoules
    self.correct = correct
  }

  /// Whether this point dominates every configuration with energy `energy` and at most `correctBound` correct
  /// images: energy <= `energy` and correct >= `correctBound`, with at least one strict.
  public func dominates(energy: Double, correctBound: Double) -> Bool {
    let correct = Double(self.correct)
    return energyPicojoules <= energy && correct >= correctBound && (energyPicojoules < energy || correct > correctBound)
  }
}
