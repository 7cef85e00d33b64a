import CodeGeneration
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime

/// `precsearch export`: writes a self-contained, bit-exact C99 library of a model at chosen operating points of its
/// Pareto front, switchable at run time from one stored copy of the weights (docs/export.md).
struct ExportCommand: Subcommand {
  static let modelOption = OptionSpec.value(
    "model", valueName: "name-or-path",
    help: "A shipped model by name (fashion, kws) or a model file with calibration ranges.", isRequired: true)
  static let frontOption = OptionSpec.value(
    "front", valueName: "file",
    help: "The Pareto JSON written by 'precsearch optimize' for this model: the exported points come from it.",
    isRequired: true)
  static let pointsOption = OptionSpec.value(
    "points", valueName: "ids",
    help: "The front's point ids to export, separated by commas (p03,p12,p20); the library's point table keeps this order.")
  static let allOption = OptionSpec.flag("all", help: "Export every point of the front, in the front's order.")
  static let outputOption = OptionSpec.value(
    "output", valueName: "dir",
    help: "The directory to write PREFIX.h, PREFIX.c, PREFIX_weights.c and README.md into (created if missing; "
      + "its parent must exist).", isRequired: true)
  static let prefixOption = OptionSpec.value(
    "prefix", valueName: "name",
    help: "The C prefix of the files and symbols, a C identifier (default: the model's name).")
  static let weightsOption = OptionSpec.value(
    "weights", valueName: "storage",
    help: "master16: one 16-bit master per weight tensor, every point derived from it by the engine's shift and "
      + "saturation rule; packed: only the exported points' codes, bit-packed at their widths.",
    defaultValue: WeightStorage.master16.rawValue, allowedValues: WeightStorage.allCases.map(\.rawValue))

  static let configuration = CommandConfiguration(
    name: "export",
    abstract: "Write a bit-exact C99 library of a model at operating points of its Pareto front.",
    discussion: """
      Builds the model's 16-bit masters with the window search the front records (as 'precsearch run' does) and \
      writes a plain C99 library (no dynamic allocation, no libm) that computes, at each exported point, exactly \
      the integer logits of precsearch's engine, and switches points at run time with PREFIX_set_point. The \
      README.md it writes says how to build it, the memory each point needs and the arithmetic reference (the \
      model file's SHA-256). Give exactly one of --points and --all. The same inputs give the same files, byte \
      for byte. See docs/export.md.
      """,
    options: [modelOption, frontOption, pointsOption, allOption, outputOption, prefixOption, weightsOption],
    examples: [
      "precsearch export --model fashion --front Results/optimize/fashion-budget40.json --points p05,p20,p40 --output fashion-c",
      "precsearch export --model kws --front front.json --all --output kws-c --prefix kws_net",
      "precsearch export --model fashion --front front.json --points p31 --weights packed --output fashion-p31",
    ])

  var modelValue: String
  var frontPath: String
  /// Point ids in table order; nil for `--all`.
  var pointIDs: [String]?
  var outputDirectory: String
  var prefix: String?
  var weights: WeightStorage

  init(parsing arguments: ParsedArguments) throws(UsageError) {
    modelValue = try arguments.requiredValue(Self.modelOption)
    frontPath = try arguments.requiredValue(Self.frontOption)
    outputDirectory = try arguments.requiredValue(Self.outputOption)
    try arguments.requireAtMostOne(of: [Self.pointsOption, Self.allOption])
    if let text = arguments.value(Self.pointsOption) {
      let ids = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
      guard !ids.contains(where: \.isEmpty) else {
        throw UsageError("The value '\(text)' is invalid for '\(Self.pointsOption.synopsis)'; expected point ids "
          + "separated by commas, e.g. 'p03,p12'.")
      }
      if let repeated = ids.enumerated().first(where: { ids[..<$0.offset].contains($0.element) })?.element {
        throw UsageError("The value '\(text)' is invalid for '\(Self.pointsOption.synopsis)': '\(repeated)' is given twice.")
      }
      pointIDs = ids
    } else if arguments.flag(Self.allOption) {
      pointIDs = nil
    } else {
      throw UsageError("Missing expected argument: give '\(Self.pointsOption.synopsis)' or '\(Self.allOption.synopsis)' "
        + "to choose the points to export.")
    }
    prefix = arguments.value(Self.prefixOption)
    if let prefix, let problem = CIdentifier.problem(with: prefix) {
      throw UsageError("The value '\(prefix)' is invalid for '\(Self.prefixOption.synopsis)': \(problem).")
    }
    weights = try arguments.choice(Self.weightsOption, as: WeightStorage.self) ?? .master16
  }

