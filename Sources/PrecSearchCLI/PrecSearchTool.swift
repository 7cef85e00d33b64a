import Foundation

/// The `precsearch` command-line tool as a library: parses the arguments, runs one subcommand, writes results to
/// `output` and diagnostics to `errors`, and returns the process exit status. Testable in-process; the
/// `precsearch` executable only forwards `CommandLine.arguments` and exits with the returned status.
///
/// Exit statuses: 0 on success (including `--help` and `--version`), 64 (`EX_USAGE`) for a mistake on the command
/// line, 1 for a failure while doing the work. Nothing the user types makes the tool trap.
public enum PrecSearchTool {
  /// The executable's name, as shown in usage lines.
  public static let name = "precsearch"
  /// The tool version printed by `--version` and recorded in output provenance (semantic versioning).
  public static let version = "0.1.0"
  /// One line describing the tool.
  static let abstract = "Search per-layer weight and activation bit-widths of ConvNets for the energy-accuracy trade-off."
  /// Paragraphs printed under the overview of the tool's help.
  static let discussion = """
    precsearch runs ConvNets on a bit-exact fixed-point engine in which every weighted layer has its own weight \
    and activation precision (2 to 16 bits), prices each precision configuration with an energy model, and \
    searches for the configurations that trade the least accuracy for the most energy.
    """

  /// The subcommands, in the order help lists them. A new command is one `Subcommand` type added here.
  static let subcommands: [any Subcommand.Type] = [
    InspectCommand.self,
    EvaluateCommand.self,
    ImportCommand.self,
    OptimizeCommand.self,
    CalibrateCommand.self,
    TrainCommand.self,
    RunCommand.self,
    SimulateCommand.self,
    RecalibrateCommand.self,
    ServeCommand.self,
    PlotCommand.self, ReportCommand.self,
    SummarizeCommand.self,
    ExportCommand.self,
  ]

  /// Names of the subcommands, in help order (without the built-in `help`).
  public static var subcommandNames: [String] { subcommands.map { $0.configuration.name } }

  /// Runs the tool on `arguments` (the command line without the executable name).
  ///
  /// - Returns: the exit status: 0 success, 64 usage error, 1 runtime failure.
  public static func run(arguments: [String], output: inout some TextOutputStream,
                         errors: inout some TextOutputStream) -> Int32 {
    guard let first = arguments.first else {
      output.write(toolHelp())
      return ExitStatus.success
    }
    if first == "--help" || first == "-h" {
      output.write(toolHelp())
      return ExitStatus.success
    }
    if first == "--version" {
      guard arguments.count == 1 else {
        return reportToolUsageError(UsageError("Unexpected argument '\(arguments[1])'."), errors: &errors)
      }
      output.write(version + "\n")
      return ExitStatus.success
    }
    if ArgumentScanner.looksLikeOption(first) {
      let message = ArgumentScanner.unknownOptionMessage(first, options: [.version])
      return reportToolUsageError(UsageError(message + " Options go after the subcommand, e.g. '\(name) inspect --model PATH'."),
                                  errors: &errors)
    }
    if first == "help" {
      return runHelp(Array(arguments.dropFirst()), output: &output, errors: &errors)
    }
    guard let command = subcommand(named: first) else {
      return reportToolUsageError(UsageError(unknownSubcommandMessage(first)), errors: &errors)
    }
    return run(command, arguments: Array(arguments.dropFirst()), output: &output, errors: &errors)
  }

  /// Parses, validates and runs one subcommand, mapping its errors to exit statuses.
  static func run(_ command: any Subcommand.Type, arguments: [String], output: inout some TextOutputStream,
                  errors: inout some TextOutputStream) -> Int32 {
    let configuration = command.configuration
    if ArgumentScanner.requestsHelp(arguments) {
      output.write(HelpFormatter.help(tool: name, command: configuration))
      return ExitStatus.success
    }
    do {
      let parsed = try ArgumentScanner.parse(arguments, options: configuration.options,
                                             maximumPositionals: command.maximumPositionals)
      let instance = try command.init(parsing: parsed)
      try instance.run(output: &output, errors: &errors)
      return ExitStatus.success
    } catch let error as UsageError {
      errors.write(usageErrorText(error, command: configuration))
      return ExitStatus.usage
    } catch {
      errors.write("Error: \(describe(error))\n")
      return ExitStatus.failure
    }
  }

  /// `precsearch help [<subcommand>]`.
  static func runHelp(_ arguments: [String], output: inout some TextOutputStream,
                      errors: inout some TextOutputStream) -> Int32 {
    guard let target = arguments.first else {
      output.write(toolHelp())
      return ExitStatus.success
    }
    if target == "help" || target == "--help" || target == "-h" {
      output.write(toolHelp())
      return ExitStatus.success
    }
    guard let command = subcommand(named: target) else {
      return reportToolUsageError(UsageError(unknownSubcommandMessage(target)), errors: &errors)
    }
    // Anything after the subcommand name is ignored except a second word, which is a mistake worth reporting.
    if arguments.count > 1, !ArgumentScanner.requestsHelp(Array(arguments.dropFirst())) {
      return reportToolUsageError(UsageError("Unexpected argument '\(arguments[1])'."), errors: &errors)
    }
    output.write(HelpFormatter.help(tool: name, command: command.configuration))
    return ExitStatus.success
  }

