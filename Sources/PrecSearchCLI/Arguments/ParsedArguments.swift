/// The options and positional arguments of one command line, with typed accessors that apply the option's
/// default and turn malformed values into `UsageError`s naming the option.
public struct ParsedArguments: Sendable {
  /// The option table the arguments were parsed against.
  public let options: [OptionSpec]
  /// Values of the value options that were given, by long name (looked up only, never iterated).
  let values: [String: String]
  /// Long names of the flags that were given.
  let flags: Set<String>
  /// Positional arguments, in order.
  public let positionals: [String]

  /// True when the flag was given.
  public func flag(_ option: OptionSpec) -> Bool { flags.contains(option.name) }

  /// True when the option was given on the command line (its default does not count).
  public func isPresent(_ option: OptionSpec) -> Bool {
    values[option.name] != nil || flags.contains(option.name)
  }

  /// The option's value, or its default when absent (nil when it has none).
  public func value(_ option: OptionSpec) -> String? { values[option.name] ?? option.defaultValue }

  /// The option's value (or default); a usage error naming the option when there is neither.
  public func requiredValue(_ option: OptionSpec) throws(UsageError) -> String {
    guard let value = value(option) else { throw UsageError("Missing expected argument '\(option.synopsis)'.") }
    return value
  }

  /// The option's value (or default) as an integer in `range`; nil when absent without default.
  public func integer(_ option: OptionSpec, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
    guard let text = value(option) else { return nil }
    return try ValueParsing.integer(text, in: range, for: option)
  }

  /// The option's value (or default) as a finite number in `range`; nil when absent without default.
  public func number(_ option: OptionSpec, in range: ClosedRange<Double>) throws(UsageError) -> Double? {
    guard let text = value(option) else { return nil }
    return try ValueParsing.number(text, in: range, for: option)
  }

  /// The option's value (or default) as a case of a string enum; nil when absent without default.
  public func choice<Choice: RawRepresentable & CaseIterable>(_ option: OptionSpec, as type: Choice.Type)
    throws(UsageError) -> Choice? where Choice.RawValue == String {
    guard let text = value(option) else { return nil }
    guard let choice = Choice(rawValue: text) else {
      throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected one of: "
        + Choice.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ".")
    }
    return choice
  }

  /// A usage error when more than one of `group` was given (for options such as
  /// `--min-accuracy` / `--max-accuracy-drop` that exclude each other).
  public func requireAtMostOne(of group: [OptionSpec]) throws(UsageError) {
    let given = group.filter(isPresent)
    if given.count > 1 {
      throw UsageError("The options " + given.map { "'\($0.longSpelling)'" }.joined(separator: " and ")
        + " cannot be used together; give at most one.")
    }
  }
}

/// Parsers for option values. Every failure is a one-line `UsageError` that quotes the value, names the option and
/// says what was expected.
public enum ValueParsing {
  /// A decimal integer (optional sign) in `range`.
  public static func integer(_ text: String, in range: ClosedRange<Int>, for option: OptionSpec) throws(UsageError) -> Int {
    guard let value = Int(text.trimmingSpaces) else {
      throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected an integer \(describe(range)).")
    }
    guard range.contains(value) else {
      throw UsageError("The value '\(text)' is out of range for '\(option.synopsis)'; expected an integer \(describe(range)).")
    }
    return value
  }

  /// A finite decimal number in `range`.
  public static func number(_ text: String, in range: ClosedRange<Double>, for option: OptionSpec) throws(UsageError) -> Double {
    guard let value = Double(text.trimmingSpaces), value.isFinite else {
      throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected a number in \(range.lowerBound)...\(range.upperBound).")
    }
    guard range.contains(value) else {
      throw UsageError("The value '\(text)' is out of range for '\(option.synopsis)'; expected a number in \(range.lowerBound)...\(range.upperBound).")
    }
    return value
  }

  /// A bit-width list: one integer for every layer (`8`) or a comma-separated integer per layer (`8,8,4,16`),
  /// each in `range`. Returns the values in order; the caller matches the count against the network.
  public static func bitWidthList(_ text: String, in range: ClosedRange<Int>, for option: OptionSpec) throws(UsageError) -> [Int] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false)
    var result: [Int] = []
    for (position, item) in items.enumerated() {
      let word = String(item).trimmingSpaces
      let location = items.count > 1 ? " (item \(position + 1) of \(items.count))" : ""
      guard !word.isEmpty else {
        throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)': empty item\(location); expected one bit-width or a comma-separated bit-width per layer, each \(describe(range)).")
      }
      guard let bits = Int(word) else {
        throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)': '\(word)'\(location) is not an integer; expected bit-widths \(describe(range)).")
      }
      guard range.contains(bits) else {
        throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)': \(bits)\(location) is not a bit-width \(describe(range)).")
      }
      result.append(bits)
    }
    return result
  }

  /// `in 2...16`, or `of at least 1` for an open-ended range.
  static func describe(_ range: ClosedRange<Int>) -> String {
    if range.upperBound == Int.max { return "of at least \(range.lowerBound)" }
    return "in \(range.lowerBound)...\(range.upperBound)"
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs (Foundation-free).
  var trimmingSpaces: String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    return String(self.drop(while: isBlank).reversed().drop(while: isBlank).reversed())
  }
}
