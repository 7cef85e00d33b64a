import EnergyModel
import SeededRandom
import PrecSearchTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif



/// Workloads used across the tests (counts computed by hand, see each comment).
enum TestWorkloads {
  /// Three small layers: conv 3x3 1->4 on 8x8 (pad 1), conv 3x3 4->8 on 4x4 after a 2x2 pool, dense 32->10
  /// after another pool.
  static let threeLayer: [LayerWorkload] = [
    LayerWorkload(name: "conv1", macs: 64 * 4 * 9, weightCount: 36, biasCount: 4, inputElements: 64, outputElements: 256),
    LayerWorkload(name: "conv2", macs: 16 * 8 * 36, weightCount: 288, biasCount: 8, inputElements: 64, outputElements: 128),
    LayerWorkload(name: "fc", macs: 320, weightCount: 320, biasCount: 10, inputElements: 32, outputElements: 10),
  ]

  /// LeNet-5 on 28x28 MNIST: conv 5x5 1->6 (pad 2, 28x28), pool, conv 5x5 6->16 (10x10), pool, dense 400->120->84->10.
  /// 416,520 MACs, 61,470 weights + 236 biases.
  static let lenetLike: [LayerWorkload] = [
    LayerWorkload(name: "conv1", macs: 28 * 28 * 6 * 25, weightCount: 150, biasCount: 6, inputElements: 784, outputElements: 4704),
    LayerWorkload(name: "conv2", macs: 10 * 10 * 16 * 150, weightCount: 2400, biasCount: 16, inputElements: 1176, outputElements: 1600),
    LayerWorkload(name: "fc1", macs: 400 * 120, weightCount: 48000, biasCount: 120, inputElements: 400, outputElements: 120),
    LayerWorkload(name: "fc2", macs: 120 * 84, weightCount: 10080, biasCount: 84, inputElements: 120, outputElements: 84),
    LayerWorkload(name: "fc3", macs: 84 * 10, weightCount: 840, biasCount: 10, inputElements: 84, outputElements: 10),
  ]

  /// ResNet-8 on 32x32 CIFAR-10 (MLPerf Tiny style): conv 3x3 3->16, three stages (16, 32, 64 channels) of one
  /// basic block each, 1x1 stride-2 shortcuts in stages 2 and 3, global pooling, dense 64->10.
  /// 12,501,632 MACs, 77,360 weights + 346 biases (batch norm folded into conv biases).
  static let resnet8Like: [LayerWorkload] = [
    conv("stem", hw: 32, inC: 3, outC: 16, k: 3, inHW: 32),
    conv("s1.conv1", hw: 32, inC: 16, outC: 16, k: 3, inHW: 32),
    conv("s1.conv2", hw: 32, inC: 16, outC: 16, k: 3, inHW: 32),
    conv("s2.conv1", hw: 16, inC: 16, outC: 32, k: 3, inHW: 32),
    conv("s2.conv2", hw: 16, inC: 32, outC: 32, k: 3, inHW: 16),
    conv("s2.shortcut", hw: 16, inC: 16, outC: 32, k: 1, inHW: 32),
    conv("s3.conv1", hw: 8, inC: 32, outC: 64, k: 3, inHW: 16),
    conv("s3.conv2", hw: 8, inC: 64, outC: 64, k: 3, inHW: 8),
    conv("s3.shortcut", hw: 8, inC: 32, outC: 64, k: 1, inHW: 16),
    LayerWorkload(name: "fc", macs: 640, weightCount: 640, biasCount: 10, inputElements: 64, outputElements: 10),
  ]

  private static func conv(_ name: String, hw: Int, inC: Int, outC: Int, k: Int, inHW: Int) -> LayerWorkload {
    LayerWorkload(
      name: name, macs: hw * hw * outC * k * k * inC, weightCount: k * k * inC * outC, biasCount: outC,
      inputElements: inHW * inHW * inC, outputElements: hw * hw * outC)
  }
}

/// Both presets, as estimators.
func presetEstimators() throws -> [EnergyEstimator] {
  try EnergyTable.presetNames.map { try EnergyEstimator(presetNamed: $0) }
}

/// `|a - b| <= tolerance * max(|a|, |b|)`.
func isClose(_ a: Double, _ b: Double, relative tolerance: Double) -> Bool {
  abs(a - b) <= tolerance * max(abs(a), abs(b))
}
