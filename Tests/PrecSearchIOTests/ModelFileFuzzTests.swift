import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom
import PrecSearchTestSupport

/// Corrupted model files are rejected with an error (or, for harmless edits, still read): never a crash.
@Suite struct ModelFileFuzzTests {
  static var long: Bool { LongTests.isEnabled }

  @Test func truncationsAtEveryLength() throws {
    let valid = try Fixtures.tinyModel().singleFileData()
    let step = Self.long ? 1 : 7
    for length in stride(from: 0, to: valid.count, by: step) {
      #expect(throws: ModelFileError.self) { _ = try ModelFile(singleFileData: valid.prefix(length), file: "cut") }
    }
  }

  @Test func byteFlipsAndOverwrites() throws {
    let model = try Fixtures.tinyModel()
    let valid = try model.singleFileData()
    var g = SplitMix64(seed: 77)
    let trials = Self.long ? 20_000 : 1_500
    var accepted = 0
    for t in 0..<trials {
      var bytes = valid
      let edits = t % 3 + 1
      for _ in 0..<edits {
        let position = Int(g.next() % UInt64(bytes.count))
        switch g.next() % 3 {
        case 0: bytes[position] ^= UInt8(1 << (g.next() % 8))
        case 1: bytes[position] = UInt8(truncatingIfNeeded: g.next())
        default: bytes[position] = [0x22, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x2D, 0x5C][Int(g.next() % 10)]
        }
      }
      do {
        let read = try ModelFile(singleFileData: bytes, file: "fuzz")
        accepted += 1
        // Whatever was accepted is a consistent model that writes again.
        _ = try read.singleFileData()
      } catch let e as ModelFileError {
        #expect(e.file == "fuzz" && !e.message.isEmpty)
      }
    }
    // Most corruptions are caught (the blob checksum alone catches every blob edit).
    #expect(accepted < trials / 4)
  }

  @Test func pairHeaderEdits() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file("m.json")
    try Fixtures.tinyModel().write(to: path, layout: .headerAndBlob)
    let header = try Data(contentsOf: URL(fileURLWithPath: path))
    var g = SplitMix64(seed: 3)
    for _ in 0..<(Self.long ? 2000 : 150) {
      var bytes = header
      bytes[Int(g.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: g.next())
      try bytes.write(to: URL(fileURLWithPath: path))
      do { _ = try ModelFile.read(from: path) } catch is ModelFileError {}
    }
  }
}
