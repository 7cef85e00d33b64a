/// The price of one kind of memory access, per bit, at the memory level that holds the data.
public struct MemoryAccessEnergy: Sendable, Hashable, Codable {
  /// The memory level, e.g. `SRAM 32 KB` (documentation only).
  public var level: String
  /// Energy per bit moved, in pJ.
  public var energyPerBitPicojoules: Sourced<Double>

  /// Creates a memory price.
  public init(level: String, energyPerBitPicojoules: Sourced<Double>) {
    self.level = level
    self.energyPerBitPicojoules = energyPerBitPicojoules
  }
}

/// The three memory actions the model prices: weight reads, activation reads and activation writes.
public struct MemoryEnergies: Sendable, Hashable, Codable {
  /// Reading weights and biases, per bit.
  public var weightRead: MemoryAccessEnergy
  /// Reading input activations, per bit.
  public var activationRead: MemoryAccessEnergy
  /// Writing output activations, per bit.
  public var activationWrite: MemoryAccessEnergy

  /// Creates the memory prices.
  public init(weightRead: MemoryAccessEnergy, activationRead: MemoryAccessEnergy, activationWrite: MemoryAccessEnergy) {
    self.weightRead = weightRead
    self.activationRead = activationRead
    self.activationWrite = activationWrite
  }
}

/// A versioned price table: everything the model needs to turn per-layer counts into energy.
///
/// Energy of one layer at precision `(b_w, b_a, b_o)`, running in mode `m` (the cheapest mode holding `(b_w, b_a)`):
///
/// ```
/// compute  = macs * energyPerMAC(m)                                                  [pJ]
/// weights  = (weightCount * b_w + biasCount * biasBits) * memory.weightRead          [pJ]
/// actRead  = inputElements * b_a * memory.activationRead                             [pJ]
/// actWrite = outputElements * b_o * memory.activationWrite                           [pJ]
/// cycles   = macs / (parallelMACUnits * macsPerCycle(m))
/// leakage  = leakagePowerMicrowatts * cycles / clockFrequencyMegahertz               [uW * us = pJ]
/// ```
///
/// Units are in the key names (`...Picojoules`, `...Microwatts`, `...Megahertz`); every number carries its
/// ``Provenance`` and source. JSON encoding lives in the IO layer; this type only conforms to `Codable`.
public struct EnergyTable: Sendable, Hashable, Codable {
  /// The schema version this code reads and writes.
  public static let currentSchemaVersion = 1

  /// Schema version of this table (must equal ``currentSchemaVersion``).
  public var schemaVersion: Int
  /// Table name, e.g. `swp-16-8-4`.
  public var name: String
  /// One-paragraph description of the modelled hardware.
  public var summary: String
  /// Technology the numbers refer to, e.g. `45 nm, 0.9 V`.
  public var technology: String
  /// How MACs are priced.
  public var compute: ComputeDatapath
  /// How memory accesses are priced.
  public var memory: MemoryEnergies
  /// Static (leakage) power of the whole accelerator while it runs, in microwatts (0...1e12).
  public var leakagePowerMicrowatts: Sourced<Double>
  /// Clock frequency, in megahertz (1e-6...1e6).
  public var clockFrequencyMegahertz: Sourced<Double>
  /// Number of MAC units working in parallel (>= 1); cycles = macs / (units * macsPerCycle of the mode).
  public var parallelMACUnits: Sourced<Int>
  /// Width biases are stored and read at, in bits (1...64).
  public var biasBits: Sourced<Int>
  /// Free-form notes (assumptions, calibration history).
  public var notes: [String]

  /// Creates a table (validated by ``validate()``; the estimator calls it).
  public init(
    schemaVersion: Int = EnergyTable.currentSchemaVersion, name: String, summary: String, technology: String,
    compute: ComputeDatapath, memory: MemoryEnergies, leakagePowerMicrowatts: Sourced<Double>,
    clockFrequencyMegahertz: Sourced<Double>, parallelMACUnits: Sourced<Int>, biasBits: Sourced<Int>,
    notes: [String] = []
  ) {
    self.schemaVersion = schemaVersion
    self.name = name
    self.summary = summary
    self.technology = technology
    self.compute = compute
    self.memory = memory
    self.leakagePowerMicrowatts = leakagePowerMicrowatts
    self.clockFrequencyMegahertz = clockFrequencyMegahertz
    self.parallelMACUnits = parallelMACUnits
    self.biasBits = biasBits
    self.notes = notes
  }

