/// One measured energy: of a whole network at a configuration, or of one layer at one precision.
///
/// The IO layer reads these from CSV (columns in `docs/energy-model.md`).
public struct EnergyMeasurement: Sendable, Hashable, Codable {
  /// Row label, used in messages (e.g. the CSV row id).
  public var identifier: String
  /// The measured layer's name, or nil for a whole-network measurement.
  public var layerName: String?
  /// For a network row, one precision per layer in workload order; for a layer row, exactly one.
  public var precisions: [LayerPrecisionBits]
  /// Measured energy per inference, in pJ (finite, > 0).
  public var measuredPicojoules: Double

  /// Creates a measurement row.
  public init(identifier: String, layerName: String?, precisions: [LayerPrecisionBits], measuredPicojoules: Double) {
    self.identifier = identifier
    self.layerName = layerName
    self.precisions = precisions
    self.measuredPicojoules = measuredPicojoules
  }
}

/// What the fit minimises.
public enum CalibrationWeighting: String, Sendable, Hashable, Codable {
  /// Sum of squared relative residuals `((predicted - measured) / measured)^2`: every row counts equally, whatever
  /// its size (right for multiplicative measurement noise).
  case relative
  /// Sum of squared absolute residuals, in pJ^2: large rows dominate.
  case absolute
}

/// Options for ``EnergyCalibrator/fit(base:workloads:measurements:options:)``.
public struct CalibrationOptions: Sendable, Hashable, Codable {
  /// The residuals minimised (default `.relative`).
  public var weighting: CalibrationWeighting
  /// Coefficients held at the base table's value; nil means ``EnergyTable/defaultFixedCoefficientNames``.
  public var fixedCoefficientNames: [String]?

  /// Creates options.
  public init(weighting: CalibrationWeighting = .relative, fixedCoefficientNames: [String]? = nil) {
    self.weighting = weighting
    self.fixedCoefficientNames = fixedCoefficientNames
  }
}

/// One coefficient before and after the fit.
public struct FittedCoefficient: Sendable, Hashable, Codable {
  /// Coefficient name (JSON path in the table).
  public var name: String
  /// Value in the base table (unit in the name).
  public var baseValue: Double
  /// Value after the fit (equal to `baseValue` when fixed).
  public var fittedValue: Double
  /// Whether it was held at the base value.
  public var isFixed: Bool
  /// Whether the fit pushed it to the non-negativity bound (fitted value exactly 0 while free).
  public var isAtZeroBound: Bool
  /// Estimated standard error of `fittedValue` (same unit), from the residual variance and the (weighted) design:
  /// `sqrt(s^2 [(A^T A)^-1]_jj)` over the coefficients not at the bound. Nil when fixed, at the bound, or when there
  /// are no more rows than such coefficients.
  public var standardError: Double?
}

/// The outcome of a calibration: the fitted table and how well it explains the measurements.
public struct CalibrationResult: Sendable, Hashable, Codable {
  /// The base table with the free coefficients replaced (provenance `fitted`), named `<base>-calibrated`.
  public var table: EnergyTable
  /// Every coefficient, in ``EnergyTable/calibrationCoefficientNames`` order.
  public var coefficients: [FittedCoefficient]
  /// Row identifiers, in input order.
  public var rowIdentifiers: [String]
  /// Measured energies, in pJ.
  public var measuredPicojoules: [Double]
  /// The fitted table's predictions, in pJ.
  public var predictedPicojoules: [Double]
  /// Coefficient of determination of the predictions, `1 - SS_res / SS_tot` (nil when every measurement is equal).
  public var rSquared: Double?
  /// Mean of `|predicted - measured| / measured`, in percent.
  public var meanAbsolutePercentageError: Double
  /// Largest `|predicted - measured| / measured`, in percent.
  public var maximumAbsolutePercentageError: Double
  /// Leave-one-out: mean over rows of the percentage error predicting the row from a fit to all other rows, in
  /// percent; nil when some fold cannot determine a coefficient (see ``leaveOneOutNote``).
  public var leaveOneOutMeanAbsolutePercentageError: Double?
  /// Leave-one-out: largest such error, in percent; nil as above.
  public var leaveOneOutMaximumAbsolutePercentageError: Double?
  /// Why leave-one-out is missing, if it is.
  public var leaveOneOutNote: String?
  /// Rows in which some layer runs in a different mode under the fitted table than under the base table (the fit
  /// used the base table's mode choice; predictions above use the fitted table's).
  public var rowsWithChangedModeSelection: Int
}

