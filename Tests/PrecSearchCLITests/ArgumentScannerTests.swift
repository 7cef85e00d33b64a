import Testing
@testable import PrecSearchCLI

/// The option table used by the scanner tests.
private let model = OptionSpec.value("model", valueName: "path", help: "A model.", isRequired: true)
private let limit = OptionSpec.value("limit", short: "n", valueName: "count", help: "A limit.")
private let shift = OptionSpec.value("shift", valueName: "bits", help: "A shift.", defaultValue: "0")
private let kind = OptionSpec.value("kind", valueName: "kind", help: "A kind.", defaultValue: "a", allowedValues: ["a", "b"])
private let json = OptionSpec.flag("json", help: "JSON.")
private let table = [model, limit, shift, kind, json]

/// The message of the `UsageError` that parsing `arguments` throws, or nil when it parses.
private func parseError(_ arguments: [String], positionals: Int = 0) -> String? {
  do {
    _ = try ArgumentScanner.parse(arguments, options: table, maximumPositionals: positionals)
    return nil
  } catch {
    return error.message
  }
}

@Suite struct ArgumentScannerTests {
  @Test func separateAndInlineValuesAndFlags() throws {
    let parsed = try ArgumentScanner.parse(["--model", "a.json", "--limit=20", "--json"], options: table)
    #expect(parsed.value(model) == "a.json")
    #expect(try parsed.integer(limit, in: 1...100) == 20)
    #expect(parsed.flag(json))
    #expect(parsed.isPresent(json) && parsed.isPresent(limit) && !parsed.isPresent(shift))
    #expect(parsed.positionals.isEmpty)
  }

  @Test func shortNameAndOrderDoNotMatter() throws {
    let parsed = try ArgumentScanner.parse(["-n", "3", "--json", "--model", "m"], options: table)
    #expect(try parsed.integer(limit, in: 1...10) == 3)
    #expect(parsed.value(model) == "m")
  }

