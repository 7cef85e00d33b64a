import MultiObjectiveSearch
import NetworkEngine

/// The first phase of ``PrecisionSearchAlgorithm/guided``: single-gene sensitivities measured around a good uniform
/// configuration (the *anchor*), an additive model of accuracy loss solved as a multiple-choice knapsack
/// (`MultipleChoiceKnapsack`) for many energy budgets at once, and what the later phases take from it: the
/// knapsack's solutions as measured seeds, and per-gene mutation chances for NSGA-II.
///
/// **Stages**, each a batch of genomes not yet in the memo (so a genome already measured, such as a recorded uniform
/// baseline, costs no evaluation; every genome asked does):
/// 1. `uniform`: the uniform configurations of the space (none when the baselines were recorded). The anchor is
///    then the narrowest uniform configuration whose validation accuracy is within ``anchorTolerance`` of the best
///    uniform one.
/// 2. `probes`: single-gene moves down from the anchor. Per layer, the values below the anchor are ranked
///    *mode-aware* from the energy of the layer moved to each value as a whole (weights and activations together,
///    the rest at the anchor; energies cost no images): a step whose energy drop is below ``flatStepShare`` of the
///    layer's largest step is flat (under `swp-16-8-4` the steps inside a MAC mode, which save only memory bits),
///    runs of flat steps form plateaus, and the ranking is the plateaus' top values (highest first: the most
///    accurate value of each cheaper energy level), then their bottom values, then the rest. Under a bit-granular
///    energy model every value is its own plateau, so the ranking is simply 1, 2, 3 steps down. Round `r` probes
///    the `r`-th ranked value of every layer, weight gene and activation gene each on its own, layers with the
///    largest energy saving first, for at most ``maximumRounds`` rounds and ``evaluationShare`` of the planned
///    evaluations.
/// 3. `seeds`: the knapsack has one group per layer whose items are the (weight, activation) pairs of the anchor's
///    and the probed values, costed by the exact energy change of moving that layer alone to the pair (so a mode
///    boundary reached only when both widths drop is priced as such) and losing the sum of the two probes' measured
///    accuracy losses (clamped at 0). Its exact Pareto set of predicted (energy, loss), up to
///    ``maximumPredictedLoss``, is sampled at up to `populationSize / 2` solutions evenly spaced along it, from its
///    least energy to the anchor's (plus, under an energy budget or an accuracy floor, the solution for it), and those
///    configurations are measured.
///
/// The mutation chance of a free gene is `0.5 / free genes + 0.5 * w / sum(w)` with
/// `w = (energy saved by its layer's first probed value, relative to the anchor) / (its measured loss there + 0.005)`:
/// one gene mutates per genome on average, as with the uniform chance, but insensitive genes of expensive layers
/// more often.
///
/// Everything is a function of the memo and the evaluator's energies, so it is deterministic and, saved in the
/// search state, resumes exactly.
public struct SensitivityGuidance: Hashable, Sendable, Codable {
  /// Where the phase is.
  public enum Stage: String, Hashable, Sendable, Codable {
    /// Measuring the uniform configurations missing from the memo.
    case uniform
    /// Measuring the single-gene probes.
    case probes
    /// Measuring the knapsack's seeds.
    case seeds
    /// Done: the annealing runs start.
    case done
  }

  /// The anchor may be this far (in accuracy, 0...1) below the most accurate uniform configuration.
  public static let anchorTolerance = 0.01
  /// The largest share of the planned evaluations the probes may use.
  public static let evaluationShare = 0.2
  /// At most this many probed values per layer.
  public static let maximumRounds = 3
  /// A step whose energy drop is below this share of the layer's largest step is flat.
  public static let flatStepShare = 0.25
  /// Knapsack solutions predicted to lose more accuracy than this (0...1) are not seeds.
  public static let maximumPredictedLoss = 0.1

  /// The current stage.
  public private(set) var stage: Stage
  /// The anchor genome, once chosen.
  public private(set) var anchor: [Int]?
  /// The uniform bit-width the anchor stands for (its genome is `space.nearestUniformGenome(bits:)` of it).
  public private(set) var anchorBits: Int?
  /// The probe genomes, in measuring order.
  public private(set) var probes: [[Int]]
  /// The seed genomes from the knapsack.
  public private(set) var seeds: [[Int]]
  /// The per-gene mutation chances for NSGA-II (`nil` when no probe was measured).
  public private(set) var geneProbabilities: [Double]?
  /// Evaluations spent in the phase (genomes asked and told, counted by the search).
  public internal(set) var evaluations: Int

