import Foundation

/// The Pareto JSON written by `precsearch optimize --output FILE` (docs/pareto-json.md, schema version 1).
///
/// Everything that depends only on the inputs and the seed sits outside ``timing``; every wall-clock figure sits
/// inside it, so two runs with the same inputs give byte-identical files once `timing` is removed. Text form:
/// keys sorted, two-space indentation, numbers in Swift's shortest round-trip form (``jsonText()``), written
/// atomically (``write(to:)``).
public struct ParetoFrontDocument: Hashable, Sendable, Codable {
  /// The value of `format`.
  public static let formatName = "precsearch-pareto-front"
  /// The schema version this code writes and reads.
  public static let currentSchemaVersion = 1

  /// Always ``formatName``.
  public var format: String
  /// Always ``currentSchemaVersion`` when written by this code.
  public var schemaVersion: Int
  /// Who made the file and how.
  public var provenance: Provenance
  /// The model searched.
  public var model: Model
  /// The data the accuracies were measured on.
  public var data: DataSplits
  /// The energy table that priced every configuration.
  public var energyModel: EnergyModelInfo
  /// The search settings.
  public var search: Search
  /// What the search did (deterministic counts).
  public var effort: Effort
  /// Hypervolume of the front found, and its history.
  public var hypervolume: HypervolumeInfo
  /// Uniform configurations (every bit-width from 16 down to 2 for every weight and activation).
  public var baselines: [Baseline]
  /// The Pareto front: non-dominated configurations on (energy, validation accuracy), by increasing energy.
  public var points: [Point]
  /// The answer to `--budget`, `--min-accuracy` or `--max-accuracy-drop`; absent for a whole-front search.
  public var selection: Selection?
  /// Every wall-clock figure (drop this object before comparing two files).
  public var timing: Timing

  /// Creates a document with ``formatName`` and ``currentSchemaVersion``.
  public init(provenance: Provenance, model: Model, data: DataSplits, energyModel: EnergyModelInfo, search: Search,
              effort: Effort, hypervolume: HypervolumeInfo, baselines: [Baseline], points: [Point],
              selection: Selection?, timing: Timing) {
    self.format = Self.formatName
    self.schemaVersion = Self.currentSchemaVersion
    self.provenance = provenance
    self.model = model
    self.data = data
    self.energyModel = energyModel
    self.search = search
    self.effort = effort
    self.hypervolume = hypervolume
    self.baselines = baselines
    self.points = points
    self.selection = selection
    self.timing = timing
  }

  /// Tool, version, source commit and command line.
  public struct Provenance: Hashable, Sendable, Codable {
    /// `precsearch`.
    public var tool: String
    /// The tool's semantic version.
    public var toolVersion: String
    /// The git commit of the sources the tool was built from, or `unknown`.
    public var commit: String
    /// The command line, canonical: the subcommand, then every given option in help order.
    public var commandLine: [String]
    /// Creates the provenance.
    public init(tool: String, toolVersion: String, commit: String, commandLine: [String]) {
      self.tool = tool
      self.toolVersion = toolVersion
      self.commit = commit
      self.commandLine = commandLine
    }
  }

  /// The model: identity and the weighted layers' sizes.
  public struct Model: Hashable, Sendable, Codable {
    /// The model's own name (from its file).
    public var name: String
    /// What `--model` designated: a shipped model's name or a file path.
    public var source: String
    /// SHA-256 of the model's single-file form (the same for both file layouts).
    public var sha256: String
    /// Input shape, `[height, width, channels]`.
    public var inputShape: [Int]
    /// Number of classes.
    public var classes: Int
    /// The weighted layers (after BatchNorm folding), in configuration order.
    public var layers: [Layer]
    /// MACs per inference, all layers.
    public var totalMACs: Int
    /// Weights and biases, all weighted layers.
    public var totalParameters: Int
    /// Which tensors' b-bit windows may sit lower in their 16-bit master (`none`, `weights`, `activations`, `all`;
    /// docs/arithmetic.md). A runtime must build its fixed-point model with the same setting to reproduce the
    /// points bit for bit. Absent in files written before it was recorded, which used `none`.
    public var windowSearch: String?
    /// `per-channel` when each output channel of a weight tensor had its own format (docs/arithmetic.md); absent
    /// for `per-tensor`, the only granularity in files written before it was recorded. A runtime must build its
    /// fixed-point model with the same setting.
    public var weightGranularity: String?
    /// `on` when every weighted layer's bias was corrected by the expected output shift of its derived weights
    /// (docs/arithmetic.md, "Bias correction"); absent for `off`, the only setting in files written before it was
    /// recorded. A runtime must build its fixed-point model with the same setting.
    public var biasCorrection: String?

