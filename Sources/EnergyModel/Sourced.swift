/// Where a number in an energy table comes from.
public enum Provenance: String, Sendable, Hashable, Codable, CaseIterable {
  /// Printed in the cited source (possibly via a secondary reproduction named in the source string).
  case published
  /// Computed from published numbers; the source string gives the formula.
  case derived
  /// Chosen by us; the source string gives the reason.
  case assumption
  /// Fitted to measurements by calibration; the source string names the fit.
  case fitted
}

/// A number with its source and provenance, as stored in an ``EnergyTable``.
///
/// JSON shape: `{"value": 0.3125, "provenance": "derived", "source": "Horowitz ISSCC 2014: 20 pJ / 64 bit"}`.
/// The unit is in the key that holds it (`energyPerBitPicojoules`, `leakagePowerMicrowatts`, ...).
public struct Sourced<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
  /// The number, in the unit named by the key holding it.
  public var value: Value
  /// Published, derived, assumption or fitted.
  public var provenance: Provenance
  /// Citation, formula or reason.
  public var source: String

  /// Creates a sourced number.
  public init(_ value: Value, _ provenance: Provenance, source: String) {
    self.value = value
    self.provenance = provenance
    self.source = source
  }
}