/// Why calibration refused the data.
public enum CalibrationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No measurement rows.
  case noMeasurements
  /// A row is malformed.
  case invalidMeasurement(row: String, problem: String)
  /// A fixed-coefficient name is not a coefficient of the base table.
  case unknownCoefficient(name: String, available: [String])
  /// The rows cannot determine this coefficient.
  case coefficientNotDetermined(name: String, reason: String)
  /// The solver failed (should not happen on data that passed the checks).
  case solverFailed(String)

  /// A one-line message naming the row or coefficient and what is needed.
  public var description: String {
    switch self {
    case .noMeasurements: return "no measurement rows; expected at least one row per coefficient to fit"
    case .invalidMeasurement(let row, let problem): return "measurement row '\(row)': \(problem)"
    case .unknownCoefficient(let name, let available):
      return "unknown coefficient '\(name)'; expected one of \(available.joined(separator: ", "))"
    case .coefficientNotDetermined(let name, let reason):
      return "coefficient '\(name)' is not determined by the measurements: \(reason); add measurements that vary"
        + " it independently, or hold it fixed at the base table's value"
    case .solverFailed(let message): return "non-negative least squares failed: \(message)"
    }
  }
}

/// Fits the coefficients of a base table to measured energies by non-negative least squares.
///
/// The model is linear in its coefficients (see ``EnergyTable/calibrationCoefficientNames``): each row's predicted
/// energy is `coefficients . features(row)`, the features being computed with the base table's mode choice. Fixed
/// coefficients' contributions are subtracted from the measurements; the free ones are fitted with Lawson-Hanson
/// NNLS on (by default) relative residuals. Before fitting, every free coefficient's feature column must be
/// non-zero and linearly independent of the earlier ones; otherwise the data is refused with an error naming the
/// coefficient.
public enum EnergyCalibrator {
  /// The feature vector of one measurement row.
  ///
  /// - Throws: ``CalibrationError/invalidMeasurement(row:problem:)`` for an unknown layer or a wrong number of
  ///   precisions; ``EnergyModelError`` messages are wrapped likewise.
  public static func features(
    of measurement: EnergyMeasurement, workloads: [LayerWorkload], estimator: EnergyEstimator
  ) throws -> [Double] {
    do {
      if let layerName = measurement.layerName {
        guard let workload = workloads.first(where: { $0.name == layerName }) else {
          throw CalibrationError.invalidMeasurement(
            row: measurement.identifier,
            problem: "layer '\(layerName)' is not in the network (layers: \(workloads.map(\.name).joined(separator: ", ")))")
        }
        guard measurement.precisions.count == 1 else {
          throw CalibrationError.invalidMeasurement(
            row: measurement.identifier,
            problem: "a layer row needs exactly one precision, got \(measurement.precisions.count)")
        }
        return try estimator.calibrationFeatures(workload, precision: measurement.precisions[0])
      }
      guard measurement.precisions.count == workloads.count else {
        throw CalibrationError.invalidMeasurement(
          row: measurement.identifier,
          problem: "a network row needs one precision per layer (\(workloads.count)), got \(measurement.precisions.count)")
      }
      return try estimator.calibrationFeatures(workloads: workloads, precisions: measurement.precisions)
    } catch let error as EnergyModelError {
      throw CalibrationError.invalidMeasurement(row: measurement.identifier, problem: error.description)
    }
  }

