import Dispatch
import EnergyModel
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import PrecisionSearch
import PlatformSupport

/// optimize's one-screen summary on standard output.
extension OptimizeCommand {
  /// The one-screen summary printed on standard output.
  static func summary(_ document: ParetoFrontDocument, constraint: ResolvedConstraint, outputPath: String?) -> String {
    typealias N = NumberFormatting
    typealias E = EnergyFormatting
    let uniform16 = document.energyModel.uniform16BitPicojoules
    var text = "Model:   \(document.model.name) (\(document.model.source)), \(document.model.layers.count) weighted layers, "
      + "\(N.grouped(document.model.totalMACs)) MACs\n"
    text += "Data:    \(document.data.name): validation \(N.grouped(document.data.validation.images)) images, "
      + "test \(N.grouped(document.data.test.images)) images\n"
    text += "Energy:  \(document.energyModel.name) (\(document.energyModel.source)); uniform 16-bit: \(E.energy(uniform16)) per inference\n"
    let effort = document.effort
    text += "Search:  \(document.search.algorithm), seed \(document.search.seed): \(N.grouped(effort.evaluations)) evaluations "
      + "(\(N.grouped(effort.configurationsMeasured)) measured, \(N.grouped(effort.configurationsScreenedOut)) screened out, "
      + "\(N.grouped(effort.memoHits)) from the memo) in \(Self.clock(document.timing.searchSeconds)), "
      + "\(N.fixed(document.timing.evaluationsPerSecond, decimals: 2)) evaluations/s\n"
    text += "Front:   \(document.points.count) points, hypervolume \(N.fixed(document.hypervolume.final, decimals: 4))\n"
    if let selection = document.selection {
      text += "\n"
      if let id = selection.pointId, let point = document.points.first(where: { $0.id == id }) {
        text += "Chosen for \(constraint.summary): \(id)\n"
        text += "  energy \(E.energy(point.energy.totalPicojoules)) (\(N.fixed(point.relativeEnergy, decimals: 3)) x uniform 16-bit), "
          + "validation \(N.percent(point.validation.accuracy)), test \(N.percent(point.test.accuracy)), "
          + "weights \(N.grouped(point.weightMemory.bytes)) bytes\n"
        var table = TextTable([("Layer", .left), ("Weight bits", .right), ("Activation bits", .right), ("Energy", .right)])
        for layer in point.layers {
          table.append([layer.name, String(layer.weightBits), String(layer.activationBits), E.energy(layer.energyPicojoules)])
        }
        text += table.rendered(indent: 2)
      } else {
        text += "Nothing measured meets \(constraint.summary); the front below shows the closest configurations.\n"
      }
    }
    text += "\nFront (by energy; accuracies on validation / test):\n"
    var table = TextTable([("Id", .left), ("Energy", .right), ("x 16-bit", .right), ("Validation", .right),
                           ("Test", .right), ("Weights (B)", .right), ("Configuration", .left)])
    for point in document.points {
      table.append([point.id, E.energy(point.energy.totalPicojoules), N.fixed(point.relativeEnergy, decimals: 3),
                    N.percent(point.validation.accuracy), N.percent(point.test.accuracy),
                    N.grouped(point.weightMemory.bytes),
                    point.layers.map { "w\($0.weightBits)a\($0.activationBits)" }.joined(separator: ",")])
    }
    text += table.rendered(indent: 2)
    text += "\nUniform baselines:\n"
    var baselines = TextTable([("Bits", .right), ("Energy", .right), ("x 16-bit", .right), ("Validation", .right),
                               ("Test", .right), ("Weights (B)", .right)])
    for baseline in document.baselines {
      baselines.append([String(baseline.bits), E.energy(baseline.energyPicojoules), N.fixed(baseline.relativeEnergy, decimals: 3),
                        N.percent(baseline.validation.accuracy), N.percent(baseline.test.accuracy),
                        N.grouped(baseline.weightMemory.bytes)])
    }
    text += baselines.rendered(indent: 2)
    let savings = Self.savings(document)
    if !savings.isEmpty { text += "\n" + savings }
    if let outputPath { text += "\nWrote \(outputPath)\n" }
    return text
  }

  /// Energy saved at 1 % and 3 % validation-accuracy loss versus uniform 16-bit, and versus the cheapest uniform
  /// baseline at least as accurate as the chosen point.
  static func savings(_ document: ParetoFrontDocument) -> String {
    guard let reference = document.baselines.first(where: { $0.bits == 16 }) else { return "" }
    var text = ""
    for loss in [0.01, 0.03] {
      let floor = reference.validation.accuracy - loss
      guard let point = document.points.filter({ $0.validation.accuracy >= floor })
        .min(by: { $0.energy.totalPicojoules < $1.energy.totalPicojoules }) else { continue }
      let versus16 = 1 - point.energy.totalPicojoules / reference.energyPicojoules
      var line = "At <= \(Int(loss * 100))% validation-accuracy loss: \(point.id) uses \(NumberFormatting.percent(versus16)) "
        + "less energy than uniform 16-bit"
      if let uniform = document.baselines.filter({ $0.validation.accuracy >= point.validation.accuracy })
        .min(by: { $0.energyPicojoules < $1.energyPicojoules }) {
        let versusUniform = 1 - point.energy.totalPicojoules / uniform.energyPicojoules
        line += " and \(NumberFormatting.percent(versusUniform)) less than uniform \(uniform.bits)-bit, the cheapest "
          + "uniform configuration at least as accurate"
      }
      text += line + "\n"
    }
    return text
  }

  /// `12:34` or `1:02:03`.
  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "-" }
    let total = Int(seconds.rounded())
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
    let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
    return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
  }
}
