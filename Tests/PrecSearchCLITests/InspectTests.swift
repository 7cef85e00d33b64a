import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import SeededRandom

@Suite struct InspectTests {
  /// LeNet figures computed by hand from its definition (28x28x1; conv 3x3x16 same; pool; conv 3x3x32 valid; pool;
  /// dense 64; dense 10):
  /// conv1 28*28*16 outputs x 9 = 112,896 MACs, 16*9+16 = 160 parameters;
  /// conv2 12*12*32 outputs x 144 = 663,552 MACs, 32*144+32 = 4,640 parameters;
  /// fc1 6*6*32 = 1,152 inputs x 64 = 73,728 MACs, 73,792 parameters; fc2 64 x 10 = 640 MACs, 650 parameters;
  /// BatchNorm 4 x 16 + 4 x 32 = 192 parameters.
  static let expectedMACs = 112_896 + 663_552 + 73_728 + 640
  static let expectedParameters = 160 + 4_640 + 73_792 + 650 + 192

  @Test func reportCountsMatchHandFigures() throws {
    let model = try Fixtures.leNetModel()
    let report = InspectReport(model: model, path: "lenet.psmodel")
    #expect(report.totals == .init(nodes: 14, parameters: Self.expectedParameters, macs: Self.expectedMACs,
                                   weightedLayers: 4))
    #expect(report.weightedLayerNames == ["conv1", "conv2", "fc1", "fc2"])
    #expect(report.nodes.map(\.macs).reduce(0, +) == Self.expectedMACs)
    let conv2 = try #require(report.nodes.first { $0.name == "conv2" })
    #expect(conv2.kind == "Conv2D" && conv2.macs == 663_552 && conv2.parameters == 4_640 && conv2.fanIn == 144)
    #expect(conv2.inputShapes == [TensorShape(height: 14, width: 14, channels: 16)])
    #expect(conv2.outputShape == TensorShape(height: 12, width: 12, channels: 32))
    #expect(report.batchNormFolding == .init(batchNormNodes: ["bn1", "bn2"], nodes: 12,
                                             parameters: Self.expectedParameters - 192, error: nil))
    #expect(report.calibrationSampleCount == 2)
  }

  @Test func textListsEveryNodeAndTheTotals() throws {
    let model = try Fixtures.leNetModel()
    let text = InspectReport(model: model, path: "lenet.psmodel").text
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0] == "Model: lenet.psmodel (test-lenet)")
    #expect(lines[1] == "Input 28x28x1 -> output 1x1x10; 10 classes: class0, class1, class2, class3, class4, class5, class6, class7, class8, class9")
    #expect(lines[2] == "Calibration: activation ranges from 2 samples")
    let header = try #require(lines.firstIndex { $0.hasPrefix("#") || $0.hasPrefix(" #") })
    #expect(lines[header].split(separator: " ", omittingEmptySubsequences: true)
      == ["#", "Node", "Operator", "Input", "shape", "Output", "shape", "Parameters", "MACs"])
    let rows = lines[(header + 2)...].prefix(14)
    for (row, node) in zip(rows, model.network.nodes) {
      #expect(row.contains(" \(node.name) "), "\(row)")
      #expect(row.contains(node.operation.kind), "\(row)")
    }
    let conv2 = try #require(rows.first { $0.contains(" conv2 ") })
    #expect(conv2.split(separator: " ") == ["5", "conv2", "Conv2D", "14x14x16", "12x12x32", "4,640", "663,552"])
    let add = try #require(rows.first { $0.contains(" input ") })
    #expect(add.split(separator: " ") == ["0", "input", "Input", "-", "28x28x1", "0", "0"])
    #expect(text.contains("Total: 79,434 parameters, 850,816 MACs, 4 weighted layers (conv1, conv2, fc1, fc2), 14 nodes\n"))
    #expect(text.contains("BatchNorm: 2 node(s) (bn1, bn2) are folded into the preceding layer when the model runs: "
      + "the engine runs 12 nodes with 79,242 parameters; MACs and weighted layers are unchanged.\n"))
  }

  @Test func residualAddShowsBothInputsAndMissingCalibrationIsSaid() throws {
    var generator = SplitMix64(seed: 3)
    var builder = NetworkBuilder(input: TensorShape(height: 4, width: 4, channels: 2))
    let stem = try builder.conv("stem", Conv2DAttributes(outputChannels: 2, kernelHeight: 1, kernelWidth: 1), using: &generator)
    let branch = try builder.conv("branch", Conv2DAttributes(outputChannels: 2, kernelHeight: 3, kernelWidth: 3),
                                  using: &generator)
    try builder.add("sum", .add, inputs: [stem, branch])
    try builder.add("gap", .globalAvgPool)
    let network = try builder.build()
    let model = ModelFile(name: "tiny", network: network)
    let report = InspectReport(model: model, path: "tiny")
    let text = report.text
    #expect(text.contains(" 4x4x2 + 4x4x2 "))
    #expect(text.contains("Calibration: none (the fixed-point engine needs activation ranges; evaluate will refuse this file)"))
    #expect(text.contains("BatchNorm: none; the engine runs the network as stored.\n"))
    #expect(report.totals.macs == 4 * 4 * 2 * 2 + 4 * 4 * 2 * 18)
    #expect(!text.contains("classes"))
  }

  @Test func jsonIsSortedValidAndRoundTrips() throws {
    let model = try Fixtures.leNetModel()
    let report = InspectReport(model: model, path: "lenet.psmodel")
    let json = try JSONOutput.encode(report)
    #expect(json.hasSuffix("}\n"))
    let decoded = try JSONDecoder().decode(InspectReport.self, from: Foundation.Data(json.utf8))
    #expect(decoded == report)
    let object = try #require(try JSONSerialization.jsonObject(with: Foundation.Data(json.utf8)) as? [String: Any])
    #expect(object["schemaVersion"] as? Int == 1)
    let totals = try #require(object["totals"] as? [String: Any])
    #expect(totals["macs"] as? Int == Self.expectedMACs)
    // Keys are sorted: "batchNormFolding" comes before "totals" in the text.
    let folding = try #require(json.range(of: "\"batchNormFolding\""))
    let totalsKey = try #require(json.range(of: "\"totals\""))
    #expect(folding.lowerBound < totalsKey.lowerBound)
    #expect(try JSONOutput.encode(report) == json)
  }

  @Test func numberFormatting() {
    #expect(NumberFormatting.grouped(0) == "0")
    #expect(NumberFormatting.grouped(999) == "999")
    #expect(NumberFormatting.grouped(1000) == "1,000")
    #expect(NumberFormatting.grouped(-1_234_567) == "-1,234,567")
    #expect(NumberFormatting.fixed(97.125, decimals: 2) == "97.13")
    #expect(NumberFormatting.fixed(-0.18, decimals: 2) == "-0.18")
    #expect(NumberFormatting.fixed(-0.001, decimals: 2) == "0.00")
    #expect(NumberFormatting.fixed(5, decimals: 0) == "5")
    #expect(NumberFormatting.percent(0.5) == "50.00%")
    #expect(NumberFormatting.percent(1) == "100.00%")
  }
}
