import PrecSearchFormats
/// A self-contained HTML report of one Pareto JSON document (docs/report.md): the energy-accuracy plot, the energy
/// saved at given accuracy losses, a per-layer precision heat map, the tables of points and uniform baselines, and
/// the provenance and settings.
///
/// One file with inline CSS and inline SVG, no scripts and no external resources. Every text taken from the
/// document is escaped. The output is a pure function of the document and the options (nothing time-dependent
/// is added; the document's own `timing` is shown as recorded).
public enum ParetoReport {
  /// How to write the report.
  public struct Options: Hashable, Sendable {
    /// The page title; nil for `Pareto front report: <model>`.
    public var title: String?
    /// The path of the document as given on the command line, shown in the header; nil to leave it out.
    public var sourcePath: String?
    /// The split whose accuracy the plots show (the tables show both).
    public var split: ParetoPlot.AccuracySplit
    /// A logarithmic energy axis in the plots.
    public var logarithmicEnergy: Bool
    /// Creates options; the defaults plot test accuracy against absolute energy.
    public init(title: String? = nil, sourcePath: String? = nil, split: ParetoPlot.AccuracySplit = .test,
                logarithmicEnergy: Bool = false) {
      self.title = title
      self.sourcePath = sourcePath
      self.split = split
      self.logarithmicEnergy = logarithmicEnergy
    }
  }

  /// The accuracy losses (fractions, e.g. 0.01 = one percentage point) of the savings table.
  public static let accuracyLosses = [0.005, 0.01, 0.02, 0.03]

  /// The viridis colours of bit-widths 2...16 (index `bits - 2`), perceptually ordered and colour-blind safe.
  static let bitColours = [
    "#440154", "#471a6c", "#45327d", "#3f4888", "#375b8c", "#2f6d8e", "#277f8d", "#21918c", "#22a186", "#31b27b",
    "#4cc26c", "#72ce55", "#a0d938", "#cfe126", "#fde725",
  ]

  /// The whole HTML page, ending in a newline.
  ///
  /// - Throws: ``ParetoPlotError`` when the plot cannot be drawn (for example a non-finite energy).
  public static func html(for document: ParetoFrontDocument, options: Options = Options()) throws(ParetoPlotError) -> String {
    let e = ReportText.escaped
    let title = options.title ?? "Pareto front report: \(document.model.name)"
    let label = ParetoPlot.defaultLabels(for: [document])[0]
    let series = [ParetoPlot.Series(document: document, label: label)]
    let plot = try ParetoPlot.svgElement(series, options: ParetoPlot.Options(
      title: "", width: 960, height: 560, split: options.split, logarithmicEnergy: options.logarithmicEnergy,
      identifier: "front-plot"))
    var zoom: (svg: String, from: Double)?
    if let from = zoomFloor(document, split: options.split) {
      zoom = (try ParetoPlot.svgElement(series, options: ParetoPlot.Options(
        title: "", width: 960, height: 520, split: options.split, logarithmicEnergy: options.logarithmicEnergy,
        accuracyFrom: from, identifier: "zoom-plot")), from)
    }

    var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    html += "<meta name=\"generator\" content=\"\(e(document.provenance.tool)) report\">\n"
    html += "<title>\(e(title))</title>\n<style>\n\(stylesheet)</style>\n</head>\n<body>\n<main>\n"
    html += "<header>\n<h1>\(e(title))</h1>\n"
    html += "<p class=\"subtitle\">\(e(subtitle(document)))</p>\n"
    if let path = options.sourcePath { html += "<p class=\"subtitle\">File: <code>\(e(path))</code></p>\n" }
    html += "<nav>" + [("summary", "Summary"), ("plot", "Plot"), ("heat-map", "Precision per layer"),
                       ("points", "Points"), ("baselines", "Baselines"), ("provenance", "Provenance and settings")]
      .map { "<a href=\"#\($0.0)\">\($0.1)</a>" }.joined(separator: " ") + "</nav>\n</header>\n"

    html += summarySection(document)
    html += "<section id=\"plot\">\n<h2>Energy versus accuracy</h2>\n"
    html += "<figure>\n\(plot)\n<figcaption>Pareto front (step line: the best \(options.split.rawValue) accuracy "
      + "reachable at each energy among the front's configurations), uniform baselines (squares, every layer at the "
      + "bits shown) and the chosen point, if any. Energies per inference under the energy model "
      + "<code>\(e(document.energyModel.name))</code>; accuracies on the \(options.split.rawValue) split "
      + "(\(ReportText.grouped(split(document.data, options.split).images)) images).</figcaption>\n</figure>\n"
    if let zoom {
      html += "<figure>\n\(zoom.svg)\n<figcaption>The same from \(ReportText.fixed(zoom.from, decimals: 0))% "
        + "\(options.split.rawValue) accuracy up: the high-accuracy end of the front.</figcaption>\n</figure>\n"
    }
    html += "</section>\n"
    html += heatMapSection(document)
    html += pointsSection(document)
    html += baselinesSection(document)
    html += provenanceSection(document, sourcePath: options.sourcePath)
    html += "<footer>Written by <code>\(e(document.provenance.tool)) report</code> from the Pareto JSON "
      + "(docs/pareto-json.md, schema version \(document.schemaVersion)).</footer>\n"
    html += "</main>\n</body>\n</html>\n"
    return html
  }

