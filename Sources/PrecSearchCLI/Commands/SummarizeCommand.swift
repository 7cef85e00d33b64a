import Foundation
import PrecSearchFormats
import PrecSearchReports

/// `precsearch summarize FRONT.json... [--losses LIST] [--budgets LIST] [--output FILE.md]`: the Markdown tables
/// of the energy-accuracy analysis (docs/analysis.md) from Pareto JSON files: energy saved over uniform 16-bit and
/// over the best static configuration at each accuracy loss, accuracies within energy budgets, hypervolume over
/// seeds and per-layer precisions, per model and energy model.
struct SummarizeCommand: Subcommand {
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Write the Markdown to this file, atomically (default: standard output).")
  static let lossesOption = OptionSpec.value(
    "losses", valueName: "list",
    help: "Accuracy losses in percentage points of top-1 accuracy, relative to uniform 16 bits, separated by commas.",
    defaultValue: "0.5,1,2,3")
  static let budgetsOption = OptionSpec.value(
    "budgets", valueName: "list",
    help: "Energy budgets in % of the uniform 16-bit energy, separated by commas.", defaultValue: "10,20,30,40,50")

  static let configuration = CommandConfiguration(
    name: "summarize",
    abstract: "Summarize Pareto JSON files as Markdown tables: energy savings at accuracy losses, over seeds.",
    discussion: """
      Arguments: Pareto JSON files written by 'precsearch optimize --output', typically several seeds of several \
      models under several energy models. Files are grouped by model and energy model; within a group they must \
      share the model, data and energy table. For each group: the energy saved by the cheapest front point \
      within each accuracy loss (relative to the uniform 16-bit accuracy, on the validation and on the test \
      split) over uniform 16 bits and over the cheapest uniform configuration within the same loss; the most \
      accurate front point and uniform configuration within each energy budget; hypervolume, evaluations and \
      wall time over seeds; and the per-layer precisions of the points of the first seed. Mean and sample \
      standard deviation over seeds. The same files give the same text.
      """,
    arguments: [PositionalArgument(name: "front-json", help: "A Pareto JSON file written by precsearch optimize.", isRepeated: true)],
    options: [outputOption, lossesOption, budgetsOption],
    examples: [
      "precsearch summarize Results/pareto/fashion/*.json",
      "precsearch summarize a.json b.json --losses 1,2 --budgets 25,50 --output summary.md",
    ])

  static var maximumPositionals: Int { Int.max }

  var frontPaths: [String]
  var outputPath: String?
  /// Fractions (0.01 = one percentage point).
  var losses: [Double]
  /// Fractions of the uniform 16-bit energy.
  var budgets: [Double]

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    frontPaths = arguments.positionals
    guard !frontPaths.isEmpty else {
      throw UsageError("Missing expected argument '<front.json> ...': give at least one Pareto JSON file written by "
        + "'precsearch optimize --output'.")
    }
    outputPath = arguments.value(Self.outputOption)
    if let outputPath {
      try ParetoFrontFiles.refuseOverwriting(inputs: frontPaths, output: outputPath, option: Self.outputOption)
    }
    losses = try Self.list(arguments, Self.lossesOption, in: 0...100).map { $0 / 100 }
    budgets = try Self.list(arguments, Self.budgetsOption, in: 0...1000).map { $0 / 100 }
    if budgets.contains(0) {
      throw UsageError("The value '\(arguments.value(Self.budgetsOption) ?? "")' is invalid for "
        + "'\(Self.budgetsOption.synopsis)'; budgets must be above 0%.")
    }
  }

  /// A comma-separated list of numbers within `range` (a trailing `%` on each is allowed).
  static func list(_ arguments: ParsedArguments, _ option: OptionSpec,
                   in range: ClosedRange<Double>) throws(UsageError) -> [Double] {
    let text = arguments.value(option) ?? option.defaultValue ?? ""
    var values: [Double] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      var item = String(part).trimmingSpaces
      if item.hasSuffix("%") { item.removeLast() }
      guard let value = Double(item), value.isFinite, range.contains(value) else {
        throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected numbers from "
          + "\(Self.number(range.lowerBound)) to \(Self.number(range.upperBound)) separated by commas, e.g. '\(option.defaultValue ?? "1,2")'.")
      }
      values.append(value)
    }
    return values
  }

  static func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let runs = try frontPaths.map { FrontSummary.Run(file: $0, document: try ParetoFrontFiles.read($0)) }
    let markdown: String
    do {
      markdown = try FrontSummary(runs: runs, losses: losses, budgets: budgets).markdown()
    } catch let error as FrontAnalysis.AnalysisError {
      throw CommandFailure(error.description)
    }
    if let outputPath {
      try FileIO.writeAtomically(Data(markdown.utf8), to: outputPath)
      output.write("Wrote \(outputPath) (\(runs.count) front file\(runs.count == 1 ? "" : "s"))\n")
    } else {
      output.write(markdown)
    }
  }
}
