import Foundation
import PrecSearchIO
import Testing
@testable import PrecSearchCLI
import PrecSearchTestSupport

/// `precsearch export`: files, determinism, and every refusal with its exit status, in-process.
@Suite struct ExportCommandTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let front = root.appendingPathComponent("Results/optimize/fashion-budget40.json").path

  @Test func writesTheLibraryAndTheSameBytesTwice() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    var texts: [[String]] = []
    for name in ["first", "second"] {
      let run = runTool(["export", "--model", "fashion", "--front", Self.front, "--points", "p05,p40",
                         "--output", directory.path(name), "--prefix", "fashion_net"])
      #expect(run.status == 0, "\(run.errors)")
      #expect(run.output.contains("Scratch: ") && run.output.contains("FASHION_NET_SCRATCH_BYTES"), "\(run.output)")
      texts.append(try ["fashion_net.h", "fashion_net.c", "fashion_net_weights.c", "README.md"].map {
        try String(contentsOfFile: directory.path("\(name)/\($0)"), encoding: .utf8)
      })
    }
    #expect(texts[0] == texts[1])
    #expect(texts[0][0].contains("void fashion_net_infer(const int16_t *input, int32_t *logits, void *scratch);"))
    #expect(texts[0][1].contains("{\"p05\", ") && texts[0][1].contains("{\"p40\", "))
    #expect(texts[0][3].contains("Model file SHA-256: `"))
    // Default prefix: the model's name.
    let packed = runTool(["export", "--model", "fashion", "--front", Self.front, "--points", "p31",
                          "--weights", "packed", "--output", directory.path("packed")])
    #expect(packed.status == 0, "\(packed.errors)")
    #expect(packed.output.contains("Weights: packed codes") && packed.output.contains("saves "), "\(packed.output)")
    #expect(FileManager.default.fileExists(atPath: directory.path("packed/fashion_weights.c")))
    let weights = try String(contentsOfFile: directory.path("packed/fashion_weights.c"), encoding: .utf8)
    #expect(weights.contains("fashion_packed_codes") && !weights.contains("fashion_weights_0"))
  }

  @Test func mistakesOnTheCommandLineExitWith64() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let model = try #require(ModelCatalogPath.fashion)
    let out = directory.path("out")
    let base = ["export", "--model", "fashion", "--front", Self.front]
    let cases: [([String], String)] = [
      (base + ["--points", "p05", "--output", out, "--prefix", "9lives"], "--prefix"),
      (base + ["--points", "p05", "--output", out, "--prefix", "int"], "keyword"),
      (base + ["--points", "p05", "--output", out, "--prefix", "fashion-net"], "--prefix"),
      (base + ["--points", "p05,p99", "--output", out], "no point 'p99'"),
      (base + ["--points", "p05,p05", "--output", out], "given twice"),
      (base + ["--points", "p05,", "--output", out], "--points"),
      (base + ["--points", "p05", "--all", "--output", out], "cannot be used together"),
      (base + ["--output", out], "--all"),
      (base + ["--points", "p05", "--output", out, "--weights", "int4"], "--weights"),
      (base + ["--points", "p05", "--output", Self.front], "--output"),
      (["export", "--model", model, "--front", Self.front, "--points", "p05", "--output", model], "--output"),
    ]
    for (arguments, fragment) in cases {
      let run = runTool(arguments)
      #expect(run.status == 64, "\(arguments): \(run.errors)")
      #expect(run.errors.hasPrefix("Error: ") && run.errors.contains(fragment), "\(arguments): \(run.errors)")
    }
    #expect(!FileManager.default.fileExists(atPath: out), "a refused export created its directory")
  }

  @Test func failuresWhileWorkingExitWith1() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let file = directory.path("plain-file")
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let base = ["export", "--model", "fashion", "--points", "p05"]
    let cases: [([String], String)] = [
      (base + ["--front", directory.path("missing.json"), "--output", directory.path("out")], "missing.json"),
      (base + ["--front", Self.front, "--output", file], "not a directory"),
      (base + ["--front", Self.front, "--output", directory.path("no/such/dir")], "does not exist"),
      (["export", "--model", "no-such-model", "--front", Self.front, "--points", "p05", "--output", directory.path("o")],
       "no-such-model"),
    ]
    for (arguments, fragment) in cases {
      let run = runTool(arguments)
      #expect(run.status == 1, "\(arguments): \(run.errors)")
      #expect(run.errors.hasPrefix("Error: ") && run.errors.contains(fragment), "\(arguments): \(run.errors)")
    }
  }

  @Test func helpListsTheOptions() {
    let run = runTool(["export", "--help"])
    #expect(run.status == 0)
    for option in ["--model", "--front", "--points", "--all", "--output", "--prefix", "--weights", "master16", "packed"] {
      #expect(run.output.contains(option), "\(option)")
    }
  }
}

/// The shipped fashion model file's path.
enum ModelCatalogPath {
  static var fashion: String? { ModelCatalog.shippedModel(named: "fashion")?.modelPath }
}