  @Test func defaultsApplyWhenAbsentAndAreParsedLikeValues() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m"], options: table)
    #expect(!parsed.flag(json))
    #expect(parsed.value(limit) == nil)
    #expect(try parsed.integer(limit, in: 1...10) == nil)
    #expect(try parsed.integer(shift, in: -8...8) == 0)
    #expect(parsed.value(kind) == "a")
  }

  @Test func negativeNumbersAreValuesNotOptions() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m", "--shift", "-3"], options: table)
    #expect(try parsed.integer(shift, in: -8...8) == -3)
    let decimal = try ArgumentScanner.parse(["--model", "m", "--shift", "-.5"], options: table)
    #expect(decimal.value(shift) == "-.5")
  }

  @Test func valueStartingWithDashNeedsEqualsForm() throws {
    #expect(parseError(["--model", "-weird"]) == "Missing value for '--model <path>'.")
    let parsed = try ArgumentScanner.parse(["--model=-weird"], options: table)
    #expect(parsed.value(model) == "-weird")
  }

  @Test func doubleDashEndsOptions() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m", "--", "--json"], options: table, maximumPositionals: 1)
    #expect(!parsed.flag(json))
    #expect(parsed.positionals == ["--json"])
    #expect(!ArgumentScanner.requestsHelp(["--", "--help"]))
  }

  @Test func unknownOptionsAreNamedWithASuggestionWhenClose() {
    #expect(parseError(["--modle", "m"]) == "Unknown option '--modle'. Did you mean '--model'?")
    #expect(parseError(["--model", "m", "--jsn"]) == "Unknown option '--jsn'. Did you mean '--json'?")
    #expect(parseError(["--model", "m", "--frobnicate"]) == "Unknown option '--frobnicate'.")
    #expect(parseError(["--model", "m", "-x"]) == "Unknown option '-x'.")
    #expect(parseError(["--model", "m", "-nj"]) == "Unknown option '-nj'.")
  }

  @Test func missingValues() {
    #expect(parseError(["--model"]) == "Missing value for '--model <path>'.")
    #expect(parseError(["--model", "--json"]) == "Missing value for '--model <path>'.")
    #expect(parseError(["--model="]) == "The value for '--model <path>' is empty.")
    #expect(parseError(["--model", "m", "-n"]) == "Missing value for '--limit <count>'.")
  }

  @Test func missingRequiredOption() {
    #expect(parseError(["--json"]) == "Missing expected argument '--model <path>'.")
    #expect(parseError([]) == "Missing expected argument '--model <path>'.")
  }

  @Test func repeatedOptionsAreRejectedWhateverTheSpelling() {
    let expected = "The option '--limit' was given more than once; give it once."
    #expect(parseError(["--model", "m", "--limit", "1", "--limit", "2"]) == expected)
    #expect(parseError(["--model", "m", "-n", "1", "--limit=2"]) == expected)
    #expect(parseError(["--model", "m", "--json", "--json"]) == "The option '--json' was given more than once; give it once.")
  }

  @Test func flagsTakeNoValue() {
    #expect(parseError(["--model", "m", "--json=yes"]) == "The flag '--json' does not take a value (got 'yes').")
  }

  @Test func allowedValuesAreCheckedWhileParsing() {
    #expect(parseError(["--model", "m", "--kind", "c"])
      == "The value 'c' is invalid for '--kind <kind>'; expected one of: 'a', 'b'.")
  }

  @Test func unexpectedPositionals() {
    #expect(parseError(["--model", "m", "extra"]) == "Unexpected argument 'extra'.")
    #expect(parseError(["--model", "m", "one", "two"], positionals: 1) == "Unexpected argument 'two'.")
    #expect(parseError(["-", "--model", "m"]) == "Unexpected argument '-'.")
  }

  @Test func badNumbers() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m", "--limit", "abc", "--shift", "99"], options: table)
    #expect(throws: UsageError("The value 'abc' is invalid for '--limit <count>'; expected an integer in 1...10.")) {
      try parsed.integer(limit, in: 1...10)
    }
    #expect(throws: UsageError("The value '99' is out of range for '--shift <bits>'; expected an integer in -8...8.")) {
      try parsed.integer(shift, in: -8...8)
    }
    let huge = try ArgumentScanner.parse(["--model", "m", "--limit", "99999999999999999999999"], options: table)
    #expect(throws: UsageError.self) { try huge.integer(limit, in: 1...Int.max) }
    let zero = try ArgumentScanner.parse(["--model", "m", "--limit", "0"], options: table)
    #expect(throws: UsageError("The value '0' is out of range for '--limit <count>'; expected an integer of at least 1.")) {
      try zero.integer(limit, in: 1...Int.max)
    }
  }

  @Test func realNumbers() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m", "--limit", "0.25", "--shift", "nan"], options: table)
    #expect(try parsed.number(limit, in: 0...1) == 0.25)
    #expect(throws: UsageError.self) { try parsed.number(shift, in: 0...1) }
  }

  @Test func mutuallyExclusiveOptions() throws {
    let parsed = try ArgumentScanner.parse(["--model", "m", "--limit", "1", "--shift", "2"], options: table)
    #expect(throws: UsageError("The options '--limit' and '--shift' cannot be used together; give at most one.")) {
      try parsed.requireAtMostOne(of: [limit, shift])
    }
    try parsed.requireAtMostOne(of: [limit, json])
  }

  @Test func helpIsDetectedAnywhereBeforeDoubleDash() {
    #expect(ArgumentScanner.requestsHelp(["--bogus", "--help"]))
    #expect(ArgumentScanner.requestsHelp(["-h"]))
    #expect(!ArgumentScanner.requestsHelp(["--model", "m"]))
  }

  @Test func bitWidthLists() throws {
    let option = OptionSpec.value("weight-bits", valueName: "list", help: "Bits.")
    #expect(try ValueParsing.bitWidthList("8", in: 2...16, for: option) == [8])
    #expect(try ValueParsing.bitWidthList("8,4, 16,2", in: 2...16, for: option) == [8, 4, 16, 2])
    #expect(throws: UsageError("The value '8,x' is invalid for '--weight-bits <list>': 'x' (item 2 of 2) is not an integer; expected bit-widths in 2...16.")) {
      try ValueParsing.bitWidthList("8,x", in: 2...16, for: option)
    }
    #expect(throws: UsageError("The value '17' is invalid for '--weight-bits <list>': 17 is not a bit-width in 2...16.")) {
      try ValueParsing.bitWidthList("17", in: 2...16, for: option)
    }
    #expect(throws: UsageError.self) { try ValueParsing.bitWidthList("8,,4", in: 2...16, for: option) }
    #expect(throws: UsageError.self) { try ValueParsing.bitWidthList("8,", in: 2...16, for: option) }
    #expect(throws: UsageError.self) { try ValueParsing.bitWidthList("1", in: 2...16, for: option) }
    #expect(throws: UsageError.self) { try ValueParsing.bitWidthList("-4", in: 2...16, for: option) }
    #expect(throws: UsageError.self) { try ValueParsing.bitWidthList("99999999999999999999", in: 2...16, for: option) }
  }

  @Test func editDistanceAndSuggestions() {
    #expect(ArgumentScanner.editDistance("kitten", "sitting") == 3)
    #expect(ArgumentScanner.editDistance("", "abc") == 3)
    #expect(ArgumentScanner.closestName(to: "evalute", among: ["inspect", "evaluate"]) == "evaluate")
    #expect(ArgumentScanner.closestName(to: "zzz", among: ["inspect", "evaluate"]) == nil)
  }
}
