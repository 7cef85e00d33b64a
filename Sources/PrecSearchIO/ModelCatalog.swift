import Foundation

/// An IDX images file and its labels file.
public struct IDXFilePair: Hashable, Sendable {
  /// The images file (`*-images-idx3-ubyte`).
  public var images: String
  /// The labels file (`*-labels-idx1-ubyte`).
  public var labels: String
  /// Creates a pair.
  public init(images: String, labels: String) {
    self.images = images
    self.labels = labels
  }
}

/// A model shipped with precsearch, found by name (`--model fashion`) wherever the tool runs.
public struct ShippedModel: Hashable, Sendable {
  /// The name users type (`fashion`).
  public var name: String
  /// The model file.
  public var modelPath: String
  /// The data set's name, recorded in outputs (`fashion-mnist`).
  public var dataName: String
  /// The shipped validation split (held out from training, never trained on), when it ships.
  public var validation: IDXFilePair?
  /// The shipped test split, when it ships.
  public var test: IDXFilePair?
  /// Where to get the data when it does not ship (shown when `--data` is missing), e.g. how to make CIFAR-10's
  /// binary batches.
  public var dataHint: String

  /// Creates an entry.
  public init(name: String, modelPath: String, dataName: String, validation: IDXFilePair?, test: IDXFilePair?,
              dataHint: String) {
    self.name = name
    self.modelPath = modelPath
    self.dataName = dataName
    self.validation = validation
    self.test = test
    self.dataHint = dataHint
  }
}

/// The models precsearch ships, by name.
///
/// `precsearch optimize --model NAME|PATH` (and any command that accepts a model name) asks
/// ``shippedModel(named:)`` first when the value is not an existing file.
public enum ModelCatalog {
  /// The names the shipped models will have (issue 3); used in messages while a model is not installed yet.
  public static let plannedNames = ["fashion", "cifar10"]

  /// The shipped model called `name`, or `nil` if there is none (or its files are not installed).
  ///
  /// THE SEAM FOR THE TRAINING DEVELOPER: return the installed model file and, for `fashion`, the shipped
  /// validation and test IDX pairs (for example from the package's resources); `cifar10` ships no data and
  /// gives `validation: nil, test: nil` with a `dataHint`. Nothing else needs to change for `optimize`.
  public static func shippedModel(named name: String) -> ShippedModel? {
    nil
  }
}

extension ValidationHoldout {
  /// Reads the JSON object written by ``provenance`` (`{"rule": "seededStratified", "perClass": 500, "seed": "1"}`);
  /// `nil` when `value` is not such an object.
  public init?(provenance value: JSONValue) {
    func seed() -> UInt64? {
      if let text = value["seed"]?.stringValue { return UInt64(text) }
      return value["seed"]?.integerValue.flatMap { $0 >= 0 ? UInt64($0) : nil }
    }
    switch value["rule"]?.stringValue {
    case "lastImages":
      guard let count = value["count"]?.integerValue else { return nil }
      self = .lastImages(count: count)
    case "seededRandom":
      guard let count = value["count"]?.integerValue, let seed = seed() else { return nil }
      self = .seededRandom(count: count, seed: seed)
    case "seededStratified":
      guard let perClass = value["perClass"]?.integerValue, let seed = seed() else { return nil }
      self = .seededStratified(perClass: perClass, seed: seed)
    default:
      return nil
    }
  }

  /// `seededStratified(perClass: 500, seed: 1)` in words, for reports.
  public var summary: String {
    switch self {
    case .lastImages(let count): return "the last \(count) training images"
    case .seededRandom(let count, let seed): return "\(count) training images chosen by SplitMix64 keys (seed \(seed))"
    case .seededStratified(let perClass, let seed):
      return "\(perClass) training images per class chosen by SplitMix64 keys (seed \(seed))"
    }
  }
}

extension ImageDataset {
  /// SHA-256 (hex) of every image's pixel bytes (HWC) back to back, then one byte per label: identifies the
  /// images and labels whatever file format they came from.
  public var contentSHA256: String {
    var hasher = SHA256()
    pixels.withUnsafeBytes { hasher.update($0) }
    labels.withUnsafeBytes { hasher.update($0) }
    return SHA256.hex(hasher.finalize())
  }

  /// The first `count` images (all of them when `count >= self.count`).
  public func prefix(_ count: Int) -> ImageDataset {
    count >= self.count ? self : subset(Array(0..<max(0, count)))
  }
}