  /// A phase about to start.
  public init() {
    stage = .uniform
    anchor = nil
    anchorBits = nil
    probes = []
    seeds = []
    geneProbabilities = nil
    evaluations = 0
  }

  /// The next batch to measure: the current stage's genomes not yet in `memo`, after moving past the stages that
  /// have none (which chooses the anchor and plans the probes, then builds the seeds). Empty once ``stage`` is
  /// `done`.
  ///
  /// - Throws: energy-model or knapsack errors.
  public mutating func nextBatch(space: PrecisionSearchSpace, memo: EvaluationMemo, evaluator: PrecisionEvaluator,
                                 settings: PrecisionSearchSettings) throws -> [[Int]] {
    while true {
      switch stage {
      case .uniform:
        let missing = space.uniformGenomes.filter { memo[$0] == nil }
        if !missing.isEmpty { return missing }
        anchorBits = Self.anchorBits(space: space, memo: memo)
        anchor = anchorBits.map { space.nearestUniformGenome(bits: $0) }
        if let anchor {
          let budget = max(1, Int(Double(settings.plannedEvaluations) * Self.evaluationShare))
          probes = try Self.probes(around: anchor, space: space, evaluator: evaluator, limit: budget)
        }
        stage = .probes
      case .probes:
        let missing = probes.filter { memo[$0] == nil }
        if !missing.isEmpty { return missing }
        if let anchor {
          seeds = try Self.seeds(around: anchor, probes: probes, space: space, memo: memo, evaluator: evaluator,
                                 count: max(1, settings.populationSize / 2), constraint: settings.constraint)
          geneProbabilities = try Self.geneProbabilities(around: anchor, probes: probes, space: space, memo: memo,
                                                         evaluator: evaluator)
        }
        stage = .seeds
      case .seeds:
        let missing = seeds.filter { memo[$0] == nil }
        if !missing.isEmpty { return missing }
        stage = .done
      case .done:
        return []
      }
    }
  }

  // MARK: - Anchor

  /// The bit-width of the narrowest measured uniform genome whose accuracy is within ``anchorTolerance`` of the
  /// best measured uniform genome's (the lowest such width); `nil` when none is measured.
  public static func anchorBits(space: PrecisionSearchSpace, memo: EvaluationMemo) -> Int? {
    let widths = Set(space.weightCandidates + space.activationCandidates).sorted(by: >)
    let measured = widths.compactMap { bits in memo[space.nearestUniformGenome(bits: bits)].map { (bits, $0.accuracy) } }
    guard let best = measured.map(\.1).max() else { return nil }
    // From the widest down, so the last qualifying one is the narrowest.
    return measured.last { $0.1 >= best - anchorTolerance }?.0
  }

  // MARK: - Probes

  /// The free genes (domain of more than one value) of layer `layer`: its weight gene, then its activation gene.
  static func freeGenes(of layer: Int, in space: SearchSpace) -> [Int] {
    [2 * layer, 2 * layer + 1].filter { space.genes[$0].count > 1 }
  }

  /// `genome` with each free gene of `layer` set to the largest allowed value at most `bits` and below its
  /// anchor value (unchanged where there is none).
  static func layerMoved(_ genome: [Int], layer: Int, to bits: Int, in space: SearchSpace) -> [Int] {
    var result = genome
    for gene in freeGenes(of: layer, in: space) {
      if let value = space.genes[gene].values.last(where: { $0 <= bits && $0 < genome[gene] }) { result[gene] = value }
    }
    return result
  }

  /// The values below the anchor that layer `layer` can move to (the union over its free genes), highest first.
  static func valuesBelow(_ anchor: [Int], layer: Int, in space: SearchSpace) -> [Int] {
    var values = Set<Int>()
    for gene in freeGenes(of: layer, in: space) {
      for value in space.genes[gene].values where value < anchor[gene] { values.insert(value) }
    }
    return values.sorted(by: >)
  }

