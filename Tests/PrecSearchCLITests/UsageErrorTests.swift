import Foundation
import Testing
@testable import PrecSearchCLI
import PrecSearchFormats
import PrecSearchIO
import PrecSearchTestSupport

/// Exit statuses and messages for mistakes on the command line (64) and failures at run time (1).
@Suite struct UsageErrorTests {
  /// Checks the three-part usage error: `Error: <reason>`, the usage line(s), the pointer to help; nothing on stdout.
  func expectUsageError(_ arguments: [String], reason: String, command: String?,
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let run = runTool(arguments)
    #expect(run.status == 64, "\(arguments)", sourceLocation: sourceLocation)
    #expect(run.output.isEmpty, "\(arguments)", sourceLocation: sourceLocation)
    let lines = run.errorLines
    #expect(lines.first == "Error: " + reason, "\(arguments)", sourceLocation: sourceLocation)
    let pointer = command.map { "  See 'precsearch \($0) --help' for more information." }
      ?? "  See 'precsearch --help' for more information."
    #expect(lines.last == pointer, "\(arguments)", sourceLocation: sourceLocation)
    let usage = command.map { "Usage: precsearch \($0)" } ?? "Usage: precsearch <subcommand>"
    #expect(lines.count >= 3 && lines[1].hasPrefix(usage), "\(arguments)", sourceLocation: sourceLocation)
  }

  static let validEvaluate = ["evaluate", "--model", "m.psmodel", "--data", "d", "--weight-bits", "8",
                              "--activation-bits", "8"]

  @Test func unknownSubcommand() {
    expectUsageError(["evalute"], reason: "Unknown subcommand 'evalute'. Did you mean 'evaluate'?", command: nil)
    // The list grows with every command; the message must list all of them, in registration order.
    let all = (PrecSearchTool.subcommandNames + ["help"]).joined(separator: ", ")
    #expect(PrecSearchTool.subcommandNames.starts(with: ["inspect", "evaluate"]))
    expectUsageError(["frobnicate"], reason: "Unknown subcommand 'frobnicate'; expected one of: \(all).", command: nil)
    expectUsageError(["help", "nope"], reason: "Unknown subcommand 'nope'; expected one of: \(all).", command: nil)
    expectUsageError(["help", "inspect", "extra"], reason: "Unexpected argument 'extra'.", command: nil)
  }

  @Test func optionsBeforeTheSubcommand() {
    expectUsageError(["--model", "x", "inspect"],
                     reason: "Unknown option '--model'. Options go after the subcommand, e.g. 'precsearch inspect --model PATH'.",
                     command: nil)
    expectUsageError(["--versoin"],
                     reason: "Unknown option '--versoin'. Did you mean '--version'? Options go after the subcommand, e.g. 'precsearch inspect --model PATH'.",
                     command: nil)
  }

  @Test func unknownOptionOnASubcommand() {
    expectUsageError(["inspect", "--model", "m", "--jsn"], reason: "Unknown option '--jsn'. Did you mean '--json'?",
                     command: "inspect")
    expectUsageError(Self.validEvaluate + ["--version"], reason: "Unknown option '--version'.", command: "evaluate")
  }

  @Test func missingValueAndMissingOption() {
    expectUsageError(["inspect", "--model"], reason: "Missing value for '--model <name-or-path>'.", command: "inspect")
    expectUsageError(["inspect", "--json"], reason: "Missing expected argument '--model <name-or-path>'.", command: "inspect")
    expectUsageError(["evaluate", "--model", "m", "--data", "d", "--weight-bits", "8"],
                     reason: "Missing expected argument '--activation-bits <list>'.", command: "evaluate")
  }

  @Test func repeatedOption() {
    expectUsageError(["inspect", "--model", "a", "--model", "b"],
                     reason: "The option '--model' was given more than once; give it once.", command: "inspect")
  }