    /// One weighted layer.
    public struct Layer: Hashable, Sendable, Codable {
      /// Node name.
      public var name: String
      /// MACs per inference.
      public var macs: Int
      /// Weight count.
      public var weights: Int
      /// Bias count.
      public var biases: Int
      /// Creates a layer entry.
      public init(name: String, macs: Int, weights: Int, biases: Int) {
        self.name = name
        self.macs = macs
        self.weights = weights
        self.biases = biases
      }
    }

    /// Creates the model entry.
    public init(name: String, source: String, sha256: String, inputShape: [Int], classes: Int, layers: [Layer],
                totalMACs: Int, totalParameters: Int, windowSearch: String? = nil, weightGranularity: String? = nil,
                biasCorrection: String? = nil) {
      self.windowSearch = windowSearch
      self.weightGranularity = weightGranularity
      self.biasCorrection = biasCorrection
      self.name = name
      self.source = source
      self.sha256 = sha256
      self.inputShape = inputShape
      self.classes = classes
      self.layers = layers
      self.totalMACs = totalMACs
      self.totalParameters = totalParameters
    }
  }

  /// The validation split (searched on) and the test split (final points re-measured on).
  public struct DataSplits: Hashable, Sendable, Codable {
    /// The data set's name (e.g. `fashion-mnist`).
    public var name: String
    /// The split the search measured accuracy on.
    public var validation: Split
    /// The split every final point and baseline was re-measured on; the search never saw it.
    public var test: Split

    /// One split.
    public struct Split: Hashable, Sendable, Codable {
      /// Where the images came from (files, or the hold-out rule applied to a training split).
      public var source: String
      /// Images used.
      public var images: Int
      /// SHA-256 of the images used: every image's pixel bytes (HWC) back to back, then one byte per label.
      public var sha256: String
      /// Creates a split entry.
      public init(source: String, images: Int, sha256: String) {
        self.source = source
        self.images = images
        self.sha256 = sha256
      }
    }

    /// Creates the data entry.
    public init(name: String, validation: Split, test: Split) {
      self.name = name
      self.validation = validation
      self.test = test
    }
  }

  /// The energy table.
  public struct EnergyModelInfo: Hashable, Sendable, Codable {
    /// The table's name.
    public var name: String
    /// `preset` or `file`.
    public var source: String
    /// The file, for a file table.
    public var path: String?
    /// SHA-256 of the table's canonical JSON.
    public var sha256: String
    /// Energy of one inference at uniform 16 bits, in pJ (what relative energies and `%` budgets refer to).
    public var uniform16BitPicojoules: Double
    /// Creates the entry.
    public init(name: String, source: String, path: String?, sha256: String, uniform16BitPicojoules: Double) {
      self.name = name
      self.source = source
      self.path = path
      self.sha256 = sha256
      self.uniform16BitPicojoules = uniform16BitPicojoules
    }
  }

  /// The search settings (everything that can change the result).
  public struct Search: Hashable, Sendable, Codable {
    /// `hybrid`, `nsga2`, `annealing`, `exhaustive` or `guided`.
    public var algorithm: String
    /// The seed.
    public var seed: UInt64
    /// The evaluation limit (absent without one).
    public var maximumEvaluations: Int?
    /// The time limit in seconds (absent without one).
    public var timeLimitSeconds: Double?
    /// Allowed weight bit-widths.
    public var weightBits: [Int]
    /// Allowed activation bit-widths.
    public var activationBits: [Int]
    /// Pinned layers.
    public var pins: [Pin]
    /// The constraint.
    public var constraint: Constraint
    /// NSGA-II population size.
    public var populationSize: Int
    /// NSGA-II largest mutation step (positions in a candidate list).
    public var mutationSteps: Int
    /// Simulated-annealing runs.
    public var annealingRuns: Int
    /// Share of the evaluations given to annealing in the hybrid and the guided search.
    public var annealingShare: Double
    /// Candidate offspring per offspring measured in the guided search's NSGA-II (surrogate pre-selection; 1: off);
    /// absent for the other algorithms and in documents written before it existed.
    public var preselectionCandidates: Int?
    /// How candidates were screened on part of the validation split.
    public var screening: Screening
    /// The sensitivity phase of `guided` (absent for the other algorithms).
    public var sensitivity: Sensitivity?

