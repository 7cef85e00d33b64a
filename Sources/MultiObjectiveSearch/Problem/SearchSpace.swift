/// The genomes a search may visit: one ``GeneDomain`` per gene.
///
/// A genome is an `[Int]` holding one allowed value per gene (values, not positions), in gene order.
public struct SearchSpace: Hashable, Sendable, Codable {
  /// The domain of each gene, in genome order; at least one gene.
  public let genes: [GeneDomain]

  /// Creates a search space from per-gene domains.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` if `genes` is empty.
  public init(genes: [GeneDomain]) throws {
    guard !genes.isEmpty else {
      throw SearchError.invalidParameter(name: "SearchSpace.genes", expected: "at least one gene", actual: "0")
    }
    self.genes = genes
  }

  /// Creates a search space of `geneCount` genes sharing one domain.
  ///
  /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)`` if `geneCount < 1`.
  public init(geneCount: Int, domain: GeneDomain) throws {
    guard geneCount >= 1 else {
      throw SearchError.invalidParameter(
        name: "SearchSpace.geneCount", expected: "at least 1", actual: "\(geneCount)")
    }
    try self.init(genes: Array(repeating: domain, count: geneCount))
  }

  /// The number of genes in every genome.
  public var geneCount: Int { genes.count }

  /// Whether `genome` has one allowed value per gene.
  public func contains(_ genome: [Int]) -> Bool {
    genome.count == genes.count && zip(genes, genome).allSatisfy { $0.contains($1) }
  }

  /// Checks that `genome` has one allowed value per gene.
  ///
  /// - Throws: ``SearchError/genomeLengthMismatch(expected:actual:)`` or
  ///   ``SearchError/geneValueNotAllowed(gene:value:allowed:)`` naming the first bad gene.
  public func validate(_ genome: [Int]) throws {
    guard genome.count == genes.count else {
      throw SearchError.genomeLengthMismatch(expected: genes.count, actual: genome.count)
    }
    for (gene, value) in genome.enumerated() where !genes[gene].contains(value) {
      throw SearchError.geneValueNotAllowed(gene: gene, value: value, allowed: genes[gene].description)
    }
  }

  /// A genome whose genes are drawn independently and uniformly from their domains, in gene order.
  public func randomGenome(using generator: inout some RandomNumberGenerator) -> [Int] {
    genes.map { $0.randomValue(using: &generator) }
  }

  /// The number of distinct genomes, or `nil` if it exceeds `Int.max`.
  public var genomeCount: Int? {
    var total = 1
    for gene in genes {
      let (product, overflow) = total.multipliedReportingOverflow(by: gene.count)
      if overflow { return nil }
      total = product
    }
    return total
  }

  private enum CodingKeys: String, CodingKey {
    case genes
  }

  /// Decodes `{"genes": [...]}` and validates it as ``init(genes:)`` does.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    try self.init(genes: container.decode([GeneDomain].self, forKey: .genes))
  }

  /// Encodes `{"genes": [...]}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(genes, forKey: .genes)
  }
}