  /// Fits the free coefficients of `base` to `measurements`.
  ///
  /// - Parameters:
  ///   - base: The table whose structure (modes, clock, units) is kept and whose coefficients start the fit.
  ///   - workloads: The network's weighted layers, in order (names unique).
  ///   - measurements: Network or layer rows.
  ///   - options: Weighting and fixed coefficients.
  /// - Returns: The fitted table and fit statistics (R^2, MAPE, leave-one-out error).
  /// - Throws: ``CalibrationError`` (malformed rows, unknown coefficient names, undetermined coefficients) or
  ///   ``EnergyModelError`` (invalid base table or workloads).
  public static func fit(
    base: EnergyTable, workloads: [LayerWorkload], measurements: [EnergyMeasurement],
    options: CalibrationOptions = CalibrationOptions()
  ) throws -> CalibrationResult {
    let estimator = try EnergyEstimator(table: base)
    try EnergyEstimator.checkNames(workloads)
    guard !measurements.isEmpty else { throw CalibrationError.noMeasurements }
    let names = base.calibrationCoefficientNames
    let baseValues = base.calibrationCoefficientValues
    let fixedNames = options.fixedCoefficientNames ?? base.defaultFixedCoefficientNames
    for name in fixedNames where !names.contains(name) {
      throw CalibrationError.unknownCoefficient(name: name, available: names)
    }
    let free = names.indices.filter { !fixedNames.contains(names[$0]) }

    var features: [[Double]] = []
    var measured: [Double] = []
    for row in measurements {
      guard row.measuredPicojoules.isFinite, row.measuredPicojoules > 0 else {
        throw CalibrationError.invalidMeasurement(
          row: row.identifier, problem: "measured energy is \(row.measuredPicojoules) pJ; expected a finite number > 0")
      }
      features.append(try Self.features(of: row, workloads: workloads, estimator: estimator))
      measured.append(row.measuredPicojoules)
    }

    // Fit on all rows.
    let allRows = Array(measurements.indices)
    let (solution, standardErrors) = try solve(
      rows: allRows, features: features, measured: measured, free: free, baseValues: baseValues, names: names,
      weighting: options.weighting)

    let fittedSource =
      "NNLS fit (\(options.weighting.rawValue) residuals) to \(measurements.count) measurement rows, base table"
      + " '\(base.name)'"
    var table = try base.replacingCalibrationCoefficients(
      solution, at: free, provenance: .fitted, source: fittedSource)
    table.name = base.name + "-calibrated"
    table.notes.append(
      "calibrated: " + fittedSource + "; fixed: " + (fixedNames.isEmpty ? "none" : fixedNames.joined(separator: ", ")))
    let fittedEstimator = try EnergyEstimator(table: table)

    var predicted: [Double] = []
    var changed = 0
    for (row, baseFeatures) in zip(measurements, features) {
      let fittedFeatures = try Self.features(of: row, workloads: workloads, estimator: fittedEstimator)
      predicted.append(NonNegativeLeastSquares.dot(solution, fittedFeatures))
      if fittedFeatures != baseFeatures { changed += 1 }
    }

    // Leave-one-out, with the base mode choice.
    var looErrors: [Double] = []
    var looNote: String? = nil
    if measurements.count > 1 {
      for i in allRows {
        do {
          let (foldSolution, _) = try solve(
            rows: allRows.filter { $0 != i }, features: features, measured: measured, free: free,
            baseValues: baseValues, names: names, weighting: options.weighting)
          let prediction = NonNegativeLeastSquares.dot(foldSolution, features[i])
          looErrors.append(abs(prediction - measured[i]) / measured[i] * 100)
        } catch let error as CalibrationError {
          looNote = "leave-one-out is undefined: without row '\(measurements[i].identifier)', \(error.description)"
          looErrors = []
          break
        }
      }
    } else {
      looNote = "leave-one-out needs at least two rows"
    }

    let percentErrors = zip(predicted, measured).map { abs($0 - $1) / $1 * 100 }
    let mean = measured.reduce(0, +) / Double(measured.count)
    let totalSquares = measured.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    let residualSquares = zip(predicted, measured).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    let coefficients = names.indices.map { k in
      FittedCoefficient(
        name: names[k], baseValue: baseValues[k], fittedValue: solution[k], isFixed: !free.contains(k),
        isAtZeroBound: free.contains(k) && solution[k] == 0, standardError: standardErrors[k])
    }
    return CalibrationResult(
      table: table, coefficients: coefficients, rowIdentifiers: measurements.map(\.identifier),
      measuredPicojoules: measured, predictedPicojoules: predicted,
      rSquared: totalSquares > 0 ? 1 - residualSquares / totalSquares : nil,
      meanAbsolutePercentageError: percentErrors.reduce(0, +) / Double(percentErrors.count),
      maximumAbsolutePercentageError: percentErrors.max() ?? 0,
      leaveOneOutMeanAbsolutePercentageError: looErrors.isEmpty ? nil : looErrors.reduce(0, +) / Double(looErrors.count),
      leaveOneOutMaximumAbsolutePercentageError: looErrors.max(),
      leaveOneOutNote: looNote, rowsWithChangedModeSelection: changed)
  }

