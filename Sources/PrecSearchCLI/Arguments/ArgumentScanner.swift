/// Splits a command's arguments into options and positional arguments according to its `OptionSpec` table.
///
/// Rules (swift-argument-parser's): `--name value` and `--name=value`; `-x value` for a short name; a flag takes no
/// value; `--` ends the options; an option may be given at most once; a value that starts with `-` must be written
/// `--name=value`, except negative numbers (`--shift -3`). Unknown options, missing values, repeated options,
/// values outside `allowedValues`, missing required options and unexpected positional arguments are
/// `UsageError`s whose message names the option.
public enum ArgumentScanner {
  /// True when `arguments` ask for help (`-h` or `--help` before any `--`). Help wins over every other mistake
  /// on the same command line, so `precsearch evaluate --bogus --help` prints help.
  public static func requestsHelp(_ arguments: [String]) -> Bool {
    for argument in arguments {
      if argument == "--" { return false }
      if argument == "--help" || argument == "-h" { return true }
    }
    return false
  }

  /// Parses `arguments` (the words after the subcommand) against `options`.
  ///
  /// - Parameters:
  ///   - arguments: the command-line words, in order.
  ///   - options: the command's option table (without `--help`, which the caller handles).
  ///   - maximumPositionals: how many positional arguments the command accepts (0 for most commands).
  public static func parse(_ arguments: [String], options: [OptionSpec],
                           maximumPositionals: Int = 0) throws(UsageError) -> ParsedArguments {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var optionsEnded = false
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if optionsEnded || !looksLikeOption(argument) {
        positionals.append(argument)
        continue
      }
      if argument == "--" {
        optionsEnded = true
        continue
      }
      // Resolve the spelling to a spec, keeping an inline `=value`.
      let spec: OptionSpec
      var inlineValue: String?
      if argument.hasPrefix("--") {
        let body = argument.dropFirst(2)
        let name: Substring
        if let equals = body.firstIndex(of: "=") {
          name = body[..<equals]
          inlineValue = String(body[body.index(after: equals)...])
        } else {
          name = body
        }
        guard let found = options.first(where: { $0.name == name }) else {
          throw UsageError(unknownOptionMessage("--" + name, options: options))
        }
        spec = found
      } else {
        let body = argument.dropFirst()
        guard body.count == 1, let found = options.first(where: { $0.shortName == body.first }) else {
          throw UsageError(unknownOptionMessage(argument, options: options))
        }
        spec = found
      }
      if values[spec.name] != nil || flags.contains(spec.name) {
        throw UsageError("The option '\(spec.longSpelling)' was given more than once; give it once.")
      }
      switch spec.kind {
      case .flag:
        if let inlineValue {
          throw UsageError("The flag '\(spec.longSpelling)' does not take a value (got '\(inlineValue)').")
        }
        flags.insert(spec.name)
      case .value:
        let value: String
        if let inlineValue {
          value = inlineValue
        } else if index < arguments.count, !looksLikeOption(arguments[index]) {
          value = arguments[index]
          index += 1
        } else {
          throw UsageError("Missing value for '\(spec.synopsis)'.")
        }
        if value.isEmpty {
          throw UsageError("The value for '\(spec.synopsis)' is empty.")
        }
        if let allowed = spec.allowedValues, !allowed.contains(value) {
          throw UsageError("The value '\(value)' is invalid for '\(spec.synopsis)'; expected one of: "
            + allowed.map { "'\($0)'" }.joined(separator: ", ") + ".")
        }
        values[spec.name] = value
      }
    }
    if positionals.count > maximumPositionals {
      throw UsageError("Unexpected argument '\(positionals[maximumPositionals])'.")
    }
    for spec in options where spec.isRequired && values[spec.name] == nil && !flags.contains(spec.name) {
      throw UsageError("Missing expected argument '\(spec.synopsis)'.")
    }
    return ParsedArguments(options: options, values: values, flags: flags, positionals: positionals)
  }

  /// True for `-x`, `--name`, `--name=value` and `--`; false for `-`, negative numbers and ordinary words.
  static func looksLikeOption(_ argument: String) -> Bool {
    guard argument.hasPrefix("-"), argument.count > 1 else { return false }
    let rest = argument.dropFirst()
    if let first = rest.first, first.isNumber || first == "." { return false }  // -3, -0.5
    return true
  }

  /// `Unknown option '--modle'. Did you mean '--model'?` (the suggestion only when one name is close).
  static func unknownOptionMessage(_ spelling: String, options: [OptionSpec]) -> String {
    let typed = spelling.drop { $0 == "-" }
    let candidates = (options + [.help]).map(\.name)
    if let suggestion = closestName(to: String(typed), among: candidates) {
      return "Unknown option '\(spelling)'. Did you mean '--\(suggestion)'?"
    }
    return "Unknown option '\(spelling)'."
  }

  /// The candidate within edit distance 2 (or a third of the typed length) of `name`, the first of the closest.
  static func closestName(to name: String, among candidates: [String]) -> String? {
    let limit = max(2, name.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
      let distance = editDistance(name, candidate)
      if distance <= limit, distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    return best?.name
  }

  /// Levenshtein distance between two strings, by characters.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
