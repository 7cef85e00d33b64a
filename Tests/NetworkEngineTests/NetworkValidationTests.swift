import Testing
@testable import NetworkEngine

@Suite struct NetworkValidationTests {
  func conv(_ name: String, _ input: String, oc: Int = 4, cin: Int = 3, k: Int = 3) -> Node {
    Node(name: name, operation: .conv2D(Conv2DAttributes(outputChannels: oc, kernelHeight: k, kernelWidth: k)),
         inputs: [input], parameters: [ParameterTensor(role: .weight, shape: [oc, k, k, cin],
                                                       values: Array(repeating: 0.1, count: oc * k * k * cin))])
  }
  let input = Node(name: "input", operation: .input(TensorShape(height: 8, width: 8, channels: 3)))

  func expectError(_ nodes: [Node], node: String, contains text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
      _ = try Network(nodes: nodes)
      Issue.record("expected an error mentioning '\(text)'", sourceLocation: sourceLocation)
    } catch let e as NetworkError {
      #expect(e.node == node, "\(e)", sourceLocation: sourceLocation)
      #expect(e.description.contains(text), "\(e)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
  }

  @Test func acceptsNodesInAnyOrderAndSortsThem() throws {
    let n = try Network(nodes: [Node(name: "r", operation: .relu, inputs: ["c"]), conv("c", "input"), input])
    #expect(n.nodes.map(\.name) == ["input", "c", "r"])
    #expect(n.shapes[1] == TensorShape(height: 8, width: 8, channels: 4))
    #expect(n.outputIndex == 2)
    #expect(n.weightedLayerNames == ["c"])
  }

  @Test func rejectsStructuralErrors() {
    expectError([input, conv("c", "input"), conv("c", "input")], node: "c", contains: "duplicate")
    expectError([conv("c", "input")], node: "", contains: "exactly one Input")
    expectError([input, conv("c", "nowhere")], node: "c", contains: "'nowhere' is not a node")
    expectError([input, Node(name: "a", operation: .add, inputs: ["input"])], node: "a", contains: "takes 2 input")
    // A cycle: a -> b -> a.
    expectError([input, Node(name: "a", operation: .add, inputs: ["input", "b"]), Node(name: "b", operation: .relu, inputs: ["a"]),
                 Node(name: "out", operation: .relu, inputs: ["b"])], node: "a", contains: "cycle")
    expectError([input, Node(name: "r1", operation: .relu, inputs: ["input"]), Node(name: "r2", operation: .relu, inputs: ["input"])],
                node: "", contains: "exactly one output")
    expectError([input, Node(name: "s", operation: .softmax, inputs: ["input"]), Node(name: "r", operation: .relu, inputs: ["s"])],
                node: "s", contains: "only at the network output")
  }