    /// What the sensitivity phase of `guided` did (docs/search-algorithms.md).
    public struct Sensitivity: Hashable, Sendable, Codable {
      /// The uniform bit-width of the anchor the probes moved away from (absent if none was chosen).
      public var anchorBits: Int?
      /// Single-gene probes planned around the anchor.
      public var probes: Int
      /// Configurations the knapsack proposed as seeds.
      public var seeds: Int
      /// Evaluations the phase used (counted in `effort.evaluations`).
      public var evaluations: Int
      /// Creates the entry.
      public init(anchorBits: Int?, probes: Int, seeds: Int, evaluations: Int) {
        self.anchorBits = anchorBits
        self.probes = probes
        self.seeds = seeds
        self.evaluations = evaluations
      }
    }

    /// A pinned layer.
    public struct Pin: Hashable, Sendable, Codable {
      /// Layer name.
      public var layer: String
      /// Pinned weight bits, if pinned.
      public var weightBits: Int?
      /// Pinned activation bits, if pinned.
      public var activationBits: Int?
      /// Creates a pin entry.
      public init(layer: String, weightBits: Int?, activationBits: Int?) {
        self.layer = layer
        self.weightBits = weightBits
        self.activationBits = activationBits
      }
    }

    /// The constraint: `none`, `maximumEnergy` (with `picojoules`) or `minimumAccuracy` (with `accuracy`).
    public struct Constraint: Hashable, Sendable, Codable {
      /// `none`, `maximumEnergy` or `minimumAccuracy`.
      public var kind: String
      /// The option as given (`--budget 40%`, `--max-accuracy-drop 1%`); absent for `none`.
      public var given: String?
      /// The energy budget per inference in pJ (`maximumEnergy`).
      public var picojoules: Double?
      /// The budget relative to the uniform 16-bit energy (`maximumEnergy`).
      public var relativeEnergy: Double?
      /// The validation-accuracy floor, 0...1 (`minimumAccuracy`).
      public var accuracy: Double?
      /// Creates a constraint entry.
      public init(kind: String, given: String? = nil, picojoules: Double? = nil, relativeEnergy: Double? = nil,
                  accuracy: Double? = nil) {
        self.kind = kind
        self.given = given
        self.picojoules = picojoules
        self.relativeEnergy = relativeEnergy
        self.accuracy = accuracy
      }
    }

    /// Screening settings.
    public struct Screening: Hashable, Sendable, Codable {
      /// `exact`, `confidence` or `off`.
      public var rule: String
      /// Chunks the validation split is run in.
      public var chunks: Int
      /// Standard errors of the confidence bound (`confidence` only).
      public var z: Double?
      /// Creates a screening entry.
      public init(rule: String, chunks: Int, z: Double?) {
        self.rule = rule
        self.chunks = chunks
        self.z = z
      }
    }

    /// Creates the search entry.
    public init(algorithm: String, seed: UInt64, maximumEvaluations: Int?, timeLimitSeconds: Double?, weightBits: [Int],
                activationBits: [Int], pins: [Pin], constraint: Constraint, populationSize: Int, mutationSteps: Int,
                annealingRuns: Int, annealingShare: Double, preselectionCandidates: Int? = nil, screening: Screening,
                sensitivity: Sensitivity? = nil) {
      self.algorithm = algorithm
      self.seed = seed
      self.maximumEvaluations = maximumEvaluations
      self.timeLimitSeconds = timeLimitSeconds
      self.weightBits = weightBits
      self.activationBits = activationBits
      self.pins = pins
      self.constraint = constraint
      self.populationSize = populationSize
      self.mutationSteps = mutationSteps
      self.annealingRuns = annealingRuns
      self.annealingShare = annealingShare
      self.preselectionCandidates = preselectionCandidates
      self.screening = screening
      self.sensitivity = sensitivity
    }
  }

