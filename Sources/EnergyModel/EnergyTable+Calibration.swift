/// The coefficients the energy model is linear in, and the matching feature vectors.
///
/// For a table with coefficient vector `c` and a (layer or network) row with feature vector `f`,
/// `energy = c . f` exactly (up to rounding), as long as the mode each layer runs in stays the same.
///
/// | Coefficient (name = JSON path) | Unit | Feature | Unit |
/// |---|---|---|---|
/// | `compute.modes[NAME].energyPerMACPicojoules` (one per mode) | pJ | MACs run in that mode | MAC |
/// | `compute.bitGranular.multiplierEnergyPerBitProductPicojoules` | pJ | sum of MACs x b_w x b_a | MAC bit^2 |
/// | `compute.bitGranular.adderEnergyPerAccumulatorBitPicojoules` | pJ | sum of MACs x accumulator bits | MAC bit |
/// | `memory.weightRead.energyPerBitPicojoules` | pJ/bit | weight + bias bits read | bit |
/// | `memory.activationRead.energyPerBitPicojoules` | pJ/bit | activation bits read | bit |
/// | `memory.activationWrite.energyPerBitPicojoules` | pJ/bit | activation bits written | bit |
/// | `leakagePowerMicrowatts` | uW | run time | us |
extension EnergyTable {
  /// Coefficient names in feature order (JSON paths into the table).
  public var calibrationCoefficientNames: [String] {
    var names: [String]
    switch compute {
    case .modes(let modes): names = modes.map { "compute.modes[\($0.name)].energyPerMACPicojoules" }
    case .bitGranular:
      names = [
        "compute.bitGranular.multiplierEnergyPerBitProductPicojoules",
        "compute.bitGranular.adderEnergyPerAccumulatorBitPicojoules",
      ]
    }
    return names + [
      "memory.weightRead.energyPerBitPicojoules", "memory.activationRead.energyPerBitPicojoules",
      "memory.activationWrite.energyPerBitPicojoules", "leakagePowerMicrowatts",
    ]
  }

  /// Coefficient values in feature order.
  public var calibrationCoefficientValues: [Double] {
    var values: [Double]
    switch compute {
    case .modes(let modes): values = modes.map(\.energyPerMACPicojoules.value)
    case .bitGranular(let datapath):
      values = [datapath.multiplierEnergyPerBitProductPicojoules.value, datapath.adderEnergyPerAccumulatorBitPicojoules.value]
    }
    return values + [
      memory.weightRead.energyPerBitPicojoules.value, memory.activationRead.energyPerBitPicojoules.value,
      memory.activationWrite.energyPerBitPicojoules.value, leakagePowerMicrowatts.value,
    ]
  }

  /// Coefficients calibration holds at their base value unless told otherwise.
  ///
  /// With a mode list, a mode's leakage per MAC is a fixed multiple of its MAC count (its throughput is fixed), so
  /// leakage power can never be told apart from the per-mode MAC energies: it is held fixed. A bit-granular
  /// datapath holds nothing fixed.
  public var defaultFixedCoefficientNames: [String] {
    switch compute {
    case .modes: return ["leakagePowerMicrowatts"]
    case .bitGranular: return []
    }
  }

