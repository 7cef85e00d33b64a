import Foundation
import PrecSearchFormats
import PrecSearchReports

/// `precsearch report FRONT.json --output FILE.html`: one self-contained HTML page about a Pareto JSON file: the
/// plot, the savings, the per-layer precision heat map, the points, the baselines and the provenance
/// (docs/report.md).
struct ReportCommand: Subcommand {
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Write the HTML page to this file, atomically.", isRequired: true)
  static let titleOption = OptionSpec.value(
    "title", valueName: "text", help: "The page title (default: 'Pareto front report: <model>').")
  static let splitOption = OptionSpec.value(
    "split", valueName: "split", help: "The split whose top-1 accuracy the plots show (the tables show both).",
    defaultValue: ParetoPlot.AccuracySplit.test.rawValue, allowedValues: ParetoPlot.AccuracySplit.allCases.map(\.rawValue))
  static let logEnergyOption = OptionSpec.flag("log-energy", help: "Use a logarithmic energy axis in the plots.")

  static let configuration = CommandConfiguration(
    name: "report",
    abstract: "Write one self-contained HTML page about a Pareto JSON file: plot, tables, heat map, provenance.",
    discussion: """
      Argument: one Pareto JSON file written by 'precsearch optimize --output'. The page holds the energy-accuracy \
      plot (and a zoom on its accurate end), the energy saved at 0.5, 1, 2 and 3 points of accuracy loss against \
      uniform 16-bit and against the best uniform configuration, a heat map of every point's weight and \
      activation bits per layer, the tables of points and uniform baselines, and the provenance and settings \
      (tool version, commit, command line, checksums, energy model, search settings, effort, hypervolume, \
      timing).

      The page has inline CSS and inline SVG, no scripts and no external resources, so it can be mailed or \
      archived as one file. The same file and options give a byte-identical page.
      """,
    arguments: [PositionalArgument(name: "front-json", help: "The Pareto JSON file written by precsearch optimize.")],
    options: [outputOption, titleOption, splitOption, logEnergyOption],
    examples: [
      "precsearch report Results/optimize/fashion-budget40.json --output fashion.html",
      "precsearch report front.json --split validation --log-energy --output front.html",
    ])

  static var maximumPositionals: Int { 1 }

  var frontPath: String
  var outputPath: String
  var options: ParetoReport.Options

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    guard let path = arguments.positionals.first else {
      throw UsageError("Missing expected argument '<front.json>': give the Pareto JSON file written by "
        + "'precsearch optimize --output'.")
    }
    frontPath = path
    outputPath = try arguments.requiredValue(Self.outputOption)
    try ParetoFrontFiles.refuseOverwriting(inputs: [frontPath], output: outputPath, option: Self.outputOption)
    options = ParetoReport.Options(sourcePath: frontPath)
    options.title = arguments.value(Self.titleOption)
    options.split = try arguments.choice(Self.splitOption, as: ParetoPlot.AccuracySplit.self) ?? .test
    options.logarithmicEnergy = arguments.flag(Self.logEnergyOption)
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let document = try ParetoFrontFiles.read(frontPath)
    let html: String
    do {
      html = try ParetoReport.html(for: document, options: options)
    } catch {
      let label = ParetoPlot.defaultLabels(for: [document])[0]
      throw ParetoFrontFiles.commandError(error, paths: [frontPath], labels: [label], accuracyFrom: PlotCommand.accuracyFromOption,
                                          size: [])
    }
    try FileIO.writeAtomically(Data(html.utf8), to: outputPath)
    output.write("Wrote \(outputPath) (\(document.points.count) points, \(document.baselines.count) baselines)\n")
  }
}
