import EnergyModel
import Testing

@Suite struct CodableTests {
  @Test(arguments: EnergyTable.presetNames)
  func presetTablesRoundTrip(name: String) throws {
    let table = try EnergyTable.preset(named: name)
    let tree = try TreeEncoder.encode(table)
    #expect(try TreeDecoder.decode(EnergyTable.self, from: tree) == table)
    // The documented JSON shape: units in key names, a schema version, a tagged compute datapath.
    guard case .object(let object) = tree, case .object(let compute)? = object["compute"] else {
      Issue.record("table did not encode as an object")
      return
    }
    #expect(object["schemaVersion"] == .int(1))
    #expect(object["leakagePowerMicrowatts"] != nil && object["clockFrequencyMegahertz"] != nil)
    #expect(compute["kind"] == .string(name == "swp-16-8-4" ? "modes" : "bitGranular"))
    guard case .object(let leakage)? = object["leakagePowerMicrowatts"] else {
      Issue.record("leakage is not an object")
      return
    }
    #expect(leakage["provenance"] == .string("assumption"))
    #expect(Set(leakage.keys) == ["value", "provenance", "source"])
  }

  @Test func unknownComputeKindIsADecodingError() throws {
    guard case .object(var object) = try TreeEncoder.encode(EnergyTable.subwordParallel16x8x4),
      case .object(var compute)? = object["compute"]
    else {
      Issue.record("table did not encode as an object")
      return
    }
    compute["kind"] = .string("systolic")
    object["compute"] = .object(compute)
    #expect {
      try TreeDecoder.decode(EnergyTable.self, from: .object(object))
    } throws: { "\($0)".contains("expected 'modes' or 'bitGranular'") }
  }

  @Test func reportsMeasurementsAndBudgetsRoundTrip() throws {
    let estimator = try EnergyEstimator(presetNamed: "swp-16-8-4")
    let workloads = TestWorkloads.threeLayer
    let report = try estimator.report(
      workloads: workloads,
      precisions: try LayerPrecisionBits.sequential(weightBits: [8, 4, 16], activationBits: [8, 4, 8]))
    #expect(try TreeDecoder.decode(EnergyReport.self, from: TreeEncoder.encode(report)) == report)
    for measurement in [
      EnergyMeasurement(identifier: "a", layerName: nil, precisions: [.uniform(8)], measuredPicojoules: 12.5),
      EnergyMeasurement(identifier: "b", layerName: "conv1", precisions: [.uniform(4)], measuredPicojoules: 3),
    ] {
      #expect(try TreeDecoder.decode(EnergyMeasurement.self, from: TreeEncoder.encode(measurement)) == measurement)
    }
    for budget in [EnergyBudget.absolute(picojoules: 2.5e6), .relativeToUniform16Bit(fraction: 0.4)] {
      #expect(try TreeDecoder.decode(EnergyBudget.self, from: TreeEncoder.encode(budget)) == budget)
    }
  }
}
