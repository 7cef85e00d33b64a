import Foundation
import PrecSearchIO
import PrecSearchTestSupport
import Testing

/// Errors that used to name no file or let a command succeed on nothing (#23).
@Suite struct ClearErrorTests {
  /// An IDX pair holding no images, in `directory`.
  func emptyIDX(in directory: TemporaryDirectory) throws -> String {
    let images = directory.file("empty-images-idx3-ubyte"), labels = directory.file("empty-labels-idx1-ubyte")
    try Data([0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28]).write(to: URL(fileURLWithPath: images))
    try Data([0, 0, 8, 1, 0, 0, 0, 0]).write(to: URL(fileURLWithPath: labels))
    return images
  }

  @Test func evaluateAndRunRefuseADataSetWithoutImages() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let images = try emptyIDX(in: directory)
    let front = try #require(Self.keptFront)
    let evaluate = runTool(["evaluate", "--model", "fashion", "--data", images, "--weight-bits", "8",
                            "--activation-bits", "8"])
    let run = runTool(["run", "--model", "fashion", "--front", front, "--point", "p01", images])
    for result in [evaluate, run] {
      #expect(result.status == 1, "\(result.errors)")
      #expect(result.errors == "Error: data '\(images)' holds no images; expected at least one\n", "\(result.errors)")
    }
  }

  /// A truncated front names its file in run, simulate and plot alike.
  @Test func aTruncatedFrontIsNamed() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let text = try Data(contentsOf: URL(fileURLWithPath: try #require(Self.keptFront)))
    let truncated = directory.file("t.json")
    try text.prefix(3000).write(to: URL(fileURLWithPath: truncated))
    let trace = directory.file("trace.csv")
    try Data("step,budget\n".utf8).write(to: URL(fileURLWithPath: trace))
    for arguments in [["run", "--model", "fashion", "--front", truncated, "--point", "p01", truncated],
                      ["simulate", "--model", "fashion", "--front", truncated, "--budget-trace", trace],
                      ["plot", truncated, "--output", directory.file("p.svg")]] {
      let result = runTool(arguments)
      #expect(result.status == 1, "\(arguments[0]): \(result.errors)")
      #expect(result.errors.contains("Pareto front file '\(truncated)'") && result.errors.contains("JSON syntax error"),
              "\(arguments[0]): \(result.errors)")
    }
  }

  /// The front of the README's main command, kept in Results/optimize (made with the shipped fashion model).
  static let keptFront: String? = {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Results/optimize/fashion-budget40.json").path
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }()
}
