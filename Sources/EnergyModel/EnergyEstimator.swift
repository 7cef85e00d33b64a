/// Prices per-layer workloads at per-layer precisions with one ``EnergyTable``.
///
/// Create it once per table (it validates the table and precomputes the mode of every bit pair), then call
/// ``report(workloads:precisions:)`` for an explainable report or ``totalPicojoules(workloads:precisions:)`` in a
/// search loop.
///
/// Mode choice: a layer runs in the mode holding its (weight, activation) pair with the lowest cost per MAC, where
/// cost = energy per MAC + leakage per MAC (`leakagePower / (units x macsPerCycle x clock)`); ties go to the earlier
/// mode in the table. Lowering a width can only enlarge the set of holding modes, so the chosen cost never rises.
public struct EnergyEstimator: Sendable {
  /// The table this estimator prices with (validated).
  public let table: EnergyTable

  /// The modes layers may run in (for a bit-granular datapath: the expanded per-pair list).
  public let modes: [MACMode]

  /// Modes indexed by `(weightBits - 1) * lookupActivationBits + (activationBits - 1)`; -1 where none holds.
  private let modeIndexByPair: [Int]
  private let lookupWeightBits: Int
  private let lookupActivationBits: Int
  private let modeEnergy: [Double]
  private let modeMicrosecondsPerMAC: [Double]

  /// Validates `table` and precomputes the mode of every bit pair.
  ///
  /// - Throws: ``EnergyModelError`` from ``EnergyTable/validate()``.
  public init(table: EnergyTable) throws {
    try table.validate()
    self.table = table
    let modes = table.compute.expandedModes
    self.modes = modes
    let units = Double(table.parallelMACUnits.value)
    let clock = table.clockFrequencyMegahertz.value
    let leakage = table.leakagePowerMicrowatts.value
    let energy = modes.map(\.energyPerMACPicojoules.value)
    let microsecondsPerMAC = modes.map { 1 / (units * Double($0.macsPerCycle) * clock) }
    modeEnergy = energy
    modeMicrosecondsPerMAC = microsecondsPerMAC
    // Widths are validated to 1...32, so the lookup has at most 1024 entries.
    let maxW = modes.map(\.maxWeightBits).max() ?? 0
    let maxA = modes.map(\.maxActivationBits).max() ?? 0
    lookupWeightBits = maxW
    lookupActivationBits = maxA
    var lookup = [Int](repeating: -1, count: maxW * maxA)
    switch table.compute {
    case .bitGranular:
      // One mode per pair, weight-major (see `BitGranularDatapath.modes()`); by monotonicity it is the cheapest.
      for i in lookup.indices { lookup[i] = i }
    case .modes:
      let cost = modes.indices.map { energy[$0] + leakage * microsecondsPerMAC[$0] }
      for w in stride(from: 1, through: maxW, by: 1) {
        for a in stride(from: 1, through: maxA, by: 1) {
          var best = -1
          for m in modes.indices where modes[m].holds(weightBits: w, activationBits: a) {
            if best < 0 || cost[m] < cost[best] { best = m }
          }
          lookup[(w - 1) * maxA + (a - 1)] = best
        }
      }
    }
    modeIndexByPair = lookup
  }

  /// Creates an estimator for the built-in preset called `name`.
  public init(presetNamed name: String) throws {
    try self.init(table: EnergyTable.preset(named: name))
  }

  /// The mode a `weightBits` x `activationBits` layer runs in, or nil if no mode holds the pair.
  public func mode(weightBits: Int, activationBits: Int) -> MACMode? {
    modeIndex(weightBits: weightBits, activationBits: activationBits).map { modes[$0] }
  }

  func modeIndex(weightBits: Int, activationBits: Int) -> Int? {
    guard weightBits >= 1, weightBits <= lookupWeightBits, activationBits >= 1, activationBits <= lookupActivationBits
    else {
      return nil
    }
    let index = modeIndexByPair[(weightBits - 1) * lookupActivationBits + (activationBits - 1)]
    return index >= 0 ? index : nil
  }

  /// Counts and mode of one layer, validated; shared by the report, the fast total and the calibration features.
  struct LayerQuantities {
    var mode: Int
    var macs: Double
    var weightBits: Double
    var activationReadBits: Double
    var activationWriteBits: Double
    var microseconds: Double
  }

  func quantities(_ workload: LayerWorkload, _ precision: LayerPrecisionBits) throws -> LayerQuantities {
    try workload.validate()
    try precision.validate(layer: workload.name)
    guard let mode = modeIndex(weightBits: precision.weightBits, activationBits: precision.activationBits) else {
      throw EnergyModelError.noModeHoldsPrecision(
        layer: workload.name, weightBits: precision.weightBits, activationBits: precision.activationBits,
        available: modeSummary)
    }
    // Counts <= 2^50 and widths <= 64 (bias) or 32: every product below is < 2^57, so plain Int arithmetic is safe.
    let weightBits = workload.weightCount * precision.weightBits + workload.biasCount * table.biasBits.value
    let macs = Double(workload.macs)
    return LayerQuantities(
      mode: mode, macs: macs, weightBits: Double(weightBits),
      activationReadBits: Double(workload.inputElements * precision.activationBits),
      activationWriteBits: Double(workload.outputElements * precision.outputBits),
      microseconds: macs * modeMicrosecondsPerMAC[mode])
  }

