import PrecSearchFormats
import Foundation

/// Energy-accuracy plots of Pareto JSON documents (docs/pareto-json.md) as self-contained SVG (docs/report.md).
///
/// Each document's front is drawn as a step line with markers, one Okabe-Ito colour and marker shape per
/// document; its uniform baselines as hollow squares labelled with their bit-width, joined by a dotted line; the
/// point chosen by `--budget` / `--min-accuracy` / `--max-accuracy-drop` (`selection`) ringed and labelled; and
/// an energy budget as a dashed vertical line. The x axis is the energy per inference (in the unit that suits
/// the magnitudes, or in % of each document's uniform 16-bit energy), the y axis the top-1 accuracy in % on the
/// chosen split. The output is a pure function of the inputs: no time, no dictionary order, numbers with a fixed
/// number of decimals.
public enum ParetoPlot {
  /// Which measured accuracy the y axis shows.
  public enum AccuracySplit: String, CaseIterable, Hashable, Sendable, Codable {
    /// The validation split: what the search optimized.
    case validation
    /// The test split: measured once after the search, never seen by it.
    case test
  }

  /// One document to draw, with its legend entry.
  public struct Series: Hashable, Sendable {
    /// The Pareto front document.
    public var document: ParetoFrontDocument
    /// The legend entry (plain text; escaped when written).
    public var label: String
    /// Creates a series.
    public init(document: ParetoFrontDocument, label: String) {
      self.document = document
      self.label = label
    }
  }

  /// How to draw the plot.
  public struct Options: Hashable, Sendable {
    /// The title above the plot; nil for ``defaultTitle(for:)``, empty for none.
    public var title: String?
    /// Width of the SVG in pixels, in ``widthRange``.
    public var width: Int
    /// Height of the SVG in pixels, in ``heightRange``.
    public var height: Int
    /// The split whose accuracy the y axis shows.
    public var split: AccuracySplit
    /// Energy as % of each document's uniform 16-bit energy instead of an absolute energy (needed to compare
    /// documents priced by different energy models).
    public var relativeEnergy: Bool
    /// A base-10 logarithmic energy axis.
    public var logarithmicEnergy: Bool
    /// The lowest accuracy shown, in percent (0..<100); points and baselines below it are left out and the axes
    /// fit the rest. Nil shows everything.
    public var accuracyFrom: Double?
    /// Prefix of the element ids in the SVG (letters, digits and hyphens), so that several plots can share one
    /// HTML page.
    public var identifier: String

    /// Allowed widths in pixels.
    public static let widthRange = 320...4000
    /// Allowed heights in pixels.
    public static let heightRange = 240...4000

    /// Creates options; the defaults draw a 880 x 560 plot of test accuracy against absolute energy.
    public init(title: String? = nil, width: Int = 880, height: Int = 560, split: AccuracySplit = .test,
                relativeEnergy: Bool = false, logarithmicEnergy: Bool = false, accuracyFrom: Double? = nil,
                identifier: String = "pareto-plot") {
      self.title = title
      self.width = width
      self.height = height
      self.split = split
      self.relativeEnergy = relativeEnergy
      self.logarithmicEnergy = logarithmicEnergy
      self.accuracyFrom = accuracyFrom
      self.identifier = identifier
    }
  }

  /// The Okabe-Ito colours used for the series, in order (yellow is left out: too light on white).
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