  @Test func rejectsBadParametersAndShapes() {
    var bad = conv("c", "input")
    bad.parameters[0].values[5] = .nan
    expectError([input, bad], node: "c", contains: "NaN or infinite")
    bad = conv("c", "input"); bad.parameters[0].values[0] = .infinity
    expectError([input, bad], node: "c", contains: "NaN or infinite")
    bad = conv("c", "input"); bad.parameters[0].values.removeLast()
    expectError([input, bad], node: "c", contains: "values, expected")
    expectError([input, conv("c", "input", cin: 2)], node: "c", contains: "has shape")
    bad = conv("c", "input"); bad.parameters = []
    expectError([input, bad], node: "c", contains: "missing parameter 'weight'")
    bad = conv("c", "input"); bad.parameters.append(ParameterTensor(role: .gamma, shape: [4], values: [1, 1, 1, 1]))
    expectError([input, bad], node: "c", contains: "takes no 'gamma'")
    var tooLarge = conv("c", "input", k: 9)
    tooLarge.operation = .conv2D(Conv2DAttributes(outputChannels: 4, kernelHeight: 9, kernelWidth: 9, padding: .valid))
    expectError([input, tooLarge], node: "c", contains: "does not fit")
    var grouped = conv("c", "input")
    grouped.operation = .conv2D(Conv2DAttributes(outputChannels: 4, kernelHeight: 3, kernelWidth: 3, groups: 2))
    expectError([input, grouped], node: "c", contains: "divisible by groups")
    expectError([input, Node(name: "d", operation: .dense(DenseAttributes(outputFeatures: 2)), inputs: ["input"],
                             parameters: [ParameterTensor(role: .weight, shape: [2, 3], values: [1, 2, 3, 4, 5, 6])])],
                node: "d", contains: "flat 1x1xN")
    var huge = conv("c", "input")
    huge.operation = .conv2D(Conv2DAttributes(outputChannels: 1 << 40, kernelHeight: 3, kernelWidth: 3))
    expectError([input, huge], node: "c", contains: "output channels")
    expectError([input, Node(name: "p", operation: .maxPool(PoolAttributes(kernelHeight: 2, kernelWidth: 2,
                 padding: .explicit(top: 2, bottom: 0, left: 0, right: 0))), inputs: ["input"])],
                node: "p", contains: "smaller than the window")
  }

  @Test func countsMACsAndParametersOfResNet8() throws {
    var g = TestRandom(seed: 1)
    let net = try ReferenceArchitectures.resNet8(using: &g)
    #expect(net.totalMACs == 12_501_632)  // 442,368 stem + 4,718,592 + 3,670,016 + 3,670,016 + 640 dense
    let folded = try net.foldingBatchNorm()
    #expect(folded.isFolded)
    #expect(folded.totalParameters == 77_706)  // 77,360 weights + 346 biases; 78,666 before folding the BN vectors
    #expect(net.totalParameters == 78_666)
    #expect(folded.weightedLayerNames.count == 10)
    let lenet = try ReferenceArchitectures.leNet(using: &g)
    #expect(lenet.totalMACs < 1_000_000)
  }

  @Test func batchNormFoldingPreservesFloatOutputs() throws {
    var g = TestRandom(seed: 7)
    var b = NetworkBuilder(input: TensorShape(height: 6, width: 6, channels: 2))
    try b.conv("c", Conv2DAttributes(outputChannels: 3, kernelHeight: 3, kernelWidth: 3), using: &g)
    b.batchNorm("bn")
    try b.add("r", .relu)
    var nodes = b.nodes
    // Non-trivial statistics.
    nodes[2].parameters = [
      ParameterTensor(role: .gamma, shape: [3], values: [0.5, 2, -1]),
      ParameterTensor(role: .beta, shape: [3], values: [0.1, -0.2, 0.3]),
      ParameterTensor(role: .mean, shape: [3], values: [0.05, -0.1, 0.2]),
      ParameterTensor(role: .variance, shape: [3], values: [0.5, 1.5, 0.25]),
    ]
    let net = try Network(nodes: nodes)
    let x = randomInput(net, using: &g)
    // Unfolded reference computed by hand from the definition.
    let conv = net.nodes[1]
    guard case .conv2D(let a) = conv.operation else { Issue.record("not a conv"); return }
    let y = naiveConv(x, net.inputShape, conv.parameter(.weight)!.values, conv.parameter(.bias)!.values, a,
                      net.shapes[1], padTop: 1, padLeft: 1)
    let bn = nodes[2].parameters.map(\.values)
    let expected = y.indices.map { i -> Float in
      let c = i % 3
      return max(0, (y[i] - bn[2][c]) / (bn[3][c] + 1e-3).squareRoot() * bn[0][c] + bn[1][c])
    }
    let folded = try FloatPlan(network: net).run(x)
    #expect(folded.count == expected.count)
    for (u, v) in zip(folded, expected) { #expect(abs(u - v) <= 1e-5 * max(1, abs(v))) }
  }
}