  /// The help text of `subcommand`, or of the tool when nil; nil for an unknown subcommand.
  public static func helpText(for subcommand: String? = nil) -> String? {
    guard let subcommand else { return toolHelp() }
    guard let command = self.subcommand(named: subcommand) else { return nil }
    return HelpFormatter.help(tool: name, command: command.configuration)
  }

  static func subcommand(named name: String) -> (any Subcommand.Type)? {
    subcommands.first { $0.configuration.name == name }
  }

  static func toolHelp() -> String {
    HelpFormatter.toolHelp(
      tool: name, abstract: abstract, discussion: discussion, options: [.version, .help],
      subcommands: subcommands.map { ($0.configuration.name, $0.configuration.abstract) }
        + [("help", "Show subcommand help information.")])
  }

  static func unknownSubcommandMessage(_ word: String) -> String {
    let names = subcommandNames + ["help"]
    if let suggestion = ArgumentScanner.closestName(to: word, among: names) {
      return "Unknown subcommand '\(word)'. Did you mean '\(suggestion)'?"
    }
    return "Unknown subcommand '\(word)'; expected one of: " + names.joined(separator: ", ") + "."
  }

  /// `Error:` / `Usage:` / `See ...` for a mistake at the tool level (no valid subcommand).
  static func reportToolUsageError(_ error: UsageError, errors: inout some TextOutputStream) -> Int32 {
    errors.write("Error: \(singleLine(error.message))\nUsage: \(name) <subcommand>\n  See '\(name) --help' for more information.\n")
    return ExitStatus.usage
  }

  /// `Error:` / `Usage:` / `See ...` for a mistake on a subcommand's command line.
  static func usageErrorText(_ error: UsageError, command: CommandConfiguration) -> String {
    "Error: \(singleLine(error.message))\n"
      + HelpFormatter.usage(tool: name, command: command, prefix: "Usage: ") + "\n"
      + "  See '\(name) \(command.name) --help' for more information.\n"
  }

  /// A one-line description of any error: its `LocalizedError` description, else its `description` (or dump).
  static func describe(_ error: any Error) -> String {
    if let localized = error as? any LocalizedError, let text = localized.errorDescription { return singleLine(text) }
    return singleLine(String(describing: error))  // `description` for CustomStringConvertible errors
  }

  /// `text` with line breaks replaced by spaces, so that every diagnostic is one line.
  static func singleLine(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
  }
}

/// One `precsearch` subcommand: its option table, its validation and its work, kept apart as in
/// swift-argument-parser (`validate()` then `run()`).
///
/// Adding a command (`optimize`, `calibrate`, `train`, `run`): declare its options as `static let` `OptionSpec`s
/// (kebab-case names, one help sentence each, defaults and allowed values in the spec), list them in its
/// `configuration`, read and check them in `init(parsing:)` (throwing `UsageError`), do the work in `run`, and
/// append the type to `PrecSearchTool.subcommands`. Help, usage lines and error formatting follow automatically.
protocol Subcommand: Sendable {
  /// Name, abstract, options and examples; drives both parsing and `--help`.
  static var configuration: CommandConfiguration { get }
  /// How many positional (non-option) arguments the command accepts; 0 unless a command says otherwise.
  static var maximumPositionals: Int { get }
  /// Reads and validates the parsed options. Throws `UsageError` (exit 64) for anything the user must fix on the
  /// command line; does no file I/O.
  init(parsing arguments: ParsedArguments) throws(UsageError)
  /// Does the work, writing results to `output` and progress to `errors`. Throws `UsageError` when a value turns
  /// out not to fit the inputs (exit 64) and any other error for a runtime failure (exit 1).
  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws
}

extension Subcommand {
  /// Commands take no positional arguments by default.
  static var maximumPositionals: Int { 0 }
}

/// Standard output as a `TextOutputStream` (writes go straight to file descriptor 1).
public struct StandardOutputStream: TextOutputStream {
  /// Creates the stream.
  public init() {}
  /// Writes `string` as UTF-8; a closed pipe is ignored.
  public mutating func write(_ string: String) {
    try? FileHandle.standardOutput.write(contentsOf: Data(string.utf8))
  }
}

/// Standard error as a `TextOutputStream` (writes go straight to file descriptor 2).
public struct StandardErrorStream: TextOutputStream {
  /// Creates the stream.
  public init() {}
  /// Writes `string` as UTF-8; a closed pipe is ignored.
  public mutating func write(_ string: String) {
    try? FileHandle.standardError.write(contentsOf: Data(string.utf8))
  }
}
