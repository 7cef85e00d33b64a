import PrecSearchFormats
import Foundation
import SeededRandom

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
///
/// Layout: each model `NAME` has a directory `NAME/` in the `ShippedModels` resource folder
/// (`Sources/PrecSearchIO/Resources/ShippedModels/`, copied into the SwiftPM resource bundle) holding the model
/// file `NAME.psmodel` and, when the data ships, the held-out validation split (`validation-images-idx3-ubyte`,
/// `validation-labels-idx1-ubyte`), the test split (`t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`) and the data
/// set's `COPYRIGHT`. The folder is looked up in ``searchDirectories`` order; a model counts as installed when its
/// model file exists there (and, for a model whose data ships, all four IDX files).
public enum ModelCatalog {
  /// The names of the models precsearch ships (whether or not their files are installed in this build).
  public static let plannedNames = ["fashion", "cifar10", "fer", "kws"]

  /// The environment variable that names an extra `ShippedModels` folder, searched first.
  public static let environmentVariable = "PRECSEARCH_SHIPPED_MODELS"

  /// Where to get CIFAR-10 (it is not committed: too large, and not ours to redistribute).
  public static let cifar10DataHint = "CIFAR-10 does not ship with precsearch; make its binary batches with "
    + "'../shared/tools/cifar10-to-bin OUT' (needs Pillow: python3 -m pip install pillow) and pass --data OUT"

  /// Where to get FER2013 (it is not committed: its licence is unclear, research use only).
  public static let fer2013DataHint = "FER2013 does not ship with precsearch; pass --data DIR with its record files "
    + "(train.bin, publictest.bin, privatetest.bin: 1 label byte + 2,304 pixels each, as in ../shared/data/fer2013) "
    + "or the Kaggle fer2013.csv (emotion,pixels,Usage); validation is PublicTest, test is PrivateTest"

  /// What each planned model is: its data set's name and whether its validation and test splits ship.
  static func entry(_ name: String) -> (dataName: String, dataShips: Bool, dataHint: String)? {
    switch name {
    case "fashion":
      return ("fashion-mnist", true, "the Fashion-MNIST splits ship with the model; pass --data DIR to use other files")
    case "cifar10":
      return ("cifar10", false, cifar10DataHint)
    case "fer":
      return ("fer2013", false, fer2013DataHint)
    case "kws":
      return ("kws-synthetic", true, "the 8-bit MFCC features of the synthetic validation and test speakers ship with "
        + "the model (docs/audio.md); pass --data DIR to use other files")
    default:
      return nil
    }
  }

  /// The `ShippedModels` folders searched, in order: `$PRECSEARCH_SHIPPED_MODELS` when set, the SwiftPM resource
  /// bundle next to the executable (`precsearch_PrecSearchIO.resources/ShippedModels`, as `swift build` lays it out),
  /// then the source checkout this module was built from. Only existing directories are listed.
  public static var searchDirectories: [String] {
    var candidates: [URL] = []
    if let extra = ProcessInfo.processInfo.environment[environmentVariable], !extra.isEmpty {
      candidates.append(URL(fileURLWithPath: extra))
    }
    var executableDirectories = [Bundle.main.bundleURL]
    if let executable = Bundle.main.executableURL { executableDirectories.append(executable.deletingLastPathComponent()) }
    for directory in executableDirectories {
      for bundle in ["precsearch_PrecSearchIO.resources", "precsearch_PrecSearchIO.bundle",
                     "precsearch_PrecSearchIO.bundle/Contents/Resources"] {
        candidates.append(directory.appendingPathComponent(bundle).appendingPathComponent("ShippedModels"))
      }
    }
    // This file is Sources/PrecSearchIO/ModelCatalog.swift: the folder sits next to it.
    candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Resources").appendingPathComponent("ShippedModels"))
    var seen: [String] = []
    for url in candidates {
      let path = url.standardizedFileURL.path
      var isDirectory: ObjCBool = false
      guard !seen.contains(path), FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
            isDirectory.boolValue else { continue }
      seen.append(path)
    }
    return seen
  }

  /// How a path is shown to people: a file of the shipped models as `shipped:NAME/FILE` (wherever the build put
  /// the resource bundle, so that reports and logs do not show internal `.build/...` paths), any other path as is.
  public static func displayPath(_ path: String) -> String {
    let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
    for directory in searchDirectories where standardized.hasPrefix(directory + "/") {
      return "shipped:" + standardized.dropFirst(directory.count + 1)
    }
    return path
  }

  /// The shipped model called `name`, or `nil` if there is none (or its files are not installed).
  ///
  /// For `fashion` the entry carries the shipped validation and test IDX pairs; `cifar10` ships no data and gives
  /// `validation: nil, test: nil` with a `dataHint` saying where to get it.
  public static func shippedModel(named name: String) -> ShippedModel? {
    guard let entry = entry(name) else { return nil }
    let fm = FileManager.default
    for directory in searchDirectories {
      let folder = URL(fileURLWithPath: directory).appendingPathComponent(name).path
      let model = URL(fileURLWithPath: folder).appendingPathComponent("\(name).psmodel").path
      guard fm.fileExists(atPath: model) else { continue }
      var validation: IDXFilePair?, test: IDXFilePair?
      if entry.dataShips {
        let v = IDXReader.filePaths(directory: folder, prefix: "validation")
        let t = IDXReader.filePaths(directory: folder, split: .test)
        guard [v.images, v.labels, t.images, t.labels].allSatisfy(fm.fileExists(atPath:)) else { continue }
        validation = IDXFilePair(images: v.images, labels: v.labels)
        test = IDXFilePair(images: t.images, labels: t.labels)
      }
      return ShippedModel(name: name, modelPath: model, dataName: entry.dataName, validation: validation, test: test,
                          dataHint: entry.dataHint)
    }
    return nil
  }

  /// The planned names whose files are installed in this build, in `plannedNames` order.
  public static var installedNames: [String] { plannedNames.filter { shippedModel(named: $0) != nil } }

  /// A one-line message for a `--model` value that is neither a file nor a shipped model: it lists the shipped
  /// names (marking the ones not installed in this build).
  public static func unknownModelMessage(_ value: String) -> String {
    let installed = installedNames
    let names = plannedNames.map { installed.contains($0) ? $0 : "\($0) (not installed in this build)" }
    return "cannot read model '\(value)': no such file, and no shipped model has that name (shipped models: "
      + names.joined(separator: ", ") + ")"
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
