/// The rule that holds a validation set out of a published training split. Deterministic, documented in
/// docs/model-format.md ("Data sets and splits"), and recorded in provenance (`provenance` below), so a split can
/// be rebuilt exactly from the training files and the rule.
public enum ValidationHoldout: Hashable, Sendable, Codable {
  /// The last `count` images of the training split, in file order, are the validation set.
  case lastImages(count: Int)
  /// The `count` images with the smallest SplitMix64 keys are the validation set, where image `i`'s key is the
  /// `i`-th output (0-based) of SplitMix64 seeded with `seed`, i.e. `mix(seed &+ (i + 1) &* 0x9E3779B97F4A7C15)`
  /// (ties, which need equal 64-bit keys, go to the lower index). Independent of the Swift version and easy to
  /// reproduce in any language.
  case seededRandom(count: Int, seed: UInt64)

  /// The number of validation images.
  public var count: Int {
    switch self {
    case .lastImages(let n), .seededRandom(let n, _): return n
    }
  }

  /// The rule as a JSON object for provenance, e.g. `{"rule": "seededRandom", "count": 5000, "seed": 1}`
  /// (the seed as a decimal string, since it may exceed JSON's exact integer range).
  public var provenance: JSONValue {
    switch self {
    case .lastImages(let n): return ["rule": "lastImages", "count": .integer(n)]
    case .seededRandom(let n, let seed): return ["rule": "seededRandom", "count": .integer(n), "seed": .string(String(seed))]
    }
  }
}

/// A published training split divided into the images to train on and the held-out validation images
/// (which must never be trained on). Both keep the source order.
public struct TrainValidationSplit: Sendable {
  /// The rule that made the split.
  public let rule: ValidationHoldout
  /// Indices into the source of the training images, ascending.
  public let trainIndices: [Int]
  /// Indices into the source of the validation images, ascending; disjoint from `trainIndices`, and together
  /// they cover the source.
  public let validationIndices: [Int]
  /// The training images.
  public let train: ImageDataset
  /// The validation images.
  public let validation: ImageDataset

  /// Splits `source` by `rule`. Throws `DatasetError` unless `1 <= rule.count < source.count`.
  public init(splitting source: ImageDataset, rule: ValidationHoldout) throws {
    let n = source.count
    guard rule.count >= 1, rule.count < n else {
      throw DatasetError(file: nil,
        message: "a validation set of \(rule.count) images must have at least 1 image and leave at least 1 of the \(n) for training")
    }
    var isValidation = [Bool](repeating: false, count: n)
    switch rule {
    case .lastImages(let count):
      for i in (n - count)..<n { isValidation[i] = true }
    case .seededRandom(let count, let seed):
      let keyed = (0..<n).map { (key: Self.splitMix64(seed: seed, index: $0), index: $0) }
      let chosen = keyed.sorted { ($0.key, $0.index) < ($1.key, $1.index) }.prefix(count)
      for c in chosen { isValidation[c.index] = true }
    }
    self.rule = rule
    validationIndices = (0..<n).filter { isValidation[$0] }
    trainIndices = (0..<n).filter { !isValidation[$0] }
    train = source.subset(trainIndices)
    validation = source.subset(validationIndices)
  }

  /// The `index`-th output (0-based) of SplitMix64 seeded with `seed`. Wrapping arithmetic is the definition of
  /// the generator (all operations are modulo 2^64).
  static func splitMix64(seed: UInt64, index: Int) -> UInt64 {
    var z = seed &+ (UInt64(truncatingIfNeeded: index) &+ 1) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
