public import MultiObjectiveSearch
public import NetworkEngine

/// A fixed precision for one weighted layer, chosen by the user (`--pin first=16`, `--pin conv2=w8a16`).
///
/// A pinned width replaces the candidate set of that gene by the single pinned value, so the search never moves
/// it. `nil` leaves that width free.
public struct LayerPin: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Index of the weighted layer, in `Network.weightedLayerIndices` order (0-based).
  public var layer: Int
  /// The pinned weight bit-width (2...16), or `nil` to leave the weights free.
  public var weightBits: Int?
  /// The pinned input-activation bit-width (2...16), or `nil` to leave the activations free.
  public var activationBits: Int?

  /// Creates a pin; validated by ``PrecisionSearchSpace/init(layerNames:weightCandidates:activationCandidates:pins:)``.
  public init(layer: Int, weightBits: Int?, activationBits: Int?) {
    self.layer = layer
    self.weightBits = weightBits
    self.activationBits = activationBits
  }

  /// `3=w8a16`, `3=w8`, `3=a4`.
  public var description: String {
    "\(layer)=" + (weightBits.map { "w\($0)" } ?? "") + (activationBits.map { "a\($0)" } ?? "")
  }
}

/// The per-layer precision choices as a search space: two genes per weighted layer, weight bits then
/// input-activation bits, in layer order (`[w0, a0, w1, a1, ...]`).
///
/// Each gene's domain is the user's candidate set (default 2...16), or the single pinned value for a pinned width.
/// A genome holds bit-widths (values), so ``configuration(of:)`` is a plain regrouping.
public struct PrecisionSearchSpace: Hashable, Sendable, Codable {
  /// The weighted layers' names, in configuration order.
  public let layerNames: [String]
  /// The allowed weight bit-widths of each layer (candidate set, or the pinned value).
  public let weightDomains: [GeneDomain]
  /// The allowed input-activation bit-widths of each layer (candidate set, or the pinned value).
  public let activationDomains: [GeneDomain]
  /// The weight candidate set the user asked for (ascending, each in 2...16).
  public let weightCandidates: [Int]
  /// The activation candidate set the user asked for (ascending, each in 2...16).
  public let activationCandidates: [Int]
  /// The pins, sorted by layer.
  public let pins: [LayerPin]

  /// The default candidate set: every width the engine supports, 2...16.
  public static let allBitWidths = Array(LayerPrecision.minimumBits...LayerPrecision.maximumBits)

  /// Creates the space.
  ///
  /// - Parameters:
  ///   - layerNames: the weighted layers (at least one), in configuration order.
  ///   - weightCandidates: allowed weight widths; each in 2...16; duplicates and order do not matter.
  ///   - activationCandidates: allowed activation widths, likewise.
  ///   - pins: at most one pin per layer; pinned widths in 2...16 (they need not be candidates).
  /// - Throws: ``PrecisionSearchError/invalidSetting(name:expected:actual:)`` naming the offending value.
  public init(layerNames: [String], weightCandidates: [Int] = allBitWidths,
              activationCandidates: [Int] = allBitWidths, pins: [LayerPin] = []) throws {
    guard !layerNames.isEmpty else {
      throw PrecisionSearchError.invalidSetting(name: "layerNames", expected: "at least one weighted layer", actual: "none")
    }
    let range = LayerPrecision.minimumBits...LayerPrecision.maximumBits
    func candidates(_ values: [Int], _ name: String) throws -> [Int] {
      let sorted = Array(Set(values)).sorted()
      guard !sorted.isEmpty else {
        throw PrecisionSearchError.invalidSetting(name: name, expected: "at least one bit-width", actual: "none")
      }
      if let bad = sorted.first(where: { !range.contains($0) }) {
        throw PrecisionSearchError.invalidSetting(name: name, expected: "bit-widths in 2...16", actual: "\(bad)")
      }
      return sorted
    }
    let weights = try candidates(weightCandidates, "weight candidates")
    let activations = try candidates(activationCandidates, "activation candidates")
    var pinByLayer = [LayerPin?](repeating: nil, count: layerNames.count)
    for pin in pins {
      guard layerNames.indices.contains(pin.layer) else {
        throw PrecisionSearchError.invalidSetting(
          name: "pin", expected: "a layer index in 0..<\(layerNames.count)", actual: "\(pin.layer)")
      }
      guard pinByLayer[pin.layer] == nil else {
        throw PrecisionSearchError.invalidSetting(
          name: "pin", expected: "at most one pin per layer", actual: "two pins for layer '\(layerNames[pin.layer])'")
      }
      for bits in [pin.weightBits, pin.activationBits].compactMap({ $0 }) where !range.contains(bits) {
        throw PrecisionSearchError.invalidSetting(
          name: "pin of layer '\(layerNames[pin.layer])'", expected: "bit-widths in 2...16", actual: "\(bits)")
      }
      guard pin.weightBits != nil || pin.activationBits != nil else {
        throw PrecisionSearchError.invalidSetting(
          name: "pin of layer '\(layerNames[pin.layer])'", expected: "a weight or an activation width", actual: "neither")
      }
      pinByLayer[pin.layer] = pin
    }
    // The candidate lists were validated to be non-empty and strictly increasing, so these cannot throw.
    let weightDomain = try GeneDomain(values: weights)
    let activationDomain = try GeneDomain(values: activations)
    self.layerNames = layerNames
    self.weightCandidates = weights
    self.activationCandidates = activations
    self.pins = pinByLayer.compactMap { $0 }
    self.weightDomains = try pinByLayer.map { pin in
      try pin?.weightBits.map { try GeneDomain(values: [$0]) } ?? weightDomain
    }
    self.activationDomains = try pinByLayer.map { pin in
      try pin?.activationBits.map { try GeneDomain(values: [$0]) } ?? activationDomain
    }
  }