  private var modeSummary: String {
    switch table.compute {
    case .bitGranular(let datapath):
      return "every pair up to \(datapath.maxWeightBits)x\(datapath.maxActivationBits) (weight x activation bits)"
    case .modes(let modes):
      return modes.map { "\($0.name) (\($0.maxWeightBits)x\($0.maxActivationBits) bits)" }.joined(separator: ", ")
    }
  }

  private func breakdown(_ q: LayerQuantities) -> EnergyBreakdown {
    let memory = table.memory
    return EnergyBreakdown(
      computePicojoules: q.macs * modeEnergy[q.mode],
      weightReadPicojoules: q.weightBits * memory.weightRead.energyPerBitPicojoules.value,
      activationReadPicojoules: q.activationReadBits * memory.activationRead.energyPerBitPicojoules.value,
      activationWritePicojoules: q.activationWriteBits * memory.activationWrite.energyPerBitPicojoules.value,
      leakagePicojoules: table.leakagePowerMicrowatts.value * q.microseconds)
  }

  /// The energy of one layer at one precision.
  ///
  /// - Throws: ``EnergyModelError`` for an invalid workload or precision, or a pair no mode holds.
  public func layerReport(_ workload: LayerWorkload, precision: LayerPrecisionBits) throws -> LayerEnergyReport {
    let q = try quantities(workload, precision)
    return LayerEnergyReport(
      name: workload.name, precision: precision, modeName: modes[q.mode].name,
      macsPerCycle: modes[q.mode].macsPerCycle, weightBitsRead: q.weightBits, activationBitsRead: q.activationReadBits,
      activationBitsWritten: q.activationWriteBits, cycles: q.microseconds * table.clockFrequencyMegahertz.value,
      latencyMicroseconds: q.microseconds, energy: breakdown(q))
  }

  /// The energy of a whole configuration, per layer and in total, with the uniform 16-bit reference.
  ///
  /// - Parameters:
  ///   - workloads: One workload per weighted layer, in execution order; names must be unique.
  ///   - precisions: One precision per workload, same order.
  /// - Throws: ``EnergyModelError`` (count mismatch, duplicate names, invalid counts or widths, unsupported pair;
  ///   also if the table cannot run 16 x 16, which the reference needs).
  public func report(workloads: [LayerWorkload], precisions: [LayerPrecisionBits]) throws -> EnergyReport {
    try Self.checkNames(workloads)
    guard workloads.count == precisions.count else {
      throw EnergyModelError.layerCountMismatch(workloads: workloads.count, precisions: precisions.count)
    }
    var layers: [LayerEnergyReport] = []
    layers.reserveCapacity(workloads.count)
    var total = EnergyBreakdown.zero
    var microseconds = 0.0
    for (workload, precision) in zip(workloads, precisions) {
      let layer = try layerReport(workload, precision: precision)
      layers.append(layer)
      total = total + layer.energy
      microseconds += layer.latencyMicroseconds
    }
    let reference = try uniform16BitBreakdown(workloads: workloads)
    let referenceTotal = reference.totalPicojoules
    let relative: Double
    if referenceTotal > 0 {
      relative = total.totalPicojoules / referenceTotal
    } else {
      // Only with all-zero prices or counts at 16 bits: report "no change" rather than a NaN or an infinity.
      relative = total.totalPicojoules > 0 ? .greatestFiniteMagnitude : 1
    }
    return EnergyReport(
      tableName: table.name, layers: layers, total: total, cycles: microseconds * table.clockFrequencyMegahertz.value,
      latencyMicroseconds: microseconds, clockFrequencyMegahertz: table.clockFrequencyMegahertz.value,
      uniform16Bit: reference, relativeToUniform16Bit: relative)
  }

  /// The breakdown of `workloads` at 16 bits for weights, activations and outputs.
  ///
  /// - Throws: ``EnergyModelError`` for an invalid workload, or if no mode holds 16 x 16 (the layer is then named
  ///   `<name> (uniform 16-bit reference)`).
  public func uniform16BitBreakdown(workloads: [LayerWorkload]) throws -> EnergyBreakdown {
    var total = EnergyBreakdown.zero
    for workload in workloads {
      do {
        total = total + breakdown(try quantities(workload, .uniform(16)))
      } catch EnergyModelError.noModeHoldsPrecision(let layer, let weightBits, let activationBits, let available) {
        throw EnergyModelError.noModeHoldsPrecision(
          layer: layer + " (uniform 16-bit reference)", weightBits: weightBits, activationBits: activationBits,
          available: available)
      }
    }
    return total
  }

  /// The total energy of a configuration, in pJ, without building a report (for search loops).
  ///
  /// Equals `report(workloads:precisions:).total.totalPicojoules` up to summation order (it sums each layer's total).
  public func totalPicojoules(workloads: [LayerWorkload], precisions: [LayerPrecisionBits]) throws -> Double {
    guard workloads.count == precisions.count else {
      throw EnergyModelError.layerCountMismatch(workloads: workloads.count, precisions: precisions.count)
    }
    var sum = 0.0
    for i in workloads.indices {
      sum += breakdown(try quantities(workloads[i], precisions[i])).totalPicojoules
    }
    return sum
  }

  static func checkNames(_ workloads: [LayerWorkload]) throws {
    // Quadratic scan: layer lists are short (tens), and it keeps results free of hashing order.
    for i in workloads.indices where workloads[..<i].contains(where: { $0.name == workloads[i].name }) {
      throw EnergyModelError.duplicateLayerName(workloads[i].name)
    }
  }
}
