import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchReports

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Small Pareto documents built in code for the plot and report tests.
enum ReportFixtures {
  typealias D = ParetoFrontDocument

  /// Energies of the front points in pJ, by increasing energy.
  static let pointEnergies: [Double] = [300_000, 420_000, 610_000, 760_000, 1_050_000, 1_300_000]
  /// Validation correct counts (of 1,000) of the front points.
  static let pointValidation = [420, 700, 850, 880, 905, 912]
  /// Test correct counts (of 2,000) of the front points.
  static let pointTest = [830, 1390, 1710, 1768, 1806, 1826]
  /// Bits and energies of the uniform baselines.
  static let baselineBits = [16, 12, 10, 8, 6, 5, 4]
  static let baselineEnergies: [Double] = [2_000_000, 1_700_000, 1_500_000, 1_100_000, 900_000, 800_000, 600_000]
  static let baselineValidation = [914, 914, 913, 912, 900, 880, 820]
  static let baselineTest = [1830, 1830, 1828, 1824, 1796, 1750, 1630]

  /// A document with three layers, six points, seven baselines and a budget of 40% that chose `p04`.
  static func document(model: String = "tiny", energyModel: String = "swp-16-8-4", seed: UInt64 = 1,
                       scale: Double = 1) -> ParetoFrontDocument {
    let layers = [D.Model.Layer(name: "conv1", macs: 100_000, weights: 144, biases: 16),
                  D.Model.Layer(name: "conv2", macs: 600_000, weights: 4608, biases: 32),
                  D.Model.Layer(name: "fc", macs: 11_520, weights: 11_520, biases: 10)]
    let memory = D.WeightMemory(weightBits: 60_000, biasBits: 1856)
    func energy(_ total: Double) -> D.Energy {
      D.Energy(totalPicojoules: total, computePicojoules: total * 0.5, weightReadPicojoules: total * 0.2,
               activationReadPicojoules: total * 0.1, activationWritePicojoules: total * 0.1, leakagePicojoules: total * 0.1)
    }
    let uniform16 = 2_000_000 * scale
    let points = pointEnergies.indices.map { index in
      D.Point(id: String(format: "p%02d", index + 1),
              layers: [.init(name: "conv1", weightBits: 4 + index, activationBits: 8, outputBits: 6, energyPicojoules: 1),
                       .init(name: "conv2", weightBits: 2 + index, activationBits: 3 + index, outputBits: 8, energyPicojoules: 2),
                       .init(name: "fc", weightBits: 16 - index, activationBits: 2 + 2 * index, outputBits: 16, energyPicojoules: 3)],
              validation: .init(correct: pointValidation[index], images: 1000),
              test: .init(correct: pointTest[index], images: 2000),
              energy: energy(pointEnergies[index] * scale), relativeEnergy: pointEnergies[index] / 2_000_000,
              weightMemory: memory)
    }
    let baselines = baselineBits.indices.map { index in
      D.Baseline(bits: baselineBits[index], validation: .init(correct: baselineValidation[index], images: 1000),
                 test: .init(correct: baselineTest[index], images: 2000),
                 energyPicojoules: baselineEnergies[index] * scale, relativeEnergy: baselineEnergies[index] / 2_000_000,
                 weightMemory: memory)
    }
    return D(
      provenance: .init(tool: "precsearch", toolVersion: "0.1.0", commit: "0123456789abcdef0123456789abcdef01234567",
                        commandLine: ["precsearch", "optimize", "--model", model, "--budget", "40%", "--output", "front.json"]),
      model: .init(name: model, source: model, sha256: String(repeating: "ab", count: 32), inputShape: [28, 28, 1],
                   classes: 10, layers: layers, totalMACs: 711_520, totalParameters: 16_330, windowSearch: "all"),
      data: .init(name: "fashion-mnist",
                  validation: .init(source: "validation-images-idx3-ubyte", images: 1000, sha256: String(repeating: "11", count: 32)),
                  test: .init(source: "t10k-images-idx3-ubyte", images: 2000, sha256: String(repeating: "22", count: 32))),
      energyModel: .init(name: energyModel, source: "preset", path: nil, sha256: "sha-" + energyModel,
                         uniform16BitPicojoules: uniform16),
      search: .init(algorithm: "hybrid", seed: seed, maximumEvaluations: 400, timeLimitSeconds: nil,
                    weightBits: Array(2...16), activationBits: Array(2...16), pins: [],
                    constraint: .init(kind: "maximumEnergy", given: "--budget 40%", picojoules: 800_000 * scale,
                                      relativeEnergy: 0.4),
                    populationSize: 40, mutationSteps: 2, annealingRuns: 4, annealingShare: 0.3,
                    screening: .init(rule: "confidence", chunks: 16, z: 3)),
      effort: .init(evaluations: 400, memoHits: 54, configurationsMeasured: 346, configurationsScreenedOut: 187,
                    imagesRun: 219_519, stopReason: "evaluationLimit"),
      hypervolume: .init(referencePoint: [1.1, 1.1], final: 0.9093929026094575,
                         history: [.init(evaluations: 40, hypervolume: 0.88), .init(evaluations: 400, hypervolume: 0.9093929026094575)]),
      baselines: baselines, points: points,
      selection: .init(constraint: "maximumEnergy", pointId: "p04", message: "p04 meets the budget 800 nJ (--budget 40%)"),
      timing: .init(wallSeconds: 69.8, baselineSeconds: 2.4, searchSeconds: 54.6, testSeconds: 12.5,
                    evaluationsPerSecond: 7.32, imagesPerSecond: 4033.3, planSeconds: 0.2, inferenceSeconds: 54.4,
                    energySeconds: 0.0006, otherSeconds: 0.018, threads: 2, sessions: 1))
  }

