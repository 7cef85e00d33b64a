import Testing
@testable import NetworkEngine

@Test func dsCNNHasTheMLPerfTinyShapeAndCost() throws {
  var g = TestRandom(seed: 1)
  let network = try ReferenceArchitectures.dsCNN(classes: 12, using: &g)
  #expect(network.inputShape == TensorShape(height: 49, width: 10, channels: 1))
  let stats = network.layerStatistics
  // conv1: 25x5x64 outputs x 40 taps; each block: 25x5x64 x 9 (depthwise) + 25x5x64 x 64 (pointwise); dense 64x12.
  let expected = 25 * 5 * 64 * 40 + 4 * (25 * 5 * 64 * 9 + 25 * 5 * 64 * 64) + 64 * 12
  #expect(network.totalMACs == expected)
  #expect(expected == 2_656_768)
  // 9 convolutions + 1 dense are weighted; the depthwise ones have 3x3x1 kernels.
  #expect(network.weightedLayerNames.count == 10)
  let depthwise = stats.filter { $0.name.hasSuffix(".depthwise") }
  #expect(depthwise.count == 4)
  #expect(depthwise.allSatisfy { $0.fanIn == 9 })
  // Float reference runs and gives a probability vector of 12 classes.
  let plan = try FloatPlan(network: network)
  let output = plan.run(randomInput(network, using: &g))
  #expect(output.count == 12)
  #expect(abs(output.reduce(0, +) - 1) < 1e-4)
}
