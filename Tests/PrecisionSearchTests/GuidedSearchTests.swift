import EnergyModel
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import Testing
@testable import PrecisionSearch

@Suite struct GuidedSearchTests {
  static func settings(seed: UInt64 = 1, evaluations: Int = 60) -> PrecisionSearchSettings {
    PrecisionSearchSettings(algorithm: .guided, seed: seed, maximumEvaluations: evaluations, populationSize: 8,
                            annealingRuns: 2, historyInterval: 10)
  }

  @Test func theSensitivityPhaseProbesSeedsThenAnnealsAndEvolves() throws {
    let evaluator = try TinyProblem.evaluator()
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    var search = try HybridPrecisionSearch(settings: Self.settings(evaluations: 80), space: space, evaluator: evaluator)
    #expect(search.phase == .sensitivity)
    var phases: [HybridPrecisionSearch.Phase] = [search.phase]
    while !search.isFinished {
      try search.step(evaluator: evaluator)
      if phases.last != search.phase { phases.append(search.phase) }
    }
    #expect(phases == [.sensitivity, .annealing, .evolution, .finished])
    #expect(search.evaluations == 80)
    let guidance = try #require(search.guidance)
    #expect(guidance.stage == .done)
    // The anchor is the narrowest uniform configuration within a point of the best uniform one.
    let uniform = space.uniformGenomes.map { search.memo[$0]!.accuracy }
    let bits = try #require(guidance.anchorBits)
    let anchor = try #require(guidance.anchor)
    #expect(anchor == space.nearestUniformGenome(bits: bits))
    #expect(search.memo[anchor]!.accuracy >= uniform.max()! - SensitivityGuidance.anchorTolerance)
    for genome in space.uniformGenomes where genome.allSatisfy({ $0 < bits }) {
      #expect(search.memo[genome]!.accuracy < uniform.max()! - SensitivityGuidance.anchorTolerance)
    }
    // Probes move one gene down from the anchor, within 20 % of the 80 planned evaluations.
    #expect(!guidance.probes.isEmpty && guidance.probes.count <= 16)
    for probe in guidance.probes {
      let moved = probe.indices.filter { probe[$0] != anchor[$0] }
      #expect(moved.count == 1 && probe[moved[0]] < anchor[moved[0]])
      #expect(search.memo[probe] != nil)
    }
    // Seeds were measured; the phase counted every genome it asked (15 uniform + probes + seeds, none in the memo before).
    for seed in guidance.seeds { #expect(search.memo[seed] != nil) }
    #expect(search.guidanceEvaluations == 15 + guidance.probes.count + guidance.seeds.count)
    // Mutation chances: one gene per genome on average, biased (not all equal).
    let chances = try #require(guidance.geneProbabilities)
    #expect(abs(chances.reduce(0, +) - 1) < 1e-9)
    #expect(Set(chances).count > 1)
    #expect(search.evolution?.configuration.mutation.geneProbabilities == chances)
  }

  /// The limit holds exactly wherever it falls: in the uniform stage, among the probes, among the seeds, later.
  @Test(arguments: [1, 7, 15, 18, 24, 31, 45])
  func theEvaluationLimitIsRespectedExactly(limit: Int) throws {
    let search = try PrecisionSearchTests.run(Self.settings(evaluations: limit))
    #expect(search.evaluations == limit)
    #expect(search.isFinished)
    #expect(search.configurationsMeasured + search.memoHits == limit)
    #expect(search.guidanceEvaluations <= limit)
  }

  @Test func recordedBaselinesCostNoEvaluationAndTheProbesStartAtOnce() throws {
    let evaluator = try TinyProblem.evaluator()
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    var search = try HybridPrecisionSearch(settings: Self.settings(evaluations: 40), space: space, evaluator: evaluator)
    let uniform = (2...16).map { PrecisionConfiguration.uniform($0, layerCount: 3) }
    for (configuration, measurement) in zip(uniform, try evaluator.measure(uniform)) {
      search.record(measurement, for: configuration)
    }
    try search.step(evaluator: evaluator)
    let guidance = try #require(search.guidance)
    #expect(guidance.stage == .probes)
    #expect(search.evaluations == guidance.probes.count)
    #expect(search.memoHits == 0)
  }

  /// Plateaus: under a moded energy model a drop inside a mode is flat, so the top of the next mode comes first,
  /// then the bottoms of the plateaus; with even drops the values come in order.
  @Test func probeValuesAreRankedByEnergyPlateaus() {
    // Anchor 8 at 100; 7, 6, 5 save 1 each (memory only); 4 drops to 40 (a cheaper mode); 3, 2 save 1 each.
    let moded = SensitivityGuidance.rankedValues([7, 6, 5, 4, 3, 2], energies: [99, 98, 97, 40, 39, 38], anchorEnergy: 100)
    #expect(moded == [4, 5, 2, 7, 6, 3])
    let even = SensitivityGuidance.rankedValues([7, 6, 5, 4], energies: [90, 80, 71, 63], anchorEnergy: 100)
    #expect(even == [7, 6, 5, 4])
    #expect(SensitivityGuidance.rankedValues([7, 6], energies: [100, 100], anchorEnergy: 100).isEmpty)
    #expect(SensitivityGuidance.rankedValues([], energies: [], anchorEnergy: 100).isEmpty)
  }
}

extension GuidedSearchTests {
  /// Under `swp-16-8-4` a layer of the tiny network moved from 8 bits to 7, 6 or 5 stays in the 8x8 mode (only its
  /// memory bits shrink), while 4 reaches the 4x4 mode: the probes from an 8-bit anchor try 4 first where the MACs
  /// dominate the layer's saving; under `horowitz45-bitwise` they go one step down first (7).
  @Test func probesAreModeAwareUnderTheModedEnergyModel() throws {
    let space = try PrecisionSearchSpace(layerNames: TinyProblem.layerNames)
    let anchor = space.nearestUniformGenome(bits: 8)
    var firstValues: [String: [Int]] = [:]
    for preset in ["swp-16-8-4", "horowitz45-bitwise"] {
      let evaluator = try PrecisionEvaluator(model: TinyProblem.shared.model, split: TinyProblem.shared.split.prefix(40),
                                             estimator: EnergyEstimator(presetNamed: preset))
      let probes = try SensitivityGuidance.probes(around: anchor, space: space, evaluator: evaluator, limit: 6)
      // The first round: one probe per free gene (6 genes), each a single gene moved down.
      firstValues[preset] = probes.map { probe in probe[probe.indices.first { probe[$0] != anchor[$0] }!] }
    }
    #expect(firstValues["horowitz45-bitwise"] == [7, 7, 7, 7, 7, 7])
    // The convolution (MAC-bound) goes to the 4x4 mode first; the two Dense layers (one MAC per weight read, so
    // memory-bound: every step saves about as much) go one step down.
    #expect(firstValues["swp-16-8-4"] == [4, 4, 7, 7, 7, 7])
  }
}

@Suite struct OffspringPreselectionTests {
  static func run(candidates: Int) throws -> HybridPrecisionSearch {
    try PrecisionSearchTests.run(PrecisionSearchSettings(
      algorithm: .guided, seed: 3, maximumEvaluations: 120, populationSize: 8, annealingRuns: 2,
      preselectionCandidates: candidates, historyInterval: 10))
  }

