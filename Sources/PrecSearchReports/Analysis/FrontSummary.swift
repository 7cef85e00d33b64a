import PrecSearchFormats
import Foundation

/// The Markdown summary of several Pareto JSON files (`precsearch summarize`, docs/analysis.md): files are grouped
/// by model and energy model (one group = one task under one energy model, several seeds), and each group gets
/// its energy savings at given accuracy losses, its accuracy within energy budgets, its hypervolume over seeds and
/// the per-layer precisions of a few points. Every number comes from the documents; the text is deterministic.
public struct FrontSummary: Sendable {
  /// One Pareto JSON file and its document.
  public struct Run: Sendable {
    /// The path, as given (shown in the summary).
    public var file: String
    /// The document.
    public var document: ParetoFrontDocument
    /// Creates a run.
    public init(file: String, document: ParetoFrontDocument) {
      self.file = file
      self.document = document
    }
  }

  /// The runs of one model under one energy model, by increasing seed (ties: the order given).
  public struct Group: Sendable {
    /// The model's name.
    public var model: String
    /// The energy model's name.
    public var energyModel: String
    /// The runs.
    public var runs: [Run]
  }

  /// Accuracy losses (fractions, e.g. 0.01) at which savings are reported.
  public var losses: [Double]
  /// Energy budgets (fractions of the uniform 16-bit energy) at which accuracies are reported.
  public var budgets: [Double]
  /// The groups, in the order their first file was given.
  public var groups: [Group]