  /// What the search did.
  public struct Effort: Hashable, Sendable, Codable {
    /// Evaluations (configurations told to the algorithms, memo hits included).
    public var evaluations: Int
    /// Evaluations answered from the memo.
    public var memoHits: Int
    /// Distinct configurations run on validation images.
    public var configurationsMeasured: Int
    /// Of those, the ones stopped early by screening.
    public var configurationsScreenedOut: Int
    /// Validation inferences run by the search (one image through one configuration).
    public var imagesRun: Int
    /// Why the search stopped: `evaluationLimit`, `timeLimit` or `exhausted`.
    public var stopReason: String
    /// Creates the entry.
    public init(evaluations: Int, memoHits: Int, configurationsMeasured: Int, configurationsScreenedOut: Int,
                imagesRun: Int, stopReason: String) {
      self.evaluations = evaluations
      self.memoHits = memoHits
      self.configurationsMeasured = configurationsMeasured
      self.configurationsScreenedOut = configurationsScreenedOut
      self.imagesRun = imagesRun
      self.stopReason = stopReason
    }
  }

  /// Hypervolume on normalized objectives: energy / uniform 16-bit energy and 1 - validation accuracy.
  public struct HypervolumeInfo: Hashable, Sendable, Codable {
    /// The reference point in normalized objectives.
    public var referencePoint: [Double]
    /// The front's hypervolume at the end.
    public var final: Double
    /// Entries every few evaluations.
    public var history: [Entry]

    /// One history entry.
    public struct Entry: Hashable, Sendable, Codable {
      /// Evaluations done.
      public var evaluations: Int
      /// Hypervolume then.
      public var hypervolume: Double
      /// Creates an entry.
      public init(evaluations: Int, hypervolume: Double) {
        self.evaluations = evaluations
        self.hypervolume = hypervolume
      }
    }

    /// Creates the entry.
    public init(referencePoint: [Double], final: Double, history: [Entry]) {
      self.referencePoint = referencePoint
      self.final = final
      self.history = history
    }
  }

  /// Top-1 accuracy on one split.
  public struct Accuracy: Hashable, Sendable, Codable {
    /// Correct / images, 0...1.
    public var accuracy: Double
    /// Images classified correctly.
    public var correct: Int
    /// Images measured.
    public var images: Int
    /// Creates an accuracy entry.
    public init(correct: Int, images: Int) {
      self.accuracy = images > 0 ? Double(correct) / Double(images) : 0
      self.correct = correct
      self.images = images
    }
  }

  /// Weight memory of one configuration.
  public struct WeightMemory: Hashable, Sendable, Codable {
    /// Bits of all weights at their layers' weight widths.
    public var weightBits: Int
    /// Bits of all biases (stored at the energy table's bias width).
    public var biasBits: Int
    /// `(weightBits + biasBits) / 8`, rounded up.
    public var bytes: Int
    /// Creates the entry.
    public init(weightBits: Int, biasBits: Int) {
      self.weightBits = weightBits
      self.biasBits = biasBits
      self.bytes = (weightBits + biasBits + 7) / 8
    }
  }

  /// Energy per inference by cause, in pJ.
  public struct Energy: Hashable, Sendable, Codable {
    /// Total.
    public var totalPicojoules: Double
    /// MACs.
    public var computePicojoules: Double
    /// Weight (and bias) reads.
    public var weightReadPicojoules: Double
    /// Activation reads.
    public var activationReadPicojoules: Double
    /// Activation writes.
    public var activationWritePicojoules: Double
    /// Leakage.
    public var leakagePicojoules: Double
    /// Creates the entry.
    public init(totalPicojoules: Double, computePicojoules: Double, weightReadPicojoules: Double,
                activationReadPicojoules: Double, activationWritePicojoules: Double, leakagePicojoules: Double) {
      self.totalPicojoules = totalPicojoules
      self.computePicojoules = computePicojoules
      self.weightReadPicojoules = weightReadPicojoules
      self.activationReadPicojoules = activationReadPicojoules
      self.activationWritePicojoules = activationWritePicojoules
      self.leakagePicojoules = leakagePicojoules
    }
  }

