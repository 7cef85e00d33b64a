import Testing
@testable import PrecSearchCLI

@Suite struct HelpTests {
  static let subcommands = PrecSearchTool.subcommandNames

  @Test func toolHelpIsPrintedForNoArgumentsHelpFlagsAndHelpCommand() throws {
    let expected = try #require(PrecSearchTool.helpText())
    for arguments in [[], ["--help"], ["-h"], ["help"], ["help", "help"]] {
      let run = runTool(arguments)
      #expect(run.status == 0, "\(arguments)")
      #expect(run.output == expected, "\(arguments)")
      #expect(run.errors.isEmpty, "\(arguments)")
    }
  }

  @Test func toolHelpListsEverySubcommandWithItsAbstract() throws {
    let help = try #require(PrecSearchTool.helpText())
    #expect(help.hasPrefix("OVERVIEW: "))
    #expect(help.contains("\nUSAGE: precsearch <subcommand>\n"))
    #expect(help.contains("  --version               Show the version.\n"))
    #expect(help.contains("  -h, --help              Show help information.\n"))
    for command in PrecSearchTool.subcommands {
      let name = command.configuration.name
      let firstWords = command.configuration.abstract.split(separator: " ").prefix(3).joined(separator: " ")
      #expect(help.contains("\n  \(name)" + String(repeating: " ", count: 24 - name.count) + firstWords), "\(name)")
    }
    #expect(help.contains("\n  help                    Show subcommand help information.\n"))
    #expect(help.hasSuffix("\n  See 'precsearch help <subcommand>' for detailed help.\n"))
  }

  @Test(arguments: HelpTests.subcommands)
  func everySpellingOfSubcommandHelpPrintsTheSameText(name: String) throws {
    let expected = try #require(PrecSearchTool.helpText(for: name))
    for arguments in [[name, "--help"], [name, "-h"], ["help", name], [name, "--model", "x", "--bogus", "--help"],
                      ["help", name, "--help"]] {
      let run = runTool(arguments)
      #expect(run.status == 0, "\(arguments)")
      #expect(run.output == expected, "\(arguments)")
      #expect(run.errors.isEmpty, "\(arguments)")
    }
  }

  @Test(arguments: HelpTests.subcommands)
  func subcommandHelpDescribesEveryOption(name: String) throws {
    let command = try #require(PrecSearchTool.subcommand(named: name)).configuration
    let help = try #require(PrecSearchTool.helpText(for: name))
    #expect(help.hasPrefix("OVERVIEW: "))
    #expect(help.contains("USAGE: precsearch \(name) "))
    #expect(help.contains("\nOPTIONS:\n"))
    // Help text without line breaks and indentation, to find sentences that were wrapped.
    let flattened = help.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    for option in command.allOptions {
      #expect(help.contains("\n  " + option.helpLabel), "\(name): \(option.name) label")
      #expect(flattened.contains(option.helpText), "\(name): \(option.name) help sentence")
      #expect(flattened.contains(option.usageFragment) || option == .help, "\(name): \(option.name) in usage")
      // One sentence, ending in a period, for every option.
      #expect(option.help.hasSuffix("."), "\(name): \(option.name)")
      #expect(option.name == option.name.lowercased() && !option.name.contains("_"), "kebab-case \(option.name)")
      if let defaultValue = option.defaultValue { #expect(flattened.contains("default: \(defaultValue)")) }
      if let allowed = option.allowedValues { #expect(flattened.contains("values: " + allowed.joined(separator: ", "))) }
    }
  }

  @Test(arguments: [nil] + HelpTests.subcommands.map(Optional.some))
  func helpLinesFitEightyColumnsExceptExamples(name: String?) throws {
    let help = try #require(PrecSearchTool.helpText(for: name))
    let body = help.components(separatedBy: "\nEXAMPLES:\n")[0]
    for line in body.split(separator: "\n") {
      #expect(line.count <= HelpFormatter.width, "\(name ?? "precsearch"): \(line)")
      #expect(!line.hasSuffix(" "), "trailing space: \(line)")
    }
  }

  @Test func inspectHelpIsExactly() throws {
    // A literal baseline of one complete help text, as swift-argument-parser's example tests keep.
    let expected = """
      OVERVIEW: Print every layer of a model with its shapes, parameters and MACs, and
      the totals.

      Nodes are listed as stored in the model file, in topological order. Shapes are
      height x width x channels (HWC). MACs are multiply-accumulates per inference;
      only Conv2D and Dense layers have MACs and get a precision pair. BatchNorm nodes
      are folded into the layer before them when the model runs; the last line says
      what the engine runs after folding.

      USAGE: precsearch inspect --model <name-or-path> [--json]

      OPTIONS:
        --model <name-or-path>  A shipped model by name (fashion, cifar10, ...) or a
                                model file.
        --json                  Print one JSON document (keys sorted) instead of the
                                table.
        -h, --help              Show help information.

      EXAMPLES:
        precsearch inspect --model kws
        precsearch inspect --model lenet.psmodel --json

      """
    #expect(PrecSearchTool.helpText(for: "inspect") == expected)
  }

  @Test func longLabelsPutTheirHelpOnTheNextLine() {
    let entry = HelpFormatter.entry(label: "--activation-bits <list>", help: "Bits.")
    #expect(entry == "  --activation-bits <list>\n                          Bits.\n")
  }

  @Test func usageLinesWrapBetweenOptionsNotInsideThem() throws {
    let usage = HelpFormatter.usage(tool: "precsearch", command: EvaluateCommand.configuration, prefix: "Usage: ")
    let lines = usage.split(separator: "\n")
    #expect(lines.count > 1)
    for line in lines { #expect(line.count <= HelpFormatter.width) }
    for option in EvaluateCommand.configuration.options {
      #expect(lines.contains { $0.contains(option.usageFragment) }, "\(option.name)")
    }
  }

  @Test func versionIsPrintedAlone() {
    let run = runTool(["--version"])
    #expect(run.status == 0)
    #expect(run.output == PrecSearchTool.version + "\n")
    #expect(run.errors.isEmpty)
    #expect(runTool(["--version", "extra"]).status == 64)
  }

  /// Commands that take positional arguments show them in the usage line and under ARGUMENTS:, as
  /// swift-argument-parser does; the others have no ARGUMENTS: section.
  @Test func positionalArgumentsAreInTheUsageLineAndListed() throws {
    let expected = ["run": "<input> ...", "plot": "<front-json> ...", "summarize": "<front-json> ...",
                    "report": "<front-json>"]
    for (command, fragment) in expected.sorted(by: { $0.key < $1.key }) {
      let help = runTool([command, "--help"]).output
      let usage = try #require(help.components(separatedBy: "\n\n").first { $0.hasPrefix("USAGE:") })
      #expect(usage.hasSuffix(fragment), "\(command): \(usage)")
      #expect(help.contains("ARGUMENTS:\n  \(fragment)"), "\(command)")
    }
    #expect(!runTool(["inspect", "--help"]).output.contains("ARGUMENTS:"))
  }
}
