import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct SHA256Tests {
  @Test func knownVectors() {
    // FIPS 180-4 / NIST CAVP example vectors.
    #expect(sha256Hex(of: Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(sha256Hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(sha256Hex(of: Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(sha256Hex(of: Data("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8))
            == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
  }

  @Test func oneMillionAStreamedInUnevenChunksAndFromAFile() throws {
    let a = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    var h = SHA256()
    var offset = 0
    var step = 1
    while offset < a.count {  // chunk sizes 1, 2, 3, ... cross block boundaries everywhere
      let end = min(offset + step, a.count)
      a[offset..<end].withUnsafeBytes { h.update($0) }
      offset = end
      step = step % 150 + 1
    }
    let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
    #expect(SHA256.hex(h.finalize()) == expected)
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try Data(a).write(to: URL(fileURLWithPath: dir.file("a")))
    #expect(try sha256Hex(ofFile: dir.file("a")) == expected)
    #expect(throws: FileAccessError.self) { _ = try sha256Hex(ofFile: dir.file("missing")) }
  }

  @Test func paddingBoundaryLengths() {
    // Lengths around the 55/56/64-byte padding boundaries agree between one-shot and byte-by-byte hashing,
    // and differ from each other.
    var seen = Set<String>()
    for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128] {
      let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
      var h = SHA256()
      for b in message { h.update([b]) }
      let streamed = SHA256.hex(h.finalize())
      #expect(streamed == sha256Hex(of: message))
      seen.insert(streamed)
    }
    #expect(seen.count == 11)
  }
}
