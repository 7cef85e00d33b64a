/// One operating mode of a precision-scalable MAC unit: the widest operands it holds, how many MACs it completes
/// per cycle, and what one MAC costs.
///
/// A layer whose (weight, activation) pair fits in several modes runs in the cheapest one (see
/// ``EnergyEstimator``).
public struct MACMode: Sendable, Hashable, Codable {
  /// A short label, unique within the table, e.g. `16x16`.
  public var name: String
  /// Widest weight operand this mode holds, in bits (1...32).
  public var maxWeightBits: Int
  /// Widest activation operand this mode holds, in bits (1...32).
  public var maxActivationBits: Int
  /// MACs one MAC unit completes per clock cycle in this mode (1 or more).
  public var macsPerCycle: Int
  /// Dynamic energy of one MAC in this mode, in pJ.
  public var energyPerMACPicojoules: Sourced<Double>
  /// Provenance of the structural numbers (`maxWeightBits`, `maxActivationBits`, `macsPerCycle`).
  public var provenance: Provenance
  /// Source of the structural numbers.
  public var source: String

  /// Creates a mode.
  public init(
    name: String, maxWeightBits: Int, maxActivationBits: Int, macsPerCycle: Int,
    energyPerMACPicojoules: Sourced<Double>, provenance: Provenance, source: String
  ) {
    self.name = name
    self.maxWeightBits = maxWeightBits
    self.maxActivationBits = maxActivationBits
    self.macsPerCycle = macsPerCycle
    self.energyPerMACPicojoules = energyPerMACPicojoules
    self.provenance = provenance
    self.source = source
  }

  /// Whether this mode can run `weightBits` x `activationBits` operands.
  public func holds(weightBits: Int, activationBits: Int) -> Bool {
    weightBits <= maxWeightBits && activationBits <= maxActivationBits
  }
}

/// A bit-granular (data-gated) MAC: one mode per (weight bits, activation bits) pair, priced from per-bit
/// coefficients.
///
/// For a `b_w` x `b_a` MAC:
///
/// ```
/// accumulatorBits(b_w, b_a) = min(maxAccumulatorBits, b_w + b_a + accumulatorGuardBits)
/// energyPerMAC(b_w, b_a)    = multiplier * b_w * b_a + adder * accumulatorBits(b_w, b_a)        [pJ]
/// ```
///
/// Both terms are non-decreasing in each width, so the cheapest mode holding a pair is the pair's own mode.
/// Throughput is `macsPerCycle` in every mode (gating saves energy, not time).
public struct BitGranularDatapath: Sendable, Hashable, Codable {
  /// Widest weight operand, in bits (1...32); modes exist for 1...maxWeightBits.
  public var maxWeightBits: Int
  /// Widest activation operand, in bits (1...32); modes exist for 1...maxActivationBits.
  public var maxActivationBits: Int
  /// MACs one MAC unit completes per clock cycle, in every mode (1 or more).
  public var macsPerCycle: Int
  /// Provenance of `maxWeightBits`, `maxActivationBits` and `macsPerCycle`.
  public var provenance: Provenance
  /// Source of `maxWeightBits`, `maxActivationBits` and `macsPerCycle`.
  public var source: String
  /// Multiplier energy per weight-bit x activation-bit (partial product), in pJ.
  public var multiplierEnergyPerBitProductPicojoules: Sourced<Double>
  /// Adder energy per accumulator bit, in pJ.
  public var adderEnergyPerAccumulatorBitPicojoules: Sourced<Double>
  /// Accumulator bits above the product width (headroom for summing up to 2^guard products), in bits (0...64).
  public var accumulatorGuardBits: Sourced<Int>
  /// Widest accumulator, in bits (1...128).
  public var maxAccumulatorBits: Sourced<Int>

  /// Creates a bit-granular datapath.
  public init(
    maxWeightBits: Int, maxActivationBits: Int, macsPerCycle: Int, provenance: Provenance, source: String,
    multiplierEnergyPerBitProductPicojoules: Sourced<Double>, adderEnergyPerAccumulatorBitPicojoules: Sourced<Double>,
    accumulatorGuardBits: Sourced<Int>, maxAccumulatorBits: Sourced<Int>
  ) {
    self.maxWeightBits = maxWeightBits
    self.maxActivationBits = maxActivationBits
    self.macsPerCycle = macsPerCycle
    self.provenance = provenance
    self.source = source
    self.multiplierEnergyPerBitProductPicojoules = multiplierEnergyPerBitProductPicojoules
    self.adderEnergyPerAccumulatorBitPicojoules = adderEnergyPerAccumulatorBitPicojoules
    self.accumulatorGuardBits = accumulatorGuardBits
    self.maxAccumulatorBits = maxAccumulatorBits
  }