  /// The number of weighted layers.
  public var layerCount: Int { layerNames.count }

  /// The genes as a generic search space: `[w0, a0, w1, a1, ...]`.
  public var searchSpace: SearchSpace {
    // At least one layer, so at least two genes: `SearchSpace(genes:)` cannot throw.
    try! SearchSpace(genes: (0..<layerCount).flatMap { [weightDomains[$0], activationDomains[$0]] })
  }

  /// The configuration a genome stands for (no validation; see ``contains(_:)``).
  public func configuration(of genome: [Int]) -> PrecisionConfiguration {
    PrecisionConfiguration(layers: stride(from: 0, to: genome.count - 1, by: 2).map {
      LayerPrecision(weightBits: genome[$0], activationBits: genome[$0 + 1])
    })
  }

  /// The genome of a configuration (no validation; see ``contains(_:)``).
  public func genome(of configuration: PrecisionConfiguration) -> [Int] {
    configuration.layers.flatMap { [$0.weightBits, $0.activationBits] }
  }

  /// Whether every width of `configuration` is allowed (candidate or pinned value) and the layer count matches.
  public func contains(_ configuration: PrecisionConfiguration) -> Bool {
    configuration.layers.count == layerCount && configuration.layers.indices.allSatisfy {
      weightDomains[$0].contains(configuration.layers[$0].weightBits)
        && activationDomains[$0].contains(configuration.layers[$0].activationBits)
    }
  }

  /// The genome with every free width set to the allowed value nearest to `bits` (the larger one on a tie) and
  /// every pinned width at its pin.
  public func nearestUniformGenome(bits: Int) -> [Int] {
    (0..<layerCount).flatMap { [Self.nearest(bits, in: weightDomains[$0]), Self.nearest(bits, in: activationDomains[$0])] }
  }

  /// The uniform configurations of the space, one per width in the union of both candidate sets (from the widest
  /// down), each made by ``nearestUniformGenome(bits:)``, without duplicates.
  public var uniformGenomes: [[Int]] {
    var result: [[Int]] = []
    for bits in Set(weightCandidates + activationCandidates).sorted(by: >) {
      let genome = nearestUniformGenome(bits: bits)
      if !result.contains(genome) { result.append(genome) }
    }
    return result
  }

  /// The genome with every gene at its smallest allowed value (the least energy the space allows, since energy
  /// never rises when a width is lowered).
  public var narrowestGenome: [Int] { searchSpace.genes.map { $0.values[0] } }

  /// The genome with every gene at its largest allowed value.
  public var widestGenome: [Int] { searchSpace.genes.map { $0.values[$0.count - 1] } }

  static func nearest(_ bits: Int, in domain: GeneDomain) -> Int {
    var best = domain.values[0]
    for value in domain.values where abs(value - bits) <= abs(best - bits) { best = value }
    return best
  }
}
