import EnergyModel
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime

/// `precsearch simulate`: replays an energy budget that changes over time through the governor over a data split,
/// and compares it per window with the best static operating point for the same total energy (docs/runtime.md).
struct SimulateCommand: Subcommand {
  static let modelOption = RunCommand.modelOption
  static let frontOption = RunCommand.frontOption
  static let traceOption = OptionSpec.value(
    "budget-trace", valueName: "csv",
    help: "The budget over time: a CSV file with the header 'inference,budget' and rows 'N,E': from inference N "
      + "(0 first, increasing) on, the average budget is E per inference, written like --budget of 'run' "
      + "(2.5uJ, 800nJ, 1200pJ, 40%). '#' starts a comment line.",
    isRequired: true)
  static let dataOption = OptionSpec.value(
    "data", valueName: "path",
    help: "The labeled images: a data set directory (its test split), an IDX images file or a CIFAR-10 .bin batch. "
      + "Not needed for a shipped model that ships its test split.")
  static let windowOption = OptionSpec.value(
    "window", valueName: "count", help: "Inferences per reported window.", defaultValue: "1000")
  static let limitOption = OptionSpec.value(
    "limit", valueName: "count", help: "Simulate only the first <count> images (all images when omitted).")
  static let jsonOption = OptionSpec.flag("json", help: "Print one JSON document (keys sorted) instead of the table.")

  static let configuration = CommandConfiguration(
    name: "simulate",
    abstract: "Replay a changing energy budget through the governor and compare it with a static operating point.",
    discussion: """
      Runs the images of the data split in order, one inference each. Before every inference the governor gets \
      the budget the trace gives for it and picks the operating point (time-sharing the two neighbouring points of \
      the front's upper hull); budget changes take effect from the next inference. A budget below the cheapest \
      point is infeasible: the inference runs at the cheapest point and is counted as over budget.

      The static baseline is the most accurate single point whose energy fits the trace's average budget over the \
      whole run (the same total energy). Per window of --window inferences and in total, the report gives the \
      budget, the governor's energy, measured accuracy and expected (validation) accuracy, and the static point's \
      energy and measured accuracy. The output is deterministic.
      """,
    options: [modelOption, frontOption, traceOption, dataOption, windowOption, limitOption, jsonOption] + DataOptions.options,
    examples: [
      "precsearch simulate --model fashion --front front.json --budget-trace battery.csv",
      "precsearch simulate --model fashion --front front.json --budget-trace battery.csv --window 500 --json",
    ])

  var modelValue: String
  var frontPath: String
  var tracePath: String
  var dataPath: String?
  var window: Int
  var limit: Int?
  var json: Bool
  /// `--tensor-column`, `--resize`.
  var dataOptions: DataOptions

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelValue = try arguments.requiredValue(Self.modelOption)
    frontPath = try arguments.requiredValue(Self.frontOption)
    tracePath = try arguments.requiredValue(Self.traceOption)
    dataPath = arguments.value(Self.dataOption)
    window = try arguments.integer(Self.windowOption, in: 1...Int.max) ?? 1000
    limit = try arguments.integer(Self.limitOption, in: 1...Int.max)
    json = arguments.flag(Self.jsonOption)
    dataOptions = try DataOptions(parsing: arguments)
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    let loaded = try RuntimeLoading.load(model: modelValue, front: frontPath, errors: &errors)
    let network = loaded.network
    let uniform16 = loaded.document.energyModel.uniform16BitPicojoules
    try FileChecks.requireReadableFile(tracePath, what: "budget trace")
    let trace = try BudgetTrace.read(path: tracePath, uniform16BitPicojoules: uniform16)
    // The data: --data, else the shipped test split.
    let classes = loaded.model.network.outputShape.elementCount
    let data: ImageDataset
    let dataDescription: String
    if let dataPath {
      data = try DatasetLoading.load(path: dataPath, model: loaded.model, options: dataOptions).images
      dataDescription = dataPath
    } else if let test = loaded.shipped?.test {
      data = try IDXReader.read(images: test.images, labels: test.labels, classCount: classes)
      dataDescription = "\(loaded.shipped!.name) test split"
    } else if let shipped = loaded.shipped {
      throw CommandFailure("model '\(shipped.name)' needs --data: \(shipped.dataHint)")
    } else {
      throw UsageError("Missing expected argument '\(Self.dataOption.synopsis)': a model file needs its labeled images "
        + "(only shipped models carry their data).")
    }
    guard data.shape == loaded.model.network.inputShape else {
      throw CommandFailure("the images in '\(dataDescription)' are \(data.shape) but the model's input is "
        + "\(loaded.model.network.inputShape) (height x width x channels)")
    }
    let count = min(limit ?? data.count, data.count)
    guard count > 0 else { throw CommandFailure("'\(dataDescription)' has no images") }