  /// A uniform configuration.
  public struct Baseline: Hashable, Sendable, Codable {
    /// Bits of every weight and activation.
    public var bits: Int
    /// Validation accuracy.
    public var validation: Accuracy
    /// Test accuracy.
    public var test: Accuracy
    /// Energy per inference in pJ.
    public var energyPicojoules: Double
    /// `energyPicojoules / uniform 16-bit energy`.
    public var relativeEnergy: Double
    /// Weight memory.
    public var weightMemory: WeightMemory
    /// Creates a baseline entry.
    public init(bits: Int, validation: Accuracy, test: Accuracy, energyPicojoules: Double, relativeEnergy: Double,
                weightMemory: WeightMemory) {
      self.bits = bits
      self.validation = validation
      self.test = test
      self.energyPicojoules = energyPicojoules
      self.relativeEnergy = relativeEnergy
      self.weightMemory = weightMemory
    }
  }

  /// One configuration of the front.
  public struct Point: Hashable, Sendable, Codable {
    /// `p01`, `p02`, ... by increasing energy (zero-padded so that the ids sort like the points).
    public var id: String
    /// Per weighted layer, in configuration order.
    public var layers: [Layer]
    /// Validation accuracy (what the search optimized).
    public var validation: Accuracy
    /// Test accuracy (re-measured after the search).
    public var test: Accuracy
    /// Energy per inference by cause.
    public var energy: Energy
    /// `energy.totalPicojoules / uniform 16-bit energy`.
    public var relativeEnergy: Double
    /// Weight memory.
    public var weightMemory: WeightMemory

    /// One layer's precision and energy.
    public struct Layer: Hashable, Sendable, Codable {
      /// Node name.
      public var name: String
      /// Weight bits.
      public var weightBits: Int
      /// Input-activation bits.
      public var activationBits: Int
      /// Stored output bits (the readers' highest activation width; 16 at the output).
      public var outputBits: Int
      /// The layer's energy per inference, in pJ.
      public var energyPicojoules: Double
      /// Creates a layer entry.
      public init(name: String, weightBits: Int, activationBits: Int, outputBits: Int, energyPicojoules: Double) {
        self.name = name
        self.weightBits = weightBits
        self.activationBits = activationBits
        self.outputBits = outputBits
        self.energyPicojoules = energyPicojoules
      }
    }

    /// Creates a point.
    public init(id: String, layers: [Layer], validation: Accuracy, test: Accuracy, energy: Energy,
                relativeEnergy: Double, weightMemory: WeightMemory) {
      self.id = id
      self.layers = layers
      self.validation = validation
      self.test = test
      self.energy = energy
      self.relativeEnergy = relativeEnergy
      self.weightMemory = weightMemory
    }
  }

  /// The constrained answer.
  public struct Selection: Hashable, Sendable, Codable {
    /// `maximumEnergy` or `minimumAccuracy`.
    public var constraint: String
    /// The id of the chosen point; absent when no measured configuration meets the constraint.
    public var pointId: String?
    /// One sentence on the outcome.
    public var message: String
    /// Creates the selection.
    public init(constraint: String, pointId: String?, message: String) {
      self.constraint = constraint
      self.pointId = pointId
      self.message = message
    }
  }

