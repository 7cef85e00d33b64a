import Foundation
import PrecSearchFormats
@testable import PrecSearchCLI
import PrecSearchTestSupport
import Testing

/// Golden files: every command's `--help` text and the Pareto JSON of a tiny search, compared byte for byte with
/// `Tests/PrecSearchCLITests/Goldens/` (Goldens/README.md says how they were made). A deliberate change is recorded
/// with `PRECSEARCH_RECORD_GOLDENS=1 swift test --filter GoldenTests`, which rewrites the files (the test then fails
/// once, naming them, so that a recording never passes silently); review the diff and commit it.
@Suite("golden files")
struct GoldenTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")
  static let isRecording = !(ProcessInfo.processInfo.environment["PRECSEARCH_RECORD_GOLDENS"] ?? "").isEmpty
    && ProcessInfo.processInfo.environment["PRECSEARCH_RECORD_GOLDENS"] != "0"

  /// Compares `text` with the golden file `name`, or records it in record mode.
  static func check(_ text: String, golden name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = directory.appendingPathComponent(name)
    if isRecording {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      try FileIO.writeAtomically(Data(text.utf8), to: url.path)
      Issue.record("recorded \(name); review the diff and commit it", sourceLocation: sourceLocation)
      return
    }
    guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
      Issue.record("no golden file \(name); record it with PRECSEARCH_RECORD_GOLDENS=1", sourceLocation: sourceLocation)
      return
    }
    if golden != text {
      let goldenLines = golden.split(separator: "\n", omittingEmptySubsequences: false)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      let first = Array(zip(goldenLines, lines)).firstIndex { $0 != $1 } ?? min(goldenLines.count, lines.count)
      Issue.record("""
        \(name) differs from the golden file at line \(first + 1):
          golden: \(first < goldenLines.count ? String(goldenLines[first]) : "(end)")
          now:    \(first < lines.count ? String(lines[first]) : "(end)")
        If the change is meant, record it with PRECSEARCH_RECORD_GOLDENS=1.
        """, sourceLocation: sourceLocation)
    }
  }

  @Test("every command's --help text", arguments: ["precsearch"] + PrecSearchTool.subcommandNames)
  func help(command: String) throws {
    let text = try #require(PrecSearchTool.helpText(for: command == "precsearch" ? nil : command))
    try Self.check(text, golden: "help-\(command).txt")
  }

  @Test("the Pareto JSON of a tiny search (seed 7, 24 evaluations), paths and commit replaced, timing removed")
  func tinyParetoFront() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let output = fixture.path("front.json")
    let run = runTool(fixture.arguments(["--output", output, "--seed", "7", "--threads", "2"]))
    #expect(run.status == 0, "\(run.errors)")
    var object = try #require(JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: output))).objectValue)
    object["timing"] = nil
    if var provenance = object["provenance"]?.objectValue {
      provenance["commit"] = "<commit>"
      object["provenance"] = .object(provenance)
    }
    let text = try JSONValue.object(object).serialized()
      .replacingOccurrences(of: fixture.directory.url.standardizedFileURL.path, with: "<fixture>")
      .replacingOccurrences(of: fixture.directory.path, with: "<fixture>")
      .replacingOccurrences(of: fixture.directory.url.lastPathComponent, with: "<fixture-name>")
    try Self.check(text + "\n", golden: "tiny-front.json")
  }
}
