import Testing
import NetworkEngine
@testable import PrecisionRuntime

@Suite struct AdaptiveNetworkTests {
  struct Fixture {
    var model: FixedPointModel
    var points: [OperatingPoint]
    var inputs: [[Float]]
  }

  /// A random network with weight window shifts and `count` random points (energies increasing with the points'
  /// total bits, accuracies made up but increasing with energy).
  func fixture(seed: UInt64, count: Int = 4) throws -> Fixture {
    var g = TestRandom(seed: seed)
    let net = try smallNetwork(&g)
    let inputs = (0..<4).map { _ in randomInput(net, range: -2...2, using: &g) }
    let model = try FixedPointModel(network: net, calibrationInputs: inputs,
                                    options: QuantizationOptions(weightWindowSearch: true))
    let n = net.weightedLayerNames.count
    let configurations = (0..<count).map { _ in randomConfiguration(n, &g) }
    let points = configurations.enumerated().map { k, c in
      let bits = c.layers.reduce(0) { $0 + $1.weightBits + $1.activationBits }
      return OperatingPoint(id: "p\(k)", configuration: c, validationAccuracy: min(1, Double(bits) / 100 + 0.001 * Double(k)),
                            testAccuracy: 0.5, energyJoules: Double(bits) * 1e-9 + Double(k) * 1e-12)
    }
    return Fixture(model: model, points: points, inputs: inputs)
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func everyPointIsBitIdenticalToAFixedIntegerPlan(seed: UInt64) throws {
    let f = try fixture(seed: seed, count: 5)
    let network = try AdaptiveNetwork(model: f.model, points: f.points)
    let ws = network.makeWorkspace()
    var g = TestRandom(seed: seed * 31)
    for _ in 0..<12 {
      let point = f.points[Int.random(in: 0..<f.points.count, using: &g)]
      try network.switch(to: point.id)
      let x = f.inputs[Int.random(in: 0..<f.inputs.count, using: &g)]
      let result = try network.infer(x, workspace: ws)
      let fixed = try IntegerPlan(model: f.model, configuration: point.configuration).run(x)
      #expect(result.scores == fixed)
      #expect(result.pointID == point.id)
      #expect(result.label == Inference.argmax(fixed))
      #expect(result.energyJoules == point.energyJoules)
      #expect(try network.infer(x).scores == fixed, "the pooled path gives the same result")
    }
  }

  @Test func selectionRulesAndClearFailures() throws {
    let f = try fixture(seed: 9)
    let points = [
      OperatingPoint(id: "cheap", configuration: f.points[0].configuration, validationAccuracy: 0.7, energyJoules: 1e-6),
      OperatingPoint(id: "mid", configuration: f.points[1].configuration, validationAccuracy: 0.8, energyJoules: 2e-6),
      OperatingPoint(id: "tie", configuration: f.points[2].configuration, validationAccuracy: 0.8, energyJoules: 3e-6),
      OperatingPoint(id: "best", configuration: f.points[3].configuration, validationAccuracy: 0.9, energyJoules: 4e-6),
    ]
    let network = try AdaptiveNetwork(model: f.model, points: points)
    #expect(network.currentPoint.id == "best", "starts at the most accurate point")
    #expect(try network.select(maximumEnergy: 3.5e-6).id == "mid", "most accurate within 3.5 uJ, cheaper on a tie")
    #expect(network.currentPoint.id == "mid")
    #expect(try network.select(minimumAccuracy: 0.75).id == "mid")
    #expect(try network.select(minimumAccuracy: 0.85).id == "best")
    #expect(try network.select(maximumEnergy: 1e-6).id == "cheap")
    #expect(throws: RuntimeError.noPointWithinEnergy(budgetJoules: 0.5e-6, cheapest: points[0])) {
      try network.select(maximumEnergy: 0.5e-6)
    }
    #expect(network.currentPoint.id == "cheap", "a failed selection leaves the current point")
    #expect(throws: RuntimeError.noPointMeetsAccuracy(minimum: 0.95, mostAccurate: points[3])) {
      try network.select(minimumAccuracy: 0.95)
    }
    #expect(throws: RuntimeError.self) { try network.select(minimumAccuracy: 1.5) }
    #expect(throws: RuntimeError.unknownPoint(id: "nope", known: ["cheap", "mid", "tie", "best"])) {
      try network.switch(to: "nope")
    }
    #expect(try network.switch(toIndex: 2).id == "tie" && network.currentPoint.id == "tie")
    #expect(throws: RuntimeError.self) { try network.switch(toIndex: 4) }
    #expect(throws: RuntimeError.self) { try network.infer(f.inputs[0], atIndex: -1, workspace: network.makeWorkspace()) }
    #expect(try network.infer(f.inputs[0], atIndex: 0, workspace: network.makeWorkspace()).pointID == "cheap")
    #expect(network.currentPoint.id == "tie", "inferring at an index does not switch")
    let message = RuntimeError.noPointWithinEnergy(budgetJoules: 0.5e-6, cheapest: points[0]).description
    #expect(message.contains("cheap") && message.contains("1e-06"))
    #expect(throws: RuntimeError.inputSize(expected: f.model.network.inputShape.elementCount, actual: 3)) {
      try network.infer([1, 2, 3])
    }
    let other = try AdaptiveNetwork(model: f.model, points: points)
    #expect(throws: RuntimeError.foreignWorkspace) { try network.infer(f.inputs[0], workspace: other.makeWorkspace()) }
  }

  @Test func invalidPointListsAreRejected() throws {
    let f = try fixture(seed: 4)
    let c = f.points[0].configuration
    #expect(throws: RuntimeError.noPoints) { try AdaptiveNetwork(model: f.model, points: []) }
    #expect(throws: RuntimeError.duplicatePointID("a")) {
      try AdaptiveNetwork(model: f.model, points: [
        OperatingPoint(id: "a", configuration: c, validationAccuracy: 0.5, energyJoules: 1),
        OperatingPoint(id: "a", configuration: c, validationAccuracy: 0.6, energyJoules: 2),
      ])
    }
    #expect(throws: RuntimeError.self) {
      try AdaptiveNetwork(model: f.model, points: [OperatingPoint(id: "a", configuration: c, validationAccuracy: 0.5, energyJoules: -1)])
    }
    #expect(throws: RuntimeError.self) {
      try AdaptiveNetwork(model: f.model, points: [OperatingPoint(id: "a", configuration: c, validationAccuracy: 1.5, energyJoules: 1)])
    }
    do {
      _ = try AdaptiveNetwork(model: f.model, points: [
        OperatingPoint(id: "short", configuration: .uniform(8, layerCount: 1), validationAccuracy: 0.5, energyJoules: 1),
      ])
      Issue.record("expected configurationDoesNotFit")
    } catch RuntimeError.configurationDoesNotFit(let id, _) {
      #expect(id == "short")
    }
    #expect(throws: RuntimeError.self) { try AdaptiveNetwork(model: f.model, points: f.points, initialPointID: "zz") }
  }

  /// Tasks infer concurrently while another task switches repeatedly: every result must equal the fixed plan's
  /// result at the point it reports (so no inference mixed two points).
  @Test func concurrentInferencesWhileSwitching() async throws {
    let f = try fixture(seed: 21, count: 4)
    let network = try AdaptiveNetwork(model: f.model, points: f.points)
    var expected: [String: [[Float]]] = [:]
    for point in network.points {
      let plan = try IntegerPlan(model: f.model, configuration: point.configuration)
      expected[point.id] = f.inputs.map { plan.run($0) }
    }
    let table = expected
    let inputs = f.inputs
    let ids = network.points.map(\.id)
    let (mismatches, seen) = try await withThrowingTaskGroup(of: (Int, Set<String>).self) { group in
      group.addTask {
        var g = TestRandom(seed: 99)
        for _ in 0..<2000 {
          try network.switch(to: ids[Int.random(in: 0..<ids.count, using: &g)])
          await Task.yield()
        }
        return (0, [])
      }
      for worker in 0..<6 {
        group.addTask {
          var bad = 0
          var points = Set<String>()
          let workspace = worker % 2 == 0 ? network.makeWorkspace() : nil
          for i in 0..<40 {
            let k = (i + worker) % inputs.count
            let result = try workspace.map { try network.infer(inputs[k], workspace: $0) } ?? network.infer(inputs[k])
            if result.scores != table[result.pointID]![k] { bad += 1 }
            points.insert(result.pointID)
            await Task.yield()
          }
          return (bad, points)
        }
      }
      var bad = 0
      var seen = Set<String>()
      for try await (b, p) in group {
        bad += b
        seen.formUnion(p)
      }
      return (bad, seen)
    }
    #expect(mismatches == 0)
    #expect(seen.count >= 2, "the switching task should have been observed (saw \(seen.sorted()))")
  }
}