  @Test func badNumbersAndChoices() {
    expectUsageError(Self.validEvaluate + ["--limit", "ten"],
                     reason: "The value 'ten' is invalid for '--limit <count>'; expected an integer of at least 1.",
                     command: "evaluate")
    expectUsageError(Self.validEvaluate + ["--limit", "-5"],
                     reason: "The value '-5' is out of range for '--limit <count>'; expected an integer of at least 1.",
                     command: "evaluate")
    expectUsageError(Self.validEvaluate + ["--kernels", "fast"],
                     reason: "The value 'fast' is invalid for '--kernels <variant>'; expected one of: 'reference', 'optimized'.",
                     command: "evaluate")
  }

  @Test func badBitLists() {
    var arguments = Self.validEvaluate
    arguments[6] = "8,1"
    expectUsageError(arguments,
                     reason: "The value '8,1' is invalid for '--weight-bits <list>': 1 (item 2 of 2) is not a bit-width in 2...16.",
                     command: "evaluate")
    arguments = Self.validEvaluate
    arguments[8] = "eight"
    expectUsageError(arguments,
                     reason: "The value 'eight' is invalid for '--activation-bits <list>': 'eight' is not an integer; expected bit-widths in 2...16.",
                     command: "evaluate")
  }

  @Test func unexpectedPositional() {
    expectUsageError(["inspect", "model.psmodel"], reason: "Unexpected argument 'model.psmodel'.", command: "inspect")
  }

