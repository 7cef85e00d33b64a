import SeededRandom

/// Uniform crossover: the child takes each gene from one parent or the other independently.
///
/// With probability ``probability`` the parents are mixed: each gene comes from the second parent
/// with probability ``geneSwapProbability``, otherwise from the first. Otherwise the child is a copy
/// of the first parent (mutation then usually makes it new). Gene values are copied, never
/// combined, so the child always lies in the search space when the parents do.
public struct UniformCrossover: Hashable, Sendable, Codable {
  /// The chance that crossover happens at all, in [0, 1]. Default 0.9.
  public var probability: Double
  /// The chance that each gene comes from the second parent, in [0, 1]. Default 0.5.
  public var geneSwapProbability: Double

  /// Creates the operator; values are checked by ``validate()`` (the algorithms call it).
  public init(probability: Double = 0.9, geneSwapProbability: Double = 0.5) {
    self.probability = probability
    self.geneSwapProbability = geneSwapProbability
  }

  /// Checks that both probabilities are in [0, 1].
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
  public func validate() throws {
    guard (0...1).contains(probability) else {
      throw SearchError.invalidParameter(
        name: "UniformCrossover.probability", expected: "a value in 0...1", actual: "\(probability)")
    }
    guard (0...1).contains(geneSwapProbability) else {
      throw SearchError.invalidParameter(
        name: "UniformCrossover.geneSwapProbability", expected: "a value in 0...1",
        actual: "\(geneSwapProbability)")
    }
  }

  /// The child of `first` and `second` (which must have the same length; extra genes of the longer
  /// parent are ignored).
  ///
  /// Random draws, in order: one unit-interval number for "cross or copy", then, when crossing,
  /// one per gene.
  public func child(
    of first: [Int], and second: [Int], using generator: inout some RandomNumberGenerator
  ) -> [Int] {
    guard generator.nextUnitInterval() < probability else { return first }
    var child = first
    for gene in 0..<min(first.count, second.count)
    where generator.nextUnitInterval() < geneSwapProbability {
      child[gene] = second[gene]
    }
    return child
  }
}
