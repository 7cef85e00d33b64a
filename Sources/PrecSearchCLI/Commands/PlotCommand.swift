import Foundation
import PrecSearchFormats
import PrecSearchReports

/// `precsearch plot FRONT.json... --output FILE.svg`: the energy-accuracy plot of one or more Pareto JSON files
/// as a self-contained SVG (docs/report.md).
struct PlotCommand: Subcommand {
  static let outputOption = OptionSpec.value(
    "output", valueName: "file", help: "Write the SVG to this file, atomically.", isRequired: true)
  static let labelsOption = OptionSpec.value(
    "labels", valueName: "list",
    help: "Legend entries, one per front file in the order given, separated by commas (default: the model, energy "
      + "model, or algorithm and seed, whichever tell the files apart).")
  static let titleOption = OptionSpec.value(
    "title", valueName: "text", help: "The title above the plot (default: the model and energy model the fronts share).")
  static let splitOption = OptionSpec.value(
    "split", valueName: "split", help: "The split whose top-1 accuracy the y axis shows.",
    defaultValue: ParetoPlot.AccuracySplit.test.rawValue, allowedValues: ParetoPlot.AccuracySplit.allCases.map(\.rawValue))
  static let relativeEnergyOption = OptionSpec.flag(
    "relative-energy",
    help: "Plot energy as % of each front's uniform 16-bit energy; needed when the fronts use different energy models.")
  static let logEnergyOption = OptionSpec.flag("log-energy", help: "Use a logarithmic energy axis.")
  static let accuracyFromOption = OptionSpec.value(
    "accuracy-from", valueName: "percent",
    help: "Start the accuracy axis at this percentage (0 to below 100) to zoom in on the accurate end; points "
      + "below it are left out.")
  static let widthOption = OptionSpec.value(
    "width", valueName: "pixels", help: "Width of the SVG in pixels, 320 to 4000.",
    defaultValue: String(ParetoPlot.Options().width))
  static let heightOption = OptionSpec.value(
    "height", valueName: "pixels", help: "Height of the SVG in pixels, 240 to 4000.",
    defaultValue: String(ParetoPlot.Options().height))

  static let configuration = CommandConfiguration(
    name: "plot",
    abstract: "Draw the energy-accuracy Pareto fronts of one or more Pareto JSON files as an SVG.",
    discussion: """
      Arguments: one or more Pareto JSON files written by 'precsearch optimize --output'. Each front is drawn as \
      a step line with markers in its own colour (Okabe-Ito, colour-blind safe), its uniform baselines as squares \
      labelled with their bit-width, the point chosen by --budget, --min-accuracy or --max-accuracy-drop ringed, \
      and an energy budget as a dashed line. The x axis is the energy per inference in the unit that suits the \
      values (or % of uniform 16-bit energy with --relative-energy), the y axis the top-1 accuracy in %.

      Fronts priced by different energy models can only be drawn together with --relative-energy. The same files \
      and options give a byte-identical SVG.
      """,
    arguments: [PositionalArgument(name: "front-json", help: "A Pareto JSON file written by precsearch optimize.", isRepeated: true)],
    options: [outputOption, labelsOption, titleOption, splitOption, relativeEnergyOption, logEnergyOption,
              accuracyFromOption, widthOption, heightOption],
    examples: [
      "precsearch plot Results/optimize/fashion-budget40.json --output fashion.svg",
      "precsearch plot seed1.json seed2.json seed3.json --labels 'seed 1,seed 2,seed 3' --output seeds.svg",
      "precsearch plot swp.json horowitz.json --relative-energy --split validation --output models.svg",
    ])

  static var maximumPositionals: Int { Int.max }

