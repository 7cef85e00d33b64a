import SeededRandom

/// Per-gene mutation by steps along each gene's ordered domain.
///
/// Each gene mutates independently with probability ``geneProbability`` (default `1 / geneCount`), or, when
/// ``geneProbabilities`` is set, with its own probability (a biased mutation: for example more often on the genes
/// a sensitivity analysis found cheap to lower).
/// A mutating gene moves up or down (each with chance 1/2 when both are possible; at an end of the
/// domain, the only possible way) by a number of steps drawn uniformly from `1...maximumStep`,
/// stopping at the end of the domain. With the default `maximumStep` of 1 this is "move to a
/// neighbouring allowed value". A gene whose domain has a single value never changes.
public struct StepMutation: Hashable, Sendable, Codable {
  /// The per-gene mutation chance in [0, 1]; `nil` means `1 / geneCount`.
  public var geneProbability: Double?
  /// The largest move, in steps (≥ 1). Default 1.
  public var maximumStep: Int
  /// Per-gene mutation chances in [0, 1], one per gene; when set they replace ``geneProbability`` (genes beyond
  /// the list do not mutate). `nil` (the default): every gene has the same chance.
  public var geneProbabilities: [Double]?

  /// Creates the operator; values are checked by ``validate()`` (the algorithms call it).
  public init(geneProbability: Double? = nil, maximumStep: Int = 1, geneProbabilities: [Double]? = nil) {
    self.geneProbability = geneProbability
    self.maximumStep = maximumStep
    self.geneProbabilities = geneProbabilities
  }

  /// Checks `geneProbability` and every entry of `geneProbabilities` in [0, 1] (if set) and `maximumStep >= 1`.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
  public func validate() throws {
    if let geneProbability, !(0...1).contains(geneProbability) {
      throw SearchError.invalidParameter(
        name: "StepMutation.geneProbability", expected: "a value in 0...1", actual: "\(geneProbability)")
    }
    if let geneProbabilities, let bad = geneProbabilities.firstIndex(where: { !(0...1).contains($0) }) {
      throw SearchError.invalidParameter(
        name: "StepMutation.geneProbabilities[\(bad)]", expected: "a value in 0...1", actual: "\(geneProbabilities[bad])")
    }
    guard maximumStep >= 1 else {
      throw SearchError.invalidParameter(
        name: "StepMutation.maximumStep", expected: "at least 1", actual: "\(maximumStep)")
    }
  }

  /// Mutates `genome` in place. Genes whose value is not in their domain are left unchanged.
  ///
  /// Random draws per gene, in order: one unit-interval number ("mutate?"); when mutating, one
  /// coin for the direction (only if both directions are possible) and one step count (only if
  /// `maximumStep > 1`).
  public func mutate(
    _ genome: inout [Int], in space: SearchSpace, using generator: inout some RandomNumberGenerator
  ) {
    let probability = geneProbability ?? 1 / Double(space.geneCount)
    for gene in 0..<min(genome.count, space.geneCount) {
      let chance = geneProbabilities.map { gene < $0.count ? $0[gene] : 0 } ?? probability
      guard generator.nextUnitInterval() < chance else { continue }
      let domain = space.genes[gene]
      guard let position = domain.index(of: genome[gene]) else { continue }
      let canMoveDown = position > 0
      let canMoveUp = position < domain.count - 1
      let upward: Bool
      switch (canMoveDown, canMoveUp) {
      case (true, true): upward = Bool.random(using: &generator)
      case (false, true): upward = true
      case (true, false): upward = false
      case (false, false): continue
      }
      let steps = maximumStep > 1 ? Int.random(in: 1...maximumStep, using: &generator) : 1
      genome[gene] = domain.value(movedFrom: genome[gene], by: upward ? steps : -steps) ?? genome[gene]
    }
  }
}
