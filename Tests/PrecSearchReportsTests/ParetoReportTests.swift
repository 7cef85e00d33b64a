import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchReports

@Suite struct ParetoReportTests {
  @Test func thePageHoldsEverySectionPointBaselineAndLayer() throws {
    let document = ReportFixtures.document()
    let html = try ParetoReport.html(for: document, options: ParetoReport.Options(sourcePath: "Results/front.json"))
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">\n"))
    #expect(html.hasSuffix("</html>\n"))
    for section in ["summary", "plot", "heat-map", "points", "baselines", "provenance"] {
      #expect(html.contains("<section id=\"\(section)\">"), "\(section)")
      #expect(html.contains("<a href=\"#\(section)\">"), "\(section)")
    }
    #expect(html.contains("<title>Pareto front report: tiny</title>"))
    #expect(html.contains("<code>Results/front.json</code>"))
    // Two inline plots (the whole front and the zoom on its accurate end) with distinct element ids.
    #expect(html.components(separatedBy: "<svg xmlns=\"http://www.w3.org/2000/svg\"").count == 3)
    #expect(html.contains("id=\"front-plot-area\"") && html.contains("id=\"zoom-plot-area\""))
    // Every point in the table (the chosen one marked) and in the heat map.
    for point in document.points {
      let marker = point.id == "p04" ? " (chosen)" : ""
      #expect(html.contains("<td>\(point.id)\(marker)</td>"), "\(point.id)")
      #expect(html.contains("<th>\(point.id)</th>"), "\(point.id) heat map row")
    }
    #expect(html.contains("<tr class=\"chosen\"><td>p04 (chosen)</td>"))
    // p01: 300,000 pJ, 15.0% of 16-bit, 42.00% validation, 41.50% test, -49.40 / -50.00 points against 16-bit.
    #expect(html.contains("<td>p01</td><td class=\"num\">300,000</td><td class=\"num\">15.0</td><td class=\"num\">42.00</td>"
      + "<td class=\"num\">41.50</td><td class=\"num\">\u{2212}49.40</td><td class=\"num\">\u{2212}50.00</td>"))
    #expect(html.contains("<td class=\"bits\">4 2 16</td><td class=\"bits\">8 3 2</td>"))
    for baseline in document.baselines {
      #expect(html.contains("<tr><td class=\"num\">\(baseline.bits)</td>"), "\(baseline.bits)")
    }
    for layer in document.model.layers {
      #expect(html.contains("<span>\(layer.name)</span>"), "\(layer.name)")
    }
    // Heat map: points x layers cells for weights and for activations, coloured by bit-width.
    #expect(html.components(separatedBy: "<td class=\"cell b").count - 1 == document.points.count * 3 * 2)
    #expect(html.contains("<td class=\"cell b16\" title=\"fc: 16 bits\">16</td>"))
    #expect(html.contains("<span class=\"swatch b2\">2</span>"))
    #expect(html.contains(".b2 { background: #440154; color: #ffffff; }"))
    // MAC shares: 100,000 / 711,520 = 14%, 600,000 / 711,520 = 84%, 11,520 / 711,520 = 1.6%.
    #expect(html.contains("<th class=\"share\">14%</th><th class=\"share\">84%</th><th class=\"share\">1.6%</th>"))
    // Provenance and settings.
    for fact in ["0123456789abcdef0123456789abcdef01234567", String(repeating: "ab", count: 32),
                 String(repeating: "11", count: 32), String(repeating: "22", count: 32), "sha-swp-16-8-4",
                 "<span>precsearch</span> <span>optimize</span> <span>--model</span> <span>tiny</span> <span>--budget</span> <span>40%</span>",
                 "0.9094", "evaluationLimit",
                 "--budget 40% (maximumEnergy: at most 800.000 nJ, 40.0% of 16-bit energy)", "confidence, 16 chunks, z = 3.00",
                 "69.8 s (1:10)", "2-16", "28 x 28 x 1"] {
      #expect(html.contains(fact), "\(fact)")
    }
  }

  @Test func theSearchTableNamesPreselectionOnlyWhenItWasOn() throws {
    var document = ReportFixtures.document()
    let plain = try ParetoReport.html(for: document, options: ParetoReport.Options(sourcePath: "a.json"))
    #expect(!plain.contains("pre-selected"))
    document.search.preselectionCandidates = 4
    let preselected = try ParetoReport.html(for: document, options: ParetoReport.Options(sourcePath: "a.json"))
    #expect(preselected.contains("each offspring pre-selected from 4 candidates"))
  }

  @Test func theSavingsTableFindsTheCheapestPointAndUniformWithinEachLoss() throws {
    let html = try ParetoReport.html(for: ReportFixtures.document())
    // Validation, 16-bit at 91.4%: within 1 point (>= 90.4%) the cheapest point is p05 (90.5%, 52.5% of 16-bit energy)
    // and the cheapest uniform is 8-bit (91.2%, 1.1 µJ): savings 47.5% and 1 - 1.05 / 1.1 = 4.5%.
    #expect(html.contains("<tr><td>validation</td><td class=\"num\">1.0 pp</td><td>p05</td><td class=\"num\">90.50%</td>"
      + "<td class=\"num\">52.5% of 16-bit</td><td class=\"num\">47.5%</td><td>8-bit (91.20%)</td><td class=\"num\">4.5%</td></tr>"))
    // Test, 16-bit at 91.5%: within 3 points (>= 88.5%) p05 (90.3%); uniform 6-bit (89.8%, 0.9 µJ) is cheaper: -16.7%.
    #expect(html.contains("<tr><td>test</td><td class=\"num\">3.0 pp</td><td>p05</td><td class=\"num\">90.30%</td>"
      + "<td class=\"num\">52.5% of 16-bit</td><td class=\"num\">47.5%</td><td>6-bit (89.80%)</td><td class=\"num\">-16.7%</td></tr>"))
    // Within 0.5 points on test (>= 91.0%): p06 (91.3%); without p06 no front point qualifies, uniform 8-bit does.
    #expect(html.contains("<tr><td>test</td><td class=\"num\">0.5 pp</td><td>p06</td>"))
    var withoutBest = ReportFixtures.document()
    withoutBest.points.removeLast()
    #expect(try ParetoReport.html(for: withoutBest).contains("<tr><td>test</td><td class=\"num\">0.5 pp</td><td>none</td>"
      + "<td class=\"num\">-</td><td class=\"num\">-</td><td class=\"num\">-</td><td>8-bit (91.20%)</td><td class=\"num\">-</td></tr>"))
  }

  @Test func everyTextFromTheDocumentIsEscaped() throws {
    var document = ReportFixtures.document(model: "<img src=x onerror=alert(1)>")
    document.model.layers[0].name = "a&b\"c'"
    document.provenance.commandLine = ["precsearch", "optimize", "--model", "it's <here>", "--output", "a b.json"]
    document.selection?.message = "</div><script>x</script>"
    let html = try ParetoReport.html(for: document, options: ParetoReport.Options(title: "R&D <report>"))
    #expect(!html.contains("<img"))
    #expect(!html.contains("<script"))
    #expect(!html.contains("</div><script"))
    #expect(html.contains("<title>R&amp;D &lt;report&gt;</title>"))
    #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    #expect(html.contains("<span>a&amp;b&quot;c&#39;</span>"))
    #expect(html.contains("<span>--model</span> <span>&#39;it&#39;\\&#39;&#39;s &lt;here&gt;&#39;</span> <span>--output</span> "
      + "<span>&#39;a b.json&#39;</span>"))
  }

  @Test func thePageIsSelfContainedAndDeterministic() throws {
    let document = ReportFixtures.document()
    let html = try ParetoReport.html(for: document)
    #expect(try ParetoReport.html(for: document) == html)
    #expect(!html.contains("<script"))
    #expect(!html.contains("<link"))
    #expect(!html.contains(" src="))
    #expect(!html.contains("@import"))
    #expect(!html.contains("url(http"))
    // The only URL is the SVG namespace.
    let urls = html.components(separatedBy: "http").count - 1
    #expect(urls == html.components(separatedBy: "http://www.w3.org/2000/svg\"").count - 1)
    // Nothing about the time the page was written: the same document in another order of construction gives
    // the same bytes, and a different timing changes only the timing facts.
    var slower = document
    slower.timing.wallSeconds = 1234.5
    let other = try ParetoReport.html(for: slower)
    #expect(other != html)
    #expect(other.replacingOccurrences(of: "1234.5 s (20:35)", with: "69.8 s (1:10)") == html)
  }

  @Test func theZoomedPlotAppearsOnlyWhenTheFrontReachesFarBelowSixteenBits() {
    let document = ReportFixtures.document()
    // 16-bit test accuracy 91.5%: from 86%; p01 (41.5%) lies far below.
    #expect(ParetoReport.zoomFloor(document, split: .test) == 86)
    var narrow = document
    narrow.points.removeFirst(2)
    #expect(ParetoReport.zoomFloor(narrow, split: .test) == nil)
    var noReference = document
    noReference.baselines.removeAll { $0.bits == 16 }
    #expect(ParetoReport.zoomFloor(noReference, split: .test) == nil)
  }

  @Test func aFrontWithoutPointsStillGivesAPage() throws {
    var document = ReportFixtures.document()
    document.points = []
    document.selection = .init(constraint: "maximumEnergy", pointId: nil, message: "nothing meets the budget")
    let html = try ParetoReport.html(for: document)
    #expect(html.contains("The front has no points."))
    #expect(html.contains("nothing meets the budget"))
  }

  @Test func helpersFormatCompactly() {
    #expect(ParetoReport.compactList(Array(2...16)) == "2-16")
    #expect(ParetoReport.compactList([2, 3, 4, 8, 9, 16]) == "2-4, 8, 9, 16")
    #expect(ParetoReport.compactList([]) == "none")
    #expect(ParetoReport.shellQuoted(["precsearch", "--budget", "40%", "a b", "x'y"]) == "precsearch --budget 40% 'a b' 'x'\\''y'")
    #expect(ParetoReport.clock(69.8) == "1:10")
    #expect(ParetoReport.clock(3725) == "1:02:05")
    #expect(ParetoReport.difference(0.9, from: 0.91) == "\u{2212}1.00")
    #expect(ParetoReport.difference(0.92, from: 0.91) == "+1.00")
    #expect(ParetoReport.difference(0.91, from: 0.91) == "0.00")
    #expect(ParetoReport.macShare(1, total: 100_000) == "&lt;0.1%")
    #expect(ReportText.fixed(-0.0001, decimals: 2) == "0.00")
    #expect(ReportText.fixed(2.675, decimals: 1) == "2.7")
    #expect(ReportText.grouped(1_234_567.891, decimals: 1) == "1,234,567.9")
    #expect(ReportText.energy(1_228_463.136) == "1.228 µJ")
  }
}