  /// Groups `runs` by (model name, energy model name). Within a group every run must share the model file, both
  /// data splits and the energy table (same SHA-256s), the window search and every search setting but the seed, and
  /// no seed may repeat; otherwise it throws naming the two files and the field.
  public init(runs: [Run], losses: [Double] = [0.005, 0.01, 0.02, 0.03],
              budgets: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5]) throws {
    self.losses = losses
    self.budgets = budgets
    var groups: [Group] = []
    for run in runs {
      _ = try FrontAnalysis.uniform16(run.document, file: run.file)
      let d = run.document
      if let index = groups.firstIndex(where: { $0.model == d.model.name && $0.energyModel == d.energyModel.name }) {
        let first = groups[index].runs[0]
        let f = first.document
        let mismatches = [
          ("model.sha256", f.model.sha256, d.model.sha256),
          ("data.validation.sha256", f.data.validation.sha256, d.data.validation.sha256),
          ("data.test.sha256", f.data.test.sha256, d.data.test.sha256),
          ("energyModel.sha256", f.energyModel.sha256, d.energyModel.sha256),
          ("model.windowSearch", f.model.windowSearch ?? "none", d.model.windowSearch ?? "none"),
        ].filter { $0.1 != $0.2 } + Self.searchMismatches(f.search, d.search)
        if let (field, a, b) = mismatches.first {
          throw FrontAnalysis.AnalysisError("'\(run.file)' and '\(first.file)' are both \(d.model.name) under "
            + "\(d.energyModel.name) but differ in \(field) (\(b) vs \(a)); summarize runs of one setting together")
        }
        if let twin = groups[index].runs.first(where: { $0.document.search.seed == d.search.seed }) {
          throw FrontAnalysis.AnalysisError("'\(run.file)' and '\(twin.file)' are both seed \(d.search.seed) of "
            + "\(d.model.name) under \(d.energyModel.name); a mean over seeds needs each seed once")
        }
        groups[index].runs.append(run)
      } else {
        groups.append(Group(model: d.model.name, energyModel: d.energyModel.name, runs: [run]))
      }
    }
    for index in groups.indices {
      // Stable sort by seed: equal seeds keep the order given.
      groups[index].runs = groups[index].runs.enumerated().sorted {
        ($0.element.document.search.seed, $0.offset) < ($1.element.document.search.seed, $1.offset)
      }.map(\.element)
    }
    self.groups = groups
  }

  /// `value` (a fraction) as a percentage with `digits` decimals.
  static func percent(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value * 100) }

  /// Mean +- standard deviation of fractions, as percentages ("77.5 ± 1.2"), or "-" when empty.
  static func meanSpread(_ values: [Double], digits: Int = 1) -> String {
    guard let s = FrontAnalysis.Statistics(values) else { return "-" }
    return values.count > 1 ? "\(percent(s.mean, digits)) ± \(percent(s.standardDeviation, digits))" : percent(s.mean, digits)
  }

  /// Distinct integers in increasing order joined by "/" ("6/7"), or "-".
  static func distinct(_ values: [Int]) -> String {
    let sorted = Array(Set(values)).sorted()
    return sorted.isEmpty ? "-" : sorted.map(String.init).joined(separator: "/")
  }

  /// A loss as text: "0.5%", "1%".
  static func lossText(_ loss: Double) -> String {
    let p = loss * 100
    return p == p.rounded() ? "\(Int(p))%" : String(format: "%g%%", p)
  }

  /// The whole summary as Markdown (headings from level `headingLevel`).
  /// The search settings (all but the seed) in which two runs differ: (field, first run's value, other's value).
  /// Runs of different evaluation counts, constraints, precision choices or algorithms are not seeds of one setting.
  static func searchMismatches(_ a: ParetoFrontDocument.Search, _ b: ParetoFrontDocument.Search)
    -> [(String, String, String)] {
    func text(_ value: some Any) -> String { String(describing: value) }
    return [
      ("search.algorithm", a.algorithm, b.algorithm),
      ("search.maximumEvaluations", text(a.maximumEvaluations as Any), text(b.maximumEvaluations as Any)),
      ("search.timeLimitSeconds", text(a.timeLimitSeconds as Any), text(b.timeLimitSeconds as Any)),
      ("search.weightBits", text(a.weightBits), text(b.weightBits)),
      ("search.activationBits", text(a.activationBits), text(b.activationBits)),
      ("search.pins", text(a.pins), text(b.pins)),
      ("search.constraint", text(a.constraint), text(b.constraint)),
      ("search.populationSize", text(a.populationSize), text(b.populationSize)),
      ("search.mutationSteps", text(a.mutationSteps), text(b.mutationSteps)),
      ("search.annealingRuns", text(a.annealingRuns), text(b.annealingRuns)),
      ("search.annealingShare", text(a.annealingShare), text(b.annealingShare)),
      // Absent (other algorithms, older documents) means off, as 1 does.
      ("search.preselectionCandidates", text(a.preselectionCandidates ?? 1), text(b.preselectionCandidates ?? 1)),
      ("search.screening", text(a.screening), text(b.screening)),
    ].filter { $0.1 != $0.2 }
  }

  public func markdown(headingLevel: Int = 2) throws -> String {
    let h = String(repeating: "#", count: max(1, min(headingLevel, 5)))
    var text = ""
    // Overview: one row per group.
    text += "\(h) Overview\n\n"
    text += "Energy saved by the searched front (mean ± standard deviation over seeds, in % of the energy of the "
      + "configuration it replaces) at the accuracy loss given, on the test split; the reference is the uniform 16-bit "
      + "accuracy, the static baseline the cheapest uniform configuration within the same loss.\n\n"
    var header = "| task | energy model | seeds |"
    var rule = "|---|---|---|"
    for loss in losses {
      header += " vs 16-bit at \(Self.lossText(loss)) | vs static at \(Self.lossText(loss)) |"
      rule += "---|---|"
    }
    text += header + " hypervolume |\n" + rule + "---|\n"
    for group in groups {
      var row = "| \(group.model) | \(group.energyModel) | \(group.runs.count) |"
      for loss in losses {
        let savings = try group.runs.map { try FrontAnalysis.saving($0.document, loss: loss, split: .test, file: $0.file) }
        row += " \(Self.meanSpread(savings.compactMap(\.savingVersus16Bit))) |"
          + " \(Self.meanSpread(savings.compactMap(\.savingVersusStatic))) |"
      }
      let hypervolumes = group.runs.map(\.document.hypervolume.final)
      let s = FrontAnalysis.Statistics(hypervolumes)!
      row += String(format: " %.4f ± %.4f |", s.mean, s.standardDeviation)
      text += row + "\n"
    }
    for group in groups { text += "\n" + (try section(group, heading: h + "#")) }
    return text
  }

  /// The section of one group.
  func section(_ group: Group, heading h: String) throws -> String {
    let runs = group.runs
    let first = runs[0].document
    var text = "\(h) \(group.model) under \(group.energyModel)\n\n"
    let seeds = runs.map { String($0.document.search.seed) }.joined(separator: ", ")
    let commits = Array(Set(runs.map { String($0.document.provenance.commit.prefix(12)) })).sorted()
    text += "- Runs: \(runs.count) (seeds \(seeds)); files: " + runs.map { "`\($0.file)`" }.joined(separator: ", ") + "\n"
    text += "- Model: \(first.model.name) (\(first.model.totalMACs) MACs, \(first.model.layers.count) weighted layers, "
      + "sha256 \(first.model.sha256.prefix(12))), window search \(first.model.windowSearch ?? "none")\n"
    text += "- Data: \(first.data.name), \(first.data.validation.images) validation and \(first.data.test.images) test images\n"
    text += "- Energy model: \(first.energyModel.name) (uniform 16-bit: "
      + String(format: "%.4g", first.energyModel.uniform16BitPicojoules) + " pJ per inference)\n"
    text += "- Search: \(first.search.algorithm), " + (first.search.maximumEvaluations.map { "\($0) evaluations" } ?? "time limit")
      + ", population \(first.search.populationSize); commit(s) " + commits.joined(separator: ", ") + "\n"
    text += "- Command (seed 1 or first): `" + first.provenance.commandLine.joined(separator: " ") + "`\n\n"

    // Savings at each loss, both splits.
    text += "Energy saving at an accuracy loss (mean ± standard deviation over seeds):\n\n"
    text += "| loss | split | 16-bit accuracy | saving vs uniform 16-bit | saving vs best static | best static (bits) | seeds with a point |\n"
    text += "|---|---|---|---|---|---|---|\n"
    for loss in losses {
      for split in FrontAnalysis.Split.allCases {
        let savings = try runs.map { try FrontAnalysis.saving($0.document, loss: loss, split: split, file: $0.file) }
        let references = FrontAnalysis.Statistics(savings.map(\.referenceAccuracy))!
        text += "| \(Self.lossText(loss)) | \(split.rawValue) | \(Self.percent(references.mean, 2)) |"
          + " \(Self.meanSpread(savings.compactMap(\.savingVersus16Bit))) |"
          + " \(Self.meanSpread(savings.compactMap(\.savingVersusStatic))) | \(Self.distinct(savings.map(\.staticBits))) |"
          + " \(savings.filter { $0.pointId != nil }.count) of \(savings.count) |\n"
      }
    }

    // Accuracy within energy budgets.
    text += "\nAccuracy within an energy budget (the most accurate configuration on validation whose energy fits; "
      + "mean over seeds, in %):\n\n"
    text += "| budget (of 16-bit energy) | front: validation | front: test | best static (bits) | static: validation | static: test |\n"
    text += "|---|---|---|---|---|---|\n"
    for budget in budgets {
      let answers = try runs.map { try FrontAnalysis.answer($0.document, relativeBudget: budget, file: $0.file) }
      text += "| \(Self.percent(budget, 0))% | \(Self.meanSpread(answers.compactMap(\.pointValidation), digits: 2)) |"
        + " \(Self.meanSpread(answers.compactMap(\.pointTest), digits: 2)) | \(Self.distinct(answers.compactMap(\.staticBits))) |"
        + " \(Self.meanSpread(answers.compactMap(\.staticValidation), digits: 2)) |"
        + " \(Self.meanSpread(answers.compactMap(\.staticTest), digits: 2)) |\n"
    }

    // Search statistics.
    let hv = FrontAnalysis.Statistics(runs.map(\.document.hypervolume.final))!
    let evaluations = FrontAnalysis.Statistics(runs.map { Double($0.document.effort.evaluations) })!
    let sizes = FrontAnalysis.Statistics(runs.map { Double($0.document.points.count) })!
    let wall = FrontAnalysis.Statistics(runs.map(\.document.timing.wallSeconds))!
    text += "\nSearch: hypervolume " + String(format: "%.4f ± %.4f (min %.4f, max %.4f)", hv.mean, hv.standardDeviation,
                                                  hv.minimum, hv.maximum)
      + String(format: "; %.0f evaluations per run; %.1f front points per run; wall time %.0f s per run (min %.0f, max %.0f)",
               evaluations.mean, sizes.mean, wall.mean, wall.minimum, wall.maximum) + ".\n"

    // Per-layer precisions of the points chosen at each loss (validation) in the first run.
    let run = runs[0]
    let layerNames = run.document.model.layers.map(\.name)
    text += "\nPer-layer precisions (weight bits / activation bits) of the cheapest point within each loss on "
      + "validation, seed \(run.document.search.seed):\n\n"
    text += "| loss | point | energy (of 16-bit) | validation | test | " + layerNames.joined(separator: " | ") + " |\n"
    text += "|---|---|---|---|---|" + String(repeating: "---|", count: layerNames.count) + "\n"
    for loss in losses {
      let saving = try FrontAnalysis.saving(run.document, loss: loss, split: .validation, file: run.file)
      guard let id = saving.pointId, let point = run.document.points.first(where: { $0.id == id }) else { continue }
      let cells = point.layers.map { "\($0.weightBits)/\($0.activationBits)" }
      text += "| \(Self.lossText(loss)) | \(id) | \(Self.percent(point.relativeEnergy))% | "
        + "\(Self.percent(point.validation.accuracy, 2)) | \(Self.percent(point.test.accuracy, 2)) | "
        + cells.joined(separator: " | ") + " |\n"
    }
    return text
  }
}