  /// Checks determinedness and solves for the free coefficients on `rows`; returns the full coefficient vector
  /// (fixed ones at their base value) and the standard errors of the free coefficients off the bound.
  private static func solve(
    rows: [Int], features: [[Double]], measured: [Double], free: [Int], baseValues: [Double], names: [String],
    weighting: CalibrationWeighting
  ) throws -> (values: [Double], standardErrors: [Double?]) {
    var result = baseValues
    var standardErrors = [Double?](repeating: nil, count: baseValues.count)
    guard !free.isEmpty else { return (result, standardErrors) }
    var matrix: [[Double]] = []
    var targets: [Double] = []
    for i in rows {
      let weight = weighting == .relative ? 1 / measured[i] : 1
      var fixedPart = 0.0
      for k in baseValues.indices where !free.contains(k) { fixedPart += baseValues[k] * features[i][k] }
      matrix.append(free.map { features[i][$0] * weight })
      targets.append((measured[i] - fixedPart) * weight)
    }
    // Row weights are non-zero, so weighting does not change which columns are dependent.
    let columns = free.indices.map { position in matrix.map { $0[position] } }
    if let dependent = NonNegativeLeastSquares.firstDependentColumn(columns: columns) {
      let name = names[free[dependent.column]]
      let reason: String
      if dependent.involved.isEmpty {
        reason = "its feature is zero in every row (no measurement exercises it)"
      } else if dependent.involved.count >= rows.count {
        reason = "\(rows.count) measurement rows can determine at most \(rows.count) coefficients, and \(free.count)"
          + " are free"
      } else {
        let others = dependent.involved.map { "'\(names[free[$0]])'" }.joined(separator: ", ")
        reason = "its feature column is a linear combination of those of \(others), so the rows cannot tell them apart"
      }
      throw CalibrationError.coefficientNotDetermined(name: name, reason: reason)
    }
    let solution: [Double]
    do {
      solution = try NonNegativeLeastSquares.solve(rows: matrix, targets: targets)
    } catch let error as NonNegativeLeastSquares.InputError {
      throw CalibrationError.solverFailed(error.description)
    }
    for (position, k) in free.enumerated() { result[k] = solution[position] }

    // Standard errors over the coefficients off the bound, treating the bound ones as known zeros.
    let inner = free.indices.filter { solution[$0] > 0 }
    if rows.count > inner.count, !inner.isEmpty {
      var residualSquares = 0.0
      for (row, target) in zip(matrix, targets) {
        let r = NonNegativeLeastSquares.dot(row, solution) - target
        residualSquares += r * r
      }
      let variance = residualSquares / Double(rows.count - inner.count)
      if let diagonal = NonNegativeLeastSquares.inverseNormalDiagonal(columns: inner.map { columns[$0] }) {
        for (position, column) in inner.enumerated() {
          standardErrors[free[column]] = (variance * diagonal[position]).squareRoot()
        }
      }
    }
    return (result, standardErrors)
  }
}
