import Foundation
import Testing
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime
@testable import PrecSearchCLI

@Suite struct SimulateCommandTests {
  @Test func replaysATraceAgainstTheStaticPoint() throws {
    let f = try RuntimeFixture(images: 30)
    defer { f.directory.cleanup() }
    let trace = f.directory.path("trace.csv")
    // 0-9: 400 pJ (p03), 10-19: 250 pJ (a p02/p03 mix), 20-29: 150 pJ (a p01/p02 mix). Average 266.7 pJ: the
    // static point is p02 (200 pJ), the most accurate within it.
    try Array("# battery\ninference,budget\n0,400pJ\n10, 25%\n\n20,150pJ\n".utf8).write(to: trace)
    let arguments = ["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace", trace,
                     "--data", f.imagesPath, "--window", "10", "--json"]
    let run = runTool(arguments)
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(SimulationReport.self, run.output)
    #expect(report.hull == ["p01", "p02", "p03"])
    #expect(report.staticPoint?.point == "p02")
    #expect(report.windows.count == 3)
    let budgets = [400e-12, 250e-12, 150e-12]
    for (w, window) in report.windows.enumerated() {
      #expect(window.inferences == 10 && window.first == 10 * w)
      #expect(abs(window.budgetJoules - budgets[w]) < 1e-24)
      // Within each window the governor never spends more than the budget plus the credit carried in (< 200 pJ).
      #expect(window.governorEnergyJoules * 10 <= budgets[w] * 10 + 200e-12 + 1e-20)
      #expect(window.overBudget == 0)
      #expect(window.staticEnergyJoules == 200e-12)
    }
    #expect(abs(report.windows[0].governorExpectedAccuracy - 0.9) < 1e-12, "a 400 pJ budget runs p03 throughout")
    #expect(report.total.governorEnergyJoules <= report.total.budgetJoules + 1e-24)
    // Measured accuracies count the labels: recompute the static point's from the integer engine.
    var staticCorrect = 0
    for i in 0..<30 where try f.expectedLabel(i, f.configurations[1]) == Int(f.data.label(i)) { staticCorrect += 1 }
    #expect(report.total.staticCorrect == staticCorrect)
    // Deterministic output.
    #expect(runTool(arguments).output == run.output)
    let text = runTool(Array(arguments.dropLast()))
    #expect(text.status == 0)
    #expect(text.output.contains("total") && text.output.contains("Static: p02"))
  }

  @Test func infeasibleBudgetsAreCountedOverBudget() throws {
    let f = try RuntimeFixture(images: 8)
    defer { f.directory.cleanup() }
    let trace = f.directory.path("trace.csv")
    try Array("inference,budget\n0,50pJ\n4,1uJ\n".utf8).write(to: trace)
    let run = runTool(["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace", trace,
                       "--data", f.imagesPath, "--window", "4", "--json"])
    #expect(run.status == 0, "\(run.errors)")
    let report = try decodeJSON(SimulationReport.self, run.output)
    #expect(report.windows.map(\.overBudget) == [4, 0])
    #expect(report.windows[0].governorEnergyJoules == 100e-12, "infeasible inferences run at the cheapest point")
  }

  @Test func badTracesNameFileLineAndField() throws {
    let f = try RuntimeFixture(images: 2)
    defer { f.directory.cleanup() }
    func failure(_ text: String) throws -> ToolRun {
      let trace = f.directory.path("bad.csv")
      try Array(text.utf8).write(to: trace)
      return runTool(["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace", trace,
                      "--data", f.imagesPath])
    }
    let cases: [(String, String)] = [
      ("time,budget\n0,1uJ\n", "line 1: expected the header 'inference,budget'"),
      ("inference,budget\n0,lots\n", "line 2, field 'budget'"),
      ("inference,budget\n0,1uJ\n0,2uJ\n", "line 3, field 'inference': 0 does not follow 0"),
      ("inference,budget\n5,1uJ\n", "line 2, field 'inference': the first row must start at inference 0"),
      ("inference,budget\n0,1uJ,3\n", "line 2: expected 2 fields"),
      ("inference,budget\n-1,1uJ\n", "field 'inference': '-1' is not an integer >= 0"),
      ("inference,budget\n", "no rows after the header"),
    ]
    for (text, fragment) in cases {
      let run = try failure(text)
      #expect(run.status == 1, "\(text)")
      #expect(run.errors.contains("budget trace '\(f.directory.path("bad.csv"))'") && run.errors.contains(fragment),
              "\(text): \(run.errors)")
    }
    let missing = runTool(["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace",
                           f.directory.path("none.csv"), "--data", f.imagesPath])
    #expect(missing.status == 1 && missing.errors.contains("none.csv"))
    let noData = runTool(["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace", "x.csv"])
    #expect(noData.status != 0)
    let badWindow = runTool(["simulate", "--model", f.modelPath, "--front", f.frontPath, "--budget-trace", "x.csv",
                             "--window", "0"])
    #expect(badWindow.status == 64)
  }
}
