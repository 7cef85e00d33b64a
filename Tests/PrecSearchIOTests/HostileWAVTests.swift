import AudioFeatures
import Foundation
import Testing
@testable import PrecSearchIO
import PrecSearchTestSupport

/// WAV files the keyword-spotting front-end must refuse with an error naming the file (issue 23): sample rates
/// outside 4...192 kHz (a 1 Hz file used to allocate 64 GB or run for minutes) and clips shorter than one 40 ms
/// analysis window (0- and 1-sample files used to give the features of silence).
@Test func hostileWAVFilesGetAnErrorNamingTheFileAndTheProblem() throws {
  let dir = try TemporaryDirectory()
  defer { dir.cleanup() }
  let extractor = try KeywordFeatureExtractor()
  let cases: [(name: String, rate: Int, count: Int, expected: [String])] = [
    ("rate1.wav", 1, 2000, ["1 Hz is not supported", "4000...192000 Hz"]),
    ("rate3999.wav", 3999, 4000, ["3999 Hz is not supported"]),
    ("rate192001.wav", 192_001, 4000, ["192001 Hz is not supported"]),
    ("empty.wav", 16_000, 0, ["0 samples at 16000 Hz are shorter", "shorter than one analysis window (40 ms)", "at least 640"]),
    ("one.wav", 16_000, 1, ["1 sample at 16000 Hz is shorter", "at least 640"]),
    ("one8k.wav", 8000, 1, ["1 sample at 8000 Hz is shorter", "at least 320"]),
    ("short.wav", 16_000, 639, ["639 samples at 16000 Hz"]),
  ]
  for c in cases {
    let path = dir.file(c.name)
    let audio = WAVAudio(sampleRate: c.rate, samples: (0..<c.count).map { Int16(truncatingIfNeeded: $0 * 37) })
    try Data(WAVReader.encode(audio)).write(to: URL(fileURLWithPath: path))
    let text = errorText { _ = try extractor.features(ofFile: path) }
    #expect(text.contains("data file '\(path)'"), "\(text)")
    for part in c.expected { #expect(text.contains(part), "\(c.name): \(text)") }
  }
  // The edges of what is accepted: 4 kHz and 192 kHz, one window (640 samples at 16 kHz).
  for (rate, count) in [(4000, 160), (192_000, 7680), (16_000, 640)] {
    let path = dir.file("ok-\(rate).wav")
    let audio = WAVAudio(sampleRate: rate, samples: (0..<count).map { Int16(truncatingIfNeeded: $0 * 37) })
    try Data(WAVReader.encode(audio)).write(to: URL(fileURLWithPath: path))
    #expect(try extractor.features(ofFile: path).count == 490)
  }
}