  /// Checks every field; throws ``EnergyModelError`` naming the field (as a JSON path) and the expected range.
  public func validate() throws {
    guard schemaVersion == Self.currentSchemaVersion else {
      throw EnergyModelError.unsupportedSchemaVersion(found: schemaVersion, supported: Self.currentSchemaVersion)
    }
    try Self.checkEnergy(memory.weightRead.energyPerBitPicojoules.value, "memory.weightRead.energyPerBitPicojoules")
    try Self.checkEnergy(
      memory.activationRead.energyPerBitPicojoules.value, "memory.activationRead.energyPerBitPicojoules")
    try Self.checkEnergy(
      memory.activationWrite.energyPerBitPicojoules.value, "memory.activationWrite.energyPerBitPicojoules")
    try Self.checkEnergy(leakagePowerMicrowatts.value, "leakagePowerMicrowatts")
    let clock = clockFrequencyMegahertz.value
    guard clock >= 1e-6, clock <= 1e6 else {
      throw EnergyModelError.invalidTable(
        field: "clockFrequencyMegahertz.value", value: "\(clock)", expected: "a frequency in 1e-6...1e6 MHz")
    }
    try Self.checkInteger(parallelMACUnits.value, 1 ... (1 << 30), "parallelMACUnits.value")
    try Self.checkInteger(biasBits.value, 1 ... 64, "biasBits.value")
    let bits = LayerPrecisionBits.validRange
    switch compute {
    case .modes(let modes):
      guard !modes.isEmpty else {
        throw EnergyModelError.invalidTable(field: "compute.modes", value: "empty", expected: "at least one mode")
      }
      for (i, mode) in modes.enumerated() {
        let path = "compute.modes[\(i)]"
        try Self.checkInteger(mode.maxWeightBits, bits, path + ".maxWeightBits")
        try Self.checkInteger(mode.maxActivationBits, bits, path + ".maxActivationBits")
        try Self.checkInteger(mode.macsPerCycle, 1 ... 4096, path + ".macsPerCycle")
        try Self.checkEnergy(mode.energyPerMACPicojoules.value, path + ".energyPerMACPicojoules")
        if modes[..<i].contains(where: { $0.name == mode.name }) {
          throw EnergyModelError.invalidTable(
            field: path + ".name", value: "'\(mode.name)'", expected: "a name not used by another mode")
        }
      }
    case .bitGranular(let datapath):
      let path = "compute.bitGranular"
      try Self.checkInteger(datapath.maxWeightBits, bits, path + ".maxWeightBits")
      try Self.checkInteger(datapath.maxActivationBits, bits, path + ".maxActivationBits")
      try Self.checkInteger(datapath.macsPerCycle, 1 ... 4096, path + ".macsPerCycle")
      try Self.checkEnergy(
        datapath.multiplierEnergyPerBitProductPicojoules.value, path + ".multiplierEnergyPerBitProductPicojoules")
      try Self.checkEnergy(
        datapath.adderEnergyPerAccumulatorBitPicojoules.value, path + ".adderEnergyPerAccumulatorBitPicojoules")
      try Self.checkInteger(datapath.accumulatorGuardBits.value, 0 ... 64, path + ".accumulatorGuardBits.value")
      try Self.checkInteger(datapath.maxAccumulatorBits.value, 1 ... 128, path + ".maxAccumulatorBits.value")
    }
  }

  /// Energies (pJ) and leakage (uW) are bounded by 1e12 so that, with counts <= 2^50 and the clock bounds, every
  /// product the estimator forms stays finite (below about 1e34 pJ).
  private static func checkEnergy(_ value: Double, _ field: String) throws {
    guard value >= 0, value <= 1e12 else {
      throw EnergyModelError.invalidTable(field: field + ".value", value: "\(value)", expected: "a number in 0...1e12")
    }
  }

  private static func checkInteger(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws {
    guard range.contains(value) else {
      throw EnergyModelError.invalidTable(
        field: field, value: "\(value)", expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
    }
  }
}
