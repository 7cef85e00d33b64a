import SeededRandom

extension SimulatedAnnealing {
  /// How an objective change is compared with the temperature.
  public enum TemperatureScale: String, Hashable, Sendable, Codable, CaseIterable {
    /// Δ = f(neighbour) − f(current), in the objective's unit; the temperature has that unit too.
    case absolute
    /// Δ = (f(neighbour) − f(current)) / |f(current)| (a fraction); the temperature is a fraction
    /// too, for example 0.01 accepts a 1 % worsening with probability 1/e. Useful when the
    /// objective's scale is unknown (energies in pJ). |f(current)| below the smallest normal
    /// `Double` is replaced by it.
    case relative
  }

  /// Where the search resumes when the temperature has fallen below the minimum.
  public enum RestartPoint: String, Hashable, Sendable, Codable, CaseIterable {
    /// From the best candidate found so far (no evaluation needed).
    case best
    /// From the first candidate of the run (the initial genome's evaluation; no evaluation needed).
    case initial
    /// From a uniformly random genome (one evaluation).
    case random
  }

  /// Simulated annealing's settings.
  ///
  /// Schedule: the temperature starts at ``initialTemperature`` and is multiplied by
  /// ``coolingFactor`` after every ``stepsPerTemperature`` steps; when it falls below
  /// ``minimumTemperature`` the search restarts (see ``RestartPoint``) at ``initialTemperature``.
  /// A run of one schedule therefore takes
  /// `stepsPerTemperature × ⌈log(minimum / initial) / log(coolingFactor)⌉` steps of
  /// `neighboursPerStep` evaluations each.
  public struct Configuration: Hashable, Sendable, Codable {
    /// The index of the objective to minimize, in `0..<objectiveCount`.
    public var objectiveIndex: Int
    /// The starting temperature (> 0, finite), in the units of ``temperatureScale``.
    public var initialTemperature: Double
    /// The temperature below which the search restarts (> 0, < `initialTemperature`).
    public var minimumTemperature: Double
    /// The geometric cooling factor, in (0, 1). Default 0.9.
    public var coolingFactor: Double
    /// Steps at each temperature (≥ 1). Default 20.
    public var stepsPerTemperature: Int
    /// Distinct neighbours evaluated per step (≥ 1); the best of them is the proposal. More than 1
    /// lets a step use parallel evaluation. Default 1 (classic annealing).
    public var neighboursPerStep: Int
    /// How objective changes are scaled. Default ``TemperatureScale/absolute``.
    public var temperatureScale: TemperatureScale
    /// Where restarts begin. Default ``RestartPoint/best``.
    public var restartPoint: RestartPoint
    /// How the archive of evaluated points treats the constraint. Default feasibility first; use
    /// ``ConstraintHandling/ignored`` to keep the plain objective front of every evaluated point
    /// (for example when the constraint is a per-run budget but the front is wanted in full).
    public var archiveConstraintHandling: ConstraintHandling
    /// The hypervolume setting for the archive's history (one value per temperature level); `nil` records none.
    public var hypervolume: HypervolumeIndicator?
    /// The seed of the annealing's random stream (a ``Xoshiro256StarStar`` seeded with it).
    public var seed: UInt64

    /// Creates a configuration; values are checked when a ``SimulatedAnnealing`` is created.
    public init(
      objectiveIndex: Int = 0, initialTemperature: Double = 1, minimumTemperature: Double = 1e-3,
      coolingFactor: Double = 0.9, stepsPerTemperature: Int = 20, neighboursPerStep: Int = 1,
      temperatureScale: TemperatureScale = .absolute, restartPoint: RestartPoint = .best,
      archiveConstraintHandling: ConstraintHandling = .feasibilityFirst,
      hypervolume: HypervolumeIndicator? = nil, seed: UInt64 = 0
    ) {
      self.objectiveIndex = objectiveIndex
      self.initialTemperature = initialTemperature
      self.minimumTemperature = minimumTemperature
      self.coolingFactor = coolingFactor
      self.stepsPerTemperature = stepsPerTemperature
      self.neighboursPerStep = neighboursPerStep
      self.temperatureScale = temperatureScale
      self.restartPoint = restartPoint
      self.archiveConstraintHandling = archiveConstraintHandling
      self.hypervolume = hypervolume
      self.seed = seed
    }

    /// Checks every value against its range for a problem with `objectiveCount` objectives.
    ///
    /// - Throws: ``SearchError/invalidParameter(name:expected:actual:)``.
    public func validate(objectiveCount: Int) throws {
      func fail(_ name: String, _ expected: String, _ actual: Any) -> SearchError {
        .invalidParameter(name: "SimulatedAnnealing.Configuration.\(name)", expected: expected, actual: "\(actual)")
      }
      guard (0..<objectiveCount).contains(objectiveIndex) else {
        throw fail("objectiveIndex", "a value in 0..<\(objectiveCount)", objectiveIndex)
      }
      guard initialTemperature.isFinite, initialTemperature > 0 else {
        throw fail("initialTemperature", "a finite value > 0", initialTemperature)
      }
      guard minimumTemperature > 0, minimumTemperature < initialTemperature else {
        throw fail("minimumTemperature", "a value in (0, initialTemperature)", minimumTemperature)
      }
      guard coolingFactor > 0, coolingFactor < 1 else {
        throw fail("coolingFactor", "a value in (0, 1)", coolingFactor)
      }
      guard stepsPerTemperature >= 1 else { throw fail("stepsPerTemperature", "at least 1", stepsPerTemperature) }
      guard neighboursPerStep >= 1 else { throw fail("neighboursPerStep", "at least 1", neighboursPerStep) }
      if let hypervolume, hypervolume.objectiveCount != objectiveCount {
        throw fail("hypervolume", "a reference point with \(objectiveCount) objectives", hypervolume.objectiveCount)
      }
    }
  }
}