  /// A copy with the coefficients at `indices` set to `values` and tagged with `provenance` and `source`.
  ///
  /// - Parameters:
  ///   - values: One value per coefficient, in ``calibrationCoefficientNames`` order.
  ///   - indices: Which coefficients to replace (others keep their value and source).
  ///   - provenance: The new provenance of replaced coefficients (normally `.fitted`).
  ///   - source: The new source of replaced coefficients.
  /// - Throws: ``EnergyModelError/invalidTable(field:value:expected:)`` for a wrong count or a negative or
  ///   non-finite value.
  public func replacingCalibrationCoefficients(
    _ values: [Double], at indices: [Int], provenance: Provenance, source: String
  ) throws -> EnergyTable {
    let names = calibrationCoefficientNames
    guard values.count == names.count else {
      throw EnergyModelError.invalidTable(
        field: "calibration coefficients", value: "\(values.count) values", expected: "\(names.count) values")
    }
    for i in indices {
      guard names.indices.contains(i), values[i].isFinite, values[i] >= 0 else {
        throw EnergyModelError.invalidTable(
          field: names.indices.contains(i) ? names[i] : "coefficient index \(i)",
          value: names.indices.contains(i) ? "\(values[i])" : "out of range",
          expected: "a finite number >= 0")
      }
    }
    func sourced(_ i: Int, _ old: Sourced<Double>) -> Sourced<Double> {
      indices.contains(i) ? Sourced(values[i], provenance, source: source) : old
    }
    var table = self
    var next = 0
    switch compute {
    case .modes(var modes):
      for m in modes.indices { modes[m].energyPerMACPicojoules = sourced(m, modes[m].energyPerMACPicojoules) }
      table.compute = .modes(modes)
      next = modes.count
    case .bitGranular(var datapath):
      datapath.multiplierEnergyPerBitProductPicojoules = sourced(0, datapath.multiplierEnergyPerBitProductPicojoules)
      datapath.adderEnergyPerAccumulatorBitPicojoules = sourced(1, datapath.adderEnergyPerAccumulatorBitPicojoules)
      table.compute = .bitGranular(datapath)
      next = 2
    }
    table.memory.weightRead.energyPerBitPicojoules = sourced(next, memory.weightRead.energyPerBitPicojoules)
    table.memory.activationRead.energyPerBitPicojoules = sourced(next + 1, memory.activationRead.energyPerBitPicojoules)
    table.memory.activationWrite.energyPerBitPicojoules = sourced(
      next + 2, memory.activationWrite.energyPerBitPicojoules)
    table.leakagePowerMicrowatts = sourced(next + 3, leakagePowerMicrowatts)
    return table
  }
}

extension EnergyEstimator {
  /// The feature vector of one layer at one precision, in ``EnergyTable/calibrationCoefficientNames`` order, so
  /// that `layerReport(workload, precision:).energy.totalPicojoules == dot(table.calibrationCoefficientValues,
  /// features)` up to rounding.
  ///
  /// - Throws: ``EnergyModelError`` as ``layerReport(_:precision:)`` does.
  public func calibrationFeatures(_ workload: LayerWorkload, precision: LayerPrecisionBits) throws -> [Double] {
    let q = try quantities(workload, precision)
    var features: [Double]
    switch table.compute {
    case .modes(let list):
      features = [Double](repeating: 0, count: list.count)
      features[q.mode] = q.macs
    case .bitGranular(let datapath):
      let mode = modes[q.mode]
      let accumulator = datapath.accumulatorBits(weightBits: mode.maxWeightBits, activationBits: mode.maxActivationBits)
      features = [
        q.macs * Double(mode.maxWeightBits) * Double(mode.maxActivationBits), q.macs * Double(accumulator),
      ]
    }
    return features + [q.weightBits, q.activationReadBits, q.activationWriteBits, q.microseconds]
  }

  /// The feature vector of a whole configuration (the sum of its layers' feature vectors).
  ///
  /// - Throws: ``EnergyModelError`` for a count mismatch or any invalid layer.
  public func calibrationFeatures(workloads: [LayerWorkload], precisions: [LayerPrecisionBits]) throws -> [Double] {
    guard workloads.count == precisions.count else {
      throw EnergyModelError.layerCountMismatch(workloads: workloads.count, precisions: precisions.count)
    }
    var sum = [Double](repeating: 0, count: table.calibrationCoefficientNames.count)
    for (workload, precision) in zip(workloads, precisions) {
      let layer = try calibrationFeatures(workload, precision: precision)
      for k in sum.indices { sum[k] += layer[k] }
    }
    return sum
  }
}
