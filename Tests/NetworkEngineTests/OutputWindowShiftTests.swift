import Foundation
import Testing
@testable import NetworkEngine

/// Activation window shifts chosen for the network's output (`OutputWindowShifts`, docs/arithmetic.md): a case
/// known by construction, determinism and independence of the thread count, and how `FixedPointModel` uses and
/// checks the table.
@Suite struct OutputWindowShiftTests {
  /// Input 1x1x256: element 0 is an outlier in ±[20, 27], the other 255 lie in ±[0.5, 1.5]. A Dense layer with 2
  /// outputs reads either only the outlier (`outlierMatters`) or only the small elements.
  static func probe(outlierMatters: Bool, samples: Int = 64) throws -> (Network, [[Float]]) {
    var g = TestRandom(seed: 17)
    var builder = NetworkBuilder(input: TensorShape(height: 1, width: 1, channels: 256))
    try builder.dense("fc", outputs: 2, using: &g)
    let built = try builder.build()
    var nodes = built.nodes
    var weights = Array(repeating: Float(0), count: 2 * 256)
    if outlierMatters {
      weights[0] = 0.1
      weights[256] = -0.1
    } else {
      for j in 1..<256 {
        weights[j] = Bool.random(using: &g) ? 0.1 : -0.1
        weights[256 + j] = Bool.random(using: &g) ? 0.1 : -0.1
      }
    }
    nodes[1].parameters = [ParameterTensor(role: .weight, shape: [2, 256], values: weights),
                           ParameterTensor(role: .bias, shape: [2], values: [0, 0])]
    let network = try Network(nodes: nodes)
    let inputs = (0..<samples).map { _ in
      (0..<256).map { j -> Float in
        let sign: Float = Bool.random(using: &g) ? 1 : -1
        return sign * (j == 0 ? Float.random(in: 20...27, using: &g) : Float.random(in: 0.5...1.5, using: &g))
      }
    }
    return (network, inputs)
  }

  static func ranges(_ network: Network, _ inputs: [[Float]]) throws -> ActivationRanges {
    ActivationRanges(observing: try FloatPlan(network: network), inputs: inputs)
  }

