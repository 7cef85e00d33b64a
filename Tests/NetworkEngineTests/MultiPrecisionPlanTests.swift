import Testing
import FixedPointArithmetic
@testable import NetworkEngine

/// `MultiPrecisionPlan` at point k must equal `IntegerPlan` at configuration k, bit for bit, whatever the order in
/// which points are visited.
@Suite struct MultiPrecisionPlanTests {
  func randomPrecision(_ g: inout TestRandom) -> LayerPrecision {
    LayerPrecision(weightBits: Int.random(in: 2...16, using: &g), activationBits: Int.random(in: 2...16, using: &g))
  }

  /// A small random ConvNet: conv (maybe grouped or depthwise) -> relu -> conv -> add (residual) -> pool -> dense.
  func randomNetwork(_ g: inout TestRandom) throws -> Network {
    let h = Int.random(in: 3...8, using: &g), w = Int.random(in: 3...8, using: &g)
    let cin = Int.random(in: 1...4, using: &g)
    let c = Int.random(in: 1...12, using: &g)
    var b = NetworkBuilder(input: TensorShape(height: h, width: w, channels: cin))
    let k = Int.random(in: 1...3, using: &g)
    try b.conv("c1", Conv2DAttributes(outputChannels: c, kernelHeight: k, kernelWidth: k, padding: .same),
               input: "input", using: &g)
    let r1 = try b.add("r1", .relu)
    let depthwise = Bool.random(using: &g)
    try b.conv("c2", Conv2DAttributes(outputChannels: c, kernelHeight: 3, kernelWidth: 3, padding: .same,
                                      groups: depthwise ? c : 1), input: r1, using: &g)
    try b.add("sum", .add, inputs: [r1, "c2"])
    try b.add("r2", .relu)
    try b.add("gap", .globalAvgPool)
    try b.add("flat", .flatten)
    try b.dense("fc", outputs: Int.random(in: 2...10, using: &g), using: &g)
    return try withRandomBiases(b.build(), &g)
  }

  /// The builder's biases are zero: give them random values so that the bias resolution is exercised.
  func withRandomBiases(_ net: Network, _ g: inout TestRandom) throws -> Network {
    var nodes = net.nodes
    for i in nodes.indices {
      for j in nodes[i].parameters.indices where nodes[i].parameters[j].role == .bias {
        nodes[i].parameters[j].values = nodes[i].parameters[j].values.map { _ in Float.random(in: -0.5...0.5, using: &g) }
      }
    }
    return try Network(nodes: nodes)
  }

  /// Runs inputs at points in a random order through one workspace and compares every node's codes with a fixed
  /// `IntegerPlan` per point.
  func expectSameAsFixedPlans(_ model: FixedPointModel, _ configurations: [PrecisionConfiguration],
                              _ inputs: [[Float]], kernels: KernelVariant, _ g: inout TestRandom,
                              _ label: String) throws {
    let plan = try MultiPrecisionPlan(model: model, configurations: configurations, kernels: kernels)
    let fixed = try configurations.map { try IntegerPlan(model: model, configuration: $0, kernels: kernels) }
    let ws = plan.makeWorkspace()
    let fixedWorkspaces = fixed.map { $0.makeWorkspace() }
    for step in 0..<(3 * configurations.count) {
      let point = Int.random(in: 0..<configurations.count, using: &g)
      let input = inputs[step % inputs.count]
      let codes = plan.runCodes(input, at: point, workspace: ws)
      let expected = fixed[point].runCodes(input, workspace: fixedWorkspaces[point])
      #expect(codes == expected, "\(label): output codes differ at point \(point) (\(configurations[point]))")
      for i in model.network.nodes.indices where ws.integer.outputs[i] != fixedWorkspaces[point].outputs[i] {
        Issue.record("\(label): node \(model.network.nodes[i].name) differs at point \(point)")
        return
      }
      #expect(plan.run(input, at: point, workspace: ws) == fixed[point].run(input, workspace: fixedWorkspaces[point]))
      #expect(plan.layerParameters(at: point) == fixed[point].layerParameters)
      #expect(plan.storageBits(at: point) == fixed[point].storageBits)
    }
  }

  @Test(arguments: 0..<4)
  func matchesIntegerPlanOnRandomNetworks(seed: UInt64) throws {
    var g = TestRandom(seed: 7000 + seed)
    for trial in 0..<3 {
      let net = try randomNetwork(&g)
      let inputs = (0..<3).map { _ in randomInput(net, range: -2...2, using: &g) }
      // Window shifts (weights) on half the models: the b-bit window may sit lower in the master.
      let options = QuantizationOptions(weightWindowSearch: trial % 2 == 0)
      let model = try FixedPointModel(network: net, calibrationInputs: inputs, options: options)
      let n = net.weightedLayerNames.count
      var configurations = (0..<4).map { _ in PrecisionConfiguration(layers: (0..<n).map { _ in randomPrecision(&g) }) }
      configurations.append(.uniform(16, layerCount: n))
      configurations.append(.uniform(2, layerCount: n))
      for kernels in KernelVariant.allCases {
        try expectSameAsFixedPlans(model, configurations, inputs, kernels: kernels, &g,
                                   "seed \(seed) trial \(trial) \(kernels)")
      }
    }
  }