  /// A standalone SVG file: an XML declaration, then the `<svg>` element, then a newline.
  ///
  /// - Throws: ``ParetoPlotError`` for no series, documents priced by different energy models without
  ///   ``Options/relativeEnergy``, non-finite or (on a logarithmic axis) non-positive energies, a size out of
  ///   range, or nothing at or above ``Options/accuracyFrom``.
  public static func svg(_ series: [Series], options: Options = Options()) throws(ParetoPlotError) -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + (try svgElement(series, options: options)) + "\n"
  }

  /// Legend entries for documents read from `names` (file names, used only to tell otherwise identical
  /// documents apart): the parts among model name, energy model, and algorithm with seed that differ between
  /// the documents (all three for a single document), joined by ` · `.
  public static func defaultLabels(for documents: [ParetoFrontDocument], names: [String] = []) -> [String] {
    let parts = documents.map { document in
      [document.model.name, document.energyModel.name, "\(document.search.algorithm), seed \(document.search.seed)"]
    }
    guard parts.count > 1 else { return parts.map { $0.joined(separator: " · ") } }
    let varying = (0..<3).filter { index in Set(parts.map { $0[index] }).count > 1 }
    var labels = parts.map { part in
      (varying.isEmpty ? Array(0..<3) : varying).map { part[$0] }.joined(separator: " · ")
    }
    // Documents that differ in none of the three parts are told apart by their file names (or positions).
    let original = labels
    for index in labels.indices where original.filter({ $0 == original[index] }).count > 1 {
      labels[index] += index < names.count ? " (\(names[index]))" : " (\(index + 1))"
    }
    return labels
  }

  /// The title drawn when ``Options/title`` is nil: the model and energy model of a single document, or what the
  /// documents share.
  public static func defaultTitle(for documents: [ParetoFrontDocument]) -> String {
    let models = uniqueInOrder(documents.map(\.model.name))
    let tables = uniqueInOrder(documents.map(\.energyModel.name))
    let noun = documents.count == 1 ? "Energy-accuracy Pareto front" : "Energy-accuracy Pareto fronts"
    var shared: [String] = []
    if models.count == 1 { shared.append(models[0]) }
    if tables.count == 1 { shared.append("energy model \(tables[0])") }
    return shared.isEmpty ? noun : noun + ": " + shared.joined(separator: ", ")
  }

  // MARK: - Drawing

  /// One series in plot coordinates (x in the axis unit, y in %).
  struct PlottedSeries {
    var label: String
    var colour: String
    var shape: MarkerShape
    var dash: String?
    /// Front points: id, x, y and a tooltip (sorted by x then y).
    var points: [(id: String, x: Double, y: Double, note: String)]
    /// Baselines: bits, x, y and a tooltip (sorted by x).
    var baselines: [(bits: Int, x: Double, y: Double, note: String)]
    /// The chosen point, when there is one and it is shown.
    var selection: (id: String, x: Double, y: Double, note: String)?
    /// The energy budget on the x axis, with its label.
    var budget: (x: Double, label: String)?
    /// The validation-accuracy floor on the y axis (only when the y axis shows validation accuracy).
    var floor: (y: Double, label: String)?
    /// The colour of the baselines this series draws (grey when every series has the same baselines).
    var baselineColour: String = ParetoPlot.baselineColour
  }

  /// Marker shapes, cycled with the colours.
  enum MarkerShape: CaseIterable {
    case circle, triangle, diamond, invertedTriangle
  }

  /// A rectangle in pixels (for label placement).
  struct Box {
    var x: Double, y: Double, width: Double, height: Double
    func intersects(_ other: Box) -> Bool {
      x < other.x + other.width && other.x < x + width && y < other.y + other.height && other.y < y + height
    }
    func overlap(_ other: Box) -> Double {
      let w = Swift.min(x + width, other.x + other.width) - Swift.max(x, other.x)
      let h = Swift.min(y + height, other.y + other.height) - Swift.max(y, other.y)
      return w > 0 && h > 0 ? w * h : 0
    }
    func contains(_ other: Box) -> Bool {
      other.x >= x && other.y >= y && other.x + other.width <= x + width && other.y + other.height <= y + height
    }
  }

  static let fontFamily = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
  static let textColour = "#222222"
  static let mutedColour = "#555555"
  static let gridColour = "#e5e5e5"
  static let baselineColour = "#555555"

  /// Where everything goes: the series in axis units, the axes' scales and the legend.
  struct PlotLayout {
    /// Prefix of the element ids.
    var id: String
    /// The title drawn (empty for none).
    var title: String
    /// The series in axis units.
    var plotted: [PlottedSeries]
    /// The unit of an absolute energy axis.
    var unit: EnergyUnit
    /// True when every series has the same baselines (drawn once, in grey).
    var sharedBaselines: Bool
    /// Energy axis.
    var xScale: AxisScale
    /// Accuracy axis.
    var yScale: AxisScale
    /// The plot area.
    var plotBox: Box
    /// The legend entries in rows, with the x of each swatch.
    var legendRows: [[(LegendEntry, Double)]]
    /// The y of the first legend row's centre line.
    var legendTop: Double
  }

  /// The `<svg>` element alone (for embedding in HTML).
  static func svgElement(_ series: [Series], options: Options) throws(ParetoPlotError) -> String {
    render(try layout(series, options: options), options: options, documents: series.map(\.document))
  }

  /// Checks the inputs and lays the plot out.
  static func layout(_ series: [Series], options: Options) throws(ParetoPlotError) -> PlotLayout {
    guard !series.isEmpty else { throw .noSeries }
    guard Options.widthRange.contains(options.width), Options.heightRange.contains(options.height) else {
      throw .sizeOutOfRange(width: options.width, height: options.height)
    }
    if let from = options.accuracyFrom, !(from >= 0 && from < 100) { throw .accuracyFromOutOfRange(from) }
    let identifier = String(options.identifier.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
    let id = identifier.isEmpty ? "pareto-plot" : identifier
    let documents = series.map(\.document)
    if !options.relativeEnergy {
      let tables = uniqueInOrder(documents.map { "\($0.energyModel.name)\u{0}\($0.energyModel.sha256)" })
      if tables.count > 1 {
        throw .mixedEnergyModels(series.map { "\($0.label): \($0.document.energyModel.name)" })
      }
    }
    try validateEnergies(series, options: options)

    // Energy unit: from the largest energy drawn.
    var largest = 0.0
    for document in documents {
      for point in document.points { largest = Swift.max(largest, point.energy.totalPicojoules) }
      for baseline in document.baselines { largest = Swift.max(largest, baseline.energyPicojoules) }
    }
    let unit = EnergyUnit.unit(for: largest)
    func x(_ picojoules: Double, _ document: ParetoFrontDocument) -> Double {
      options.relativeEnergy ? picojoules / document.energyModel.uniform16BitPicojoules * 100 : picojoules / unit.picojoules
    }
    func accuracy(_ value: ParetoFrontDocument.Accuracy) -> Double { value.accuracy * 100 }
    func accuracy(_ point: ParetoFrontDocument.Point) -> Double {
      accuracy(options.split == .test ? point.test : point.validation)
    }
    func visible(_ y: Double) -> Bool { options.accuracyFrom.map { y >= $0 } ?? true }

    var plotted: [PlottedSeries] = []
    for (index, item) in series.enumerated() {
      let document = item.document
      let points = document.points.map { (id: $0.id, x: x($0.energy.totalPicojoules, document), y: accuracy($0),
                                          note: note($0.id, $0.energy.totalPicojoules, $0.relativeEnergy, $0.validation, $0.test)) }
        .filter { visible($0.y) }
        .sorted { ($0.x, $0.y) < ($1.x, $1.y) }
      let baselines = document.baselines
        .map { (bits: $0.bits, x: x($0.energyPicojoules, document),
                y: accuracy(options.split == .test ? $0.test : $0.validation),
                note: note("uniform \($0.bits)-bit", $0.energyPicojoules, $0.relativeEnergy, $0.validation, $0.test)) }
        .filter { visible($0.y) }
        .sorted { ($0.x, $0.bits) < ($1.x, $1.bits) }
      var selection: (id: String, x: Double, y: Double, note: String)?
      if let chosen = document.selection?.pointId, let point = points.first(where: { $0.id == chosen }) {
        selection = point
      }
      var budget: (x: Double, label: String)?
      var floor: (y: Double, label: String)?
      let constraint = document.search.constraint
      if constraint.kind == "maximumEnergy", let picojoules = constraint.picojoules, picojoules.isFinite, picojoules > 0 {
        let given = constraint.given.map { $0.hasPrefix("--budget ") ? String($0.dropFirst("--budget ".count)) : $0 }
        budget = (x(picojoules, document), "budget " + (given ?? ReportText.energy(picojoules)))
      }
      if constraint.kind == "minimumAccuracy", options.split == .validation, let floorAccuracy = constraint.accuracy,
         floorAccuracy.isFinite, visible(floorAccuracy * 100) {
        floor = (floorAccuracy * 100, "accuracy floor \(ReportText.percent(floorAccuracy))%")
      }
      plotted.append(PlottedSeries(
        label: item.label, colour: palette[index % palette.count],
        shape: MarkerShape.allCases[index % MarkerShape.allCases.count],
        dash: index >= palette.count ? "7 3" : nil, points: points, baselines: baselines, selection: selection,
        budget: budget, floor: floor))
    }

    // Series with the same baselines in plot coordinates (several seeds of one model and energy model) share
    // them: the first draws them, in grey when every series shares them, else in its own colour.
    var groups: [[Int]] = []
    for index in plotted.indices {
      if let group = groups.firstIndex(where: { sameBaselines(plotted[$0[0]].baselines, plotted[index].baselines) }) {
        groups[group].append(index)
      } else {
        groups.append([index])
      }
    }
    let sharedBaselines = groups.count == 1
    for group in groups {
      plotted[group[0]].baselineColour = sharedBaselines ? baselineColour : plotted[group[0]].colour
      for other in group.dropFirst() { plotted[other].baselines = [] }
    }

    // Domains.
    var xs: [Double] = [], ys: [Double] = []
    for item in plotted {
      xs += item.points.map(\.x) + item.baselines.map(\.x)
      ys += item.points.map(\.y) + item.baselines.map(\.y)
      if let budget = item.budget { xs.append(budget.x) }
      if let floor = item.floor { ys.append(floor.y) }
    }
    guard let xMinimum = xs.min(), let xMaximum = xs.max(), let yMinimum = ys.min(), let yMaximum = ys.max() else {
      throw .nothingToPlot(accuracyFrom: options.accuracyFrom)
    }

    // Layout (pixels). Vertical stack: title, plot, tick labels, x-axis title, legend.
    let width = Double(options.width), height = Double(options.height)
    let title = options.title ?? defaultTitle(for: documents)
    let legend = legendEntries(plotted, options: options, sharedBaselines: sharedBaselines)
    let outerMargin = 16.0
    let top = title.isEmpty ? 20.0 : 52.0
    let right = width - 24
    // The y ticks decide the left margin; their count depends on the plot height, which depends on the legend.
    let legendLeft = outerMargin + 4
    let legendRows = layoutLegend(legend, from: legendLeft, to: width - outerMargin)
    let legendHeight = Double(legendRows.count) * 20
    let bottom = height - outerMargin - legendHeight - (legend.isEmpty ? 0 : 10) - 46
    guard bottom - top >= 80 else { throw .tooSmall(width: options.width, height: options.height) }
    let yTicks = AxisTicks.linear(covering: yMinimum, yMaximum, targetCount: Swift.max(2, Swift.min(10, Int((bottom - top) / 55))),
                                  limits: (options.accuracyFrom ?? 0)...100)
    let yLabelWidth = yTicks.labels.map { ReportText.estimatedWidth($0, fontSize: 12) }.max() ?? 0
    let left = outerMargin + 18 + 10 + yLabelWidth + 8
    guard right - left >= 120 else { throw .tooSmall(width: options.width, height: options.height) }
    let xTicks: AxisTicks
    if options.logarithmicEnergy {
      xTicks = AxisTicks.logarithmic(covering: xMinimum, xMaximum)
    } else {
      xTicks = AxisTicks.linear(covering: xMinimum, xMaximum, targetCount: Swift.max(2, Swift.min(10, Int((right - left) / 85))),
                                limits: 0...Double.greatestFiniteMagnitude)
    }
    let xScale = AxisScale(ticks: xTicks, isLogarithmic: options.logarithmicEnergy, start: left, end: right)
    let yScale = AxisScale(ticks: yTicks, isLogarithmic: false, start: bottom, end: top)
    let plotBox = Box(x: left, y: top, width: right - left, height: bottom - top)
    return PlotLayout(id: id, title: title, plotted: plotted, unit: unit, sharedBaselines: sharedBaselines,
                      xScale: xScale, yScale: yScale, plotBox: plotBox, legendRows: legendRows,
                      legendTop: height - outerMargin - legendHeight + 10)
  }

  /// The `<svg>` element of a laid-out plot.
  static func render(_ layout: PlotLayout, options: Options, documents: [ParetoFrontDocument]) -> String {
    let (id, title, plotted, unit) = (layout.id, layout.title, layout.plotted, layout.unit)
    let (xScale, yScale, plotBox) = (layout.xScale, layout.yScale, layout.plotBox)
    let (xTicks, yTicks) = (xScale.ticks, yScale.ticks)
    let (left, right, top, bottom) = (plotBox.x, plotBox.x + plotBox.width, plotBox.y, plotBox.y + plotBox.height)
    let outerMargin = 16.0
    let c = ReportText.coordinate

    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(options.width)\" height=\"\(options.height)\" "
      + "viewBox=\"0 0 \(options.width) \(options.height)\" font-family=\"\(fontFamily)\" font-size=\"12\" "
      + "fill=\"\(textColour)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-description\">\n"
    let accessibleTitle = title.isEmpty ? defaultTitle(for: documents) : title
    svg += "<title id=\"\(id)-title\">\(ReportText.escaped(accessibleTitle))</title>\n"
    svg += "<desc id=\"\(id)-description\">\(ReportText.escaped(description(plotted, options: options, unit: unit)))</desc>\n"
    svg += "<defs><clipPath id=\"\(id)-area\"><rect x=\"\(c(left - 6))\" y=\"\(c(top - 6))\" "
      + "width=\"\(c(right - left + 12))\" height=\"\(c(bottom - top + 12))\"/></clipPath></defs>\n"
    svg += "<rect width=\"\(options.width)\" height=\"\(options.height)\" fill=\"#ffffff\"/>\n"
    if !title.isEmpty {
      svg += "<text x=\"\(c(left))\" y=\"30\" font-size=\"16\" font-weight=\"600\">\(ReportText.escaped(title))</text>\n"
    }

    // Grid and axes.
    svg += "<g stroke=\"\(gridColour)\" stroke-width=\"1\">\n"
    for value in yTicks.values {
      let y = c(yScale.position(value))
      svg += "<line x1=\"\(c(left))\" y1=\"\(y)\" x2=\"\(c(right))\" y2=\"\(y)\"/>\n"
    }
    for value in xTicks.values {
      let x = c(xScale.position(value))
      svg += "<line x1=\"\(x)\" y1=\"\(c(top))\" x2=\"\(x)\" y2=\"\(c(bottom))\"/>\n"
    }
    svg += "</g>\n"
    svg += "<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(right - left))\" height=\"\(c(bottom - top))\" "
      + "fill=\"none\" stroke=\"#bbbbbb\" stroke-width=\"1\"/>\n"
    svg += "<g stroke=\"\(textColour)\" stroke-width=\"1\">\n"
    svg += "<line x1=\"\(c(left))\" y1=\"\(c(bottom))\" x2=\"\(c(right))\" y2=\"\(c(bottom))\"/>\n"
    svg += "<line x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(bottom))\"/>\n"
    for value in yTicks.values {
      let y = c(yScale.position(value))
      svg += "<line x1=\"\(c(left - 5))\" y1=\"\(y)\" x2=\"\(c(left))\" y2=\"\(y)\"/>\n"
    }
    for value in xTicks.values {
      let x = c(xScale.position(value))
      svg += "<line x1=\"\(x)\" y1=\"\(c(bottom))\" x2=\"\(x)\" y2=\"\(c(bottom + 5))\"/>\n"
    }
    svg += "</g>\n"
    svg += "<g font-size=\"12\" fill=\"\(mutedColour)\">\n"
    for (value, label) in zip(yTicks.values, yTicks.labels) {
      svg += "<text x=\"\(c(left - 8))\" y=\"\(c(yScale.position(value) + 4))\" text-anchor=\"end\">\(label)</text>\n"
    }
    // X tick labels left to right, leaving out any that would touch the previous one (dense log ticks).
    var lastRight = -Double.infinity
    for (value, label) in zip(xTicks.values, xTicks.labels) {
      let x = xScale.position(value)
      let half = ReportText.estimatedWidth(label, fontSize: 12) / 2
      guard x - half > lastRight + 6 else { continue }
      lastRight = x + half
      svg += "<text x=\"\(c(x))\" y=\"\(c(bottom + 20))\" text-anchor=\"middle\">\(label)</text>\n"
    }
    svg += "</g>\n"
    let xTitle = (options.relativeEnergy ? "Energy per inference (% of uniform 16-bit energy)"
                  : "Energy per inference (\(unit.symbol))") + (options.logarithmicEnergy ? ", log scale" : "")
    let yTitle = "Top-1 accuracy on the \(options.split.rawValue) split (%)"
    svg += "<text x=\"\(c((left + right) / 2))\" y=\"\(c(bottom + 42))\" text-anchor=\"middle\" font-size=\"13\">"
      + "\(ReportText.escaped(xTitle))</text>\n"
    svg += "<text transform=\"translate(\(c(outerMargin + 12)) \(c((top + bottom) / 2))) rotate(-90)\" "
      + "text-anchor=\"middle\" font-size=\"13\">\(ReportText.escaped(yTitle))</text>\n"

    // Constraint lines.
    var labelBoxes: [Box] = []
    var obstacles: [Box] = []
    var budgetsDrawn: [Double] = []
    var floorsDrawn: [Double] = []
    var constraintText = ""
    for item in plotted {
      if let budget = item.budget, xScale.contains(budget.x), !budgetsDrawn.contains(budget.x) {
        budgetsDrawn.append(budget.x)
        let x = xScale.position(budget.x)
        constraintText += "<line x1=\"\(c(x))\" y1=\"\(c(top))\" x2=\"\(c(x))\" y2=\"\(c(bottom))\" stroke=\"\(item.colour)\" "
          + "stroke-width=\"1.2\" stroke-dasharray=\"5 4\" opacity=\"0.8\"/>\n"
        let labelWidth = ReportText.estimatedWidth(budget.label, fontSize: 11)
        let onRight = x + 5 + labelWidth <= right - 2
        let box = Box(x: onRight ? x + 5 : x - 5 - labelWidth, y: top + 4, width: labelWidth, height: 13)
        labelBoxes.append(box)
        constraintText += "<text x=\"\(c(box.x))\" y=\"\(c(box.y + 10))\" font-size=\"11\" fill=\"\(item.colour)\" "
          + "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(ReportText.escaped(budget.label))</text>\n"
      }
      if let floor = item.floor, yScale.contains(floor.y), !floorsDrawn.contains(floor.y) {
        floorsDrawn.append(floor.y)
        let y = yScale.position(floor.y)
        constraintText += "<line x1=\"\(c(left))\" y1=\"\(c(y))\" x2=\"\(c(right))\" y2=\"\(c(y))\" stroke=\"\(item.colour)\" "
          + "stroke-width=\"1.2\" stroke-dasharray=\"5 4\" opacity=\"0.8\"/>\n"
        let labelWidth = ReportText.estimatedWidth(floor.label, fontSize: 11)
        let box = Box(x: right - 4 - labelWidth, y: y + 3, width: labelWidth, height: 13)
        labelBoxes.append(box)
        constraintText += "<text x=\"\(c(box.x))\" y=\"\(c(box.y + 10))\" font-size=\"11\" fill=\"\(item.colour)\" "
          + "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(ReportText.escaped(floor.label))</text>\n"
      }
    }

    // Lines (clipped to the plot area): baselines dotted, fronts as steps.
    svg += "<g clip-path=\"url(#\(id)-area)\" fill=\"none\">\n"
    for item in plotted where item.baselines.count > 1 {
      let colour = item.baselineColour
      for (from, to) in zip(item.baselines, item.baselines.dropFirst()) {
        obstacles += lineObstacles(from: (xScale.position(from.x), yScale.position(from.y)),
                                   to: (xScale.position(to.x), yScale.position(to.y)))
      }
      let path = item.baselines.enumerated().map { index, baseline in
        (index == 0 ? "M" : "L") + c(xScale.position(baseline.x)) + " " + c(yScale.position(baseline.y))
      }.joined(separator: " ")
      svg += "<path d=\"\(path)\" stroke=\"\(colour)\" stroke-width=\"1.2\" stroke-dasharray=\"1.5 3\" "
        + "stroke-linecap=\"round\"/>\n"
    }
    for item in plotted where !item.points.isEmpty {
      var path = "M" + c(xScale.position(item.points[0].x)) + " " + c(yScale.position(item.points[0].y))
      for (previous, point) in zip(item.points, item.points.dropFirst()) {
        path += " H" + c(xScale.position(point.x)) + " V" + c(yScale.position(point.y))
        let corner = (xScale.position(point.x), yScale.position(previous.y))
        obstacles += lineObstacles(from: (xScale.position(previous.x), yScale.position(previous.y)), to: corner)
        obstacles += lineObstacles(from: corner, to: (xScale.position(point.x), yScale.position(point.y)))
      }
      svg += "<path d=\"\(path)\" stroke=\"\(item.colour)\" stroke-width=\"1.8\" stroke-linejoin=\"round\""
        + (item.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
    }
    svg += "</g>\n"
    svg += constraintText

    // Markers.
    for item in plotted {
      svg += "<g fill=\"\(item.colour)\" stroke=\"#ffffff\" stroke-width=\"0.8\">\n"
      for point in item.points {
        let x = xScale.position(point.x), y = yScale.position(point.y)
        svg += withTooltip(marker(item.shape, x: x, y: y, size: 3.6), point.note) + "\n"
        obstacles.append(Box(x: x - 4, y: y - 4, width: 8, height: 8))
      }
      svg += "</g>\n"
    }
    var baselineLabels: [(text: String, x: Double, y: Double, colour: String)] = []
    var baselinesDrawn: [(bits: Int, x: Double, y: Double)] = []
    for item in plotted where !item.baselines.isEmpty {
      let colour = item.baselineColour
      svg += "<g fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"1.6\">\n"
      for baseline in item.baselines {
        let x = xScale.position(baseline.x), y = yScale.position(baseline.y)
        // A uniform configuration another series already drew at the same place (16-bit at 100% of 16-bit energy
        // for every energy model) is drawn and labelled once.
        if baselinesDrawn.contains(where: { $0.bits == baseline.bits && abs($0.x - x) < 1 && abs($0.y - y) < 1 }) { continue }
        baselinesDrawn.append((baseline.bits, x, y))
        svg += withTooltip("<rect x=\"\(c(x - 4.5))\" y=\"\(c(y - 4.5))\" width=\"9\" height=\"9\"/>", baseline.note) + "\n"
        obstacles.append(Box(x: x - 5.5, y: y - 5.5, width: 11, height: 11))
        baselineLabels.append(("\(baseline.bits)-bit", x, y, colour))
      }
      svg += "</g>\n"
    }
    var selectionLabels: [(text: String, x: Double, y: Double, colour: String)] = []
    for item in plotted {
      guard let selection = item.selection else { continue }
      let x = xScale.position(selection.x), y = yScale.position(selection.y)
      svg += "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"8\" fill=\"none\" stroke=\"\(textColour)\" stroke-width=\"2\"/>\n"
      obstacles.append(Box(x: x - 9, y: y - 9, width: 18, height: 18))
      // With several fronts, the label takes its front's colour to say whose choice it is.
      selectionLabels.append(("\(selection.id) (chosen)", x, y, plotted.count > 1 ? item.colour : textColour))
    }

    // Labels: the chosen points first (they matter most), then the baselines, each where it overlaps least.
    svg += "<g font-size=\"11\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\">\n"
    for label in selectionLabels {
      let box = placeLabel(label.text, x: label.x, y: label.y, gap: 10, fontSize: 11.5, bold: true,
                           area: plotBox, obstacles: obstacles + labelBoxes)
      labelBoxes.append(box)
      svg += "<text x=\"\(c(box.x))\" y=\"\(c(box.y + box.height - 3))\" font-weight=\"600\" font-size=\"11.5\" "
        + "fill=\"\(label.colour)\">\(ReportText.escaped(label.text))</text>\n"
    }
    for label in baselineLabels {
      let box = placeLabel(label.text, x: label.x, y: label.y, gap: 7, fontSize: 11, bold: false,
                           area: plotBox, obstacles: obstacles + labelBoxes)
      labelBoxes.append(box)
      svg += "<text x=\"\(c(box.x))\" y=\"\(c(box.y + box.height - 3))\" fill=\"\(label.colour)\">"
        + "\(ReportText.escaped(label.text))</text>\n"
    }
    svg += "</g>\n"

    // Legend.
    if !layout.legendRows.isEmpty {
      var rowY = layout.legendTop
      svg += "<g font-size=\"12\">\n"
      for row in layout.legendRows {
        for (entry, entryX) in row {
          svg += legendSwatch(entry, x: entryX, y: rowY) + "\n"
          svg += "<text x=\"\(c(entryX + 30))\" y=\"\(c(rowY + 4))\">\(ReportText.escaped(entry.text))</text>\n"
        }
        rowY += 20
      }
      svg += "</g>\n"
    }
    svg += "</svg>"
    return svg
  }

  /// Checks that every energy drawn is finite (and positive on a logarithmic axis), and that relative energies
  /// have a positive uniform 16-bit energy.
  static func validateEnergies(_ series: [Series], options: Options) throws(ParetoPlotError) {
    for item in series {
      let document = item.document
      let reference = document.energyModel.uniform16BitPicojoules
      if options.relativeEnergy, !(reference.isFinite && reference > 0) {
        throw .invalidEnergy(series: item.label, field: "energyModel.uniform16BitPicojoules", value: reference)
      }
      let energies = document.points.map { ("points \($0.id) energy.totalPicojoules", $0.energy.totalPicojoules) }
        + document.baselines.map { ("baselines \($0.bits)-bit energyPicojoules", $0.energyPicojoules) }
      for (field, value) in energies {
        if !value.isFinite || value < 0 || (options.logarithmicEnergy && value <= 0) {
          throw .invalidEnergy(series: item.label, field: field, value: value)
        }
      }
    }
  }

  /// A tooltip line: `p03: 412.000 nJ (20.6% of 16-bit), validation 91.00%, test 90.80%`.
  static func note(_ name: String, _ picojoules: Double, _ relativeEnergy: Double, _ validation: ParetoFrontDocument.Accuracy,
                   _ test: ParetoFrontDocument.Accuracy) -> String {
    "\(name): \(ReportText.energy(picojoules)) (\(ReportText.percent(relativeEnergy, decimals: 1))% of 16-bit), "
      + "validation \(ReportText.percent(validation.accuracy))%, test \(ReportText.percent(test.accuracy))%"
  }

  /// `element` (a self-closing SVG element such as `<circle .../>`) with a `<title>` child: a tooltip in browsers.
  static func withTooltip(_ element: String, _ text: String) -> String {
    guard element.hasSuffix("/>"), let space = element.firstIndex(of: " ") else { return element }
    let name = element[element.index(after: element.startIndex)..<space]
    return element.dropLast(2) + "><title>\(ReportText.escaped(text))</title></\(name)>"
  }

  /// The SVG shape of one marker centred on (x, y); `size` is the circle radius (other shapes match its area
  /// roughly).
  static func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double) -> String {
    let c = ReportText.coordinate
    switch shape {
    case .circle:
      return "<circle cx=\"\(c(x))\" cy=\"\(c(y))\" r=\"\(c(size))\"/>"
    case .triangle:
      let r = size * 1.35
      return "<path d=\"M\(c(x)) \(c(y - r)) L\(c(x + r * 0.866)) \(c(y + r * 0.5)) L\(c(x - r * 0.866)) \(c(y + r * 0.5))Z\"/>"
    case .invertedTriangle:
      let r = size * 1.35
      return "<path d=\"M\(c(x)) \(c(y + r)) L\(c(x + r * 0.866)) \(c(y - r * 0.5)) L\(c(x - r * 0.866)) \(c(y - r * 0.5))Z\"/>"
    case .diamond:
      let r = size * 1.3
      return "<path d=\"M\(c(x)) \(c(y - r)) L\(c(x + r)) \(c(y)) L\(c(x)) \(c(y + r)) L\(c(x - r)) \(c(y))Z\"/>"
    }
  }

  /// Small boxes every 4 pixels along a line segment, so that labels keep off the lines as well as the markers.
  static func lineObstacles(from start: (Double, Double), to end: (Double, Double)) -> [Box] {
    let length = ((end.0 - start.0) * (end.0 - start.0) + (end.1 - start.1) * (end.1 - start.1)).squareRoot()
    // At most one box per 4 pixels of a segment inside a plot of at most 4000 x 4000 pixels.
    let steps = Int(Swift.min(length, 6000) / 4)
    return (0...steps).map { step in
      let t = steps == 0 ? 0 : Double(step) / Double(steps)
      return Box(x: start.0 + t * (end.0 - start.0) - 1.5, y: start.1 + t * (end.1 - start.1) - 1.5, width: 3, height: 3)
    }
  }

  /// Where a label of `text` goes next to a marker at (x, y): the first of above, right, below, left and the
  /// diagonals that stays in `area` and touches nothing in `obstacles`, else the one that overlaps least.
  static func placeLabel(_ text: String, x: Double, y: Double, gap: Double, fontSize: Double, bold: Bool,
                         area: Box, obstacles: [Box]) -> Box {
    let width = ReportText.estimatedWidth(text, fontSize: fontSize) * (bold ? 1.06 : 1), height = fontSize + 3
    let candidates = [
      Box(x: x - width / 2, y: y - gap - height, width: width, height: height),  // above
      Box(x: x + gap + 2, y: y - height / 2, width: width, height: height),  // right
      Box(x: x - width / 2, y: y + gap, width: width, height: height),  // below
      Box(x: x - gap - 2 - width, y: y - height / 2, width: width, height: height),  // left
      Box(x: x + gap * 0.7, y: y - gap * 0.7 - height, width: width, height: height),  // above right
      Box(x: x - gap * 0.7 - width, y: y - gap * 0.7 - height, width: width, height: height),  // above left
      Box(x: x + gap * 0.7, y: y + gap * 0.7, width: width, height: height),  // below right
      Box(x: x - gap * 0.7 - width, y: y + gap * 0.7, width: width, height: height),  // below left
      Box(x: x - width / 2, y: y - gap - 2 * height, width: width, height: height),  // further above
      Box(x: x - width / 2, y: y + gap + height, width: width, height: height),  // further below
    ]
    var best = candidates[0]
    var bestCost = Double.infinity
    for candidate in candidates {
      var cost = obstacles.reduce(0) { $0 + candidate.overlap($1) }
      if !area.contains(candidate) { cost += 10_000 }
      if cost == 0 { return candidate }
      if cost < bestCost {
        bestCost = cost
        best = candidate
      }
    }
    return best
  }

  /// True when two baseline lists hold the same bit-widths at the same plot coordinates (a part in 10^9).
  static func sameBaselines(_ a: [(bits: Int, x: Double, y: Double, note: String)],
                            _ b: [(bits: Int, x: Double, y: Double, note: String)]) -> Bool {
    guard a.count == b.count else { return false }
    func close(_ u: Double, _ v: Double) -> Bool { abs(u - v) <= 1e-9 * Swift.max(1, abs(u), abs(v)) }
    return zip(a, b).allSatisfy { $0.bits == $1.bits && close($0.x, $1.x) && close($0.y, $1.y) }
  }

  /// One legend entry.
  struct LegendEntry {
    enum Kind {
      case series(colour: String, shape: MarkerShape, dash: String?)
      case baselines(colour: String)
      case selection
    }
    var kind: Kind
    var text: String
  }

  static func legendEntries(_ plotted: [PlottedSeries], options: Options, sharedBaselines: Bool) -> [LegendEntry] {
    var entries = plotted.map { LegendEntry(kind: .series(colour: $0.colour, shape: $0.shape, dash: $0.dash), text: $0.label) }
    if plotted.contains(where: { !$0.baselines.isEmpty }) {
      entries.append(LegendEntry(kind: .baselines(colour: sharedBaselines ? baselineColour : mutedColour),
                                 text: "uniform precision (every layer at the bits shown)"))
    }
    if plotted.contains(where: { $0.selection != nil }) {
      entries.append(LegendEntry(kind: .selection, text: "chosen point"))
    }
    return entries
  }

  /// Flows the legend entries into rows between `from` and `to`: each row lists (entry, x of its swatch).
  static func layoutLegend(_ entries: [LegendEntry], from: Double, to: Double) -> [[(LegendEntry, Double)]] {
    var rows: [[(LegendEntry, Double)]] = []
    var row: [(LegendEntry, Double)] = []
    var x = from
    for entry in entries {
      let width = 30 + ReportText.estimatedWidth(entry.text, fontSize: 12)
      if !row.isEmpty, x + width > to {
        rows.append(row)
        row = []
        x = from
      }
      row.append((entry, x))
      x += width + 22
    }
    if !row.isEmpty { rows.append(row) }
    return rows
  }

  static func legendSwatch(_ entry: LegendEntry, x: Double, y: Double) -> String {
    let c = ReportText.coordinate
    switch entry.kind {
    case .series(let colour, let shape, let dash):
      return "<path d=\"M\(c(x)) \(c(y)) H\(c(x + 24))\" stroke=\"\(colour)\" stroke-width=\"1.8\" fill=\"none\""
        + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
        + "<g fill=\"\(colour)\" stroke=\"#ffffff\" stroke-width=\"0.8\">" + marker(shape, x: x + 12, y: y, size: 3.6) + "</g>"
    case .baselines(let colour):
      return "<path d=\"M\(c(x)) \(c(y)) H\(c(x + 24))\" stroke=\"\(colour)\" stroke-width=\"1.2\" "
        + "stroke-dasharray=\"1.5 3\" stroke-linecap=\"round\" fill=\"none\"/>"
        + "<rect x=\"\(c(x + 7.5))\" y=\"\(c(y - 4.5))\" width=\"9\" height=\"9\" fill=\"#ffffff\" stroke=\"\(colour)\" "
        + "stroke-width=\"1.6\"/>"
    case .selection:
      return "<circle cx=\"\(c(x + 12))\" cy=\"\(c(y))\" r=\"6\" fill=\"none\" stroke=\"\(textColour)\" stroke-width=\"2\"/>"
    }
  }

  /// A one-paragraph text description for screen readers.
  static func description(_ plotted: [PlottedSeries], options: Options, unit: EnergyUnit) -> String {
    let energy = options.relativeEnergy ? "energy in % of uniform 16-bit energy" : "energy per inference in \(unit.symbol)"
    return "Top-1 accuracy on the \(options.split.rawValue) split against \(energy). "
      + plotted.map { item in
        "\(item.label): \(item.points.count) Pareto points, \(item.baselines.count) uniform baselines"
          + (item.selection.map { ", chosen point \($0.id)" } ?? "") + "."
      }.joined(separator: " ")
  }

  /// `values` without repeats, in first-seen order.
  static func uniqueInOrder(_ values: [String]) -> [String] {
    var seen: [String] = []
    for value in values where !seen.contains(value) { seen.append(value) }
    return seen
  }
}

