import MultiObjectiveSearch
import SeededRandom

/// The ZDT1 / ZDT2 benchmark (Zitzler, Deb, Thiele 2000), discretized: each variable is an integer
/// `0...levels` mapped to `x = k / levels` in [0, 1]. Both objectives are minimized.
///
/// - ZDT1: f1 = x1, g = 1 + 9·Σ_{i≥2} x_i / (n − 1), f2 = g·(1 − √(f1/g)); front f2 = 1 − √f1.
/// - ZDT2: same g, f2 = g·(1 − (f1/g)²); front f2 = 1 − f1².
///
/// The optimal genomes are `[k, 0, 0, …]`, so the discretized optimum front is `levels + 1` points
/// of the analytic front.
struct ZDTProblem: SearchProblem {
  enum Variant { case zdt1, zdt2 }

  let variant: Variant
  let variableCount: Int
  let levels: Int
  let searchSpace: SearchSpace
  let objectiveCount = 2
  /// Optional constraint: f1 must not exceed this (violation = f1 − limit).
  var maximumF1: Double?
  /// Counts evaluated genomes (to check the drivers' bookkeeping).
  var evaluatedCount = 0

  init(_ variant: Variant, variableCount: Int = 12, levels: Int = 30, maximumF1: Double? = nil) throws {
    self.variant = variant
    self.variableCount = variableCount
    self.levels = levels
    self.maximumF1 = maximumF1
    searchSpace = try SearchSpace(geneCount: variableCount, domain: GeneDomain(0...levels))
  }

  func objectives(_ genome: [Int]) -> [Double] {
    let x = genome.map { Double($0) / Double(levels) }
    let f1 = x[0]
    let g = 1 + 9 * x.dropFirst().reduce(0, +) / Double(variableCount - 1)
    let ratio = f1 / g
    let f2 = variant == .zdt1 ? g * (1 - ratio.squareRoot()) : g * (1 - ratio * ratio)
    return [f1, f2]
  }

  mutating func evaluate(_ genomes: [[Int]]) throws -> [Evaluation] {
    evaluatedCount += genomes.count
    return genomes.map { genome in
      let f = objectives(genome)
      return Evaluation(objectives: f, constraintViolation: maximumF1.map { max(0, f[0] - $0) } ?? 0)
    }
  }

  /// f2 on the analytic front at f1.
  func front(_ f1: Double) -> Double {
    variant == .zdt1 ? 1 - f1.squareRoot() : 1 - f1 * f1
  }

  /// The hypervolume of the analytic front for the reference point (1.1, 1.1), in closed form:
  /// ∫₀¹ (1.1 − f2(x)) dx + 0.1 · 1.1, with ∫₀¹ √x dx = 2/3 and ∫₀¹ x² dx = 1/3.
  var analyticHypervolume: Double {
    let integral = variant == .zdt1 ? 0.1 + 2.0 / 3.0 : 0.1 + 1.0 / 3.0
    return integral + 0.1 * 1.1
  }

  /// The best hypervolume the discretized problem allows: the `levels + 1` optimal points.
  var discreteOptimumHypervolume: Double {
    get throws {
      let points = (0...levels).map { k in objectives([k] + Array(repeating: 0, count: variableCount - 1)) }
      return try Hypervolume.compute(points, referencePoint: [1.1, 1.1])
    }
  }
}

/// Uniform random search with a given number of evaluations; the baseline the thresholds must beat.
func randomSearchArchive(
  _ problem: inout ZDTProblem, evaluations: Int, seed: UInt64, constraintHandling: ConstraintHandling = .feasibilityFirst
) throws -> ParetoArchive {
  var generator = Xoshiro256StarStar(seed: seed)
  var archive = try ParetoArchive(objectiveCount: 2, constraintHandling: constraintHandling)
  let genomes = (0..<evaluations).map { _ in problem.searchSpace.randomGenome(using: &generator) }
  for (genome, evaluation) in zip(genomes, try problem.evaluate(genomes)) {
    try archive.insert(Candidate(genome: genome, evaluation: evaluation))
  }
  return archive
}

/// A clock for deterministic time-limit tests: every reading advances by `tick`.
final class FakeElapsedTime {
  private(set) var readings = 0
  let tick: Duration
  init(tick: Duration) { self.tick = tick }
  func read() -> Duration {
    readings += 1
    return tick * (readings - 1)
  }
}

/// The 2-objective hypervolume indicator with reference point (1.1, 1.1) used for the ZDT tests.
func zdtIndicator() throws -> HypervolumeIndicator {
  try HypervolumeIndicator(referencePoint: [1.1, 1.1])
}
