import Foundation
import MultiObjectiveSearch
import Testing
import SeededRandom
import PrecSearchTestSupport

/// Wider seed sweeps of the ZDT thresholds, run only with PRECSEARCH_LONG_TESTS set. They print the
/// measured numbers (one line per seed) so they can be quoted.
@Suite(.enabled(if: LongTests.isEnabled, LongTests.reason))
struct ZDTSeedSweepTests {
  @Test(arguments: [ZDTProblem.Variant.zdt1, .zdt2])
  func nsga2ThresholdHoldsOverTwentySeeds(_ variant: ZDTProblem.Variant) throws {
    let problem = try ZDTProblem(variant)
    let optimum = try problem.discreteOptimumHypervolume
    var ratios: [Double] = []
    for seed in UInt64(1)...20 {
      let result = try runNSGA2(variant, seed: seed)
      let hypervolume = try #require(result.hypervolume)
      ratios.append(hypervolume / optimum)
      print("NSGA-II \(variant) seed \(seed): HV \(hypervolume) = \(hypervolume / optimum) of the discrete optimum \(optimum), \(hypervolume / problem.analyticHypervolume) of the analytic \(problem.analyticHypervolume); \(result.evaluations) evaluations, \(result.generations) generations, front \(result.front.count)")
      #expect(hypervolume >= NSGA2Tests.fractionOfDiscreteOptimum * optimum)
    }
    print("NSGA-II \(variant): min \(ratios.min()!), mean \(ratios.reduce(0, +) / Double(ratios.count)) of the discrete optimum")
    var randomProblem = problem
    for seed in UInt64(1)...5 {
      let archive = try randomSearchArchive(&randomProblem, evaluations: 40_000, seed: seed)
      let hypervolume = try zdtIndicator().value(of: archive)
      print("random search \(variant) seed \(seed): HV \(hypervolume) with 40000 evaluations")
      #expect(hypervolume < 0.1 * optimum)
    }
  }

  @Test func annealingThresholdHoldsOverTwentySeeds() throws {
    var bests: [Double] = []
    for seed in UInt64(1)...20 {
      var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
      var annealing = try SimulatedAnnealing(
        configuration: constrainedAnnealing(seed: seed), searchSpace: problem.searchSpace, objectiveCount: 2,
        initialGenome: Array(repeating: 30, count: 12))
      let result = try annealing.minimize(&problem, until: .evaluations(3000))
      let best = try #require(result.best)
      bests.append(best.objectives[1])
      print("SA seed \(seed): best f2 \(best.objectives[1]) (optimum \(SimulatedAnnealingTests.optimum)), feasible \(best.evaluation.isFeasible), restarts \(annealing.restarts), archive \(result.front.count), HV \(result.hypervolume!)")
      #expect(best.evaluation.isFeasible && best.objectives[1] <= SimulatedAnnealingTests.threshold)
    }
    print("SA: worst best-f2 \(bests.max()!), optimum reached in \(bests.filter { abs($0 - SimulatedAnnealingTests.optimum) < 1e-12 }.count) of 20 seeds")
    for seed in UInt64(1)...5 {
      var problem = try ZDTProblem(.zdt1, maximumF1: 0.3)
      var generator = Xoshiro256StarStar(seed: seed)
      let genomes = (0..<3000).map { _ in problem.searchSpace.randomGenome(using: &generator) }
      let best = zip(genomes, try problem.evaluate(genomes)).filter { $0.1.isFeasible }.map { $0.1.objectives[1] }.min()
      print("random search constrained seed \(seed): best feasible f2 \(best ?? .infinity) with 3000 evaluations")
      // Annealing with the same budget does at least as well as random search on the same problem.
      #expect(bests.max()! <= best ?? .infinity)
    }
  }
}