  // MARK: - Sections

  static func subtitle(_ document: ParetoFrontDocument) -> String {
    "Model \(document.model.name) on \(document.data.name), energy model \(document.energyModel.name), "
      + "\(document.search.algorithm) search with seed \(document.search.seed): \(document.points.count) Pareto points"
  }

  /// The 16-bit baseline, if the document has one.
  static func reference(_ document: ParetoFrontDocument) -> ParetoFrontDocument.Baseline? {
    document.baselines.first { $0.bits == 16 }
  }

  static func accuracy(_ value: ParetoFrontDocument.Point, _ split: ParetoPlot.AccuracySplit) -> Double {
    split == .test ? value.test.accuracy : value.validation.accuracy
  }

  static func accuracy(_ value: ParetoFrontDocument.Baseline, _ split: ParetoPlot.AccuracySplit) -> Double {
    split == .test ? value.test.accuracy : value.validation.accuracy
  }

  static func split(_ data: ParetoFrontDocument.DataSplits, _ split: ParetoPlot.AccuracySplit) -> ParetoFrontDocument.DataSplits.Split {
    split == .test ? data.test : data.validation
  }

  /// The lowest accuracy (%) of the zoomed plot: 5 points below the uniform 16-bit accuracy, rounded down to a
  /// whole percent; nil when the full plot already starts there or fewer than two points would show.
  static func zoomFloor(_ document: ParetoFrontDocument, split: ParetoPlot.AccuracySplit) -> Double? {
    guard let reference = reference(document) else { return nil }
    let from = (accuracy(reference, split) * 100 - 5).rounded(.down)
    guard from > 0, from < 100 else { return nil }
    let accuracies = document.points.map { accuracy($0, split) * 100 }
    guard accuracies.filter({ $0 >= from }).count >= 2, accuracies.contains(where: { $0 < from - 5 }) else { return nil }
    return from
  }

  static func summarySection(_ document: ParetoFrontDocument) -> String {
    let e = ReportText.escaped
    var html = "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n"
    func card(_ heading: String, _ value: String, _ detail: String) {
      html += "<div class=\"card\"><div class=\"heading\">\(e(heading))</div><div class=\"value\">\(e(value))</div>"
        + "<div class=\"detail\">\(e(detail))</div></div>\n"
    }
    if let reference = reference(document) {
      card("Uniform 16-bit", ReportText.energy(reference.energyPicojoules),
           "validation \(ReportText.percent(reference.validation.accuracy))%, test \(ReportText.percent(reference.test.accuracy))%")
    }
    if let selection = document.selection {
      if let id = selection.pointId, let point = document.points.first(where: { $0.id == id }) {
        card("Chosen point \(id)", "\(ReportText.percent(point.relativeEnergy, decimals: 1))% of 16-bit energy",
             "\(ReportText.energy(point.energy.totalPicojoules)); validation \(ReportText.percent(point.validation.accuracy))%, "
               + "test \(ReportText.percent(point.test.accuracy))%. \(selection.message)")
      } else {
        card("Chosen point", "none", selection.message)
      }
    }
    card("Pareto front", "\(document.points.count) points",
         "hypervolume \(ReportText.fixed(document.hypervolume.final, decimals: 4)) (reference point "
           + document.hypervolume.referencePoint.map { ReportText.fixed($0, decimals: 2) }.joined(separator: ", ") + ")")
    card("Search effort", "\(ReportText.grouped(document.effort.evaluations)) evaluations",
         "\(ReportText.grouped(document.effort.configurationsMeasured)) configurations measured, "
           + "\(ReportText.grouped(document.effort.imagesRun)) validation inferences, "
           + "\(clock(document.timing.searchSeconds)) of search (stop: \(document.effort.stopReason))")
    html += "</div>\n"

    guard reference(document) != nil else { return html + "</section>\n" }
    html += "<h3>Energy saved at a given accuracy loss</h3>\n"
    html += "<p class=\"note\">For each split and each largest loss of top-1 accuracy against uniform 16-bit (in "
      + "percentage points): the cheapest front point within that loss on that split, and the cheapest uniform "
      + "configuration within the same loss (the best static quantization). Savings are 1 - energy / "
      + "reference energy.</p>\n"
    html += "<div class=\"scroll\"><table class=\"data\">\n<thead><tr><th>Split</th><th class=\"num\">Largest loss</th>"
      + "<th>Point</th><th class=\"num\">Accuracy</th><th class=\"num\">Energy</th><th class=\"num\">Saving vs 16-bit</th>"
      + "<th>Best uniform</th><th class=\"num\">Saving vs best uniform</th></tr></thead>\n<tbody>\n"
    for split in [ParetoPlot.AccuracySplit.validation, .test] {
      for loss in accuracyLosses {
        // The rule is FrontAnalysis's (docs/analysis.md), shared with `precsearch summarize`.
        guard let answer = try? FrontAnalysis.saving(document, loss: loss, split: split) else { continue }
        let point = answer.pointId.flatMap { id in document.points.first { $0.id == id } }
        let uniform = document.baselines.first { $0.bits == answer.staticBits }
        html += "<tr><td>\(split.rawValue)</td><td class=\"num\">\(ReportText.fixed(loss * 100, decimals: 1)) pp</td>"
        if let point, let versus16 = answer.savingVersus16Bit {
          html += "<td>\(e(point.id))</td><td class=\"num\">\(ReportText.percent(accuracy(point, split)))%</td>"
            + "<td class=\"num\">\(ReportText.percent(point.relativeEnergy, decimals: 1))% of 16-bit</td>"
            + "<td class=\"num\">\(savingText(versus16))</td>"
        } else {
          html += "<td>none</td><td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td>"
        }
        if let uniform {
          html += "<td>\(uniform.bits)-bit (\(ReportText.percent(accuracy(uniform, split)))%)</td>"
          html += "<td class=\"num\">" + (answer.savingVersusStatic.map(savingText) ?? "-") + "</td>"
        } else {
          html += "<td>none</td><td class=\"num\">-</td>"
        }
        html += "</tr>\n"
      }
    }
    html += "</tbody>\n</table></div>\n</section>\n"
    return html
  }