  /// The values of attribute `name` on every element `element` of `svg`, in document order.
  static func attributeValues(_ name: String, of element: String, in svg: String) -> [String] {
    var values: [String] = []
    for piece in svg.components(separatedBy: "<" + element + " ").dropFirst() {
      guard let end = piece.firstIndex(of: ">") else { continue }
      let attributes = String(piece[..<end])
      guard let range = attributes.range(of: " \(name)=\"") ?? (attributes.hasPrefix("\(name)=\"")
        ? attributes.range(of: "\(name)=\"") : nil) else { continue }
      let rest = attributes[range.upperBound...]
      guard let close = rest.firstIndex(of: "\"") else { continue }
      values.append(String(rest[..<close]))
    }
    return values
  }

  /// True when `text` parses as XML (well-formed).
  static func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
  }
}

@Suite struct ParetoPlotTests {
  typealias Series = ParetoPlot.Series

  static func series(_ document: ParetoFrontDocument = ReportFixtures.document(), label: String = "tiny") -> [Series] {
    [Series(document: document, label: label)]
  }

  // MARK: Ticks and scales

  @Test func niceStepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
    let cases: [(Double, Double, Int)] = [(0.3, 0.5, 1), (0.22, 0.25, 2), (7, 10, 0), (1, 1, 0), (0.09, 0.1, 1),
                                          (13, 20, 0), (2400, 2500, 0), (0.0011, 0.002, 3)]
    for (raw, step, decimals) in cases {
      let nice = AxisTicks.niceStep(for: raw)
      #expect(abs(nice.value - step) < step * 1e-12, "\(raw)")
      #expect(nice.decimals == decimals, "\(raw)")
    }
  }

  @Test func linearTicksCoverTheDataWithMultiplesOfTheStep() {
    let energy = AxisTicks.linear(covering: 0.4, 3.07, targetCount: 6, padding: 0)
    #expect(energy.labels == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5"])
    #expect(energy.lower == 0 && energy.upper == 3.5)
    let accuracy = AxisTicks.linear(covering: 33.16, 92.72, targetCount: 7, limits: 0...100)
    #expect(accuracy.labels == ["30", "40", "50", "60", "70", "80", "90", "100"])
    // Padding never pushes an accuracy axis past 100%.
    let high = AxisTicks.linear(covering: 91, 99.9, targetCount: 5, limits: 0...100)
    #expect(high.upper == 100)
    #expect(high.values.allSatisfy { $0 >= 90 && $0 <= 100 })
    // A single value still gets an axis with a span around it.
    let single = AxisTicks.linear(covering: 5, 5)
    #expect(single.lower < 5 && single.upper > 5)
    // Values are exact multiples (no 0.30000000000000004).
    let fine = AxisTicks.linear(covering: 0.1, 0.7, targetCount: 6, padding: 0)
    #expect(fine.labels == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7"])
  }

  @Test func logarithmicTicksUseOneTwoFiveAndWidenANarrowRange() {
    let ticks = AxisTicks.logarithmic(covering: 300, 90_000)
    #expect(ticks.values == [200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000])
    #expect(ticks.labels == ["200", "500", "1000", "2000", "5000", "10000", "20000", "50000", "100000"])
    // Fewer than six 1-2-5 ticks: every integer multiple, with bounds close to the data.
    let fashion = AxisTicks.logarithmic(covering: 0.400044, 3.071157)
    #expect(fashion.labels == ["0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1", "2", "3", "4"])
    let small = AxisTicks.logarithmic(covering: 0.03, 0.4)
    #expect(small.labels == ["0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.1", "0.2", "0.3", "0.4"])
    // Within one 1-2-5 step: every integer multiple.
    let narrow = AxisTicks.logarithmic(covering: 2.2, 4.5)
    #expect(narrow.labels == ["2", "3", "4", "5"])
    // Many decades: powers of ten only.
    let wide = AxisTicks.logarithmic(covering: 1, 1e9)
    #expect(wide.values.count == 10)
    #expect(wide.labels.first == "1" && wide.labels.last == "1000000000")
  }

  @Test func scalesMapTheDomainOntoThePixels() {
    let x = AxisScale(ticks: AxisTicks.linear(covering: 0, 10, targetCount: 5, padding: 0), isLogarithmic: false,
                      start: 100, end: 300)
    #expect(x.position(0) == 100 && x.position(10) == 300 && x.position(5) == 200)
    let y = AxisScale(ticks: AxisTicks.linear(covering: 0, 100, targetCount: 5, padding: 0), isLogarithmic: false,
                      start: 400, end: 50)
    #expect(y.position(0) == 400 && y.position(100) == 50 && y.position(50) == 225)
    let log = AxisScale(ticks: AxisTicks(lower: 10, upper: 1000, values: [10, 100, 1000], labels: ["10", "100", "1000"]),
                        isLogarithmic: true, start: 0, end: 200)
    #expect(abs(log.position(100) - 100) < 1e-9)
    #expect(log.contains(1000) && !log.contains(1001))
  }

  // MARK: The SVG

  @Test func everyPointAndBaselineIsDrawnWhereTheScalesPutIt() throws {
    let document = ReportFixtures.document()
    let options = ParetoPlot.Options()
    let layout = try ParetoPlot.layout(Self.series(document), options: options)
    let svg = try ParetoPlot.svg(Self.series(document), options: options)
    #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(svg.hasSuffix("</svg>\n"))
    #expect(ReportFixtures.isWellFormedXML(svg))
    // 1e6 pJ scale: microjoules; test split by default.
    #expect(layout.unit.symbol == "µJ")
    #expect(svg.contains(">Energy per inference (µJ)</text>"))
    #expect(svg.contains(">Top-1 accuracy on the test split (%)</text>"))
    for point in document.points {
      #expect(svg.contains("<title>\(point.id): "), "\(point.id)")
      let x = ReportText.coordinate(layout.xScale.position(point.energy.totalPicojoules / 1e6))
      let y = ReportText.coordinate(layout.yScale.position(point.test.accuracy * 100))
      #expect(svg.contains("<circle cx=\"\(x)\" cy=\"\(y)\" r=\"3.60\"><title>\(point.id): "), "\(point.id) at \(x), \(y)")
      let box = layout.plotBox
      #expect(Double(x)! >= box.x && Double(x)! <= box.x + box.width && Double(y)! >= box.y && Double(y)! <= box.y + box.height)
    }
    let rectangles = ReportFixtures.attributeValues("x", of: "rect", in: svg)
    for baseline in document.baselines {
      #expect(svg.contains("<title>uniform \(baseline.bits)-bit: "), "\(baseline.bits)")
      #expect(svg.contains(">\(baseline.bits)-bit</text>"), "label \(baseline.bits)")
      let x = ReportText.coordinate(layout.xScale.position(baseline.energyPicojoules / 1e6) - 4.5)
      #expect(rectangles.contains(x), "baseline \(baseline.bits) at \(x)")
    }
    // The chosen point is ringed and labelled; the budget is a dashed line.
    #expect(svg.contains(">p04 (chosen)</text>"))
    #expect(svg.contains(">budget 40%</text>"))
    let budgetX = ReportText.coordinate(layout.xScale.position(0.8))
    #expect(svg.contains("<line x1=\"\(budgetX)\""))
  }

  @Test func theStepLineGoesAcrossThenUpThroughThePointsInEnergyOrder() throws {
    let layout = try ParetoPlot.layout(Self.series(), options: ParetoPlot.Options(split: .validation))
    let svg = ParetoPlot.render(layout, options: ParetoPlot.Options(split: .validation), documents: [ReportFixtures.document()])
    let points = layout.plotted[0].points
    var path = "M" + ReportText.coordinate(layout.xScale.position(points[0].x)) + " "
      + ReportText.coordinate(layout.yScale.position(points[0].y))
    for point in points.dropFirst() {
      path += " H" + ReportText.coordinate(layout.xScale.position(point.x)) + " V"
        + ReportText.coordinate(layout.yScale.position(point.y))
    }
    #expect(svg.contains("<path d=\"\(path)\" stroke=\"#0072B2\""))
    #expect(svg.contains(">Top-1 accuracy on the validation split (%)</text>"))
  }

  @Test func sameInputsGiveTheSameBytes() throws {
    let a = ReportFixtures.document(seed: 1), b = ReportFixtures.document(seed: 2)
    let series = [Series(document: a, label: "one"), Series(document: b, label: "two")]
    let first = try ParetoPlot.svg(series, options: ParetoPlot.Options(logarithmicEnergy: true))
    for _ in 0..<3 {
      #expect(try ParetoPlot.svg(series, options: ParetoPlot.Options(logarithmicEnergy: true)) == first)
    }
    // No attribute holds a number with more than two decimals (fixed formatting, no shortest-form floats).
    #expect(first.range(of: #"=\"[^\"]*\d\.\d{3}"#, options: .regularExpression) == nil)
    #expect(first.contains(" d=\"M"))
  }

  @Test func textIsEscaped() throws {
    let document = ReportFixtures.document()
    let svg = try ParetoPlot.svg([Series(document: document, label: "<script>alert('x')</script> & \"q\"")],
                                 options: ParetoPlot.Options(title: "A < B & C"))
    #expect(!svg.contains("<script>"))
    #expect(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"))
    #expect(svg.contains(">A &lt; B &amp; C</text>"))
    #expect(ReportFixtures.isWellFormedXML(svg))
    #expect(ReportText.escaped("a\u{1}b\tc") == "a\u{FFFD}b\tc")
  }

  @Test func energyUnitFollowsTheMagnitudeAndRelativeEnergyIsInPercent() throws {
    let nano = try ParetoPlot.layout(Self.series(ReportFixtures.document(scale: 0.01)), options: ParetoPlot.Options())
    #expect(nano.unit.symbol == "nJ")
    let relative = try ParetoPlot.svg(Self.series(ReportFixtures.document(scale: 0.01)),
                                      options: ParetoPlot.Options(relativeEnergy: true))
    #expect(relative.contains(">Energy per inference (% of uniform 16-bit energy)</text>"))
    let layout = try ParetoPlot.layout(Self.series(), options: ParetoPlot.Options(relativeEnergy: true))
    #expect(abs(layout.plotted[0].points[0].x - 15) < 1e-9)
    #expect(layout.plotted[0].baselines.map(\.x).last == 100)
    let logarithmic = try ParetoPlot.svg(Self.series(), options: ParetoPlot.Options(logarithmicEnergy: true))
    #expect(logarithmic.contains(">Energy per inference (µJ), log scale</text>"))
  }

  @Test func mixingEnergyModelsNeedsRelativeEnergy() throws {
    let swp = ReportFixtures.document(energyModel: "swp-16-8-4")
    var horowitz = ReportFixtures.document(energyModel: "horowitz45-bitwise", scale: 3)
    horowitz.baselines[1].energyPicojoules *= 0.9  // another energy model prices 12 bits differently
    let series = [Series(document: swp, label: "a"), Series(document: horowitz, label: "b")]
    #expect(throws: ParetoPlotError.mixedEnergyModels(["a: swp-16-8-4", "b: horowitz45-bitwise"])) {
      try ParetoPlot.svg(series)
    }
    let error = ParetoPlotError.mixedEnergyModels(["a: swp-16-8-4", "b: horowitz45-bitwise"])
    #expect(error.description.contains("--relative-energy"))
    let svg = try ParetoPlot.svg(series, options: ParetoPlot.Options(relativeEnergy: true))
    // Two colours, two legend entries; the baselines differ, so each set is drawn in its series' colour, but the
    // uniform configurations at the same place (16-bit at 100%) are drawn once.
    #expect(svg.contains(">a</text>") && svg.contains(">b</text>"))
    #expect(svg.contains("<g fill=\"#ffffff\" stroke=\"#0072B2\" stroke-width=\"1.6\">"))
    #expect(svg.contains("<g fill=\"#ffffff\" stroke=\"#D55E00\" stroke-width=\"1.6\">"))
    #expect(svg.components(separatedBy: ">16-bit</text>").count == 2)
    #expect(svg.components(separatedBy: ">12-bit</text>").count == 3)
  }

  @Test func identicalBaselinesAreDrawnOnce() throws {
    let series = [Series(document: ReportFixtures.document(seed: 1), label: "seed 1"),
                  Series(document: ReportFixtures.document(seed: 2), label: "seed 2")]
    let svg = try ParetoPlot.svg(series)
    #expect(svg.components(separatedBy: ">16-bit</text>").count == 2)
    #expect(svg.components(separatedBy: "<title>uniform 16-bit: ").count == 2)
    #expect(svg.contains("<g fill=\"#ffffff\" stroke=\"#555555\" stroke-width=\"1.6\">"))
    // Both chosen points are labelled, each in its front's colour.
    #expect(svg.contains("fill=\"#0072B2\">p04 (chosen)</text>") && svg.contains("fill=\"#D55E00\">p04 (chosen)</text>"))
  }

  @Test func invalidInputsAreRefusedWithReasons() {
    #expect(throws: ParetoPlotError.noSeries) { try ParetoPlot.svg([]) }
    #expect(throws: ParetoPlotError.sizeOutOfRange(width: 100, height: 560)) {
      try ParetoPlot.svg(Self.series(), options: ParetoPlot.Options(width: 100))
    }
    #expect(throws: ParetoPlotError.accuracyFromOutOfRange(100)) {
      try ParetoPlot.svg(Self.series(), options: ParetoPlot.Options(accuracyFrom: 100))
    }
    #expect(throws: ParetoPlotError.nothingToPlot(accuracyFrom: 95)) {
      try ParetoPlot.svg(Self.series(), options: ParetoPlot.Options(accuracyFrom: 95))
    }
    var zero = ReportFixtures.document()
    zero.points[0].energy.totalPicojoules = 0
    #expect(throws: ParetoPlotError.invalidEnergy(series: "tiny", field: "points p01 energy.totalPicojoules", value: 0)) {
      try ParetoPlot.svg(Self.series(zero), options: ParetoPlot.Options(logarithmicEnergy: true))
    }
    var infinite = ReportFixtures.document()
    infinite.baselines[0].energyPicojoules = .infinity
    #expect(throws: ParetoPlotError.self) { try ParetoPlot.svg(Self.series(infinite)) }
    // Many long legend entries leave no room in a small plot.
    let crowd = (0..<40).map { Series(document: ReportFixtures.document(seed: UInt64($0)), label: String(repeating: "long label ", count: 4)) }
    #expect(throws: ParetoPlotError.tooSmall(width: 320, height: 240)) {
      try ParetoPlot.svg(crowd, options: ParetoPlot.Options(width: 320, height: 240))
    }
  }

  @Test func accuracyFromZoomsAndLeavesOutLowerPoints() throws {
    let layout = try ParetoPlot.layout(Self.series(), options: ParetoPlot.Options(accuracyFrom: 85))
    #expect(layout.plotted[0].points.map(\.id) == ["p03", "p04", "p05", "p06"])
    #expect(layout.plotted[0].baselines.map(\.bits) == [5, 6, 8, 10, 12, 16])
    #expect(layout.yScale.ticks.lower >= 85)
  }

  @Test func theValidationFloorIsDrawnOnlyOnTheValidationSplit() throws {
    var document = ReportFixtures.document()
    document.search.constraint = .init(kind: "minimumAccuracy", given: "--min-accuracy 0.88", accuracy: 0.88)
    document.selection = .init(constraint: "minimumAccuracy", pointId: "p04", message: "p04")
    let validation = try ParetoPlot.svg(Self.series(document), options: ParetoPlot.Options(split: .validation))
    #expect(validation.contains(">accuracy floor 88.00%</text>"))
    let test = try ParetoPlot.svg(Self.series(document))
    #expect(!test.contains("accuracy floor"))
    #expect(!test.contains("budget"))
  }

  @Test func defaultLabelsNameWhatTellsTheFilesApart() {
    let one = ReportFixtures.document(model: "fashion", seed: 1)
    #expect(ParetoPlot.defaultLabels(for: [one]) == ["fashion · swp-16-8-4 · hybrid, seed 1"])
    let two = ReportFixtures.document(model: "fashion", seed: 2)
    #expect(ParetoPlot.defaultLabels(for: [one, two]) == ["hybrid, seed 1", "hybrid, seed 2"])
    let other = ReportFixtures.document(model: "cifar10", energyModel: "horowitz45-bitwise", seed: 1)
    #expect(ParetoPlot.defaultLabels(for: [one, other]) == ["fashion · swp-16-8-4", "cifar10 · horowitz45-bitwise"])
    #expect(ParetoPlot.defaultLabels(for: [one, one], names: ["a.json", "b.json"])
              == ["fashion · swp-16-8-4 · hybrid, seed 1 (a.json)", "fashion · swp-16-8-4 · hybrid, seed 1 (b.json)"])
    #expect(ParetoPlot.defaultTitle(for: [one, two]) == "Energy-accuracy Pareto fronts: fashion, energy model swp-16-8-4")
    #expect(ParetoPlot.defaultTitle(for: [one, other]) == "Energy-accuracy Pareto fronts")
  }

  @Test func labelsAvoidMarkersAndEachOther() {
    let area = ParetoPlot.Box(x: 0, y: 0, width: 400, height: 300)
    let marker = ParetoPlot.Box(x: 196, y: 96, width: 8, height: 8)
    let above = ParetoPlot.placeLabel("16-bit", x: 200, y: 100, gap: 7, fontSize: 11, bold: false, area: area,
                                      obstacles: [marker])
    #expect(above.y + above.height <= 93 && !above.intersects(marker))
    // With the space above taken, the label moves to the right.
    let right = ParetoPlot.placeLabel("16-bit", x: 200, y: 100, gap: 7, fontSize: 11, bold: false, area: area,
                                      obstacles: [marker, above])
    #expect(right.x >= 207 && !right.intersects(above))
    // At the top edge the label goes below rather than out of the area.
    let edge = ParetoPlot.placeLabel("16-bit", x: 200, y: 4, gap: 7, fontSize: 11, bold: false, area: area, obstacles: [])
    #expect(area.contains(edge))
  }
}