  var frontPaths: [String]
  var outputPath: String
  var labels: [String]?
  var options: ParetoPlot.Options

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    frontPaths = arguments.positionals
    guard !frontPaths.isEmpty else {
      throw UsageError("Missing expected argument '<front.json> ...': give at least one Pareto JSON file written by "
        + "'precsearch optimize --output'.")
    }
    outputPath = try arguments.requiredValue(Self.outputOption)
    try ParetoFrontFiles.refuseOverwriting(inputs: frontPaths, output: outputPath, option: Self.outputOption)
    if let text = arguments.value(Self.labelsOption) {
      let list = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      guard list.count == frontPaths.count else {
        throw UsageError("The value '\(text)' is invalid for '\(Self.labelsOption.synopsis)': it has \(list.count) "
          + "label(s) for \(frontPaths.count) front file(s); give one per file, separated by commas.")
      }
      if let empty = list.firstIndex(where: \.isEmpty) {
        throw UsageError("The value '\(text)' is invalid for '\(Self.labelsOption.synopsis)': label \(empty + 1) is empty.")
      }
      labels = list
    }
    options = ParetoPlot.Options()
    options.title = arguments.value(Self.titleOption)
    options.split = try arguments.choice(Self.splitOption, as: ParetoPlot.AccuracySplit.self) ?? .test
    options.relativeEnergy = arguments.flag(Self.relativeEnergyOption)
    options.logarithmicEnergy = arguments.flag(Self.logEnergyOption)
    options.accuracyFrom = try ParetoFrontFiles.percentage(arguments, Self.accuracyFromOption)
    let widths = ParetoPlot.Options.widthRange, heights = ParetoPlot.Options.heightRange
    options.width = try arguments.integer(Self.widthOption, in: widths.lowerBound...widths.upperBound) ?? options.width
    options.height = try arguments.integer(Self.heightOption, in: heights.lowerBound...heights.upperBound) ?? options.height
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let documents = try frontPaths.map(ParetoFrontFiles.read)
    let energyModels = documents.map { "\($0.energyModel.name) (SHA-256 \($0.energyModel.sha256.prefix(12)))" }
    if !options.relativeEnergy, Set(energyModels).count > 1 {
      throw UsageError("The front files were priced by different energy models ("
        + zip(frontPaths, documents).map { "'\($0)': \($1.energyModel.name)" }.joined(separator: ", ")
        + "), so their absolute energies are not comparable; give '\(Self.relativeEnergyOption.longSpelling)' to plot "
        + "energy as % of each front's uniform 16-bit energy.")
    }
    let names = frontPaths.map { URL(fileURLWithPath: $0).lastPathComponent }
    let labels = self.labels ?? ParetoPlot.defaultLabels(for: documents, names: names)
    let series = zip(documents, labels).map { ParetoPlot.Series(document: $0, label: $1) }
    let svg: String
    do {
      svg = try ParetoPlot.svg(series, options: options)
    } catch {
      throw ParetoFrontFiles.commandError(error, paths: frontPaths, labels: labels, accuracyFrom: Self.accuracyFromOption,
                                          size: [Self.widthOption, Self.heightOption])
    }
    try FileIO.writeAtomically(Data(svg.utf8), to: outputPath)
    let points = documents.reduce(0) { $0 + $1.points.count }
    output.write("Wrote \(outputPath) (\(documents.count) front\(documents.count == 1 ? "" : "s"), \(points) points)\n")
  }
}

/// Reading Pareto JSON files for `plot` and `report`, and turning plot errors into the tool's errors.
enum ParetoFrontFiles {
  /// Reads one Pareto JSON; every failure names the file.
  static func read(_ path: String) throws -> ParetoFrontDocument {
    try FileChecks.requireReadableFile(path, what: "Pareto front file")
    do {
      return try ParetoFrontDocument.read(from: path)
    } catch let error as ParetoFrontDocumentError {
      throw error  // names the file and the field
    } catch {
      throw CommandFailure("cannot read Pareto front file '\(path)': \(PrecSearchTool.describe(error))")
    }
  }

  /// A usage error when the output would replace one of the inputs.
  static func refuseOverwriting(inputs: [String], output: String, option: OptionSpec) throws(UsageError) {
    let target = URL(fileURLWithPath: output).standardizedFileURL.path
    if let input = inputs.first(where: { URL(fileURLWithPath: $0).standardizedFileURL.path == target }) {
      throw UsageError("The value '\(output)' is invalid for '\(option.synopsis)': it is the input '\(input)'; "
        + "choose another output file.")
    }
  }

  /// The option's value as a percentage in 0..<100 (`85`, `85%` or `85.5`); nil when absent.
  static func percentage(_ arguments: ParsedArguments, _ option: OptionSpec) throws(UsageError) -> Double? {
    guard let text = arguments.value(option) else { return nil }
    let number = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let value = Double(number.trimmingSpaces), value.isFinite, value >= 0, value < 100 else {
      throw UsageError("The value '\(text)' is invalid for '\(option.synopsis)'; expected a percentage from 0 to below 100.")
    }
    return value
  }

  /// A ``ParetoPlotError`` as the tool reports it: a usage error when an option must change, a runtime failure
  /// naming the file when a file holds an energy that cannot be drawn.
  static func commandError(_ error: ParetoPlotError, paths: [String], labels: [String], accuracyFrom: OptionSpec,
                           size: [OptionSpec]) -> any Error {
    switch error {
    case .mixedEnergyModels:
      let files = paths.map { "'\($0)'" }.joined(separator: ", ")
      return UsageError("The front files \(files) cannot share an absolute energy axis: "
        + error.description + ".")
    case .invalidEnergy(let series, let field, let value):
      let path = labels.firstIndex(of: series).map { paths[$0] } ?? series
      return CommandFailure("Pareto front file '\(path)': \(field) is \(value), which cannot be drawn on the "
        + "energy axis" + (value == 0 ? " (a logarithmic axis needs positive energies; drop --log-energy)" : ""))
    case .nothingToPlot(let from?):
      return UsageError("The value '\(percentText(from))' is invalid for '\(accuracyFrom.synopsis)': "
        + "no point or baseline of the front files reaches it.")
    case .sizeOutOfRange, .tooSmall:
      return UsageError("The plot size is too small: \(error.description) ("
        + size.map { "'\($0.longSpelling)'" }.joined(separator: ", ") + ").")
    case .noSeries, .accuracyFromOutOfRange, .nothingToPlot:
      return CommandFailure("Pareto front file" + (paths.count == 1 ? "" : "s") + " "
        + paths.map { "'\($0)'" }.joined(separator: ", ") + ": " + error.description)
    }
  }

  /// `85` or `85.5`: a percentage as it would be typed.
  static func percentText(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }
}