  @Test func settingsDefaultsAndLimits() throws {
    #expect(PrecisionSearchSettings().preselectionCandidates == 1)
    let guided = PrecisionSearchSettings(algorithm: .guided, preselectionCandidates: 4)
    for bad in [0, PrecisionSearchSettings.maximumPreselectionCandidates + 1] {
      #expect(throws: PrecisionSearchError.self) { try PrecisionSearchSettings(preselectionCandidates: bad).validate() }
    }
    try PrecisionSearchSettings(preselectionCandidates: 1).validate()
    // Settings saved before the field existed decode with pre-selection off, so such a search resumes as it began.
    var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(guided)) as? [String: Any])
    #expect(object["preselectionCandidates"] as? Int == 4)
    object["preselectionCandidates"] = nil
    let old = try JSONDecoder().decode(PrecisionSearchSettings.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(old.preselectionCandidates == 1)
    #expect(try JSONDecoder().decode(PrecisionSearchSettings.self, from: JSONEncoder().encode(guided)) == guided)
  }

  @Test func preselectionChangesWhatNSGA2MeasuresAndStaysDeterministic() throws {
    let plain = try Self.run(candidates: 1)
    let preselected = try Self.run(candidates: 4)
    #expect(plain.evaluations == 120 && preselected.evaluations == 120)
    #expect(try JSONCoding.data(preselected) == JSONCoding.data(Self.run(candidates: 4)))
    // The phases before NSGA-II are the same; NSGA-II then measures other offspring.
    #expect(plain.guidance == preselected.guidance)
    #expect(Set(plain.memo.sortedEntries.map(\.genome)) != Set(preselected.memo.sortedEntries.map(\.genome)))
  }

  @Test func theSurrogateRanksMeasuredConfigurations() throws {
    // Fitted on everything a search measured, the surrogate orders those configurations' error rates mostly as
    // measured: Kendall's tau over the complete measurements is well above 0 (0 is no better than chance).
    let search = try Self.run(candidates: 4)
    let preselection = try #require(try OffspringPreselection(space: search.space, memo: search.memo))
    let complete = search.memo.sortedEntries.filter { $0.measurement.isComplete }
    let pairs = try complete.map { (1 - $0.measurement.accuracy, try preselection.predictedError($0.genome)) }
    var concordant = 0, discordant = 0
    for i in pairs.indices {
      for j in pairs.indices where j > i {
        let product = (pairs[i].0 - pairs[j].0) * (pairs[i].1 - pairs[j].1)
        if product > 0 { concordant += 1 } else if product < 0 { discordant += 1 }
      }
    }
    let tau = Double(concordant - discordant) / Double(max(1, concordant + discordant))
    #expect(complete.count >= 50)
    #expect(tau > 0.5, "Kendall's tau \(tau) over \(complete.count) configurations")
  }
}