    // Governor decisions first (they depend only on the budgets), then the inferences.
    var governor = network.makeGovernor()
    let cheapest = network.points[governor.hull[0]]
    let cheapestIndex = governor.hull[0]
    var budgets: [Double] = []
    var governed: [Int] = []
    var overBudget: [Bool] = []
    var rowIndex = 0
    for i in 0..<count {
      while rowIndex + 1 < trace.rows.count && trace.rows[rowIndex + 1].inference <= i { rowIndex += 1 }
      let budget = trace.rows[rowIndex].joules
      if governor.budgetJoules != budget { try governor.setBudget(joulesPerInference: budget) }
      budgets.append(budget)
      let decision = Self.decide(&governor)
      governed.append(decision?.pointIndex ?? cheapestIndex)
      overBudget.append(decision == nil)
    }
    let averageBudget = budgets.reduce(0, +) / Double(count)
    let staticIndex = try? network.table.indexOfMostAccurate(maximumEnergy: averageBudget)
    let images = (0..<count).map { Array(data.image($0)) }
    let governedLabels = try RuntimeInference.classify(images, points: governed, network: network,
                                                       preprocessing: loaded.model.preprocessing)
    var staticLabels: [Int]?
    if let staticIndex {
      staticLabels = try RuntimeInference.classify(images, points: Array(repeating: staticIndex, count: count),
                                                   network: network, preprocessing: loaded.model.preprocessing)
    }
    let truth = (0..<count).map { Int(data.label($0)) }
    let report = SimulationReport(
      loaded: loaded, modelValue: modelValue, frontPath: frontPath, tracePath: tracePath, data: dataDescription,
      window: window, budgets: budgets, governed: governed, overBudget: overBudget, governedLabels: governedLabels,
      staticIndex: staticIndex, staticLabels: staticLabels, truth: truth, cheapest: cheapest,
      hull: governor.hull.map { network.points[$0].id })
    output.write(json ? try JSONOutput.encode(report) : report.text)
  }
}

extension SimulateCommand {
  /// The governor's next decision, or nil when the budget is below the cheapest point (the only error possible
  /// here: the budget is set and valid).
  static func decide(_ governor: inout EnergyGovernor) -> GovernorDecision? {
    do {
      return try governor.next()
    } catch {
      return nil
    }
  }
}

/// What `simulate` reports; encoded as-is for `--json`.
struct SimulationReport: Codable, Hashable {
  /// Totals of one stretch of inferences.
  struct Stretch: Codable, Hashable {
    var first: Int
    var inferences: Int
    /// Average budget per inference, in joules.
    var budgetJoules: Double
    var governorEnergyJoules: Double
    var governorCorrect: Int
    var governorAccuracy: Double
    /// Mean validation accuracy of the points the governor ran.
    var governorExpectedAccuracy: Double
    /// Inferences whose budget was below the cheapest point (run at the cheapest point).
    var overBudget: Int
    var staticEnergyJoules: Double?
    var staticCorrect: Int?
    var staticAccuracy: Double?
  }

  struct StaticPoint: Codable, Hashable {
    var point: String
    var energyJoules: Double
    var validationAccuracy: Double
  }

  var schemaVersion = 1
  var model: String
  var front: String
  var trace: String
  var data: String
  var window: Int
  /// Ids of the front's upper-hull vertices, by increasing energy.
  var hull: [String]
  /// The cheapest point's energy: budgets below it are infeasible.
  var cheapestEnergyJoules: Double
  /// The most accurate point within the run's average budget; absent when even the cheapest point exceeds it.
  var staticPoint: StaticPoint?
  var windows: [Stretch]
  var total: Stretch

