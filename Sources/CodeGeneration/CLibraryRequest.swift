import NetworkEngine

/// How the generated library stores its weights.
public enum WeightStorage: String, Hashable, Sendable, CaseIterable {
  /// The one 16-bit master per tensor; every point's codes are derived from it by the engine's shift and
  /// saturation rule (`MasterPrecision.derive`).
  case master16
  /// Only the codes the chosen points use, bit-packed at their widths (one copy per distinct width and window
  /// shift of a layer); for single-point or few-point deployments.
  case packed
}

/// One operating point to export: a precision configuration and what the front measured for it.
public struct ExportedPoint: Hashable, Sendable {
  /// The front's id (`p07`).
  public var id: String
  /// Weight and activation bits per weighted layer.
  public var configuration: PrecisionConfiguration
  /// Expected validation accuracy (fraction).
  public var validationAccuracy: Double
  /// Expected test accuracy (fraction), when the front measured one.
  public var testAccuracy: Double?
  /// Energy per inference in joules, from the front's energy model.
  public var energyJoules: Double

  /// Creates a point.
  public init(id: String, configuration: PrecisionConfiguration, validationAccuracy: Double, testAccuracy: Double?,
              energyJoules: Double) {
    self.id = id
    self.configuration = configuration
    self.validationAccuracy = validationAccuracy
    self.testAccuracy = testAccuracy
    self.energyJoules = energyJoules
  }
}

/// What to generate: the library's name, its points and how it stores weights, and the facts its README records.
public struct CLibraryRequest: Hashable, Sendable {
  /// The C prefix of every file and symbol (a C identifier, see `CIdentifier`).
  public var prefix: String
  /// Weight storage.
  public var weightStorage: WeightStorage
  /// The points, in the order of the library's point table (point `i` is `PREFIX_set_point(i)`).
  public var points: [ExportedPoint]
  /// How raw 8-bit inputs become the network's float input (for `PREFIX_quantize_raw`).
  public var preprocessing: InputPreprocessing
  /// The model's name (shown in comments and the README).
  public var modelName: String
  /// SHA-256 of the model file (hex), recorded as the arithmetic's reference.
  public var modelChecksum: String
  /// Where the arithmetic is specified, e.g. `docs/arithmetic.md of precsearch 0.1.0 (commit abc123)`.
  public var arithmeticReference: String
  /// The front the points come from (a file name, shown in the README).
  public var frontName: String

  /// Creates a request.
  public init(prefix: String, weightStorage: WeightStorage, points: [ExportedPoint], preprocessing: InputPreprocessing,
              modelName: String, modelChecksum: String, arithmeticReference: String, frontName: String) {
    self.prefix = prefix
    self.weightStorage = weightStorage
    self.points = points
    self.preprocessing = preprocessing
    self.modelName = modelName
    self.modelChecksum = modelChecksum
    self.arithmeticReference = arithmeticReference
    self.frontName = frontName
  }
}

/// One generated file.
public struct GeneratedFile: Hashable, Sendable {
  /// File name (no directory), e.g. `fashion.h`.
  public var name: String
  /// The file's text (ASCII).
  public var contents: String
}

/// The memory the generated library needs.
public struct CLibraryMemory: Hashable, Sendable {
  /// Weights of all layers as 16-bit masters: 2 bytes per weight.
  public var master16WeightBytes: Int
  /// Bias masters (Int64, 8 bytes per output channel), stored in both modes.
  public var biasBytes: Int
  /// Weight bytes this library stores in flash (`master16WeightBytes`, or the packed codes).
  public var storedWeightBytes: Int
  /// Bytes `packed` saves against `master16` (nil for `master16`); negative when packing several points costs more.
  public var packedBytesSaved: Int?
  /// `PREFIX_SCRATCH_BYTES`: the RAM `PREFIX_infer` needs (activations, one layer's derived input codes and bias,
  /// one filter's derived weight codes), the same for every point.
  public var scratchBytes: Int
  /// Of the scratch: the activation buffers (16-bit codes, reused as soon as their last reader ran).
  public var activationBytes: Int
  /// Of the scratch: one layer's derived input codes and bias and one filter's weight codes.
  public var layerScratchBytes: Int
  /// Static RAM of the optional `PREFIX_DERIVE_AT_SET_POINT` build (derived codes of every layer, 16-bit, and bias).
  public var deriveAtSetPointStaticBytes: Int
  /// Per point, in table order: the bytes of that point's weight codes bit-packed alone (what a one-point `packed`
  /// export stores).
  public var packedWeightBytesPerPoint: [Int]
}

/// A generated library: its files (header, code, weights, README, in that order) and its memory budget.
public struct CLibrary: Hashable, Sendable {
  /// The files, in a fixed order.
  public var files: [GeneratedFile]
  /// The memory budget.
  public var memory: CLibraryMemory
}
