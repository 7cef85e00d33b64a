import Foundation
public import PrecisionSearch

/// The file `precsearch optimize --checkpoint FILE` saves periodically and at SIGINT, and `--resume` continues
/// from: the whole search state plus what identifies the run it belongs to.
///
/// JSON (keys sorted), written atomically, so a killed process leaves either the previous checkpoint or the new
/// one, never a truncated file. The search state (`PrecisionSearch`) holds every random stream, the memo of
/// measured configurations and the front, so a resumed search ends with the same front as an uninterrupted one.
public struct OptimizeCheckpoint: Sendable, Codable {
  /// The value of `format`.
  public static let formatName = "precsearch-optimize-checkpoint"
  /// The schema version this code writes and reads.
  public static let currentSchemaVersion = 1

  /// Always ``formatName``.
  public var format: String
  /// Always ``currentSchemaVersion`` when written by this code.
  public var schemaVersion: Int
  /// What the run searched: a resumed run must match it exactly.
  public var run: RunIdentity
  /// The search state.
  public var state: HybridPrecisionSearch
  /// The uniform baselines measured on the validation split before the search, by bit-width.
  public var baselines: [BaselineMeasurement]
  /// Sessions so far (1 for a checkpoint of a first run).
  public var sessions: Int
  /// Wall-clock seconds spent so far, by activity (only reported under `timing`).
  public var seconds: [String: Double]

  /// What identifies a run besides the search settings (which are part of the state).
  public struct RunIdentity: Hashable, Sendable, Codable {
    /// SHA-256 of the model's single-file form.
    public var modelSHA256: String
    /// SHA-256 of the validation images and labels used.
    public var validationSHA256: String
    /// SHA-256 of the test images and labels used.
    public var testSHA256: String
    /// SHA-256 of the energy table's canonical JSON.
    public var energyTableSHA256: String
    /// The screening settings of the evaluator.
    public var screening: ScreeningSettings
    /// The window search the fixed-point model was made with (`none`, `weights`, `activations`, `all`).
    public var windowSearch: String
    /// The weight granularity of the fixed-point model (`per-channel`); nil for `per-tensor`, the only granularity
    /// before it was recorded.
    public var weightGranularity: String?
    /// The bias correction of the fixed-point model (`on`); nil for `off`, the only setting before it was recorded.
    public var biasCorrection: String?
    /// Creates an identity.
    public init(modelSHA256: String, validationSHA256: String, testSHA256: String, energyTableSHA256: String,
                screening: ScreeningSettings, windowSearch: String = "none", weightGranularity: String? = nil,
                biasCorrection: String? = nil) {
      self.weightGranularity = weightGranularity
      self.biasCorrection = biasCorrection
      self.modelSHA256 = modelSHA256
      self.validationSHA256 = validationSHA256
      self.testSHA256 = testSHA256
      self.energyTableSHA256 = energyTableSHA256
      self.screening = screening
      self.windowSearch = windowSearch
    }

    private enum CodingKeys: String, CodingKey {
      case modelSHA256, validationSHA256, testSHA256, energyTableSHA256, screening, windowSearch, weightGranularity
      case biasCorrection
    }
    /// Decodes an identity; checkpoints written before `windowSearch` existed were made with `none`.
    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      modelSHA256 = try c.decode(String.self, forKey: .modelSHA256)
      validationSHA256 = try c.decode(String.self, forKey: .validationSHA256)
      testSHA256 = try c.decode(String.self, forKey: .testSHA256)
      energyTableSHA256 = try c.decode(String.self, forKey: .energyTableSHA256)
      screening = try c.decode(ScreeningSettings.self, forKey: .screening)
      windowSearch = try c.decodeIfPresent(String.self, forKey: .windowSearch) ?? "none"
      weightGranularity = try c.decodeIfPresent(String.self, forKey: .weightGranularity)
      biasCorrection = try c.decodeIfPresent(String.self, forKey: .biasCorrection)
    }

    /// The first field in which `other` differs from this identity, described for a message; `nil` if equal.
    public func firstDifference(from other: RunIdentity) -> String? {
      if modelSHA256 != other.modelSHA256 { return "the model differs (sha256 \(other.modelSHA256.prefix(12)) vs \(modelSHA256.prefix(12)))" }
      if validationSHA256 != other.validationSHA256 { return "the validation images differ" }
      if testSHA256 != other.testSHA256 { return "the test images differ" }
      if energyTableSHA256 != other.energyTableSHA256 { return "the energy table differs" }
      if screening != other.screening { return "the screening setting differs" }
      if windowSearch != other.windowSearch { return "the window search differs (\(other.windowSearch) vs \(windowSearch))" }
      if weightGranularity != other.weightGranularity {
        return "the weight granularity differs (\(other.weightGranularity ?? "per-tensor") vs \(weightGranularity ?? "per-tensor"))"
      }
      if biasCorrection != other.biasCorrection {
        return "the bias correction differs (\(other.biasCorrection ?? "off") vs \(biasCorrection ?? "off"))"
      }
      return nil
    }
  }

  /// A uniform configuration measured on the whole validation split.
  public struct BaselineMeasurement: Hashable, Sendable, Codable {
    /// Bits of every weight and activation.
    public var bits: Int
    /// The measurement.
    public var measurement: PrecisionMeasurement
    /// Creates an entry.
    public init(bits: Int, measurement: PrecisionMeasurement) {
      self.bits = bits
      self.measurement = measurement
    }
  }

  /// Creates a checkpoint with ``formatName`` and ``currentSchemaVersion``.
  public init(run: RunIdentity, state: HybridPrecisionSearch, baselines: [BaselineMeasurement], sessions: Int,
              seconds: [String: Double]) {
    self.format = Self.formatName
    self.schemaVersion = Self.currentSchemaVersion
    self.run = run
    self.state = state
    self.baselines = baselines
    self.sessions = sessions
    self.seconds = seconds
  }

  /// Writes the checkpoint atomically (keys sorted).
  ///
  /// - Throws: `EncodingError` or `FileAccessError`.
  public func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try FileIO.writeAtomically(encoder.encode(self), to: path)
  }

  /// Reads and validates a checkpoint.
  ///
  /// - Throws: `FileAccessError`, or ``OptimizeCheckpointError`` naming the file and what is wrong (a damaged
  ///   or foreign file, another schema version, an inconsistent state).
  public static func read(from path: String) throws -> OptimizeCheckpoint {
    let data = try FileIO.readData(at: path)
    func fail(_ message: String) -> OptimizeCheckpointError { OptimizeCheckpointError(file: path, message: message) }
    let header: JSONValue
    do { header = try JSONValue.parse(data) } catch { throw fail("not a checkpoint (\(error))") }
    guard header["format"]?.stringValue == formatName else { throw fail("not a precsearch optimize checkpoint") }
    guard header["schemaVersion"]?.integerValue == currentSchemaVersion else {
      throw fail("schema version \(header["schemaVersion"].map { "\($0)" } ?? "missing") is not supported; expected \(currentSchemaVersion)")
    }
    do {
      return try JSONDecoder().decode(OptimizeCheckpoint.self, from: data)
    } catch let error as PrecisionSearchError {
      throw fail(error.description)
    } catch {
      throw fail("damaged state: \(error)")
    }
  }
}

/// A checkpoint that cannot be used.
public struct OptimizeCheckpointError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file.
  public var file: String
  /// What is wrong.
  public var message: String
  /// Creates an error.
  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }
  /// `checkpoint 'F': message`.
  public var description: String { "checkpoint '\(file)': \(message)" }
}
