import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom
import PrecSearchTestSupport

private func le32(_ v: Int) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
private func le16(_ v: Int) -> [UInt8] { [0, 8].map { UInt8(truncatingIfNeeded: v >> $0) } }
private func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] {
  Array(id.utf8) + le32(body.count) + body + (body.count % 2 == 1 ? [0] : [])
}
private func fmt(tag: Int = 1, channels: Int = 1, rate: Int = 16_000, bits: Int = 16, align: Int = 2) -> [UInt8] {
  chunk("fmt ", le16(tag) + le16(channels) + le32(rate) + le32(rate * align) + le16(align) + le16(bits))
}
private func riff(_ chunks: [UInt8]) -> [UInt8] { Array("RIFF".utf8) + le32(4 + chunks.count) + Array("WAVE".utf8) + chunks }
private func pcm(_ samples: [Int16]) -> [UInt8] { samples.flatMap { le16(Int(UInt16(bitPattern: $0))) } }

@Test func wavRoundTripsAndSkipsUnknownChunks() throws {
  let samples: [Int16] = [0, 1, -1, .max, .min, 1234]
  let audio = WAVAudio(sampleRate: 8000, samples: samples)
  #expect(try WAVReader.decode(WAVReader.encode(audio), file: "a.wav") == audio)
  // LIST (odd size, so padded) before fmt, fact between fmt and data, a trailing chunk after data.
  let bytes = riff(chunk("LIST", Array("INFOISFT".utf8) + [1, 2, 3]) + fmt(rate: 22_050) + chunk("fact", le32(6))
                   + chunk("data", pcm(samples)) + chunk("junk", [9, 9]))
  let read = try WAVReader.decode(bytes, file: "b.wav")
  #expect(read.sampleRate == 22_050 && read.samples == samples)
  // WAVE_FORMAT_EXTENSIBLE with the PCM sub-format.
  var ext = le16(0xFFFE) + le16(1) + le32(16_000) + le32(32_000) + le16(2) + le16(16) + le16(22) + le16(16) + le32(4)
  ext += [1, 0] + WAVReader.pcmGUIDTail
  #expect(try WAVReader.decode(riff(chunk("fmt ", ext) + chunk("data", pcm([7]))), file: "c.wav").samples == [7])
  // Files on disk.
  let dir = try TemporaryDirectory()
  defer { dir.cleanup() }
  try Data(WAVReader.encode(audio)).write(to: URL(fileURLWithPath: dir.file("x.wav")))
  #expect(try WAVReader.read(at: dir.file("x.wav")) == audio)
}

@Test func wavRejectsOtherEncodingsWithFileOffsetAndExpectation() {
  func message(_ bytes: [UInt8]) -> String { errorText { _ = try WAVReader.decode(bytes, file: "bad.wav") } }
  let data = chunk("data", pcm([1, 2]))
  let cases: [([UInt8], [String])] = [
    (riff(fmt(channels: 2, align: 4) + data), ["bad.wav", "byte 22", "2 channels, expected 1 (mono)"]),
    (riff(fmt(tag: 3, bits: 32, align: 4) + data), ["byte 20", "audio format 3 (IEEE float), expected 1 (PCM)"]),
    (riff(fmt(bits: 8, align: 1) + data), ["byte 34", "8 bits per sample, expected 16"]),
    (riff(fmt(bits: 24, align: 3) + data), ["24 bits per sample, expected 16"]),
    (riff(fmt(rate: 0) + data), ["sample rate 0 Hz"]),
    (riff(data + fmt()), ["'data' chunk before the 'fmt ' chunk"]),
    (riff(fmt()), ["no 'data' chunk"]),
    (riff(chunk("data", [1, 2])), ["'data' chunk before the 'fmt ' chunk"]),
    (riff(fmt() + chunk("data", [1, 2, 3])), ["whole number of 2-byte samples"]),
    (Array(riff(fmt() + data).dropLast(2)), ["announces 4 bytes but only 2 remain"]),
    (Array("RIFX".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8), ["expected 'RIFF'"]),
    (Array("RIFF".utf8) + le32(4) + Array("AVI ".utf8), ["'AVI ', expected 'WAVE'"]),
    ([0x52, 0x49], ["truncated"]),
    (riff(chunk("fmt ", [1, 0, 1, 0])), ["'fmt ' chunk of 4 bytes, expected at least 16"]),
  ]
  for (bytes, parts) in cases {
    let text = message(bytes)
    for part in parts { #expect(text.contains(part), "\(text)") }
    #expect(text.contains("bad.wav"))
  }
  // Random corruption never traps.
  var g = SplitMix64(seed: 5)
  let good = WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: (0..<40).map { Int16($0) }))
  for _ in 0..<500 {
    var b = good
    for _ in 0..<3 { b[Int.random(in: 0..<b.count, using: &g)] = UInt8.random(in: 0...255, using: &g) }
    b = Array(b.prefix(Int.random(in: 0...b.count, using: &g)))
    _ = try? WAVReader.decode(b, file: "fuzz.wav")
  }
}
