/// Built-in tables, selectable by name (`--energy-model NAME`).
///
/// Both presets use the same published 45 nm per-bit numbers (Horowitz, ISSCC 2014) and the same memory placement,
/// so they differ only in the MAC datapath and leakage. See `docs/energy-model.md` for every number and its source.
extension EnergyTable {
  /// Names of the built-in presets, in a fixed order.
  public static let presetNames: [String] = ["horowitz45-bitwise", "swp-16-8-4"]

  /// The built-in preset called `name`.
  ///
  /// - Throws: ``EnergyModelError/unknownPreset(name:available:)`` listing ``presetNames``.
  public static func preset(named name: String) throws -> EnergyTable {
    switch name {
    case "horowitz45-bitwise": return .horowitz45Bitwise
    case "swp-16-8-4": return .subwordParallel16x8x4
    default: throw EnergyModelError.unknownPreset(name: name, available: presetNames)
    }
  }

  /// `horowitz45-bitwise`: a bit-granular (data-gated) MAC priced at 3.125 fJ per weight-bit x activation-bit
  /// plus 3.125 fJ per accumulator bit; weights in a 1 MB SRAM (1.5625 pJ/bit), activations in a 32 KB SRAM
  /// (0.3125 pJ/bit); no leakage; 64 MAC units at 200 MHz, one MAC per unit per cycle in every mode.
  public static var horowitz45Bitwise: EnergyTable {
    EnergyTable(
      name: "horowitz45-bitwise",
      summary: "Bit-granular (data-gated) MAC datapath priced from Horowitz's 45 nm per-operation energies:"
        + " one mode per (weight bits, activation bits) pair, energy = multiplier x b_w x b_a + adder x"
        + " accumulator bits; throughput does not scale with precision. Weights in a 1 MB on-chip SRAM,"
        + " activations in a 32 KB on-chip SRAM. Dynamic energy only (no leakage).",
      technology: HorowitzNumbers.technology,
      compute: .bitGranular(
        BitGranularDatapath(
          maxWeightBits: 16, maxActivationBits: 16, macsPerCycle: 1, provenance: .assumption,
          source: "assumption: widths 1...16 (the engine's master precision is 16 bits); a data-gated MAC"
            + " completes one MAC per cycle at any width (Camus et al., JETCAS 2019: gating saves energy, not time)",
          multiplierEnergyPerBitProductPicojoules: HorowitzNumbers.multiplierPerBitProduct,
          adderEnergyPerAccumulatorBitPicojoules: HorowitzNumbers.adderPerBit,
          accumulatorGuardBits: HorowitzNumbers.accumulatorGuardBits,
          maxAccumulatorBits: HorowitzNumbers.maxAccumulatorBits)),
      memory: HorowitzNumbers.memory,
      leakagePowerMicrowatts: Sourced(
        0, .assumption,
        source: "assumption: Horowitz's numbers are dynamic energy per operation; no leakage figure is given, so"
          + " this preset models dynamic energy only"),
      clockFrequencyMegahertz: HorowitzNumbers.clock,
      parallelMACUnits: HorowitzNumbers.parallelUnits,
      biasBits: HorowitzNumbers.biasBits,
      notes: HorowitzNumbers.notes)
  }

  /// `swp-16-8-4`: a subword-parallel MAC with modes 16x16 (1 MAC/cycle), 8x8 (2) and 4x4 (4), each priced from
  /// the Horowitz per-bit numbers plus a 10 % multi-mode overhead; same memories as `horowitz45-bitwise`;
  /// 2 mW leakage; 64 MAC units at 200 MHz.
  public static var subwordParallel16x8x4: EnergyTable {
    let overhead = SubwordParallelNumbers.multiModeOverhead
    let modes = SubwordParallelNumbers.modes.map { mode -> MACMode in
      let multiplier = HorowitzNumbers.multiplierPerBitProduct.value * Double(mode.bits * mode.bits)
      let adder = HorowitzNumbers.adderPerBit.value * Double(mode.accumulatorBits)
      let energy = (1 + overhead.value) * (multiplier + adder)
      return MACMode(
        name: "\(mode.bits)x\(mode.bits)", maxWeightBits: mode.bits, maxActivationBits: mode.bits,
        macsPerCycle: mode.macsPerCycle,
        energyPerMACPicojoules: Sourced(
          energy, .derived,
          source: "(1 + \(overhead.value) multi-mode overhead) x (3.125 fJ x \(mode.bits) x \(mode.bits) bit products"
            + " + 3.125 fJ x \(mode.accumulatorBits) accumulator bits); accumulator = min(32, 2 x \(mode.bits) + 10"
            + " guard bits); per-bit numbers from Horowitz, ISSCC 2014"),
        provenance: .published,
        source: "subword-parallel 16-bit datapath split into 1 x 16b, 2 x 8b or 4 x 4b lanes (DVAFS: Moons et al.,"
          + " DATE 2017; Envision: Moons et al., ISSCC 2017); the 8-bit SWP MAC of Camus et al., JETCAS 2019 shows the"
          + " same 1/2/4 pattern (1 op at 8x8, 2 at 4x4, 4 at 2x2); asymmetric pairs run in the wider mode")
    }
    return EnergyTable(
      name: "swp-16-8-4",
      summary: "Subword-parallel precision-scalable MAC (Envision/DVAFS style) with modes 16x16, 8x8 and 4x4 at 1, 2"
        + " and 4 MACs per cycle, priced from Horowitz's 45 nm per-bit energies plus a stated multi-mode overhead."
        + " A layer runs in the narrowest mode holding both widths. Weights in a 1 MB on-chip SRAM, activations in a"
        + " 32 KB on-chip SRAM, 2 mW leakage.",
      technology: HorowitzNumbers.technology,
      compute: .modes(modes),
      memory: HorowitzNumbers.memory,
      leakagePowerMicrowatts: Sourced(
        2000, .assumption,
        source: "assumption: 2 mW static power for 64 MAC units plus 1 MB + 32 KB of SRAM in 45 nm, chosen so that"
          + " leakage is about 10 % of the uniform 16-bit energy of a ResNet-8-sized network; not measured"),
      clockFrequencyMegahertz: HorowitzNumbers.clock,
      parallelMACUnits: HorowitzNumbers.parallelUnits,
      biasBits: HorowitzNumbers.biasBits,
      notes: HorowitzNumbers.notes + [
        "multi-mode overhead \(overhead.value): \(overhead.source)"
      ])
  }
}

