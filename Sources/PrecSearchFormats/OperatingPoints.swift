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

  /// The quantization options the front's points were measured with, from the `model.windowSearch` entry of the
  /// Pareto JSON: `none` (or absent, in files written before it was recorded), `weights`, `activations`, `all`, or
  /// `activations-output` / `all-output` (activation shifts chosen for the network's output, which the model file's
  /// `activationRanges.outputWindowShifts` holds), and its `model.weightGranularity` entry (`per-tensor` or absent;
  /// `per-channel`), and its `model.biasCorrection` entry (`off` or absent; `on`).
  /// A runtime must build its `FixedPointModel` with these options to reproduce the points bit for bit.
  ///
  /// - Parameter value: The parsed JSON document.
  /// - Throws: ``ParetoFrontDocumentError`` naming `model.windowSearch`, `model.weightGranularity` or
  ///   `model.biasCorrection` for another value.
  public static func quantizationOptions(ofFront value: JSONValue, file: String = "") throws -> QuantizationOptions {
    var options = QuantizationOptions()
    if let entry = value["model"]?["windowSearch"] {
      guard let mode = entry.stringValue.flatMap(WindowSearchMode.init(rawValue:)) else {
        throw ParetoFrontDocumentError(file: file, field: "model.windowSearch",
          message: "expected " + WindowSearchMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
      }
      options = mode.quantizationOptions
    }
    if let entry = value["model"]?["weightGranularity"] {
      guard let granularity = entry.stringValue.flatMap(WeightGranularity.init(rawValue:)) else {
        throw ParetoFrontDocumentError(file: file, field: "model.weightGranularity",
          message: "expected " + WeightGranularity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
      }
      options = granularity.applied(to: options)
    }
    if let entry = value["model"]?["biasCorrection"] {
      guard let correction = entry.stringValue.flatMap(BiasCorrection.init(rawValue:)) else {
        throw ParetoFrontDocumentError(file: file, field: "model.biasCorrection",
          message: "expected " + BiasCorrection.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
      }
      options = correction.applied(to: options)
    }
    return options
  }

  /// Reads a Pareto JSON for the runtime: builds the fixed-point model of `network` with `ranges` and the window
  /// search the front records (``quantizationOptions(ofFront:file:)``), then its operating points checked against
  /// that model. `AdaptiveNetwork(model: front.model, points: front.points)` then runs every point exactly as the
  /// search measured it.
  ///
  /// - Parameters:
  ///   - network: The model file's network (unfolded or folded).
  ///   - ranges: The model file's calibrated activation ranges.
  /// - Throws: `FileAccessError`, `JSONSyntaxError`, ``ParetoFrontDocumentError``, or the engine's error when the
  ///   fixed-point model cannot be built (for example activation window search without histograms in `ranges`).
  public static func loadRuntimeFront(from path: String, network: Network, ranges: ActivationRanges) throws
    -> RuntimeFront {
    let data = try FileIO.readData(at: path)
    let document = try decode(data, file: path)
    let options = try quantizationOptions(ofFront: try JSONValue.parse(data), file: path)
    let model = try FixedPointModel(network: network, ranges: ranges, options: options)
    return RuntimeFront(document: document, quantization: options, model: model,
                        points: try document.operatingPoints(for: model.network, file: path))
  }

  /// Reads a Pareto JSON and returns it with its operating points checked against `network`. Build the
  /// fixed-point model with ``quantizationOptions(ofFront:file:)`` (or use ``loadRuntimeFront(from:network:ranges:)``)
  /// to reproduce the points' accuracies.
  ///
  /// - Throws: `FileAccessError`, `JSONSyntaxError` or ``ParetoFrontDocumentError``.
  public static func readOperatingPoints(from path: String, for network: Network) throws
    -> (document: ParetoFrontDocument, points: [OperatingPoint]) {
    let document = try read(from: path)
    return (document, try document.operatingPoints(for: network, file: path))
  }
}

/// A Pareto JSON loaded for the runtime (``ParetoFrontDocument/loadRuntimeFront(from:network:ranges:)``).
public struct RuntimeFront: Sendable {
  /// The document.
  public var document: ParetoFrontDocument
  /// The quantization options the front was measured with (its window search).
  public var quantization: QuantizationOptions
  /// The fixed-point model built with those options: the one copy of the 16-bit masters.
  public var model: FixedPointModel
  /// The front's points as operating points (energies in joules).
  public var points: [OperatingPoint]

  /// Creates the value.
  public init(document: ParetoFrontDocument, quantization: QuantizationOptions, model: FixedPointModel,
              points: [OperatingPoint]) {
    self.document = document
    self.quantization = quantization
    self.model = model
    self.points = points
  }
}
