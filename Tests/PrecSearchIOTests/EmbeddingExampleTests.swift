import Foundation
import Testing

/// The README's embedding example is the program Experiments/embedding builds from another package
/// (`Experiments/embedding/run.sh`, run by CI), letter for letter; docs/runtime.md shows the same block.
@Suite struct EmbeddingExampleTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The first ```swift block after `heading` in the Markdown file at `path` (relative to the package root).
  static func swiftBlock(in path: String, after heading: String) throws -> String {
    let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    let section = try #require(text.range(of: heading), "\(path) has no '\(heading)'")
    let open = try #require(text.range(of: "```swift\n", range: section.upperBound..<text.endIndex))
    let close = try #require(text.range(of: "```\n", range: open.upperBound..<text.endIndex))
    return String(text[open.upperBound..<close.lowerBound])
  }

  @Test func theReadmeBlockIsTheEmbeddingPackagesProgram() throws {
    let program = try String(contentsOf: Self.root.appendingPathComponent(
      "Experiments/embedding/Sources/EmbeddingExample/main.swift"), encoding: .utf8)
    #expect(try Self.swiftBlock(in: "README.md", after: "## Embedding the runtime") == program)
    #expect(try Self.swiftBlock(in: "docs/runtime.md", after: "# ") == program)
  }
}