/// The 45 nm numbers shared by both presets.
private enum HorowitzNumbers {
  static let technology = "45 nm CMOS, 0.9 V (Horowitz, ISSCC 2014)"
  static let citation =
    "Horowitz, 'Computing's energy problem', ISSCC 2014, doi:10.1109/ISSCC.2014.6757323 (values as reproduced in"
    + " Kim et al., arXiv:2302.14017, Fig. 15)"

  /// 0.2 pJ per 8-bit multiply / 64 partial products.
  static let multiplierPerBitProduct = Sourced<Double>(
    0.2 / 64, .derived,
    source: "8-bit integer multiply 0.2 pJ / (8 x 8) bit products = 3.125 fJ; the 32-bit multiply gives"
      + " 3.1 pJ / 1024 = 3.0 fJ. " + citation)

  /// 0.1 pJ per 32-bit add / 32 bits.
  static let adderPerBit = Sourced<Double>(
    0.1 / 32, .derived,
    source: "32-bit integer add 0.1 pJ / 32 bits = 3.125 fJ (16-bit add: 0.05 pJ / 16, the same). " + citation)

  static let accumulatorGuardBits = Sourced<Int>(
    10, .assumption,
    source: "assumption: 10 guard bits sum up to 1024 products without overflow (largest fan-in: LeNet-5 400,"
      + " ResNet-8 576)")

  static let maxAccumulatorBits = Sourced<Int>(
    32, .assumption,
    source: "assumption: 32-bit accumulator at most (the 16 x 16 MAC of energy-anchors 2.2 uses a 32-bit adder)")

  static let memory = MemoryEnergies(
    weightRead: MemoryAccessEnergy(
      level: "SRAM 1 MB (on-chip)",
      energyPerBitPicojoules: Sourced(
        100.0 / 64, .derived,
        source: "64-bit read of a 1 MB cache 100 pJ / 64 bits (public tables citing Horowitz, ISSCC 2014);"
          + " placement of all weights in one 1 MB SRAM is an assumption (ResNet-8 at 16 bits is about 156 KB)")),
    activationRead: MemoryAccessEnergy(
      level: "SRAM 32 KB (on-chip)",
      energyPerBitPicojoules: Sourced(
        20.0 / 64, .derived,
        source: "64-bit read of a 32 KB cache 20 pJ / 64 bits (public tables citing Horowitz, ISSCC 2014);"
          + " placement of activations in a 32 KB SRAM is an assumption")),
    activationWrite: MemoryAccessEnergy(
      level: "SRAM 32 KB (on-chip)",
      energyPerBitPicojoules: Sourced(
        20.0 / 64, .assumption,
        source: "assumption: SRAM write energy per bit equal to the 32 KB read energy (20 pJ / 64 bits); Horowitz"
          + " gives reads only")))

  static let clock = Sourced<Double>(
    200, .assumption,
    source: "assumption: 200 MHz, close to Envision's 204 MHz (ISSCC 2017; recollection, unverified)")

  static let parallelUnits = Sourced<Int>(
    64, .assumption, source: "assumption: a 64-unit MAC array (sets cycles and latency, and leakage time)")

  static let biasBits = Sourced<Int>(
    32, .assumption, source: "assumption: biases stored at 32 bits (accumulator width), as integer kernels do")

  static let notes = [
    "Per-bit energies derive from Horowitz (45 nm); absolute per-operation energies in public tables differ by 4x or"
      + " more (energy-anchors 2.4), so calibrate to the target platform before trusting absolute numbers.",
    "Each weight and activation element is read once and each output element written once per inference (ideal"
      + " on-chip reuse); DRAM (about 20 pJ/bit, Horowitz 640 pJ per 32-bit read) is not used by this preset.",
  ]
}

/// The subword-parallel preset's own structure and assumption.
private enum SubwordParallelNumbers {
  static let multiModeOverhead = Sourced<Double>(
    0.10, .assumption,
    source: "assumption: +10 % energy per MAC in every mode for the reconfigurable datapath (the 'mm_energy = 0.10'"
      + " of a public template, energy-anchors 2.8); Camus et al. (JETCAS 2019) report such an overhead"
      + " qualitatively; replace with measured per-mode numbers")

  /// Mode width, MACs per cycle, accumulator bits per lane (min(32, 2 x width + 10)).
  static let modes: [(bits: Int, macsPerCycle: Int, accumulatorBits: Int)] = [
    (16, 1, 32), (8, 2, 26), (4, 4, 18),
  ]
}
