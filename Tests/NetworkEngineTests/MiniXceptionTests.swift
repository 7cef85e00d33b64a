import NetworkEngine
import Testing

@Suite struct MiniXceptionTests {
  /// Shapes, parameter and MAC counts of the published mini-Xception (Arriaga et al. 2017) on 48x48x1, 7 classes.
  @Test func shapesParametersAndMACsMatchThePublishedModel() throws {
    var g = TestRandom(seed: 1)
    let net = try ReferenceArchitectures.miniXception(classes: 7, using: &g)
    #expect(net.inputShape == TensorShape(height: 48, width: 48, channels: 1))
    #expect(net.outputShape == TensorShape(height: 1, width: 1, channels: 7))
    func shape(_ name: String) -> TensorShape? { net.index(of: name).map { net.shapes[$0] } }
    // Unpadded stem: 48 -> 46 -> 44; modules halve with "same" pooling: 44 -> 22 -> 11 -> 6 -> 3.
    #expect(shape("stem.relu1") == TensorShape(height: 46, width: 46, channels: 8))
    #expect(shape("stem.relu2") == TensorShape(height: 44, width: 44, channels: 8))
    for (module, (side, filters)) in [(22, 16), (11, 32), (6, 64), (3, 128)].enumerated() {
      let p = "module\(module + 1)"
      let expected = TensorShape(height: side, width: side, channels: filters)
      #expect(shape("\(p).add") == expected, "\(p)")
      #expect(shape("\(p).shortcut.bn") == expected, "\(p)")
      #expect(shape("\(p).pool") == expected, "\(p)")
      #expect(shape("\(p).separable2.pointwise") == TensorShape(height: side * 2 - (module == 2 ? 1 : 0),
                                                                  width: side * 2 - (module == 2 ? 1 : 0), channels: filters))
    }
    #expect(shape("head.conv") == TensorShape(height: 3, width: 3, channels: 7))
    // Depthwise convolutions are grouped per channel.
    let depthwise = net.nodes.filter { $0.name.hasSuffix(".depthwise") }
    #expect(depthwise.count == 8)
    for node in depthwise {
      guard case .conv2D(let a) = node.operation else { Issue.record("\(node.name) is not a Conv2D"); continue }
      #expect(a.groups == a.outputChannels && a.kernelHeight == 3 && node.parameter(.bias) == nil, "\(node.name)")
    }
    // 58,423 parameters, as Keras reports for mini_XCEPTION(48x48x1, 7 classes): 55,479 weights + 7 head biases
    // + 2,944 BatchNorm values (736 channels x gamma, beta, mean, variance).
    #expect(net.totalParameters == 58_423)
    #expect(net.nodes.filter { if case .batchNorm = $0.operation { return true }; return false }.count == 14)
    // MACs: stem 152,352 + 1,115,136; modules (shortcut, two depthwise and two pointwise convolutions)
    // 1,223,552 + 1,014,464 + 921,696 + 1,020,672; head 3x3x128x7 on 3x3 = 72,576.
    #expect(net.totalMACs == 5_520_448)
    #expect(net.weightedLayerNames.count == 2 + 4 * 5 + 1)
    // A wider variant keeps the structure.
    let wide = try ReferenceArchitectures.miniXception(classes: 7, stemFilters: 16, moduleFilters: [32, 64, 128, 256],
                                                       using: &g)
    #expect(wide.totalParameters == 205_031)
    #expect(wide.totalMACs == 20_043_904)
  }

  @Test func rejectsBadFilterCountsWithoutTrapping() {
    var g = TestRandom(seed: 2)
    for (classes, stem, modules) in [(1, 8, [16]), (7, 0, [16]), (7, 8, []), (7, 8, [16, -1])] {
      #expect(throws: NetworkError.self) {
        _ = try ReferenceArchitectures.miniXception(classes: classes, stemFilters: stem, moduleFilters: modules, using: &g)
      }
    }
    #expect(throws: NetworkError.self) {
      _ = try ReferenceArchitectures.miniXception(classes: 7, stemFilters: 8, moduleFilters: [16],
                                                  inputShape: TensorShape(height: 4, width: 48, channels: 1), using: &g)
    }
  }

  /// The float reference runs it (BatchNorm folded, softmax sums to 1) and the optimized integer kernels agree
  /// bit for bit with the reference kernels on it (depthwise, residual adds, "same" max pooling, global pooling).
  @Test func floatAndIntegerEnginesRunIt() throws {
    var g = TestRandom(seed: 3)
    let net = try ReferenceArchitectures.miniXception(classes: 7, using: &g)
    let input = randomInput(net, using: &g)
    let output = try FloatPlan(network: net).run(input)
    #expect(output.count == 7)
    #expect(abs(output.reduce(0, +) - 1) < 1e-4)
    let model = try FixedPointModel(network: net, calibrationInputs: [input])
    let n = net.weightedLayerNames.count
    for bits in [16, 8] {
      let configuration = PrecisionConfiguration.uniform(bits, layerCount: n)
      let reference = try IntegerPlan(model: model, configuration: configuration, kernels: .reference)
      let optimized = try IntegerPlan(model: model, configuration: configuration, kernels: .optimized)
      let rw = reference.makeWorkspace(), ow = optimized.makeWorkspace()
      reference.runCodes(input, workspace: rw)
      optimized.runCodes(input, workspace: ow)
      #expect(rw.outputs == ow.outputs, "uniform \(bits)")
    }
  }
}
