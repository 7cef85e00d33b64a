/// One command-line option of a command: its spelling, its value, its help sentence, its default and its allowed
/// values. A command's help text and its parsing both come from the same table of `OptionSpec`s.
///
/// Spelling follows swift-argument-parser: long names are kebab-case (`--weight-bits`), values are written
/// `--name value` or `--name=value`, and a placeholder is shown as `<value-name>`.
public struct OptionSpec: Hashable, Sendable {
  /// Whether the option takes a value.
  public enum Kind: Hashable, Sendable {
    /// A Boolean switch such as `--json`; present means true.
    case flag
    /// An option followed by one value, such as `--model <path>`.
    case value
  }

  /// Long name without the leading dashes, kebab-case (`weight-bits`).
  public var name: String
  /// Optional one-letter short name without the dash (`h` for `-h`).
  public var shortName: Character?
  /// Flag or value option.
  public var kind: Kind
  /// Placeholder shown in usage and help (`path` is shown as `<path>`); empty for flags.
  public var valueName: String
  /// One help sentence. Defaults and allowed values are appended automatically.
  public var help: String
  /// The value used when the option is absent (shown as `default: ...`); nil when there is none.
  public var defaultValue: String?
  /// The only values accepted (shown as `values: ...` and checked while parsing); nil accepts any value.
  public var allowedValues: [String]?
  /// True when the command cannot run without this option (a usage error names it when missing).
  public var isRequired: Bool

  /// Creates an option; prefer `flag(_:short:help:)` and `value(_:valueName:help:...)`.
  public init(name: String, shortName: Character? = nil, kind: Kind, valueName: String = "", help: String,
              defaultValue: String? = nil, allowedValues: [String]? = nil, isRequired: Bool = false) {
    self.name = name
    self.shortName = shortName
    self.kind = kind
    self.valueName = valueName
    self.help = help
    self.defaultValue = defaultValue
    self.allowedValues = allowedValues
    self.isRequired = isRequired
  }

  /// A Boolean switch (`--json`).
  public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
    OptionSpec(name: name, shortName: short, kind: .flag, help: help)
  }

  /// An option with one value (`--model <path>`).
  public static func value(_ name: String, short: Character? = nil, valueName: String, help: String,
                           defaultValue: String? = nil, allowedValues: [String]? = nil,
                           isRequired: Bool = false) -> OptionSpec {
    OptionSpec(name: name, shortName: short, kind: .value, valueName: valueName, help: help,
               defaultValue: defaultValue, allowedValues: allowedValues, isRequired: isRequired)
  }

  /// `--name`.
  public var longSpelling: String { "--" + name }

  /// `--name <value-name>` for value options, `--name` for flags.
  public var synopsis: String { kind == .value ? "\(longSpelling) <\(valueName)>" : longSpelling }

  /// How the option appears in a usage line: bare when required, in brackets otherwise.
  public var usageFragment: String { isRequired ? synopsis : "[\(synopsis)]" }

  /// The label of the option's line in help: `-h, --help` or `--model <path>`.
  public var helpLabel: String {
    if let shortName { return "-\(shortName), \(synopsis)" }
    return synopsis
  }

  /// The help sentence followed by `(values: a, b; default: a)` when the option has either.
  public var helpText: String {
    var notes: [String] = []
    if let allowedValues { notes.append("values: " + allowedValues.joined(separator: ", ")) }
    if let defaultValue { notes.append("default: " + defaultValue) }
    return notes.isEmpty ? help : help + " (" + notes.joined(separator: "; ") + ")"
  }

  /// The `-h, --help` option every command has.
  public static let help = OptionSpec.flag("help", short: "h", help: "Show help information.")
  /// The `--version` option of the tool itself.
  public static let version = OptionSpec.flag("version", help: "Show the version.")
}

/// The static description of one command: what `--help` prints and what the parser accepts.
public struct CommandConfiguration: Sendable {
  /// The subcommand name (`inspect`); the tool's own configuration uses the tool name.
  public var name: String
  /// One line: shown after `OVERVIEW:` and in the tool's subcommand list.
  public var abstract: String
  /// Optional paragraphs printed after the overview (separated by blank lines; wrapped to the help width).
  public var discussion: String
  /// The command's options, in help order (`-h, --help` is added automatically).
  public var options: [OptionSpec]
  /// Example invocations printed under `EXAMPLES:`.
  public var examples: [String]
  /// The positional arguments, in order: shown after the options in the usage line and under `ARGUMENTS:`.
  public var arguments: [PositionalArgument]

  /// Creates a command description.
  public init(name: String, abstract: String, discussion: String = "", arguments: [PositionalArgument] = [],
              options: [OptionSpec], examples: [String] = []) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options
    self.examples = examples
  }

  /// The options including the automatic `-h, --help`.
  public var allOptions: [OptionSpec] { options + [.help] }
}

/// A positional argument of a command, as swift-argument-parser shows it: `<front-json> ...` in the usage line and
/// one entry under `ARGUMENTS:`.
public struct PositionalArgument: Sendable {
  /// The placeholder, e.g. `front-json` (shown as `<front-json>`).
  public var name: String
  /// One sentence of help.
  public var help: String
  /// Whether the command takes one or more of them (`<name> ...`).
  public var isRepeated: Bool

  /// Creates a positional argument.
  public init(name: String, help: String, isRepeated: Bool = false) {
    self.name = name
    self.help = help
    self.isRepeated = isRepeated
  }

  /// `<name>` or `<name> ...`.
  public var usageFragment: String { isRepeated ? "<\(name)> ..." : "<\(name)>" }
}
