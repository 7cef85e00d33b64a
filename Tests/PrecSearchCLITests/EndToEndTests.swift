import Foundation
import Testing

/// Runs the built `precsearch` executable (a dependency of this test target, so it is built first).
@Suite struct EndToEndTests {
  /// The build products directory: where both the test bundle and the `precsearch` executable are.
  static var productsDirectory: URL {
    let bundle = Bundle.main.bundleURL
    return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
  }

  static func runBinary(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let binary = productsDirectory.appendingPathComponent("precsearch")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no executable at \(binary.path)")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Read before waiting so that a full pipe cannot block the child.
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self),
            String(decoding: errorData, as: UTF8.self))
  }

  @Test func helpExitsZeroAndBadOptionExitsSixtyFour() throws {
    let help = try Self.runBinary(["--help"])
    #expect(help.status == 0)
    #expect(help.output.hasPrefix("OVERVIEW: "))
    #expect(help.output.contains("SUBCOMMANDS:"))
    #expect(help.errors.isEmpty)

    let bad = try Self.runBinary(["inspect", "--model", "m.psmodel", "--bogus"])
    #expect(bad.status == 64)
    #expect(bad.output.isEmpty)
    #expect(bad.errors == """
      Error: Unknown option '--bogus'.
      Usage: precsearch inspect --model <name-or-path> [--json]
        See 'precsearch inspect --help' for more information.

      """)

    let missing = try Self.runBinary(["inspect", "--model", "/nonexistent/m.psmodel"])
    #expect(missing.status == 1)
    #expect(missing.errors == "Error: cannot read model file '/nonexistent/m.psmodel': no such file\n")
  }
}