  @Test func bitListCountMustMatchTheWeightedLayersWhichAreNamed() throws {
    let names = ["conv1", "conv2", "fc1", "fc2"]
    let uniform = try EvaluateCommand.precisionConfiguration(weightBits: [8], activationBits: [4], layerNames: names)
    #expect(uniform == .uniform(weightBits: 8, activationBits: 4, layerCount: 4))
    let mixed = try EvaluateCommand.precisionConfiguration(weightBits: [8, 6, 4, 2], activationBits: [16],
                                                           layerNames: names)
    #expect(mixed.description == "w8a16,w6a16,w4a16,w2a16")
    #expect(throws: UsageError("'--weight-bits' has 3 values but the model has 4 weighted layers (conv1, conv2, fc1, fc2); give one value for all layers or one per layer.")) {
      try EvaluateCommand.precisionConfiguration(weightBits: [8, 8, 8], activationBits: [8], layerNames: names)
    }
    #expect(throws: UsageError("'--activation-bits' has 2 values but the model has 4 weighted layers (conv1, conv2, fc1, fc2); give one value for all layers or one per layer.")) {
      try EvaluateCommand.precisionConfiguration(weightBits: [8], activationBits: [8, 8], layerNames: names)
    }
  }

  @Test func runtimeFailuresExitOneWithOneErrorLine() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let missing = directory.path("missing.psmodel")
    for arguments in [["inspect", "--model", missing],
                      ["evaluate", "--model", missing, "--data", directory.url.path, "--weight-bits", "8",
                       "--activation-bits", "8"],
                      ["inspect", "--model", directory.url.path]] {
      let run = runTool(arguments)
      #expect(run.status == 1, "\(arguments)")
      #expect(run.output.isEmpty)
      #expect(run.errorLines.count == 1, "\(run.errors)")
      #expect(run.errors.hasPrefix("Error: cannot read model file '"), "\(run.errors)")
    }
  }

  @Test func dataPathsAreResolvedWithClearErrors() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    func failure(_ path: String) -> String {
      do {
        let source = try DatasetLoading.resolve(path)
        Issue.record("expected a failure, resolved \(source)")
        return ""
      } catch {
        return PrecSearchTool.describe(error)
      }
    }
    #expect(failure(directory.path("nothing")) == "cannot read data '\(directory.path("nothing"))': no such file or directory")
    // A directory without any data set.
    #expect(failure(directory.url.path).contains("no known data set here"))
    // A file whose name says neither images-idx3 nor .bin.
    let other = directory.path("pictures.dat")
    try Array("x".utf8).write(to: other)
    #expect(failure(other).contains("expected a data set directory"))
    // An images file without its labels file, then with it.
    let images = directory.path("train-images-idx3-ubyte")
    try [UInt8]().write(to: images)
    #expect(failure(images) == "cannot read data '\(images)': its labels file '\(directory.path("train-labels-idx1-ubyte"))' does not exist")
    try [UInt8]().write(to: directory.path("train-labels-idx1-ubyte"))
    #expect(try DatasetLoading.resolve(images) == .idx(images: images, labels: directory.path("train-labels-idx1-ubyte")))
    // An IDX directory with only the training split, then with a compressed labels file, then complete.
    #expect(failure(directory.url.path).contains("the directory has no 't10k-images-idx3-ubyte'"))
    try [UInt8]().write(to: directory.path("t10k-images-idx3-ubyte"))
    try [UInt8]().write(to: directory.path("t10k-labels-idx1-ubyte.gz"))
    #expect(failure(directory.url.path).contains("decompress it with gunzip"))
    try [UInt8]().write(to: directory.path("t10k-labels-idx1-ubyte"))
    #expect(try DatasetLoading.resolve(directory.url.path)
      == .idx(images: directory.path("t10k-images-idx3-ubyte"), labels: directory.path("t10k-labels-idx1-ubyte")))
    // CIFAR-10: a batch file, and a directory (with the batches in cifar-10-batches-bin/) without then with its test batch.
    let cifar = try TemporaryDirectory()
    defer { cifar.cleanup() }
    let batches = cifar.url.appendingPathComponent("cifar-10-batches-bin")
    try FileManager.default.createDirectory(at: batches, withIntermediateDirectories: true)
    let trainBatch = batches.appendingPathComponent("data_batch_1.bin").path
    try [UInt8]().write(to: trainBatch)
    #expect(failure(cifar.url.path).contains("the CIFAR-10 directory has no test split 'test_batch.bin'"))
    let testBatch = batches.appendingPathComponent("test_batch.bin").path
    try [UInt8]().write(to: testBatch)
    #expect(try DatasetLoading.resolve(cifar.url.path) == .cifar10(file: testBatch))
    #expect(try DatasetLoading.resolve(trainBatch) == .cifar10(file: trainBatch))
  }

  @Test func speechCommandsFoldersLoadAsKeywordFeatures() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let tone = WAVReader.encode(WAVAudio(sampleRate: 16000, samples: (0..<4000).map { Int16(8000 * sin(Double($0) / 5)) }))
    func addClip(_ word: String) throws {
      try FileManager.default.createDirectory(atPath: directory.path(word), withIntermediateDirectories: true)
      try Foundation.Data(tone).write(to: URL(fileURLWithPath: directory.path(word + "/a_nohash_0.wav")))
    }
    // Background noise alone is not a clip folder: still "no known data set", now naming the WAV layout too.
    try addClip("_background_noise_")
    do {
      let source = try DatasetLoading.resolve(directory.url.path)
      Issue.record("expected a failure, resolved \(source)")
    } catch {
      let message = PrecSearchTool.describe(error)
      #expect(message.contains("no known data set here") && message.contains("WORD/*.wav"), "\(message)")
    }
    try addClip("yes")
    try addClip("marvin")
    #expect(try DatasetLoading.resolve(directory.url.path) == .speechCommands(directory: directory.url.path))
    let loaded = try DatasetLoading.load(path: directory.url.path, classCount: 12)
    #expect(loaded.images.labels == [10, 0])
    #expect(Array(loaded.images.image(0)) == (try KeywordFeatureExtractor().features(ofFile: directory.path("marvin/a_nohash_0.wav"))))
    // A model with another class count is refused, naming both counts.
    #expect(throws: CommandFailure.self) { _ = try DatasetLoading.load(path: directory.url.path, classCount: 10) }
    let modelPath = directory.path("tiny.psmodel")
    try Fixtures.tinyModel().write(to: modelPath)
    let run = runTool(["evaluate", "--model", modelPath, "--data", directory.url.path,
                       "--weight-bits", "8", "--activation-bits", "8"])
    // An image model has no audio front-end to compute the clips' features: refused, naming its input.
    #expect(run.status == 1 && run.errors.contains("audio front-end") && run.errors.contains("28x28x1"), "\(run.errors)")
  }
}