  func run(output: inout some TextOutputStream, errors: inout some TextOutputStream) throws {
    // Paths first: nothing is loaded before the inputs exist and the outputs can be written.
    let (modelPath, _) = try ModelLoading.resolve(modelValue)
    try FileChecks.requireReadableFile(modelPath, what: "model file")
    try FileChecks.requireReadableFile(frontPath, what: "Pareto front file")
    let inputs = [(Self.modelOption.synopsis, modelPath), (Self.frontOption.synopsis, frontPath)]
    for (option, path) in inputs where FileRoles.sameFile(path, outputDirectory) {
      throw UsageError("The value '\(outputDirectory)' is invalid for '\(Self.outputOption.synopsis)': it is the file "
        + "'\(path)' that \(option) reads; give a directory for the library.")
    }
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory)
    if exists && !isDirectory.boolValue {
      throw CommandFailure("cannot write the library into '\(outputDirectory)': it is a file, not a directory")
    }
    if !exists {
      let parent = URL(fileURLWithPath: outputDirectory).deletingLastPathComponent().path
      guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw CommandFailure("cannot create the directory '\(outputDirectory)': its parent '\(parent)' does not exist")
      }
      guard FileManager.default.isWritableFile(atPath: parent) else {
        throw CommandFailure("cannot create the directory '\(outputDirectory)': its parent '\(parent)' is not writable")
      }
    }

    let model = try ModelLoading.load(path: modelPath)
    guard let ranges = model.activationRanges else {
      throw CommandFailure("model '\(modelPath)' has no calibration ranges (activationRanges), which the fixed-point "
        + "engine needs to choose its formats; use a model file written after calibration on training data")
    }
    try model.preprocessing.validate(channels: model.network.inputShape.channels)
    let prefix = try self.prefix ?? Self.defaultPrefix(model.name)
    let names = ["\(prefix).h", "\(prefix).c", "\(prefix)_weights.c", "README.md"]
    let files = names.map { URL(fileURLWithPath: outputDirectory).appendingPathComponent($0).path }
    for file in files {
      for (option, path) in inputs where FileRoles.sameFile(path, file) {
        throw UsageError("The value '\(outputDirectory)' is invalid for '\(Self.outputOption.synopsis)': the library "
          + "file '\(file)' would overwrite '\(path)' that \(option) reads; choose another directory or prefix.")
      }
      if exists { try FileRoles.checkWritable(file, what: "library file") }
    }

    let front = try ParetoFrontDocument.loadRuntimeFront(from: frontPath, network: model.network, ranges: ranges)
    let checksum = sha256Hex(of: try model.singleFileData(file: modelPath))
    if front.document.model.sha256 != checksum {
      errors.write("Warning: '\(frontPath)' was searched on a model with SHA-256 \(front.document.model.sha256.prefix(16))..., "
        + "not this one (\(checksum.prefix(16))...); its layers match, but its accuracies and energies may not apply.\n")
    }
    let chosen: [OperatingPointSelection]
    if let pointIDs {
      chosen = try pointIDs.map { id in
        guard let point = front.points.first(where: { $0.id == id }) else {
          throw UsageError("The value '\(pointIDs.joined(separator: ","))' is invalid for '\(Self.pointsOption.synopsis)': "
            + "the front has no point '\(id)'; it has " + front.points.map(\.id).joined(separator: ", ") + ".")
        }
        return OperatingPointSelection(point)
      }
    } else {
      chosen = front.points.map(OperatingPointSelection.init)
    }
    let request = CLibraryRequest(
      prefix: prefix, weightStorage: weights, points: chosen.map(\.exported), preprocessing: model.preprocessing,
      modelName: model.name, modelChecksum: checksum,
      arithmeticReference: "docs/arithmetic.md of precsearch \(PrecSearchTool.version) (commit \(SourceRevision.commit))",
      frontName: URL(fileURLWithPath: frontPath).lastPathComponent)
    let library: CLibrary
    do {
      library = try CLibraryGenerator.generate(model: front.model, request: request)
    } catch let error as CodeGenerationError {
      throw CommandFailure(error.description)
    }
    if !exists {
      try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: false)
    }
    for (file, path) in zip(library.files, files) {
      try FileIO.writeAtomically(Data(file.contents.utf8), to: path)
    }
    output.write(Self.summary(library, files: files, request: request))
  }

  /// The model's name as a prefix, or a usage error asking for --prefix.
  static func defaultPrefix(_ name: String) throws -> String {
    if CIdentifier.isValid(name) { return name }
    throw UsageError("Missing expected argument '\(prefixOption.synopsis)': the model's name '\(name)' is not a C "
      + "identifier (\(CIdentifier.problem(with: name) ?? "")).")
  }

  /// What was written and the memory it needs.
  static func summary(_ library: CLibrary, files: [String], request: CLibraryRequest) -> String {
    let memory = library.memory
    var text = "Wrote \(files.joined(separator: ", "))\n"
    text += "Points: \(request.points.map(\.id).joined(separator: ", ")) (ids 0...\(request.points.count - 1))\n"
    switch request.weightStorage {
    case .master16:
      text += "Weights: 16-bit masters, \(memory.master16WeightBytes) bytes (+ \(memory.biasBytes) bytes of bias masters)\n"
    case .packed:
      let saved = memory.packedBytesSaved ?? 0
      text += "Weights: packed codes, \(memory.storedWeightBytes) bytes (+ \(memory.biasBytes) bytes of bias masters); "
        + (saved >= 0 ? "saves \(saved) bytes against" : "\(-saved) bytes more than")
        + " the 16-bit masters (\(memory.master16WeightBytes) bytes)\n"
    }
    text += "Scratch: \(memory.scratchBytes) bytes (\(request.prefix.uppercased())_SCRATCH_BYTES)\n"
    return text
  }
}

/// A front point as the generator takes it.
struct OperatingPointSelection {
  var exported: ExportedPoint
  init(_ point: OperatingPoint) {
    exported = ExportedPoint(id: point.id, configuration: point.configuration,
                             validationAccuracy: point.validationAccuracy, testAccuracy: point.testAccuracy,
                             energyJoules: point.energyJoules)
  }
}
