import Foundation
import PrecSearchTestSupport
import Testing

/// Ctrl-C during optimize's test-split re-measurement stops the run like Ctrl-C during the search: exit by SIGINT
/// (status 130 in shells), the checkpoint kept, no front written (#23: the run used to ignore it and finish).
@Suite struct InterruptTests {
  @Test func ctrlCDuringTheTestPassStopsWithTheCheckpointKept() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let binary = EndToEndTests.productsDirectory.appendingPathComponent("precsearch")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no executable at \(binary.path)")
    let checkpoint = directory.file("run.ckpt"), front = directory.file("front.json")
    let process = Process()
    process.executableURL = binary
    // A short search on 20 validation images, then the 10,000 shipped test images: SIGINT lands in the test pass.
    process.arguments = ["optimize", "--model", "fashion", "--evaluations", "2", "--validation-images", "20",
                         "--checkpoint", checkpoint, "--output", front]
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    var text = ""
    while true {
      let data = errors.fileHandleForReading.availableData
      if data.isEmpty { break }  // the child closed standard error
      text += String(decoding: data, as: UTF8.self)
      if text.contains("Measuring the ") {
        process.interrupt()
        break
      }
    }
    text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(text.contains("Measuring the "), "the run ended before its test pass: \(text)")
    #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT, "\(text)")
    #expect(text.contains("interrupted after 2 evaluations"), "\(text)")
    #expect(FileManager.default.fileExists(atPath: checkpoint))
    #expect(!FileManager.default.fileExists(atPath: front))
  }
}