  /// The accumulator width of the `weightBits` x `activationBits` mode, in bits.
  ///
  /// Every term is clamped first (widths into 0...32, guard bits into 0...64), so the sum cannot overflow even on
  /// an unvalidated datapath.
  public func accumulatorBits(weightBits: Int, activationBits: Int) -> Int {
    let w = min(max(weightBits, 0), 32)
    let a = min(max(activationBits, 0), 32)
    let guardBits = min(max(accumulatorGuardBits.value, 0), 64)
    return min(maxAccumulatorBits.value, w + a + guardBits)
  }

  /// The energy of one `weightBits` x `activationBits` MAC, in pJ.
  public func energyPerMACPicojoules(weightBits: Int, activationBits: Int) -> Double {
    multiplierEnergyPerBitProductPicojoules.value * Double(weightBits) * Double(activationBits)
      + adderEnergyPerAccumulatorBitPicojoules.value
      * Double(accumulatorBits(weightBits: weightBits, activationBits: activationBits))
  }

  /// The expanded mode list: one mode per pair, weight-major (`1x1`, `1x2`, ..., `maxWeightBits x maxActivationBits`).
  public func modes() -> [MACMode] {
    var result: [MACMode] = []
    // Clamped to 32 so that an unvalidated datapath cannot ask for a huge list.
    for w in stride(from: 1, through: min(maxWeightBits, 32), by: 1) {
      for a in stride(from: 1, through: min(maxActivationBits, 32), by: 1) {
        let accumulator = accumulatorBits(weightBits: w, activationBits: a)
        result.append(
          MACMode(
            name: "\(w)x\(a)", maxWeightBits: w, maxActivationBits: a, macsPerCycle: macsPerCycle,
            energyPerMACPicojoules: Sourced(
              energyPerMACPicojoules(weightBits: w, activationBits: a), .derived,
              source: "multiplier x \(w) x \(a) + adder x \(accumulator) accumulator bits"),
            provenance: provenance, source: source))
      }
    }
    return result
  }
}

/// How a table prices MACs: an explicit list of modes (e.g. a subword-parallel MAC), or a bit-granular datapath
/// with one mode per bit pair generated from per-bit coefficients.
///
/// JSON shape: `{"kind": "modes", "modes": [MACMode, ...]}` or
/// `{"kind": "bitGranular", "bitGranular": BitGranularDatapath}`.
public enum ComputeDatapath: Sendable, Hashable, Codable {
  /// An explicit mode list; a layer runs in the cheapest mode holding its pair.
  case modes([MACMode])
  /// One mode per bit pair, priced from per-bit coefficients.
  case bitGranular(BitGranularDatapath)

  /// The modes a layer may run in (the bit-granular datapath expanded, one per pair).
  public var expandedModes: [MACMode] {
    switch self {
    case .modes(let modes): return modes
    case .bitGranular(let datapath): return datapath.modes()
    }
  }

  private enum CodingKeys: String, CodingKey { case kind, modes, bitGranular }
  private enum Kind: String, Codable { case modes, bitGranular }

  /// Decodes `{"kind": ..., ...}`; an unknown kind is a decoding error naming the accepted kinds.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kindText = try container.decode(String.self, forKey: .kind)
    switch Kind(rawValue: kindText) {
    case .modes: self = .modes(try container.decode([MACMode].self, forKey: .modes))
    case .bitGranular: self = .bitGranular(try container.decode(BitGranularDatapath.self, forKey: .bitGranular))
    case nil:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container,
        debugDescription: "compute.kind is '\(kindText)'; expected 'modes' or 'bitGranular'")
    }
  }

  /// Encodes `{"kind": ..., ...}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .modes(let modes):
      try container.encode(Kind.modes, forKey: .kind)
      try container.encode(modes, forKey: .modes)
    case .bitGranular(let datapath):
      try container.encode(Kind.bitGranular, forKey: .kind)
      try container.encode(datapath, forKey: .bitGranular)
    }
  }
}
