/// An invalid energy table, workload, precision or preset name.
public enum EnergyModelError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A table field is out of range; `field` is its JSON path.
  case invalidTable(field: String, value: String, expected: String)
  /// The table's `schemaVersion` is not one this code reads.
  case unsupportedSchemaVersion(found: Int, supported: Int)
  /// No built-in preset has this name.
  case unknownPreset(name: String, available: [String])
  /// A workload count is out of range.
  case invalidWorkload(layer: String, field: String, value: Int, expected: String)
  /// Two workloads share a name.
  case duplicateLayerName(String)
  /// A precision width is out of range.
  case invalidPrecision(layer: String, field: String, value: Int, expected: String)
  /// No MAC mode of the table holds the layer's (weight, activation) pair.
  case noModeHoldsPrecision(layer: String, weightBits: Int, activationBits: Int, available: String)
  /// The workload and precision lists differ in length.
  case layerCountMismatch(workloads: Int, precisions: Int)

  /// A one-line message naming the field or layer, the value and what was expected.
  public var description: String {
    switch self {
    case .invalidTable(let field, let value, let expected):
      return "energy table field '\(field)' is \(value); expected \(expected)"
    case .unsupportedSchemaVersion(let found, let supported):
      return "energy table schemaVersion is \(found); this version of precsearch reads schemaVersion \(supported)"
    case .unknownPreset(let name, let available):
      return "unknown energy model '\(name)'; expected one of \(available.joined(separator: ", ")) or a table file"
    case .invalidWorkload(let layer, let field, let value, let expected):
      return "layer '\(layer)': \(field) is \(value); expected \(expected)"
    case .duplicateLayerName(let name):
      return "layer name '\(name)' appears more than once; layer names must be unique"
    case .invalidPrecision(let layer, let field, let value, let expected):
      return "layer '\(layer)': \(field) is \(value); expected \(expected)"
    case .noModeHoldsPrecision(let layer, let weightBits, let activationBits, let available):
      return "layer '\(layer)': no MAC mode holds \(weightBits)-bit weights x \(activationBits)-bit activations;"
        + " the table's modes are \(available)"
    case .layerCountMismatch(let workloads, let precisions):
      return "\(workloads) layer workloads but \(precisions) layer precisions; expected one precision per layer"
    }
  }
}