  /// A model whose weight window shifts are not all zero (searched until one is found), several random points.
  @Test func matchesIntegerPlanWithNonzeroWindowShifts() throws {
    var g = TestRandom(seed: 77)
    for _ in 0..<20 {
      let net = try randomNetwork(&g)
      let inputs = (0..<2).map { _ in randomInput(net, using: &g) }
      let model = try FixedPointModel(network: net, calibrationInputs: inputs,
                                      options: QuantizationOptions(weightWindowSearch: true))
      guard model.layers.contains(where: { $0.windowShifts.contains { $0 != 0 } }) else { continue }
      let n = net.weightedLayerNames.count
      // Points at the widths whose shifts are nonzero, plus random ones.
      let shifted = (2...15).filter { b in model.layers.contains { $0.windowShifts[b] != 0 } }
      let configurations = shifted.prefix(3).map { PrecisionConfiguration.uniform($0, layerCount: n) }
        + (0..<2).map { _ in PrecisionConfiguration(layers: (0..<n).map { _ in randomPrecision(&g) }) }
      try expectSameAsFixedPlans(model, configurations, inputs, kernels: .optimized, &g, "window shifts")
      return
    }
    Issue.record("no random network with a nonzero window shift in 20 draws")
  }

  /// Switching between points that differ in one layer re-derives only the layers whose resolution changed.
  @Test func rederivesOnlyChangedLayers() throws {
    var g = TestRandom(seed: 5)
    let net = try ReferenceArchitectures.leNet(using: &g)
    let model = try FixedPointModel(network: net, calibrationInputs: [randomInput(net, using: &g)])
    let n = net.weightedLayerNames.count
    let a = PrecisionConfiguration.uniform(8, layerCount: n)
    var b = a
    b.layers[n - 1].weightBits = 4  // the last layer's weights only: no other layer's parameters change
    let plan = try MultiPrecisionPlan(model: model, configurations: [a, b])
    let ws = plan.makeWorkspace()
    let x = randomInput(net, using: &g)
    plan.runCodes(x, at: 0, workspace: ws)
    #expect(ws.derivations == 1 && ws.layersDerived == n)
    plan.runCodes(x, at: 0, workspace: ws)
    #expect(ws.derivations == 1, "running again at the same point derives nothing")
    plan.runCodes(x, at: 1, workspace: ws)
    #expect(ws.derivations == 2 && ws.layersDerived == n + 1)
    plan.prepare(ws, at: 0)
    #expect(ws.point == 0 && ws.layersDerived == n + 2)
  }

  @Test func rejectsConfigurationsThatDoNotFitNamingThePoint() throws {
    var g = TestRandom(seed: 6)
    let net = try ReferenceArchitectures.leNet(using: &g)
    let model = try FixedPointModel(network: net, calibrationInputs: [randomInput(net, using: &g)])
    let n = net.weightedLayerNames.count
    #expect(throws: PrecisionError.self) {
      try MultiPrecisionPlan(model: model, configurations: [.uniform(8, layerCount: n), .uniform(8, layerCount: n + 1)])
    }
    do {
      _ = try MultiPrecisionPlan(model: model, configurations: [.uniform(8, layerCount: n), .uniform(17, layerCount: n)])
      Issue.record("expected an error")
    } catch let error as PrecisionError {
      #expect(error.description.hasPrefix("point 1:"))
    }
  }
}

@Suite struct MultiPrecisionDerivationTests {
  /// Every 16-bit code at every width and window shift (including out-of-range arguments, which are clamped).
  @Test func fastDerivationEqualsMasterPrecisionExhaustively() {
    let all = (Int(Int16.min)...Int(Int16.max)).map { Int16($0) }
    for bits in 1...17 {
      let top = 16 - min(max(bits, 2), 16)
      // Both ends of the window range at every width; out-of-range arguments (clamped) at a few widths.
      let windows = [1, 8, 17].contains(bits) ? Set([-1, 0, top, top + 1]) : Set([0, top])
      for window in windows.sorted() {
        let fast = MultiPrecisionDerivation.derive(all, toBitWidth: bits, windowShift: window)
        let slow = all.map { MasterPrecision.derive($0, toBitWidth: bits, windowShift: window) }
        #expect(fast == slow, "bits \(bits) window \(window)")
      }
    }
  }
}