  /// The mode-aware ranking of `values` (highest first) from the layer's energy at each (`energies[i]` at
  /// `values[i]`) and at the anchor: plateau tops, then plateau bottoms, then the rest (see the type's summary).
  public static func rankedValues(_ values: [Int], energies: [Double], anchorEnergy: Double) -> [Int] {
    guard !values.isEmpty, values.count == energies.count else { return [] }
    let drops = values.indices.map { (($0 == 0 ? anchorEnergy : energies[$0 - 1]) - energies[$0]) }
    let largest = drops.max() ?? 0
    guard largest > 0 else { return [] }  // moving this layer saves nothing: nothing worth probing
    let flat = drops.map { $0 < flatStepShare * largest }
    // A value starts a plateau (is its top) when the step into it is not flat; the anchor's own plateau has no top
    // here. A value ends a plateau (is its bottom) when the next step down is not flat, or it is the lowest.
    var tops: [Int] = []
    var bottoms: [Int] = []
    for i in values.indices {
      if !flat[i] { tops.append(values[i]) }
      let isBottom = i == values.count - 1 || !flat[i + 1]
      if isBottom && flat[i] { bottoms.append(values[i]) }
    }
    var ranked = tops
    for value in bottoms + values where !ranked.contains(value) { ranked.append(value) }
    return ranked
  }

  /// The probes around `anchor`, at most `limit` (see the type's summary).
  static func probes(around anchor: [Int], space: PrecisionSearchSpace, evaluator: PrecisionEvaluator,
                     limit: Int) throws -> [[Int]] {
    let genes = space.searchSpace
    let anchorEnergy = try evaluator.energyPicojoules(of: space.configuration(of: anchor))
    var rankings: [[Int]] = []
    var savings: [[Double]] = []
    for layer in 0..<space.layerCount {
      let values = valuesBelow(anchor, layer: layer, in: genes)
      let energies = try values.map {
        try evaluator.energyPicojoules(of: space.configuration(of: layerMoved(anchor, layer: layer, to: $0, in: genes)))
      }
      let ranked = Array(rankedValues(values, energies: energies, anchorEnergy: anchorEnergy).prefix(maximumRounds))
      rankings.append(ranked)
      savings.append(ranked.map { value in anchorEnergy - energies[values.firstIndex(of: value)!] })
    }
    var result: [[Int]] = []
    var seen = Set<[Int]>([anchor])
    for round in 0..<maximumRounds {
      // Layers that saved the most energy at this round's value first (the lower index on a tie).
      let candidates: [Int] = (0..<space.layerCount).filter { rankings[$0].count > round }
      let layers = candidates.sorted { (x: Int, y: Int) -> Bool in
        let a: Double = savings[x][round], b: Double = savings[y][round]
        return a != b ? a > b : x < y
      }
      for layer in layers {
        for gene in freeGenes(of: layer, in: genes) {
          guard let value = genes.genes[gene].values.last(where: { $0 <= rankings[layer][round] && $0 < anchor[gene] })
          else { continue }
          var probe = anchor
          probe[gene] = value
          if seen.insert(probe).inserted { result.append(probe) }
          if result.count == limit { return result }
        }
      }
    }
    return result
  }

  // MARK: - Knapsack and seeds

  /// Measured accuracy loss of each probed value of each gene: `losses[gene]` maps a value to
  /// `max(0, accuracy(anchor) - accuracy(probe))`, as a sorted list of pairs.
  static func losses(around anchor: [Int], probes: [[Int]], memo: EvaluationMemo) -> [[(value: Int, loss: Double)]] {
    var result = [[(value: Int, loss: Double)]](repeating: [], count: anchor.count)
    guard let reference = memo[anchor]?.accuracy else { return result }
    for probe in probes {
      guard let gene = probe.indices.first(where: { probe[$0] != anchor[$0] }), let measured = memo[probe] else { continue }
      result[gene].append((probe[gene], max(0, reference - measured.accuracy)))
    }
    return result.map { $0.sorted { $0.value > $1.value } }
  }