  init(loaded: RuntimeLoading, modelValue: String, frontPath: String, tracePath: String, data: String, window: Int,
       budgets: [Double], governed: [Int], overBudget: [Bool], governedLabels: [Int], staticIndex: Int?,
       staticLabels: [Int]?, truth: [Int], cheapest: OperatingPoint, hull: [String]) {
    let points = loaded.network.points
    model = loaded.shipped?.name ?? modelValue
    front = frontPath
    trace = tracePath
    self.data = data
    self.window = window
    self.hull = hull
    cheapestEnergyJoules = cheapest.energyJoules
    staticPoint = staticIndex.map {
      StaticPoint(point: points[$0].id, energyJoules: points[$0].energyJoules, validationAccuracy: points[$0].validationAccuracy)
    }
    func stretch(_ range: Range<Int>) -> Stretch {
      let n = Double(range.count)
      var budget = 0.0, energy = 0.0, expected = 0.0, correct = 0, over = 0, staticCorrect = 0
      for i in range {
        budget += budgets[i]
        energy += points[governed[i]].energyJoules
        expected += points[governed[i]].validationAccuracy
        if governedLabels[i] == truth[i] { correct += 1 }
        if overBudget[i] { over += 1 }
        if let staticLabels, staticLabels[i] == truth[i] { staticCorrect += 1 }
      }
      return Stretch(
        first: range.lowerBound, inferences: range.count, budgetJoules: budget / n, governorEnergyJoules: energy / n,
        governorCorrect: correct, governorAccuracy: Double(correct) / n, governorExpectedAccuracy: expected / n,
        overBudget: over, staticEnergyJoules: staticIndex.map { points[$0].energyJoules },
        staticCorrect: staticIndex.map { _ in staticCorrect }, staticAccuracy: staticIndex.map { _ in Double(staticCorrect) / n })
    }
    let count = budgets.count
    windows = stride(from: 0, to: count, by: window).map { stretch($0..<min($0 + window, count)) }
    total = stretch(0..<count)
  }

  /// The human-readable report.
  var text: String {
    typealias N = NumberFormatting
    let energy = { (joules: Double) in EnergyFormatting.energy(joules * 1e12) }
    var text = "Model:  \(ModelCatalog.displayPath(model))\nFront:  \(front) (upper hull: \(hull.joined(separator: ", ")))\n"
    text += "Trace:  \(trace)\nData:   \(data), \(N.grouped(total.inferences)) inferences in windows of \(N.grouped(window))\n"
    if let staticPoint {
      text += "Static: \(staticPoint.point) (\(energy(staticPoint.energyJoules)), validation accuracy "
        + "\(N.percent(staticPoint.validationAccuracy))), the most accurate point within the average budget "
        + "\(energy(total.budgetJoules))\n"
    } else {
      text += "Static: none; every point needs more than the average budget \(energy(total.budgetJoules))\n"
    }
    text += "\n"
    var table = TextTable([("Inferences", .left), ("Budget", .right), ("Governor energy", .right),
                           ("Governor accuracy", .right), ("Expected", .right), ("Over budget", .right),
                           ("Static energy", .right), ("Static accuracy", .right)])
    func row(_ s: Stretch, _ label: String) -> [String] {
      [label, energy(s.budgetJoules), energy(s.governorEnergyJoules), N.percent(s.governorAccuracy),
       N.percent(s.governorExpectedAccuracy), N.grouped(s.overBudget), s.staticEnergyJoules.map(energy) ?? "-",
       s.staticAccuracy.map(N.percent) ?? "-"]
    }
    for w in windows { table.append(row(w, "\(w.first)-\(w.first + w.inferences - 1)")) }
    table.append(row(total, "total"))
    text += table.rendered()
    if total.overBudget > 0 {
      text += "\n\(N.grouped(total.overBudget)) inferences had a budget below the cheapest point "
        + "(\(energy(cheapestEnergyJoules))) and ran at it, over budget.\n"
    }
    return text
  }
}
