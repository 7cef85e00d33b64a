import Foundation
public import NetworkEngine
public import PrecisionRuntime

/// Operating points for the run-time library (`PrecisionRuntime`) from a Pareto JSON (docs/pareto-json.md).
///
/// Each front point becomes an `OperatingPoint` with the same id, its layers' weight and activation bits as the
/// configuration, its validation and test accuracies, and its energy converted from picojoules to joules.
extension ParetoFrontDocument {
  /// The front's points as operating points, checked against `network` (the folded network of the model the
  /// front was searched on): every point must list the network's weighted layers by name, in order, with widths in
  /// 2...16, an accuracy in 0...1, a finite energy >= 0 and a unique id.
  ///
  /// - Parameter file: The document's path, named in errors (may be empty).
  /// - Throws: ``ParetoFrontDocumentError`` naming the file and the field (`points[2].layers[0].name`).
  public func operatingPoints(for network: Network, file: String = "") throws -> [OperatingPoint] {
    try operatingPoints(layerNames: network.weightedLayerNames, file: file)
  }

  /// As ``operatingPoints(for:file:)``, against the weighted layer names of the model (in configuration order).
  public func operatingPoints(layerNames: [String], file: String = "") throws -> [OperatingPoint] {
    func fail(_ field: String, _ message: String) -> ParetoFrontDocumentError {
      ParetoFrontDocumentError(file: file, field: field, message: message)
    }
    guard !points.isEmpty else { throw fail("points", "the front has no points; the runtime needs at least one") }
    var seen = Set<String>()
    var result: [OperatingPoint] = []
    let bits = LayerPrecision.minimumBits...LayerPrecision.maximumBits
    for (k, point) in points.enumerated() {
      let base = "points[\(k)]"
      guard !point.id.isEmpty else { throw fail("\(base).id", "empty id") }
      guard seen.insert(point.id).inserted else { throw fail("\(base).id", "duplicate id '\(point.id)'") }
      guard point.layers.count == layerNames.count else {
        throw fail("\(base).layers", "has \(point.layers.count) layers but the model has \(layerNames.count) weighted "
          + "layers (\(layerNames.joined(separator: ", "))); is the front for another model?")
      }
      var layers: [LayerPrecision] = []
      for (j, layer) in point.layers.enumerated() {
        let field = "\(base).layers[\(j)]"
        guard layer.name == layerNames[j] else {
          throw fail("\(field).name", "'\(layer.name)' but the model's weighted layer \(j) is '\(layerNames[j])'; "
            + "is the front for another model?")
        }
        guard bits.contains(layer.weightBits) else {
          throw fail("\(field).weightBits", "\(layer.weightBits) is outside \(bits.lowerBound)...\(bits.upperBound)")
        }
        guard bits.contains(layer.activationBits) else {
          throw fail("\(field).activationBits", "\(layer.activationBits) is outside \(bits.lowerBound)...\(bits.upperBound)")
        }
        layers.append(LayerPrecision(weightBits: layer.weightBits, activationBits: layer.activationBits))
      }
      let energy = point.energy.totalPicojoules
      guard energy.isFinite, energy >= 0 else {
        throw fail("\(base).energy.totalPicojoules", "\(energy) is not a finite energy >= 0")
      }
      for (name, value) in [("validation", point.validation.accuracy), ("test", point.test.accuracy)]
      where !(value.isFinite && (0...1).contains(value)) {
        throw fail("\(base).\(name).accuracy", "\(value) is outside 0...1")
      }
      result.append(OperatingPoint(
        id: point.id, configuration: PrecisionConfiguration(layers: layers),
        validationAccuracy: point.validation.accuracy,
        testAccuracy: point.test.images > 0 ? point.test.accuracy : nil,
        energyJoules: energy * 1e-12))
    }
    return result
  }

  /// Reads a Pareto JSON and returns it with its operating points checked against `network`.
  ///
  /// - Throws: `FileAccessError`, `JSONSyntaxError` or ``ParetoFrontDocumentError``.
  public static func readOperatingPoints(from path: String, for network: Network) throws
    -> (document: ParetoFrontDocument, points: [OperatingPoint]) {
    let document = try read(from: path)
    return (document, try document.operatingPoints(for: network, file: path))
  }
}