  /// The knapsack of the type's summary and the genome each item stands for (`choices[layer][item]` gives the
  /// layer's (weight, activation) pair).
  static func knapsack(around anchor: [Int], probes: [[Int]], space: PrecisionSearchSpace, memo: EvaluationMemo,
                       evaluator: PrecisionEvaluator) throws -> (problem: MultipleChoiceKnapsack, pairs: [[(Int, Int)]], anchorEnergy: Double) {
    let losses = losses(around: anchor, probes: probes, memo: memo)
    let anchorEnergy = try evaluator.energyPicojoules(of: space.configuration(of: anchor))
    var groups: [[MultipleChoiceKnapsack.Item]] = []
    var pairs: [[(Int, Int)]] = []
    for layer in 0..<space.layerCount {
      let (w, a) = (2 * layer, 2 * layer + 1)
      let weightOptions = [(anchor[w], 0.0)] + losses[w].map { ($0.value, $0.loss) }
      let activationOptions = [(anchor[a], 0.0)] + losses[a].map { ($0.value, $0.loss) }
      var items: [MultipleChoiceKnapsack.Item] = []
      var layerPairs: [(Int, Int)] = []
      for (weightBits, weightLoss) in weightOptions {
        for (activationBits, activationLoss) in activationOptions {
          var genome = anchor
          genome[w] = weightBits
          genome[a] = activationBits
          let energy = try evaluator.energyPicojoules(of: space.configuration(of: genome))
          items.append(.init(cost: energy - anchorEnergy, loss: weightLoss + activationLoss))
          layerPairs.append((weightBits, activationBits))
        }
      }
      groups.append(items)
      pairs.append(layerPairs)
    }
    return (try MultipleChoiceKnapsack(groups: groups), pairs, anchorEnergy)
  }

  /// The seeds of the type's summary, at most `count` plus one for the constraint, none already measured or equal
  /// to the anchor.
  static func seeds(around anchor: [Int], probes: [[Int]], space: PrecisionSearchSpace, memo: EvaluationMemo,
                    evaluator: PrecisionEvaluator, count: Int, constraint: PrecisionConstraint) throws -> [[Int]] {
    let (problem, pairs, anchorEnergy) = try knapsack(around: anchor, probes: probes, space: space, memo: memo,
                                                      evaluator: evaluator)
    let front = try problem.paretoSolutions(maximumLoss: maximumPredictedLoss)
    guard !front.isEmpty else { return [] }
    // Evenly spaced along the Pareto set (by position, so every pick is a different solution while there are
    // enough), from the least energy to the anchor's.
    var chosen: [MultipleChoiceKnapsack.Solution] = []
    let picks = min(count, front.count)
    for k in 0..<picks {
      let position = picks == 1 ? front.count - 1 : (k * (front.count - 1) + (picks - 1) / 2) / (picks - 1)
      chosen.append(front[position])
    }
    switch constraint {
    case .none:
      break
    case .maximumEnergy(let budget):
      if let solution = front.last(where: { anchorEnergy + $0.cost <= budget }) { chosen.append(solution) }
    case .minimumAccuracy(let floor):
      if let reference = memo[anchor]?.accuracy, let solution = front.first(where: { reference - $0.loss >= floor }) {
        chosen.append(solution)
      }
    }
    var result: [[Int]] = []
    var seen = Set<[Int]>([anchor])
    for solution in chosen {
      var genome = anchor
      for (layer, choice) in solution.choices.enumerated() {
        (genome[2 * layer], genome[2 * layer + 1]) = pairs[layer][choice]
      }
      if memo[genome] == nil, seen.insert(genome).inserted { result.append(genome) }
    }
    return result
  }

  /// The per-gene mutation chances of the type's summary; `nil` when no gene has a measured probe.
  static func geneProbabilities(around anchor: [Int], probes: [[Int]], space: PrecisionSearchSpace,
                                memo: EvaluationMemo, evaluator: PrecisionEvaluator) throws -> [Double]? {
    let genes = space.searchSpace
    let losses = losses(around: anchor, probes: probes, memo: memo)
    let anchorEnergy = try evaluator.energyPicojoules(of: space.configuration(of: anchor))
    guard anchorEnergy > 0 else { return nil }
    var weights = [Double](repeating: 0, count: anchor.count)
    for layer in 0..<space.layerCount {
      for gene in freeGenes(of: layer, in: genes) {
        guard let first = losses[gene].first else { continue }
        let moved = layerMoved(anchor, layer: layer, to: first.value, in: genes)
        let saving = (anchorEnergy - (try evaluator.energyPicojoules(of: space.configuration(of: moved)))) / anchorEnergy
        weights[gene] = max(0, saving) / (first.loss + 0.005)
      }
    }
    let total = weights.reduce(0, +)
    let free = (0..<anchor.count).filter { genes.genes[$0].count > 1 }
    guard total > 0, total.isFinite, !free.isEmpty else { return nil }
    var chances = [Double](repeating: 0, count: anchor.count)
    for gene in free { chances[gene] = min(1, 0.5 / Double(free.count) + 0.5 * weights[gene] / total) }
    return chances
  }
}