/// Why a plot cannot be drawn.
public enum ParetoPlotError: Error, Hashable, Sendable, CustomStringConvertible {
  /// No document was given.
  case noSeries
  /// The documents were priced by different energy models and absolute energies were asked for; each entry is
  /// `label: energy model`.
  case mixedEnergyModels([String])
  /// An energy that cannot be drawn (not finite, negative, or not positive on a logarithmic axis).
  case invalidEnergy(series: String, field: String, value: Double)
  /// The width or height is outside ``ParetoPlot/Options/widthRange`` / ``ParetoPlot/Options/heightRange``.
  case sizeOutOfRange(width: Int, height: Int)
  /// The size leaves too little room for the plot area after the title, axes and legend.
  case tooSmall(width: Int, height: Int)
  /// ``ParetoPlot/Options/accuracyFrom`` outside 0..<100.
  case accuracyFromOutOfRange(Double)
  /// No point or baseline is at or above ``ParetoPlot/Options/accuracyFrom``.
  case nothingToPlot(accuracyFrom: Double?)

  /// One sentence saying what is wrong and what to do.
  public var description: String {
    switch self {
    case .noSeries:
      return "no Pareto front to plot"
    case .mixedEnergyModels(let entries):
      return "the fronts were priced by different energy models (" + entries.joined(separator: "; ")
        + "), so their absolute energies are not comparable; plot energy relative to each front's uniform 16-bit "
        + "energy with --relative-energy"
    case .invalidEnergy(let series, let field, let value):
      return "'\(series)': \(field) is \(value), which cannot be drawn on the energy axis"
        + (value == 0 ? " (a logarithmic axis needs positive energies)" : "")
    case .sizeOutOfRange(let width, let height):
      return "the plot size \(width) x \(height) is out of range; the width must be in "
        + "\(ParetoPlot.Options.widthRange.lowerBound)...\(ParetoPlot.Options.widthRange.upperBound) and the height in "
        + "\(ParetoPlot.Options.heightRange.lowerBound)...\(ParetoPlot.Options.heightRange.upperBound) pixels"
    case .tooSmall(let width, let height):
      return "the plot size \(width) x \(height) leaves too little room for the plot area next to the axes and the "
        + "legend; give a larger width or height"
    case .accuracyFromOutOfRange(let value):
      return "the lowest accuracy shown (\(value)%) must be in 0..<100"
    case .nothingToPlot(let from):
      if let from { return "no point or baseline has an accuracy of at least \(ReportText.fixed(from, decimals: 2))%" }
      return "the documents have no points and no baselines"
    }
  }
}
