/// Energy split by cause, in pJ.
public struct EnergyBreakdown: Sendable, Hashable, Codable {
  /// MAC energy, in pJ.
  public var computePicojoules: Double
  /// Weight and bias reads, in pJ.
  public var weightReadPicojoules: Double
  /// Input-activation reads, in pJ.
  public var activationReadPicojoules: Double
  /// Output-activation writes, in pJ.
  public var activationWritePicojoules: Double
  /// Leakage (static power x run time), in pJ.
  public var leakagePicojoules: Double

  /// Creates a breakdown.
  public init(
    computePicojoules: Double, weightReadPicojoules: Double, activationReadPicojoules: Double,
    activationWritePicojoules: Double, leakagePicojoules: Double
  ) {
    self.computePicojoules = computePicojoules
    self.weightReadPicojoules = weightReadPicojoules
    self.activationReadPicojoules = activationReadPicojoules
    self.activationWritePicojoules = activationWritePicojoules
    self.leakagePicojoules = leakagePicojoules
  }

  /// All zeros.
  public static let zero = EnergyBreakdown(
    computePicojoules: 0, weightReadPicojoules: 0, activationReadPicojoules: 0, activationWritePicojoules: 0,
    leakagePicojoules: 0)

  /// Weight reads + activation reads + activation writes, in pJ.
  public var memoryPicojoules: Double { weightReadPicojoules + activationReadPicojoules + activationWritePicojoules }

  /// Compute + memory + leakage, in pJ.
  public var totalPicojoules: Double { computePicojoules + memoryPicojoules + leakagePicojoules }

  /// Compute energy as a fraction of the total, in 0...1 (0 when the total is 0).
  public var computeShare: Double {
    let total = totalPicojoules
    return total > 0 ? computePicojoules / total : 0
  }

  /// The component-wise sum.
  public static func + (lhs: EnergyBreakdown, rhs: EnergyBreakdown) -> EnergyBreakdown {
    EnergyBreakdown(
      computePicojoules: lhs.computePicojoules + rhs.computePicojoules,
      weightReadPicojoules: lhs.weightReadPicojoules + rhs.weightReadPicojoules,
      activationReadPicojoules: lhs.activationReadPicojoules + rhs.activationReadPicojoules,
      activationWritePicojoules: lhs.activationWritePicojoules + rhs.activationWritePicojoules,
      leakagePicojoules: lhs.leakagePicojoules + rhs.leakagePicojoules)
  }
}

/// The energy of one layer at one precision.
public struct LayerEnergyReport: Sendable, Hashable, Codable {
  /// Layer name.
  public var name: String
  /// The precision priced.
  public var precision: LayerPrecisionBits
  /// Name of the MAC mode the layer runs in (e.g. `8x8`).
  public var modeName: String
  /// MACs per cycle per MAC unit in that mode.
  public var macsPerCycle: Int
  /// Bits read for weights and biases.
  public var weightBitsRead: Double
  /// Bits read for input activations.
  public var activationBitsRead: Double
  /// Bits written for output activations.
  public var activationBitsWritten: Double
  /// Clock cycles (ideal utilisation: macs / (parallel units x macsPerCycle); may be fractional).
  public var cycles: Double
  /// Run time at the table's clock, in microseconds.
  public var latencyMicroseconds: Double
  /// Energy by cause, in pJ.
  public var energy: EnergyBreakdown
}

/// The energy of a whole configuration: per layer, in total, and against uniform 16-bit.
public struct EnergyReport: Sendable, Hashable, Codable {
  /// Name of the table used.
  public var tableName: String
  /// Per-layer reports, in workload order.
  public var layers: [LayerEnergyReport]
  /// Sum over layers, in pJ.
  public var total: EnergyBreakdown
  /// Sum of the layers' cycles.
  public var cycles: Double
  /// Run time at the table's clock, in microseconds.
  public var latencyMicroseconds: Double
  /// The table's clock frequency, in megahertz.
  public var clockFrequencyMegahertz: Double
  /// The same workloads priced at 16 bits everywhere (weights, activations, outputs), in pJ.
  public var uniform16Bit: EnergyBreakdown
  /// `total.totalPicojoules / uniform16Bit.totalPicojoules` (1 when both are 0).
  public var relativeToUniform16Bit: Double
}