  /// A saving (fraction) as `77.5%` (or `-3.1%` when the point costs more); `-` when not finite.
  static func savingText(_ saving: Double) -> String {
    saving.isFinite ? ReportText.percent(saving, decimals: 1) + "%" : "-"
  }

  static func heatMapSection(_ document: ParetoFrontDocument) -> String {
    let e = ReportText.escaped
    var html = "<section id=\"heat-map\">\n<h2>Precision per layer</h2>\n"
    let layers = document.model.layers
    guard !document.points.isEmpty, !layers.isEmpty else {
      return html + "<p>The front has no points.</p>\n</section>\n"
    }
    html += "<p class=\"note\">One row per Pareto point (by increasing energy), one column per weighted layer: "
      + "the weight bits (left map) and the input-activation bits (right map). Layers that stay dark across the "
      + "front tolerate low precision; the MACs row gives each layer's share of the multiply-accumulates.</p>\n"
    html += "<div class=\"legend\">Bits: " + (2...16).map { bits in
      "<span class=\"swatch b\(bits)\">\(bits)</span>"
    }.joined() + "</div>\n"
    let rotate = layers.count > 10 || layers.contains { $0.name.count > 6 }
    let totalMACs = layers.reduce(0) { $0 + $1.macs }
    html += "<div class=\"scroll\"><table class=\"heat\">\n<thead>\n"
    html += "<tr><th colspan=\"3\"></th><th class=\"map\" colspan=\"\(layers.count)\">Weight bits</th><th class=\"gap\"></th>"
      + "<th class=\"map\" colspan=\"\(layers.count)\">Activation bits</th></tr>\n"
    let layerHeaders = layers.map { layer in
      "<th class=\"layer\(rotate ? " rotated" : "")\" title=\"\(e(layer.name))\"><span>\(e(layer.name))</span></th>"
    }.joined()
    html += "<tr><th>Point</th><th class=\"num\">Energy</th><th class=\"num\">Test</th>\(layerHeaders)<th class=\"gap\"></th>"
      + "\(layerHeaders)</tr>\n"
    let shares = layers.map { layer in
      "<th class=\"share\">" + macShare(layer.macs, total: totalMACs) + "</th>"
    }.joined()
    html += "<tr class=\"shares\"><th colspan=\"3\" class=\"num\">share of MACs</th>\(shares)<th class=\"gap\"></th>\(shares)</tr>\n"
    html += "</thead>\n<tbody>\n"
    let chosen = document.selection?.pointId
    for point in document.points {
      html += "<tr\(point.id == chosen ? " class=\"chosen\"" : "")><th>\(e(point.id))</th>"
        + "<td class=\"num\">\(ReportText.percent(point.relativeEnergy, decimals: 1))%</td>"
        + "<td class=\"num\">\(ReportText.percent(point.test.accuracy))%</td>"
      html += cells(point, layers: layers) { $0.weightBits }
      html += "<td class=\"gap\"></td>"
      html += cells(point, layers: layers) { $0.activationBits }
      html += "</tr>\n"
    }
    html += "</tbody>\n</table></div>\n</section>\n"
    return html
  }

  /// The heat-map cells of one point for the model's layers (matched by position; a missing layer is blank).
  static func cells(_ point: ParetoFrontDocument.Point, layers: [ParetoFrontDocument.Model.Layer],
                    bits: (ParetoFrontDocument.Point.Layer) -> Int) -> String {
    var html = ""
    for index in layers.indices {
      guard index < point.layers.count else {
        html += "<td class=\"cell\"></td>"
        continue
      }
      let value = bits(point.layers[index])
      let kind = (2...16).contains(value) ? " b\(value)" : ""
      html += "<td class=\"cell\(kind)\" title=\"\(ReportText.escaped(point.layers[index].name)): \(value) bits\">\(value)</td>"
    }
    return html
  }

  /// `78%`, `0.1%`, `<0.1%`.
  static func macShare(_ macs: Int, total: Int) -> String {
    guard total > 0 else { return "-" }
    let share = Double(macs) / Double(total) * 100
    if share >= 9.5 { return ReportText.fixed(share, decimals: 0) + "%" }
    if share >= 0.05 { return ReportText.fixed(share, decimals: 1) + "%" }
    return "&lt;0.1%"
  }

  /// Decimals for a column of energies in pJ: none from 1,000 pJ up, else enough for three significant digits.
  static func energyDecimals(_ values: [Double]) -> Int {
    let smallest = values.filter { $0 > 0 }.min() ?? 1000
    if smallest >= 1000 { return 0 }
    if smallest >= 100 { return 1 }
    if smallest >= 10 { return 2 }
    return 3
  }

  /// Accuracy difference in percentage points with a sign: `+0.12`, `−1.50` (U+2212 minus), `0.00`.
  static func difference(_ value: Double, from reference: Double) -> String {
    let text = ReportText.fixed((value - reference) * 100, decimals: 2)
    if text.hasPrefix("-") { return "\u{2212}" + text.dropFirst() }
    return text == "0.00" ? text : "+" + text
  }

  static func pointsSection(_ document: ParetoFrontDocument) -> String {
    let e = ReportText.escaped
    var html = "<section id=\"points\">\n<h2>Pareto points</h2>\n"
    let reference = reference(document)
    html += "<p class=\"note\">Energy per inference in picojoules and relative to uniform 16-bit; top-1 accuracies "
      + "in %; differences to uniform 16-bit in percentage points; weight memory in bytes. Bits are listed per layer "
      + "in the order "
      + e(document.model.layers.map(\.name).joined(separator: ", ")) + ".</p>\n"
    let decimals = energyDecimals(document.points.map(\.energy.totalPicojoules))
    html += "<div class=\"scroll\"><table class=\"data\">\n<thead>"
      + "<tr class=\"group\"><th></th><th class=\"group\" colspan=\"2\">Energy</th><th class=\"group\" colspan=\"2\">Accuracy (%)</th>"
      + "<th class=\"group\" colspan=\"2\">Δ vs 16-bit (points)</th><th></th><th class=\"group\" colspan=\"2\">Bits per layer</th></tr>"
      + "<tr><th>Id</th><th class=\"num\">pJ</th><th class=\"num\">% of 16-bit</th><th class=\"num\">Validation</th>"
      + "<th class=\"num\">Test</th><th class=\"num\">Validation</th><th class=\"num\">Test</th>"
      + "<th class=\"num\">Weights (B)</th><th>Weights</th><th>Activations</th></tr></thead>\n<tbody>\n"
    let chosen = document.selection?.pointId
    for point in document.points {
      html += "<tr\(point.id == chosen ? " class=\"chosen\"" : "")><td>\(e(point.id))\(point.id == chosen ? " (chosen)" : "")</td>"
        + "<td class=\"num\">\(ReportText.grouped(point.energy.totalPicojoules, decimals: decimals))</td>"
        + "<td class=\"num\">\(ReportText.percent(point.relativeEnergy, decimals: 1))</td>"
        + "<td class=\"num\">\(ReportText.percent(point.validation.accuracy))</td>"
        + "<td class=\"num\">\(ReportText.percent(point.test.accuracy))</td>"
        + "<td class=\"num\">\(reference.map { difference(point.validation.accuracy, from: $0.validation.accuracy) } ?? "-")</td>"
        + "<td class=\"num\">\(reference.map { difference(point.test.accuracy, from: $0.test.accuracy) } ?? "-")</td>"
        + "<td class=\"num\">\(ReportText.grouped(point.weightMemory.bytes))</td>"
        + "<td class=\"bits\">\(point.layers.map { String($0.weightBits) }.joined(separator: " "))</td>"
        + "<td class=\"bits\">\(point.layers.map { String($0.activationBits) }.joined(separator: " "))</td></tr>\n"
    }
    html += "</tbody>\n</table></div>\n</section>\n"
    return html
  }

  static func baselinesSection(_ document: ParetoFrontDocument) -> String {
    var html = "<section id=\"baselines\">\n<h2>Uniform baselines</h2>\n"
    html += "<p class=\"note\">Every weight and activation at the same width, measured on the whole validation split "
      + "before the search and on the test split after it.</p>\n"
    let reference = reference(document)
    let decimals = energyDecimals(document.baselines.map(\.energyPicojoules))
    html += "<div class=\"scroll\"><table class=\"data\">\n<thead>"
      + "<tr class=\"group\"><th></th><th class=\"group\" colspan=\"2\">Energy</th><th class=\"group\" colspan=\"2\">Accuracy (%)</th>"
      + "<th class=\"group\" colspan=\"2\">Δ vs 16-bit (points)</th><th></th></tr>"
      + "<tr><th class=\"num\">Bits</th><th class=\"num\">pJ</th>"
      + "<th class=\"num\">% of 16-bit</th><th class=\"num\">Validation</th><th class=\"num\">Test</th>"
      + "<th class=\"num\">Validation</th><th class=\"num\">Test</th><th class=\"num\">Weights (B)</th></tr></thead>\n<tbody>\n"
    for baseline in document.baselines {
      html += "<tr><td class=\"num\">\(baseline.bits)</td>"
        + "<td class=\"num\">\(ReportText.grouped(baseline.energyPicojoules, decimals: decimals))</td>"
        + "<td class=\"num\">\(ReportText.percent(baseline.relativeEnergy, decimals: 1))</td>"
        + "<td class=\"num\">\(ReportText.percent(baseline.validation.accuracy))</td>"
        + "<td class=\"num\">\(ReportText.percent(baseline.test.accuracy))</td>"
        + "<td class=\"num\">\(reference.map { difference(baseline.validation.accuracy, from: $0.validation.accuracy) } ?? "-")</td>"
        + "<td class=\"num\">\(reference.map { difference(baseline.test.accuracy, from: $0.test.accuracy) } ?? "-")</td>"
        + "<td class=\"num\">\(ReportText.grouped(baseline.weightMemory.bytes))</td></tr>\n"
    }
    html += "</tbody>\n</table></div>\n</section>\n"
    return html
  }

  static func provenanceSection(_ document: ParetoFrontDocument, sourcePath: String?) -> String {
    var html = "<section id=\"provenance\">\n<h2>Provenance and settings</h2>\n<div class=\"facts\">\n"
    /// One fact table; values are HTML (already escaped by the caller).
    func facts(_ heading: String, _ rows: [(String, String)]) {
      html += "<table class=\"facts\">\n<caption>\(ReportText.escaped(heading))</caption>\n<tbody>\n"
      for (key, value) in rows {
        html += "<tr><th>\(ReportText.escaped(key))</th><td>\(value)</td></tr>\n"
      }
      html += "</tbody>\n</table>\n"
    }
    let e = ReportText.escaped
    func code(_ text: String) -> String { "<code>\(e(text))</code>" }
    let provenance = document.provenance
    var tool: [(String, String)] = []
    if let sourcePath { tool.append(("File", code(sourcePath))) }
    tool += [
      ("Tool", e("\(provenance.tool) \(provenance.toolVersion)")),
      ("Commit", code(provenance.commit)),
      ("Command line", "<code class=\"command\">" + shellWords(provenance.commandLine).map { "<span>\(e($0))</span>" }
        .joined(separator: " ") + "</code>"),
      ("Format", e("\(document.format), schema version \(document.schemaVersion)")),
    ]
    facts("Tool", tool)
    let model = document.model
    facts("Model", [
      ("Name", e(model.name)), ("Source", code(model.source)), ("SHA-256", code(model.sha256)),
      ("Input shape", e(model.inputShape.map(String.init).joined(separator: " x ") + " (height x width x channels)")),
      ("Classes", e(String(model.classes))),
      ("Weighted layers", e("\(model.layers.count): " + model.layers.map(\.name).joined(separator: ", "))),
      ("MACs per inference", e(ReportText.grouped(model.totalMACs))),
      ("Parameters", e(ReportText.grouped(model.totalParameters))),
      ("Window search", e(model.windowSearch ?? "none (not recorded)")),
    ])
    let data = document.data
    facts("Data", [
      ("Data set", e(data.name)),
      ("Validation split", e("\(data.validation.source), \(ReportText.grouped(data.validation.images)) images")),
      ("Validation SHA-256", code(data.validation.sha256)),
      ("Test split", e("\(data.test.source), \(ReportText.grouped(data.test.images)) images")),
      ("Test SHA-256", code(data.test.sha256)),
    ])
    let energy = document.energyModel
    var energyRows: [(String, String)] = [("Name", e(energy.name)), ("Source", e(energy.source))]
    if let path = energy.path { energyRows.append(("Path", code(path))) }
    energyRows += [("SHA-256", code(energy.sha256)),
                   ("Uniform 16-bit energy", e("\(ReportText.grouped(energy.uniform16BitPicojoules, decimals: 2)) pJ "
                     + "(\(ReportText.energy(energy.uniform16BitPicojoules))) per inference"))]
    facts("Energy model", energyRows)
    let search = document.search
    var searchRows: [(String, String)] = [("Algorithm", e(search.algorithm)), ("Seed", e(String(search.seed)))]
    searchRows.append(("Evaluation limit", e(search.maximumEvaluations.map { ReportText.grouped($0) } ?? "none")))
    searchRows.append(("Time limit", e(search.timeLimitSeconds.map { "\(ReportText.fixed($0, decimals: 1)) s" } ?? "none")))
    searchRows.append(("Weight bits", e(compactList(search.weightBits))))
    searchRows.append(("Activation bits", e(compactList(search.activationBits))))
    let pins = search.pins.map { pin in
      pin.layer + ": " + [pin.weightBits.map { "weights \($0)" }, pin.activationBits.map { "activations \($0)" }]
        .compactMap { $0 }.joined(separator: ", ")
    }
    searchRows.append(("Pinned layers", e(pins.isEmpty ? "none" : pins.joined(separator: "; "))))
    searchRows.append(("Constraint", e(constraintText(search.constraint))))
    let candidates = search.preselectionCandidates ?? 1
    let preselection = candidates > 1 ? ", each offspring pre-selected from \(candidates) candidates" : ""
    searchRows.append(("NSGA-II", e("population \(search.populationSize), largest mutation step \(search.mutationSteps)"
      + preselection)))
    searchRows.append(("Simulated annealing", e("\(search.annealingRuns) runs, share \(ReportText.fixed(search.annealingShare, decimals: 2))")))
    let screening = search.screening
    searchRows.append(("Screening", e("\(screening.rule), \(screening.chunks) chunks"
      + (screening.z.map { ", z = \(ReportText.fixed($0, decimals: 2))" } ?? ""))))
    if let selection = document.selection {
      searchRows.append(("Selection", e("\(selection.constraint): \(selection.pointId ?? "no point"). \(selection.message)")))
    }
    facts("Search", searchRows)
    let effort = document.effort
    facts("Effort", [
      ("Evaluations", e(ReportText.grouped(effort.evaluations))),
      ("Answered from the memo", e(ReportText.grouped(effort.memoHits))),
      ("Configurations measured", e(ReportText.grouped(effort.configurationsMeasured))),
      ("Screened out early", e(ReportText.grouped(effort.configurationsScreenedOut))),
      ("Validation inferences", e(ReportText.grouped(effort.imagesRun))),
      ("Stop reason", e(effort.stopReason)),
    ])
    let hypervolume = document.hypervolume
    var history = "<details><summary>\(hypervolume.history.count) entries</summary><table class=\"data compact\">"
      + "<thead><tr><th class=\"num\">Evaluations</th><th class=\"num\">Hypervolume</th></tr></thead><tbody>"
    for entry in hypervolume.history {
      history += "<tr><td class=\"num\">\(ReportText.grouped(entry.evaluations))</td>"
        + "<td class=\"num\">\(ReportText.fixed(entry.hypervolume, decimals: 4))</td></tr>"
    }
    history += "</tbody></table></details>"
    facts("Hypervolume", [
      ("Final", e(ReportText.fixed(hypervolume.final, decimals: 4))),
      ("Reference point", e(hypervolume.referencePoint.map { ReportText.fixed($0, decimals: 2) }.joined(separator: ", ")
        + " (energy / uniform 16-bit, 1 - validation accuracy)")),
      ("History", history),
    ])
    let timing = document.timing
    func seconds(_ value: Double) -> String { e("\(ReportText.fixed(value, decimals: 1)) s") }
    facts("Timing (wall clock, as recorded)", [
      ("Total", e("\(ReportText.fixed(timing.wallSeconds, decimals: 1)) s (\(clock(timing.wallSeconds)))")),
      ("Baselines", seconds(timing.baselineSeconds)),
      ("Search", e("\(ReportText.fixed(timing.searchSeconds, decimals: 1)) s: plans \(ReportText.fixed(timing.planSeconds, decimals: 1)) s, "
        + "inference \(ReportText.fixed(timing.inferenceSeconds, decimals: 1)) s, energy \(ReportText.fixed(timing.energySeconds, decimals: 2)) s, "
        + "other \(ReportText.fixed(timing.otherSeconds, decimals: 1)) s")),
      ("Test split", seconds(timing.testSeconds)),
      ("Throughput", e("\(ReportText.fixed(timing.evaluationsPerSecond, decimals: 2)) evaluations/s, "
        + "\(ReportText.grouped(timing.imagesPerSecond, decimals: 0)) images/s")),
      ("Threads", e(String(timing.threads))),
      ("Sessions", e(String(timing.sessions))),
    ])
    html += "</div>\n</section>\n"
    return html
  }

  /// `given (kind)` for a constraint, or `none`.
  static func constraintText(_ constraint: ParetoFrontDocument.Search.Constraint) -> String {
    guard constraint.kind != "none" else { return "none (whole front)" }
    var parts: [String] = []
    if let picojoules = constraint.picojoules { parts.append("at most \(ReportText.energy(picojoules))") }
    if let relative = constraint.relativeEnergy { parts.append("\(ReportText.percent(relative, decimals: 1))% of 16-bit energy") }
    if let accuracy = constraint.accuracy { parts.append("validation accuracy at least \(ReportText.percent(accuracy))%") }
    let detail = parts.isEmpty ? constraint.kind : constraint.kind + ": " + parts.joined(separator: ", ")
    return (constraint.given.map { "\($0) (\(detail))" }) ?? detail
  }

  /// `2-16` for a run of consecutive widths, `2-8, 10, 12` otherwise.
  static func compactList(_ values: [Int]) -> String {
    var parts: [String] = []
    var index = 0
    while index < values.count {
      var end = index
      while end + 1 < values.count, values[end + 1] == values[end] + 1 { end += 1 }
      parts.append(end > index + 1 ? "\(values[index])-\(values[end])" : (index...end).map { String(values[$0]) }.joined(separator: ", "))
      index = end + 1
    }
    return parts.isEmpty ? "none" : parts.joined(separator: ", ")
  }

  /// The command line as one POSIX shell line (arguments with special characters in single quotes).
  static func shellQuoted(_ arguments: [String]) -> String {
    shellWords(arguments).joined(separator: " ")
  }

  /// Each argument as a POSIX shell word (in single quotes when it holds special characters).
  static func shellWords(_ arguments: [String]) -> [String] {
    arguments.map { argument in
      let safe = !argument.isEmpty && argument.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
          || "_-./%:=,@+".unicodeScalars.contains(scalar))
      }
      return safe ? argument : "'" + argument.replacingQuotes() + "'"
    }
  }

  /// `m:ss` or `h:mm:ss`.
  static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "-" }
    let total = Int(seconds.rounded())
    let hours = total / 3600, minutes = (total % 3600) / 60, rest = total % 60
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
    return hours > 0 ? "\(hours):\(two(minutes)):\(two(rest))" : "\(minutes):\(two(rest))"
  }

  /// The page's CSS (inline; no external fonts).
  static let stylesheet: String = {
    var css = """
      :root { color-scheme: light; }
      * { box-sizing: border-box; }
      body { margin: 0; background: #eef1f4; color: #1f2328; line-height: 1.45;
        font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif; }
      main { max-width: 1040px; margin: 0 auto; padding: 28px 36px 40px; background: #ffffff; }
      h1 { font-size: 1.65rem; margin: 0 0 6px; }
      h2 { font-size: 1.25rem; margin: 36px 0 12px; padding-bottom: 5px; border-bottom: 1px solid #d0d7de; }
      h3 { font-size: 1.02rem; margin: 22px 0 6px; }
      .subtitle { color: #57606a; margin: 2px 0; }
      nav { margin-top: 12px; font-size: 0.92rem; }
      nav a { color: #0969da; text-decoration: none; margin-right: 16px; }
      nav a:hover { text-decoration: underline; }
      code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 0.86em;
        overflow-wrap: anywhere; }
      figcaption code, .note code, .subtitle code { white-space: nowrap; }
      .note { color: #57606a; font-size: 0.9rem; margin: 4px 0 10px; max-width: 900px; }
      .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
      .card { border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 14px; background: #f6f8fa; }
      .card .heading { color: #57606a; font-size: 0.82rem; text-transform: uppercase; letter-spacing: 0.03em; }
      .card .value { font-size: 1.25rem; font-weight: 600; margin: 2px 0; }
      .card .detail { font-size: 0.86rem; color: #424a53; }
      .scroll { overflow-x: auto; }
      table { border-collapse: collapse; font-size: 0.86rem; }
      table.data th, table.data td { padding: 4px 9px; border-bottom: 1px solid #e6e9ed; text-align: left; white-space: nowrap; }
      table.data thead th { border-bottom: 2px solid #d0d7de; background: #f6f8fa; }
      table.data thead tr.group th { border-bottom: none; padding-bottom: 0; color: #57606a; font-weight: 500; }
      table.data thead tr.group th.group { text-align: center; border-bottom: 1px solid #d0d7de; }
      table.data tbody tr:nth-child(even) { background: #fafbfc; }
      th.num, td.num { text-align: right !important; font-variant-numeric: tabular-nums; }
      td.bits { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 0.82rem; }
      tr.chosen, table.data tbody tr.chosen { background: #fff1c2; font-weight: 600; }
      figure { margin: 8px 0 18px; }
      figure svg { display: block; max-width: 100%; height: auto; }
      figcaption { color: #57606a; font-size: 0.88rem; margin-top: 6px; max-width: 900px; }
      .legend { font-size: 0.85rem; color: #424a53; margin: 6px 0 10px; display: flex; align-items: center; flex-wrap: wrap; gap: 2px; }
      .swatch { display: inline-block; width: 26px; height: 20px; line-height: 20px; text-align: center; font-size: 0.75rem; margin-left: 2px; }
      table.heat { font-size: 0.8rem; }
      table.heat th, table.heat td { padding: 1px 6px; white-space: nowrap; }
      table.heat thead th { font-weight: 600; text-align: center; vertical-align: bottom; }
      table.heat tbody th { text-align: left; font-weight: 600; }
      table.heat th.map { border-bottom: 1px solid #d0d7de; }
      table.heat th.layer { padding: 2px 1px; min-width: 30px; font-weight: 500; }
      table.heat th.layer.rotated span { writing-mode: vertical-rl; transform: rotate(180deg); display: inline-block; max-height: 140px; overflow: hidden; text-overflow: ellipsis; }
      table.heat tr.shares th { font-weight: 400; color: #57606a; font-size: 0.72rem; padding-bottom: 4px; }
      table.heat td.cell { width: 30px; min-width: 30px; text-align: center; padding: 1px 0; border: 1px solid #ffffff;
        font-variant-numeric: tabular-nums; }
      table.heat .gap { width: 18px; min-width: 18px; padding: 0; }
      table.heat tr.chosen th, table.heat tr.chosen td.num { background: #fff1c2; }
      table.heat tr.chosen td.cell { outline: 2px solid #1f2328; outline-offset: -2px; }
      div.facts { columns: 2 400px; column-gap: 32px; }
      table.facts { width: 100%; margin-bottom: 16px; break-inside: avoid; }
      table.facts caption { text-align: left; font-weight: 600; padding: 6px 0 4px; font-size: 0.95rem; }
      table.facts th { text-align: left; font-weight: 500; color: #57606a; padding: 3px 12px 3px 0; vertical-align: top; width: 34%; }
      table.facts td { padding: 3px 0; vertical-align: top; overflow-wrap: anywhere; }
      table.facts tr { border-bottom: 1px solid #eef0f2; }
      table.compact th, table.compact td { padding: 1px 10px; }
      code.command { display: block; white-space: normal; }
      code.command span { white-space: nowrap; }
      details summary { cursor: pointer; color: #0969da; }
      footer { margin-top: 36px; color: #6e7781; font-size: 0.82rem; border-top: 1px solid #d0d7de; padding-top: 10px; }
      @media (max-width: 640px) { main { padding: 16px 14px 28px; } h1 { font-size: 1.35rem; } }
      @media print { body { background: #ffffff; } main { padding: 0; max-width: none; } nav { display: none; } }

      """
    for (index, colour) in bitColours.enumerated() {
      let bits = index + 2
      // Light text on the dark half of the scale (relative luminance below about 0.55).
      let text = bits <= 10 ? "#ffffff" : "#1f2328"
      css += ".b\(bits) { background: \(colour); color: \(text); }\n"
    }
    return css
  }()
}

extension String {
  /// The string with each `'` written `'\''` (for single-quoted shell words).
  fileprivate func replacingQuotes() -> String {
    var result = ""
    for character in self {
      if character == "'" { result += "'\\''" } else { result.append(character) }
    }
    return result
  }
}