  /// Wall-clock figures; the only part that differs between identical runs.
  public struct Timing: Hashable, Sendable, Codable {
    /// From start to the document, in seconds (all sessions of a resumed search).
    public var wallSeconds: Double
    /// Measuring the baselines on the validation split.
    public var baselineSeconds: Double
    /// The search (all sessions of a resumed search).
    public var searchSeconds: Double
    /// Re-measuring the front and the baselines on the test split.
    public var testSeconds: Double
    /// Evaluations per second of search time.
    public var evaluationsPerSecond: Double
    /// Validation inferences per second of inference time.
    public var imagesPerSecond: Double
    /// Preparing plans (deriving weights from the masters), in the search.
    public var planSeconds: Double
    /// Running images, in the search.
    public var inferenceSeconds: Double
    /// Pricing configurations, in the search.
    public var energySeconds: Double
    /// Search time outside the three above (the algorithms, bookkeeping, checkpoints).
    public var otherSeconds: Double
    /// Worker threads the images were split over.
    public var threads: Int
    /// Sessions the search ran in (1 + the number of resumes).
    public var sessions: Int
    /// Creates the timing.
    public init(wallSeconds: Double, baselineSeconds: Double, searchSeconds: Double, testSeconds: Double,
                evaluationsPerSecond: Double, imagesPerSecond: Double, planSeconds: Double, inferenceSeconds: Double,
                energySeconds: Double, otherSeconds: Double, threads: Int, sessions: Int) {
      self.wallSeconds = wallSeconds
      self.baselineSeconds = baselineSeconds
      self.searchSeconds = searchSeconds
      self.testSeconds = testSeconds
      self.evaluationsPerSecond = evaluationsPerSecond
      self.imagesPerSecond = imagesPerSecond
      self.planSeconds = planSeconds
      self.inferenceSeconds = inferenceSeconds
      self.energySeconds = energySeconds
      self.otherSeconds = otherSeconds
      self.threads = threads
      self.sessions = sessions
    }
  }
}

extension ParetoFrontDocument {
  /// The document as deterministic JSON text: keys sorted, pretty-printed by `JSONValue.serialized`, ending in a
  /// newline.
  ///
  /// - Throws: `EncodingError` or `JSONEncodingError` for a non-finite number.
  public func jsonText() throws -> String {
    try Self.canonicalText(of: self)
  }

  /// The document as a `JSONValue` (for example to drop `timing` before comparing).
  public func jsonValue() throws -> JSONValue {
    try Self.canonicalValue(of: self)
  }

  /// Writes ``jsonText()`` to `path` atomically (a reader never sees a partial file).
  ///
  /// - Throws: encoding errors or `FileAccessError`.
  public func write(to path: String) throws {
    try FileIO.writeAtomically(Data(jsonText().utf8), to: path)
  }

  /// Reads a document, checking `format` and `schemaVersion` first.
  ///
  /// - Throws: `FileAccessError`, or ``ParetoFrontDocumentError`` naming the field (or the syntax error's position).
  public static func read(from path: String) throws -> ParetoFrontDocument {
    try decode(FileIO.readData(at: path), file: path)
  }

  /// Decodes a document from JSON bytes, checking `format` and `schemaVersion` first.
  ///
  /// - Throws: ``ParetoFrontDocumentError`` naming the file and the field (or the syntax error's line and byte).
  public static func decode(_ data: Data, file: String = "") throws -> ParetoFrontDocument {
    let value: JSONValue
    do {
      value = try JSONValue.parse(data)
    } catch {
      // The syntax error itself has no file: name it, as every other error of this reader does.
      throw ParetoFrontDocumentError(file: file, field: "(root)", message: error.description)
    }
    guard let object = value.objectValue else {
      throw ParetoFrontDocumentError(file: file, field: "(root)", message: "expected an object, found \(value.typeName)")
    }
    guard object["format"]?.stringValue == formatName else {
      throw ParetoFrontDocumentError(file: file, field: "format", message: "expected \"\(formatName)\"")
    }
    guard let version = object["schemaVersion"]?.integerValue else {
      throw ParetoFrontDocumentError(file: file, field: "schemaVersion", message: "missing or not an integer")
    }
    guard version == currentSchemaVersion else {
      throw ParetoFrontDocumentError(
        file: file, field: "schemaVersion",
        message: "version \(version) is not supported; this precsearch reads version \(currentSchemaVersion)")
    }
    do {
      let document = try JSONDecoder().decode(ParetoFrontDocument.self, from: data)
      try document.validate(file: file)
      return document
    } catch let DecodingError.keyNotFound(key, context) {
      throw ParetoFrontDocumentError(file: file, field: Self.path(context.codingPath + [key]), message: "missing required field")
    } catch let DecodingError.typeMismatch(type, context) {
      throw ParetoFrontDocumentError(file: file, field: Self.path(context.codingPath), message: "expected \(type)")
    } catch let DecodingError.valueNotFound(type, context) {
      throw ParetoFrontDocumentError(file: file, field: Self.path(context.codingPath), message: "expected \(type), found null")
    } catch let DecodingError.dataCorrupted(context) {
      throw ParetoFrontDocumentError(file: file, field: Self.path(context.codingPath), message: context.debugDescription)
    }
  }

