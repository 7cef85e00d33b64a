import PrecSearchFormats
import SeededRandom

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
  /// Class-balanced: for every label present, the `perClass` images of that label with the smallest SplitMix64
  /// keys (the keys of `seededRandom`) are validation. Every label must have more than `perClass` images.
  case seededStratified(perClass: Int, seed: UInt64)

  /// The rule as a JSON object for provenance, e.g. `{"rule": "seededRandom", "count": 5000, "seed": 1}`
  /// (the seed as a decimal string, since it may exceed JSON's exact integer range).
  public var provenance: JSONValue {
    switch self {
    case .lastImages(let n): return ["rule": "lastImages", "count": .integer(n)]
    case .seededRandom(let n, let seed): return ["rule": "seededRandom", "count": .integer(n), "seed": .string(String(seed))]
    case .seededStratified(let n, let seed):
      return ["rule": "seededStratified", "perClass": .integer(n), "seed": .string(String(seed))]
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

  /// Splits `source` by `rule`. Throws `DatasetError` unless the validation set gets at least one image and the
  /// training set keeps at least one (for `seededStratified`: at least one of every label).
  public init(splitting source: ImageDataset, rule: ValidationHoldout) throws {
    let n = source.count
    guard n >= 2 else { throw DatasetError(file: nil, message: "cannot hold out validation images from \(n) image(s)") }
    func checkCount(_ count: Int, of total: Int, _ what: String) throws {
      guard count >= 1, count < total else {
        throw DatasetError(file: nil,
          message: "a validation set of \(count) \(what) must have at least 1 image and leave at least 1 of the \(total) for training")
      }
    }
    var isValidation = [Bool](repeating: false, count: n)
    func smallestKeys(_ indices: [Int], _ count: Int, _ seed: UInt64) {
      let keyed = indices.map { (key: Self.splitMix64(seed: seed, index: $0), index: $0) }
      for c in keyed.sorted(by: { ($0.key, $0.index) < ($1.key, $1.index) }).prefix(count) { isValidation[c.index] = true }
    }
    switch rule {
    case .lastImages(let count):
      try checkCount(count, of: n, "images")
      for i in (n - count)..<n { isValidation[i] = true }
    case .seededRandom(let count, let seed):
      try checkCount(count, of: n, "images")
      smallestKeys(Array(0..<n), count, seed)
    case .seededStratified(let perClass, let seed):
      var byLabel = [[Int]](repeating: [], count: 256)
      for i in 0..<n { byLabel[Int(source.labels[i])].append(i) }
      for (label, indices) in byLabel.enumerated() where !indices.isEmpty {
        try checkCount(perClass, of: indices.count, "images of label \(label)")
        smallestKeys(indices, perClass, seed)
      }
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
    SplitMix64.mix(seed &+ (UInt64(truncatingIfNeeded: index) &+ 1) &* SplitMix64.increment)
  }
}

/// A labelled evaluation set (e.g. a `labels.csv` folder, which has no published validation split) divided into
/// a validation half to search on and a test half to report on: for every label with `n` images, the `n / 2`
/// (rounded down) with the smallest SplitMix64 keys (the keys of ``ValidationHoldout/seededRandom(count:seed:)``)
/// are validation, the rest test. Deterministic, stratified, and recorded by ``summary`` in the Pareto JSON.
public struct StratifiedHalves: Sendable {
  /// The seed of the keys.
  public let seed: UInt64
  /// Indices of the validation images, ascending.
  public let validationIndices: [Int]
  /// Indices of the test images, ascending; disjoint from `validationIndices`, together covering the source.
  public let testIndices: [Int]
  /// The validation images (source order).
  public let validation: ImageDataset
  /// The test images (source order).
  public let test: ImageDataset

  /// Splits `source`. Throws `DatasetError` unless both halves get at least one image.
  public init(splitting source: ImageDataset, seed: UInt64) throws {
    var byLabel = [[Int]](repeating: [], count: 256)
    for i in 0..<source.count { byLabel[Int(source.labels[i])].append(i) }
    var isValidation = [Bool](repeating: false, count: source.count)
    for indices in byLabel where indices.count >= 2 {
      let keyed = indices.map { (key: TrainValidationSplit.splitMix64(seed: seed, index: $0), index: $0) }
      for c in keyed.sorted(by: { ($0.key, $0.index) < ($1.key, $1.index) }).prefix(indices.count / 2) {
        isValidation[c.index] = true
      }
    }
    validationIndices = (0..<source.count).filter { isValidation[$0] }
    testIndices = (0..<source.count).filter { !isValidation[$0] }
    guard !validationIndices.isEmpty, !testIndices.isEmpty else {
      throw DatasetError(file: nil, message: "cannot split \(source.count) image(s) into validation and test halves; "
        + "expected at least two images of some class")
    }
    self.seed = seed
    validation = source.subset(validationIndices)
    test = source.subset(testIndices)
  }

  /// The rule in words, e.g. for a split's `source` in the Pareto JSON.
  public var summary: String {
    "a stratified split into halves (seed \(seed); per class, the half with the smallest SplitMix64 keys, rounded down, is validation)"
  }
}
