import EnergyModel
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import PrecisionSearch

/// `precsearch serve`: a long-lived evaluator for other search programs (docs/serve.md). It sets up the model,
/// the validation images, the energy model and the window search exactly as `precsearch optimize` does, then
/// answers one JSON request per line of standard input with one JSON line on standard output.
///
/// Configurations go through a `PrecisionProblem` (the memo, the screening against the front of complete
/// measurements, the same `PrecisionEvaluator`), so a configuration's energy and validation accuracy are exactly
/// what `optimize` reports for it. "One evaluation" counts as `optimize`'s `effort.evaluations` does: every
/// configuration asked for, memo hits included; the uniform baselines measured at start-up are free.
struct ServeCommand: Subcommand {
  static let configuration = CommandConfiguration(
    name: "serve",
    abstract: "Evaluate precision configurations sent as JSON lines on standard input (docs/serve.md).",
    discussion: """
      Loads the model, the validation images, the energy model and the window search as 'precsearch optimize' \
      does with the same options, measures optimize's uniform baselines (not counted as evaluations), then \
      reads one JSON object per line on standard input and writes one JSON object per line on standard output \
      (keys sorted, flushed after each line): {"describe": true} for the layers, allowed \
      bit-widths, uniform 16-bit figures and the hypervolume normalization; {"weightBits": [...], \
      "activationBits": [...]} or {"batch": [...]} to evaluate configurations (energy, relative energy, \
      validation accuracy, the running evaluation count); {"front": true} for the non-dominated complete \
      measurements and their hypervolume. Every request may carry an "id", echoed in the answer. A malformed \
      line gets {"id": ..., "error": "..."} and the server goes on; it exits 0 at the end of the input.
      """,
    options: SearchSetupOptions.options,
    examples: [
      #"echo '{"id": 1, "describe": true}' | precsearch serve --model fashion --validation-images 1000"#,
      #"python3 Experiments/search-quality/pymoo_nsga2.py --precsearch .build/release/precsearch --seed 1"#,
    ])

  /// The options `serve` shares with `optimize` (model, data, energy model, bit-widths, pins, threads, ...).
  var setup: SearchSetupOptions

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    setup = try SearchSetupOptions(parsing: arguments)
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    var input = StandardInputLines()
    try run(input: &input, output: &output, errors: &errors)
  }

  /// Sets the evaluator up, then answers every line of `input` until it ends.
  func run(input: inout some RequestLineSource, output: inout some TextOutputStream,
           errors: inout some TextOutputStream) throws {
    var server = try makeServer(errors: &errors)
    if !setup.quiet {
      errors.write("serve: ready: \(server.space.layerCount) weighted layers, \(server.imageCount) validation images; "
        + "one JSON request per line on standard input (docs/serve.md)\n")
    }
    var lineNumber = 0
    while let line = input.nextLine() {
      lineNumber += 1
      guard let answer = server.answer(line, lineNumber: lineNumber) else { continue }
      output.write(answer + "\n")
    }
  }

  /// The evaluator set up exactly as `optimize` sets up its validation evaluator, with the baselines measured.
  func makeServer(errors: inout some TextOutputStream) throws -> EvaluationServer {
    // As in `OptimizeCommand.run`: the table first, so that a mistyped name fails before any file is read.
    let table = try EnergyModelSelection.resolve(setup.energyModel, for: SearchSetupOptions.energyModelOption)
    let estimator = try EnergyEstimator(table: table.table)
    var notes: [String] = []
    let inputs = try OptimizeCommand.loadInputs(modelValue: setup.modelValue, dataPath: setup.dataPath,
                                                validationImages: setup.validationImages, testImages: nil,
                                                dataOptions: setup.dataOptions, notes: &notes)
    if !setup.quiet { for note in notes { errors.write("Note: \(note)\n") } }
    try inputs.model.preprocessing.validate(channels: inputs.model.network.inputShape.channels)
    let ranges = inputs.model.activationRanges!  // `loadInputs` rejects a model without ranges
    let arithmetic = try ResolvedArithmetic(windowSearch: setup.windowSearch, weightGranularity: setup.weightGranularity,
                                            biasCorrection: setup.biasCorrection, ranges: ranges,
                                            network: inputs.model.network, modelPath: setup.modelValue)
    if !setup.quiet { for note in arithmetic.notes { errors.write("Note: \(note)\n") } }
    let (windowSearch, biasCorrection) = (arithmetic.windowSearch, arithmetic.biasCorrection)
    let fixedPointModel = try FixedPointModel(network: inputs.model.network, ranges: ranges,
                                              options: arithmetic.quantizationOptions)
    let network = fixedPointModel.network
    let layerNames = network.weightedLayerNames
    let space: PrecisionSearchSpace
    do {
      space = try PrecisionSearchSpace(layerNames: layerNames, weightCandidates: setup.weightCandidates,
                                       activationCandidates: setup.activationCandidates,
                                       pins: try OptimizeCommand.resolvedPins(setup.pins, layerNames: layerNames))
    } catch let error as PrecisionSearchError {
      throw UsageError("The options do not fit the model: \(error).")
    }
    let validationSplit = try OptimizeCommand.evaluationSplit(inputs.validation, model: inputs.model, network: network)
    let evaluator = try PrecisionEvaluator(model: fixedPointModel, split: validationSplit, estimator: estimator,
                                           workers: DispatchWorkerPool(workerCount: setup.threads), screening: setup.screening)
    var information = EvaluationServer.Information(
      modelName: inputs.model.name, modelSource: inputs.modelSource, modelSHA256: inputs.modelSHA256,
      dataName: inputs.dataName, validationSource: inputs.validationSource,
      validationSHA256: inputs.validation.contentSHA256, energyModel: table.table.name,
      energyModelSHA256: table.checksum, windowSearch: windowSearch.rawValue, screening: setup.screeningName,
      toolName: PrecSearchTool.name, toolVersion: PrecSearchTool.version, commit: SourceRevision.commit)
    information.weightGranularity = setup.weightGranularity.recorded
    information.biasCorrection = biasCorrection.recorded
    do {
      return try EvaluationServer(space: space, evaluator: evaluator, information: information)
    } catch let error as EvaluationServer.SetupError {
      throw CommandFailure(error.description)
    }
  }
}

/// Where `serve` reads its requests: one line at a time, `nil` at the end of the input.
protocol RequestLineSource {
  /// The next line without its line break, or `nil` at the end of the input.
  mutating func nextLine() -> String?
}

/// Standard input, line by line (`readLine`: `\n` and `\r\n` are stripped, invalid UTF-8 is repaired).
struct StandardInputLines: RequestLineSource {
  mutating func nextLine() -> String? { readLine(strippingNewline: true) }
}