  /// The checks every reader of a front relies on, beyond the schema's types: accuracies are counts within their
  /// image counts (and the stored fraction agrees), energies are finite and not negative, and every point has one
  /// entry per weighted layer of `model`, named as the model names them, with widths in 2...16 (issue #23: `plot`
  /// drew an accuracy of 1.5 and `report` a heat map shifted by a missing layer).
  ///
  /// - Throws: ``ParetoFrontDocumentError`` naming `file` and the field.
  public func validate(file: String) throws {
    func fail(_ field: String, _ message: String) -> ParetoFrontDocumentError {
      ParetoFrontDocumentError(file: file, field: field, message: message)
    }
    func check(_ accuracy: Accuracy, _ field: String) throws {
      guard accuracy.images >= 0, accuracy.correct >= 0, accuracy.correct <= accuracy.images else {
        throw fail("\(field).correct", "\(accuracy.correct) of \(accuracy.images) images; expected 0...images")
      }
      let expected = accuracy.images > 0 ? Double(accuracy.correct) / Double(accuracy.images) : 0
      guard accuracy.accuracy.isFinite, abs(accuracy.accuracy - expected) <= 1e-9 else {
        throw fail("\(field).accuracy", "\(accuracy.accuracy) is not correct / images (\(expected))")
      }
    }
    func check(energy value: Double, _ field: String) throws {
      guard value.isFinite, value >= 0 else { throw fail(field, "\(value); expected a finite energy >= 0") }
    }
    let names = model.layers.map(\.name)
    for (index, point) in points.enumerated() {
      let field = "points[\(index)]"
      try check(point.validation, "\(field).validation")
      try check(point.test, "\(field).test")
      try check(energy: point.energy.totalPicojoules, "\(field).energy.totalPicojoules")
      guard point.layers.map(\.name) == names else {
        throw fail("\(field).layers", "\(point.layers.count) layers (\(point.layers.map(\.name).joined(separator: ", "))); "
          + "expected the model's \(names.count) (\(names.joined(separator: ", ")))")
      }
      for (layer, entry) in point.layers.enumerated()
      where !(2...16).contains(entry.weightBits) || !(2...16).contains(entry.activationBits) {
        throw fail("\(field).layers[\(layer)]", "w\(entry.weightBits)a\(entry.activationBits); expected widths in 2...16")
      }
    }
    for (index, baseline) in baselines.enumerated() {
      try check(baseline.validation, "baselines[\(index)].validation")
      try check(baseline.test, "baselines[\(index)].test")
      try check(energy: baseline.energyPicojoules, "baselines[\(index)].energyPicojoules")
    }
  }

  static func path(_ keys: [any CodingKey]) -> String {
    var text = ""
    for key in keys {
      if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
    }
    return text.isEmpty ? "(root)" : text
  }

  /// Any `Encodable` value as a `JSONValue`, through `JSONEncoder` and the strict parser.
  static func canonicalValue(of value: some Encodable) throws -> JSONValue {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return try JSONValue.parse(encoder.encode(value))
  }

  /// Any `Encodable` value as deterministic pretty JSON text with a final newline.
  static func canonicalText(of value: some Encodable) throws -> String {
    try canonicalValue(of: value).serialized(pretty: true) + "\n"
  }
}

/// A Pareto JSON file that does not fit the schema: the file, the JSON path and what was expected.
public struct ParetoFrontDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file (may be empty for in-memory data).
  public var file: String
  /// JSON path of the offending field, e.g. `points[3].validation.correct`.
  public var field: String
  /// What is wrong.
  public var message: String
  /// Creates an error.
  public init(file: String, field: String, message: String) {
    self.file = file
    self.field = field
    self.message = message
  }
  /// `Pareto front file 'F', field P: message`.
  public var description: String {
    "Pareto front file\(file.isEmpty ? "" : " '\(file)'"), field \(field): \(message)"
  }
}
