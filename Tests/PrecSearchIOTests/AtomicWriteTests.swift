import Foundation
import PrecSearchTestSupport
import Testing
@testable import PrecSearchFormats

/// Atomic writes leave no temporary files behind, including those of a writer killed during an earlier write (#23).
@Suite struct AtomicWriteTests {
  /// The PID of a process that has exited.
  func exitedProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "exit 0"]
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  @Test func staleTemporariesOfDeadWritersAreRemovedAndLiveOnesKept() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let dead = try exitedProcessID()
    let stale = directory.file(".front.json.tmp-\(dead)-12345")
    let live = directory.file(".front.json.tmp-\(getpid())-777")
    let other = directory.file(".other.json.tmp-\(dead)-1")
    for path in [stale, live, other] { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
    try FileIO.writeAtomically(Data("{}".utf8), to: directory.file("front.json"))
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
    #expect(left == ["front.json", ".front.json.tmp-\(getpid())-777", ".other.json.tmp-\(dead)-1"], "\(left.sorted())")
    #expect(try String(contentsOfFile: directory.file("front.json"), encoding: .utf8) == "{}")
  }
}
