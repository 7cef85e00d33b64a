/// Renders help and usage text in swift-argument-parser's layout: `OVERVIEW:`, `USAGE:`, `OPTIONS:` (labels in a
/// 24-column field, help wrapped at 80 columns), `SUBCOMMANDS:` and `EXAMPLES:`.
public enum HelpFormatter {
  /// Text width of help output.
  public static let width = 80
  /// Column at which option help sentences start.
  static let helpColumn = 26

  /// The usage line fragments of a command: `precsearch inspect`, one fragment per option, then the positional
  /// arguments.
  static func usageFragments(tool: String, command: CommandConfiguration) -> [String] {
    [tool, command.name] + command.options.map(\.usageFragment) + command.arguments.map(\.usageFragment)
  }

  /// `precsearch inspect --model <path> [--json]`, wrapped after `prefix` (e.g. `USAGE: `) so that no line exceeds
  /// `width`; continuation lines are indented to align under the command.
  static func usage(prefix: String, fragments: [String]) -> String {
    let indent = String(repeating: " ", count: prefix.count + 2)
    var lines: [String] = []
    var line = prefix
    for (n, fragment) in fragments.enumerated() {
      let separator = n == 0 ? "" : " "
      if n > 1, line.count + separator.count + fragment.count > width {
        lines.append(line)
        line = indent + fragment
      } else {
        line += separator + fragment
      }
    }
    lines.append(line)
    return lines.joined(separator: "\n")
  }

  /// The usage line of `command` with the given prefix (`USAGE: ` in help, `Usage: ` after an error).
  public static func usage(tool: String, command: CommandConfiguration, prefix: String) -> String {
    usage(prefix: prefix, fragments: usageFragments(tool: tool, command: command))
  }

  /// The full `--help` text of one subcommand of `tool`, ending in a newline.
  public static func help(tool: String, command: CommandConfiguration) -> String {
    var text = wrap("OVERVIEW: \(command.abstract)", firstIndent: 0, restIndent: 0) + "\n\n"
    if !command.discussion.isEmpty { text += paragraphs(command.discussion) + "\n" }
    text += usage(tool: tool, command: command, prefix: "USAGE: ") + "\n\n"
    if !command.arguments.isEmpty {
      text += "ARGUMENTS:\n"
      for argument in command.arguments { text += entry(label: argument.usageFragment, help: argument.help) }
      text += "\n"
    }
    text += "OPTIONS:\n"
    for option in command.allOptions { text += entry(label: option.helpLabel, help: option.helpText) }
    if !command.examples.isEmpty {
      text += "\nEXAMPLES:\n"
      for example in command.examples { text += "  " + example + "\n" }  // never wrapped: copy-pastable
    }
    return text
  }

  /// The tool's own help: overview, usage, the tool options and the subcommand list, ending in a newline.
  public static func toolHelp(tool: String, abstract: String, discussion: String, options: [OptionSpec],
                              subcommands: [(name: String, abstract: String)]) -> String {
    var text = wrap("OVERVIEW: \(abstract)", firstIndent: 0, restIndent: 0) + "\n\n"
    if !discussion.isEmpty { text += paragraphs(discussion) + "\n" }
    text += "USAGE: \(tool) <subcommand>\n\n"
    text += "OPTIONS:\n"
    for option in options { text += entry(label: option.helpLabel, help: option.helpText) }
    text += "\nSUBCOMMANDS:\n"
    for command in subcommands { text += entry(label: command.name, help: command.abstract) }
    text += "\n  See '\(tool) help <subcommand>' for detailed help.\n"
    return text
  }

  /// One two-column entry: `  label` padded to the help column, then the wrapped help (on the next line when the
  /// label is too long).
  static func entry(label: String, help: String) -> String {
    let head = "  " + label
    let helpLines = wrapLines(help, width: width - helpColumn)
    let pad = String(repeating: " ", count: helpColumn)
    var text = ""
    if head.count <= helpColumn - 2 {
      text += head + String(repeating: " ", count: helpColumn - head.count) + (helpLines.first ?? "") + "\n"
      for line in helpLines.dropFirst() { text += pad + line + "\n" }
    } else {
      text += head + "\n"
      for line in helpLines { text += pad + line + "\n" }
    }
    return text
  }

  /// Paragraphs (separated by blank lines in `text`) wrapped to `width`, each followed by a blank line.
  static func paragraphs(_ text: String) -> String {
    var result = ""
    for paragraph in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
      let joined = paragraph.split(separator: "\n").joined(separator: " ")
      result += wrap(joined, firstIndent: 0, restIndent: 0) + "\n\n"
    }
    return result.isEmpty ? "" : String(result.dropLast())
  }

  /// `text` wrapped to `width` with the given indents (lines joined by newlines, no trailing newline).
  static func wrap(_ text: String, firstIndent: Int, restIndent: Int) -> String {
    let first = wrapLines(text, width: width - firstIndent)
    guard let head = first.first else { return "" }
    let rest = wrapLines(first.dropFirst().joined(separator: " "), width: width - restIndent)
    return ([String(repeating: " ", count: firstIndent) + head]
      + rest.map { String(repeating: " ", count: restIndent) + $0 }).joined(separator: "\n")
  }

  /// Greedy word wrap to at most `width` characters per line (a longer word gets a line of its own).
  static func wrapLines(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if line.isEmpty {
        line = String(word)
      } else if line.count + 1 + word.count <= width {
        line += " " + word
      } else {
        lines.append(line)
        line = String(word)
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
