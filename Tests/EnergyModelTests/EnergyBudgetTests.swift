import EnergyModel
import Testing

@Suite struct EnergyBudgetTests {
  @Test(arguments: [
    ("2.5uJ", 2.5e6), ("2.5\u{00B5}J", 2.5e6), ("2.5\u{03BC}J", 2.5e6), ("800nJ", 8e5), ("1200pJ", 1200),
    ("0.3mJ", 3e8), ("1J", 1e12), (" 2.5 uJ ", 2.5e6), ("1.5e3pJ", 1500), ("1E-3J", 1e9), ("+5nJ", 5000),
    (".5nJ", 500), ("5.nJ", 5000),
  ])
  func absoluteBudgetsParse(text: String, picojoules: Double) throws {
    let budget = try EnergyBudget(parsing: text)
    guard case .absolute(let value) = budget else {
      Issue.record("\(text) parsed as \(budget)")
      return
    }
    #expect(isClose(value, picojoules, relative: 1e-12), "\(text)")
    #expect(budget.limitPicojoules(uniform16BitPicojoules: 1) == value)
    // The description parses back to the same budget.
    #expect(try EnergyBudget(parsing: budget.description) == budget)
  }

  @Test func relativeBudgetsParse() throws {
    #expect(try EnergyBudget(parsing: "40%") == .relativeToUniform16Bit(fraction: 0.4))
    #expect(try EnergyBudget(parsing: "12.5 %") == .relativeToUniform16Bit(fraction: 0.125))
    let budget = try EnergyBudget(parsing: "40%")
    #expect(isClose(budget.limitPicojoules(uniform16BitPicojoules: 1000), 400, relative: 1e-12))
    #expect(try EnergyBudget(parsing: budget.description) == budget)
  }

  @Test(arguments: [
    ("", "empty"), ("   ", "empty"), ("%", "does not start with a number"), ("-5nJ", "negative"),
    ("nan", "does not start with a number"), ("nanJ", "does not start with a number"), ("inf", "does not start"),
    ("2.5", "unit is missing"), ("2.5MJ", "'MJ' is not a known unit"), ("2.5uj", "'uj' is not a known unit"),
    ("2.5 kJ", "'kJ' is not a known unit"), ("0nJ", "zero"), ("0%", "zero"), ("1e400J", "out of range"),
    ("1e300J", "out of range"), ("1e-400pJ", "zero"), ("1e5", "unit is missing"), ("1eJ", "exponent"),
    ("1.2.3nJ", "not a known unit"), ("0x1p3J", "not a known unit"), ("2.5  uJ", "not a known unit"),
    ("\u{1F600}", "does not start"), ("1e309%", "out of range"),
    (String(repeating: "9", count: 400) + "J", "out of range"),
  ])
  func malformedBudgetsThrowSayingWhatWasExpected(text: String, reason: String) {
    #expect {
      try EnergyBudget(parsing: text)
    } throws: { error in
      let message = "\(error)"
      return message.contains(reason) && message.contains("expected a positive number followed by J, mJ")
        && message.contains("40%")
    }
  }
}