  @Test func theChoiceKnownByConstruction() throws {
    // At 4 bits the master (f = 10, step 4 unshifted) cannot hold both the outlier and the small values. The
    // histogram rule sees 255 small values per outlier and drops the window (saturating the outlier).
    for outlierMatters in [true, false] {
      let (network, inputs) = try Self.probe(outlierMatters: outlierMatters)
      let ranges = try Self.ranges(network, inputs)
      let histogram = try FixedPointModel(network: network, ranges: ranges,
                                          options: QuantizationOptions(activationWindowSearch: true))
      #expect(histogram.groups[0].windowShifts[4] > 0, "the probe should make the histogram rule shift")
      let table = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs, maximumShift: 4)
      #expect(table.groups.map(\.node) == ["input", "fc"])
      // The output reads only the outlier: any shift saturates it, so the window stays at the top. The output
      // reads only the small values: the finest window that still holds 1.5 (shift 4: step 1/4, limit 1.75).
      #expect(table.groups[0].shifts[4 - 2] == (outlierMatters ? 0 : 4), "outlier matters: \(outlierMatters)")
      // The output group is stored at 16 bits and read by nothing: its shifts are 0.
      #expect(table.groups[1].shifts.allSatisfy { $0 == 0 })
      // The model with the output criterion takes the table's shifts.
      var withTable = ranges
      withTable.outputWindowShifts = table
      let model = try FixedPointModel(network: network, ranges: withTable,
                                      options: WindowSearchMode.activationsOutput.quantizationOptions)
      for g in model.groups.indices {
        #expect(Array(model.groups[g].windowShifts[2...15]) == table.groups[g].shifts)
        #expect(model.groups[g].windowShifts[16] == 0)
      }
    }
  }

  @Test func deterministicAndIndependentOfTheThreadCount() throws {
    var g = TestRandom(seed: 23)
    let support = IntegerKernelTests()
    var nonZero = 0
    for _ in 0..<3 {
      let network = try support.twoBranchNetwork(&g)
      var inputs = (0..<24).map { _ in randomInput(network, range: -1...1, using: &g) }
      inputs[0][0] = 12
      let ranges = try Self.ranges(network, inputs)
      for weights in OutputWindowShifts.CalibrationWeights.allCases {
        let one = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs, weights: weights, threads: 1)
        let again = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs, weights: weights, threads: 1)
        let three = try OutputWindowShifts.calibrate(network: network, ranges: ranges, inputs: inputs, weights: weights, threads: 3)
        #expect(one == again && one == three)
        #expect(one.sampleCount == 24 && one.maximumShift == 4 && one.weights == weights)
        let folded = try network.foldingBatchNorm()
        let (heads, _) = FixedPointModel.activationGroups(of: folded)
        #expect(one.groups.count == heads.count && one.problem(heads: heads.map { folded.nodes[$0].name }) == nil)
        nonZero += one.groups.reduce(0) { $0 + $1.shifts.filter { $0 != 0 }.count }
      }
    }
    #expect(nonZero > 0, "the test should see some shifted windows")
  }

  @Test func theModelChecksTheTable() throws {
    let (network, inputs) = try Self.probe(outlierMatters: true, samples: 8)
    var ranges = try Self.ranges(network, inputs)
    let options = WindowSearchMode.allOutput.quantizationOptions
    #expect(options.weightWindowSearch && options.activationWindowSearch && options.activationWindowCriterion == .output)
    #expect(WindowSearchMode(options) == .allOutput)
    // No table: a clear error naming the field and the command that adds it.
    do {
      _ = try FixedPointModel(network: network, ranges: ranges, options: options)
      Issue.record("expected an error without the table")
    } catch let error as NetworkError {
      #expect(error.description.contains("outputWindowShifts") && error.description.contains("recalibrate"))
    }
    let good = OutputWindowShifts(sampleCount: 8, weights: .sixteen, maximumShift: 4, groups: [
      .init(node: "input", shifts: Array(repeating: 1, count: 14)), .init(node: "fc", shifts: Array(repeating: 0, count: 14)),
    ])
    var bad: [(OutputWindowShifts, String)] = []
    var t = good; t.groups[1].node = "other"; bad.append((t, "groups[1].node"))
    t = good; t.groups.removeLast(); bad.append((t, "groups"))
    t = good; t.groups[0].shifts.removeLast(); bad.append((t, "groups[0].shifts"))
    t = good; t.groups[0].shifts[13] = 2; bad.append((t, "groups[0].shifts[13]"))  // 15 bits: at most 1
    t = good; t.groups[0].shifts[0] = -1; bad.append((t, "groups[0].shifts[0]"))
    t = good; t.maximumShift = 15; bad.append((t, "maximumShift"))
    for (table, field) in bad {
      ranges.outputWindowShifts = table
      do {
        _ = try FixedPointModel(network: network, ranges: ranges, options: options)
        Issue.record("expected an error for \(field)")
      } catch let error as NetworkError {
        #expect(error.description.contains("activationRanges.outputWindowShifts.\(field):"), "\(error.description)")
      }
    }
    // The histogram criterion ignores the table; so do options without activation windows.
    ranges.outputWindowShifts = good
    let histogram = try FixedPointModel(network: network, ranges: ranges, options: WindowSearchMode.all.quantizationOptions)
    var withoutTable = ranges
    withoutTable.outputWindowShifts = nil
    let reference = try FixedPointModel(network: network, ranges: withoutTable, options: WindowSearchMode.all.quantizationOptions)
    #expect(histogram.groups == reference.groups)
    let plain = try FixedPointModel(network: network, ranges: ranges, options: WindowSearchMode.weights.quantizationOptions)
    #expect(plain.groups.allSatisfy { $0.windowShifts.allSatisfy { $0 == 0 } })
    let output = try FixedPointModel(network: network, ranges: ranges, options: options)
    #expect(output.groups[0].windowShifts[2...15].allSatisfy { $0 == 1 })
  }

  @Test func optionsDecodeAndEncodeAsBefore() throws {
    #expect(WindowSearchMode.allCases.map { WindowSearchMode($0.quantizationOptions) } == WindowSearchMode.allCases)
    #expect(WindowSearchMode.all.quantizationOptions == QuantizationOptions(weightWindowSearch: true, activationWindowSearch: true))
    #expect(WindowSearchMode(rawValue: "all-output") == .allOutput)
    // The histogram criterion encodes as options did before the criterion existed; old options decode to it.
    let old = try JSONEncoder().encode(WindowSearchMode.all.quantizationOptions)
    #expect(!String(decoding: old, as: UTF8.self).contains("Criterion"))
    let decoded = try JSONDecoder().decode(QuantizationOptions.self,
                                           from: Data(#"{"weightWindowSearch":true,"activationWindowSearch":true}"#.utf8))
    #expect(decoded.activationWindowCriterion == .histogram)
    let output = WindowSearchMode.allOutput.quantizationOptions
    #expect(try JSONDecoder().decode(QuantizationOptions.self, from: JSONEncoder().encode(output)) == output)
  }
}
