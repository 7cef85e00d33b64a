import Foundation
import PrecSearchFormats
import PrecSearchTestSupport
import Testing
@testable import PrecSearchCLI

/// No command overwrites one of its inputs, and a path that cannot be written is found before any work (#23).
@Suite struct OutputSafetyTests {
  /// Runs `arguments` and checks: usage error (64), one `Error:` naming the option, and `protected` unchanged.
  func expectRefused(_ arguments: [String], option: String, protected: [String]) throws {
    let before = try protected.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    let run = runTool(arguments)
    #expect(run.status == 64, "\(arguments): \(run.errors)")
    #expect(run.errors.hasPrefix("Error: ") && run.errors.contains(option), "\(run.errors)")
    let after = try protected.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    #expect(before == after, "an input changed")
  }

  @Test func optimizeRefusesAnOutputOrCheckpointThatIsAnInput() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let base = ["optimize", "--model", fixture.model, "--data", fixture.data, "--evaluations", "4"]
    // The model by its path, by another spelling of it and through a symbolic link.
    let link = fixture.path("link.psmodel")
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.model)
    let dotted = fixture.data + "/./tiny.psmodel"
    for output in [fixture.model, dotted, link] {
      try expectRefused(base + ["--output", output], option: "--output", protected: [fixture.model])
      try expectRefused(base + ["--checkpoint", output], option: "--checkpoint", protected: [fixture.model])
    }
    // A data file of --data.
    let images = try #require(try FileManager.default.contentsOfDirectory(atPath: fixture.data)
      .first { $0.contains("images-idx3") })
    try expectRefused(base + ["--output", fixture.path(images)], option: "--output", protected: [fixture.path(images)])
    // The checkpoint and the output are the same file: the front would replace the checkpoint.
    let run = runTool(base + ["--output", fixture.path("x"), "--checkpoint", fixture.path("x")])
    #expect(run.status == 64 && run.errors.contains("--checkpoint"), "\(run.errors)")
    #expect(!FileManager.default.fileExists(atPath: fixture.path("x")))
  }

  @Test func calibrateRefusesToReplaceItsMeasurementsOrBaseTable() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let csv = fixture.path("measurements.csv"), table = fixture.path("base.json")
    try Data("configuration,energy\n".utf8).write(to: URL(fileURLWithPath: csv))
    try Data("{}".utf8).write(to: URL(fileURLWithPath: table))
    let base = ["calibrate", "--model", fixture.model, "--measurements", csv, "--base", table]
    try expectRefused(base + ["--output", csv], option: "--output", protected: [csv])
    try expectRefused(base + ["--output", table], option: "--output", protected: [table])
    try expectRefused(base + ["--output", fixture.model], option: "--output", protected: [fixture.model])
  }

  @Test func trainAndRecalibrateRefuseToReplaceTheirData() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let images = try #require(try FileManager.default.contentsOfDirectory(atPath: fixture.data)
      .first { $0.contains("images-idx3") })
    try expectRefused(["train", "--task", "fashion", "--data", fixture.data, "--output", fixture.path(images)],
                      option: "--output", protected: [fixture.path(images)])
    try expectRefused(["recalibrate", "--model", fixture.model, "--data", fixture.data, "--output", fixture.model],
                      option: "--output", protected: [fixture.model])
  }

  /// An output that is a directory (or in a missing directory) fails at once, before any measurement.
  @Test func unwritableOutputsFailBeforeAnyWork() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let base = ["optimize", "--model", fixture.model, "--data", fixture.data, "--evaluations", "4"]
    let directory = runTool(base + ["--output", fixture.data])
    #expect(directory.status == 1 && directory.errors.contains("is a directory"), "\(directory.errors)")
    #expect(!directory.errors.contains("evaluations"))  // no search ran
    let missing = runTool(base + ["--checkpoint", fixture.path("no/such/dir/run.ckpt")])
    #expect(missing.status == 1 && missing.errors.contains("does not exist"), "\(missing.errors)")
  }

  /// When the final write fails after the run, the result goes beside the path and the error names both.
  @Test func aFailedFinalWriteIsRecoveredBesideTheOutput() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let blocked = directory.file("front.json")
    try FileManager.default.createDirectory(atPath: blocked + "/inside", withIntermediateDirectories: true)
    var message = ""
    do {
      try FileRoles.writeRecovering(to: blocked, what: "the Pareto front") { path in
        try FileIO.writeAtomically(Data("{\"front\": 1}".utf8), to: path)
      }
      Issue.record("writing over a non-empty directory succeeded")
    } catch {
      message = PrecSearchTool.describe(error)
    }
    let recovered = "\(blocked).recovered-\(getpid()).json"
    #expect(message.contains("'\(blocked)'") && message.contains("'\(recovered)'"), "\(message)")
    #expect(try String(contentsOfFile: recovered, encoding: .utf8) == "{\"front\": 1}")
  }
}
