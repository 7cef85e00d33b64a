import PrecSearchFormats
/// The numbers of the energy-accuracy analysis (issue 8, docs/analysis.md) computed from Pareto JSON documents:
/// how much energy the searched front saves over uniform 16-bit and over the best static (uniform) fixed-point
/// configuration at a given accuracy loss, the accuracy each reaches within an energy budget, and the hypervolume
/// statistics over seeds. Pure functions of the documents; no I/O.
public enum FrontAnalysis {
  /// Which accuracy a rule reads: validation (what the search optimized) or test (the front's points re-measured
  /// after the search).
  public typealias Split = ParetoPlot.AccuracySplit

  /// The cheapest configuration within an accuracy loss, on the front and among the uniform baselines.
  public struct Saving: Hashable, Sendable {
    /// The accuracy loss allowed, as a fraction (0.01 = one percentage point of top-1 accuracy).
    public var loss: Double
    /// The split whose accuracies the rule read.
    public var split: Split
    /// The uniform 16-bit accuracy on that split (the reference).
    public var referenceAccuracy: Double
    /// The front's cheapest point with accuracy >= reference - loss (its id), nil when none qualifies.
    public var pointId: String?
    /// That point's energy in pJ.
    public var pointPicojoules: Double?
    /// The cheapest uniform baseline with accuracy >= reference - loss (its bit-width); 16 always qualifies.
    public var staticBits: Int
    /// That baseline's energy in pJ.
    public var staticPicojoules: Double
    /// Uniform 16-bit energy in pJ.
    public var uniform16Picojoules: Double

    /// `1 - point / uniform 16-bit`: the fraction of energy saved over 16 bits (nil without a point).
    public var savingVersus16Bit: Double? { pointPicojoules.map { 1 - $0 / uniform16Picojoules } }
    /// `1 - point / best static`: the fraction saved over the best uniform configuration (nil without a point).
    public var savingVersusStatic: Double? { pointPicojoules.map { 1 - $0 / staticPicojoules } }
  }

  /// The most accurate configuration within an energy budget, on the front and among the uniform baselines.
  public struct BudgetAnswer: Hashable, Sendable {
    /// The budget as a fraction of the uniform 16-bit energy.
    public var relativeBudget: Double
    /// The front point with the highest validation accuracy within the budget (ties: the cheaper), nil if none.
    public var pointId: String?
    /// Its validation and test accuracy.
    public var pointValidation: Double?
    /// Its test accuracy.
    public var pointTest: Double?
    /// The uniform baseline with the highest validation accuracy within the budget (ties: the cheaper), nil if none.
    public var staticBits: Int?
    /// Its validation accuracy.
    public var staticValidation: Double?
    /// Its test accuracy.
    public var staticTest: Double?
  }

  /// Errors of the analysis: a document without what the rules need.
  public struct AnalysisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, naming the document and field.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
  }

  /// The uniform 16-bit baseline of `document`, which every rule measures against.
  public static func uniform16(_ document: ParetoFrontDocument, file: String = "") throws -> ParetoFrontDocument.Baseline {
    guard let baseline = document.baselines.first(where: { $0.bits == 16 }) else {
      throw AnalysisError("\(file.isEmpty ? "the document" : "'\(file)'"): baselines: no 16-bit entry (every "
        + "'precsearch optimize' output has one)")
    }
    guard baseline.energyPicojoules > 0, baseline.energyPicojoules.isFinite else {
      throw AnalysisError("\(file.isEmpty ? "the document" : "'\(file)'"): baselines[bits 16].energyPicojoules: "
        + "expected a positive number, got \(baseline.energyPicojoules)")
    }
    return baseline
  }

  /// The accuracy of `accuracy` on `split`.
  static func value(_ validation: ParetoFrontDocument.Accuracy, _ test: ParetoFrontDocument.Accuracy,
                    _ split: Split) -> Double {
    split == .validation ? validation.accuracy : test.accuracy
  }

  /// The cheapest front point and the cheapest uniform baseline whose accuracy on `split` is at least the uniform
  /// 16-bit accuracy on that split minus `loss` (a fraction; 0.01 is one percentage point). Ties in energy go to
  /// the first point (lower id) or the wider baseline.
  public static func saving(_ document: ParetoFrontDocument, loss: Double, split: Split,
                            file: String = "") throws -> Saving {
    let reference = try uniform16(document, file: file)
    let floor = value(reference.validation, reference.test, split) - loss
    // A small tolerance so that an accuracy exactly at the floor is not lost to rounding of `reference - loss`.
    let tolerance = 1e-12
    var point: ParetoFrontDocument.Point?
    for candidate in document.points where value(candidate.validation, candidate.test, split) >= floor - tolerance {
      if point == nil || candidate.energy.totalPicojoules < point!.energy.totalPicojoules { point = candidate }
    }
    var best = reference
    for candidate in document.baselines where value(candidate.validation, candidate.test, split) >= floor - tolerance {
      if candidate.energyPicojoules < best.energyPicojoules { best = candidate }
    }
    return Saving(loss: loss, split: split, referenceAccuracy: value(reference.validation, reference.test, split),
                  pointId: point?.id, pointPicojoules: point?.energy.totalPicojoules, staticBits: best.bits,
                  staticPicojoules: best.energyPicojoules, uniform16Picojoules: reference.energyPicojoules)
  }

  /// The most accurate front point and uniform baseline (by validation accuracy, as a deployment would choose)
  /// whose energy is at most `relativeBudget` x the uniform 16-bit energy.
  public static func answer(_ document: ParetoFrontDocument, relativeBudget: Double,
                            file: String = "") throws -> BudgetAnswer {
    let reference = try uniform16(document, file: file)
    let budget = relativeBudget * reference.energyPicojoules
    var point: ParetoFrontDocument.Point?
    for candidate in document.points where candidate.energy.totalPicojoules <= budget {
      if let current = point, candidate.validation.accuracy < current.validation.accuracy
          || (candidate.validation.accuracy == current.validation.accuracy
              && candidate.energy.totalPicojoules >= current.energy.totalPicojoules) { continue }
      point = candidate
    }
    var uniform: ParetoFrontDocument.Baseline?
    for candidate in document.baselines where candidate.energyPicojoules <= budget {
      if let current = uniform, candidate.validation.accuracy < current.validation.accuracy
          || (candidate.validation.accuracy == current.validation.accuracy
              && candidate.energyPicojoules >= current.energyPicojoules) { continue }
      uniform = candidate
    }
    return BudgetAnswer(relativeBudget: relativeBudget, pointId: point?.id, pointValidation: point?.validation.accuracy,
                        pointTest: point?.test.accuracy, staticBits: uniform?.bits,
                        staticValidation: uniform?.validation.accuracy, staticTest: uniform?.test.accuracy)
  }

  /// Mean and sample standard deviation (n - 1; 0 for a single value) of `values`, with the extremes.
  public struct Statistics: Hashable, Sendable {
    /// Number of values.
    public var count: Int
    /// Arithmetic mean.
    public var mean: Double
    /// Sample standard deviation.
    public var standardDeviation: Double
    /// Smallest value.
    public var minimum: Double
    /// Largest value.
    public var maximum: Double

    /// The statistics of `values`; nil when empty.
    public init?(_ values: [Double]) {
      guard let first = values.first else { return nil }
      count = values.count
      mean = values.reduce(0, +) / Double(values.count)
      let m = mean
      standardDeviation = values.count > 1
        ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot() : 0
      minimum = values.reduce(first) { min($0, $1) }
      maximum = values.reduce(first) { max($0, $1) }
    }
  }
}
