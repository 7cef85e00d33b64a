import AudioFeatures
import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport

private func tone(_ frequency: Double, rate: Int = 16_000, seconds: Double = 1) -> WAVAudio {
  let n = Int(Double(rate) * seconds)
  return WAVAudio(sampleRate: rate, samples: (0..<n).map { Int16(8000 * sin(2 * Double.pi * frequency * Double($0) / Double(rate))) })
}

@Test func keywordLabelsFollowSpeechCommands() {
  #expect(KeywordSpotting.classNames.count == 12)
  #expect(KeywordSpotting.label(ofWord: "yes") == 0)
  #expect(KeywordSpotting.label(ofWord: "go") == 9)
  #expect(KeywordSpotting.label(ofWord: "marvin") == KeywordSpotting.unknownLabel)
  #expect(KeywordSpotting.label(ofWord: "_silence_") == KeywordSpotting.silenceLabel)
}

@Test func keywordFeaturesAreThe8BitMFCCOfTheClip() throws {
  let extractor = try KeywordFeatureExtractor()
  let audio = tone(440)
  let codes = try extractor.features(of: audio)
  #expect(codes.count == 490)
  let reference = MFCCQuantization.keywordSpotting.quantize(
    try MFCCExtractor().features(audio.samples.map { Float($0) / 32768 }))
  #expect(codes == reference)
  // Another sample rate is resampled to 16 kHz first (PCMResampler), then the same front-end.
  let low = tone(440, rate: 8000)
  let resampled = try PCMResampler(inputRate: 8000, outputRate: 16_000).resample(low.samples)
  #expect(try extractor.features(of: low)
          == MFCCQuantization.keywordSpotting.quantize(try MFCCExtractor().features(resampled)))
}

@Test func syntheticManifestLoadsBySpeakerAndRejectsMixedSpeakers() throws {
  let dir = try TemporaryDirectory()
  defer { dir.cleanup() }
  var rows = ["path,label,word,speaker,voice,split"]
  let plan: [(String, String, String)] = [("yes", "a", "train"), ("no", "a", "train"), ("unknown", "b", "train"),
                                          ("silence", "c", "validation"), ("stop", "d", "test"), ("go", "d", "test")]
  for (i, (label, speaker, split)) in plan.enumerated() {
    let name = "clip\(i).wav"
    try Data(WAVReader.encode(tone(200 + 100 * Double(i)))).write(to: URL(fileURLWithPath: dir.file(name)))
    rows.append("\(name),\(label),\(label),\(speaker),test-voice,\(split)")
  }
  try (rows.joined(separator: "\n") + "\n").write(toFile: dir.file("manifest.csv"), atomically: true, encoding: .utf8)
  let data = try SyntheticKeywordData.load(directory: dir.path, threads: 2)
  #expect(data.sets["train"]?.labels == [0, 1, 10])
  #expect(data.sets["validation"]?.labels == [11])
  #expect(data.sets["test"]?.labels == [8, 9])
  #expect(data.sets["test"]?.shape == KeywordSpotting.inputShape)
  // Same features as one at a time, in order.
  let one = try KeywordFeatureExtractor().features(ofFile: dir.file("clip4.wav"))
  #expect(Array(data.sets["test"]!.image(0)) == one)

  rows.append("clip0.wav,yes,yes,a,test-voice,test")
  try rows.joined(separator: "\n").write(toFile: dir.file("manifest.csv"), atomically: true, encoding: .utf8)
  #expect(errorText { _ = try SyntheticKeywordData.load(directory: dir.path) }.contains("speaker 'a' is in both train and test"))
  rows[rows.count - 1] = "clip0.wav,maybe,maybe,a,test-voice,train"
  try rows.joined(separator: "\n").write(toFile: dir.file("manifest.csv"), atomically: true, encoding: .utf8)
  #expect(errorText { _ = try SyntheticKeywordData.load(directory: dir.path) }.contains("line 8: label 'maybe'"))
  rows[rows.count - 1] = "missing.wav,yes,yes,a,test-voice,train"
  try rows.joined(separator: "\n").write(toFile: dir.file("manifest.csv"), atomically: true, encoding: .utf8)
  #expect(errorText { _ = try SyntheticKeywordData.load(directory: dir.path) }.contains("missing.wav"))
}

@Test func speechCommandsFolderMapsWordsToTheTwelveClasses() throws {
  let dir = try TemporaryDirectory()
  defer { dir.cleanup() }
  for word in ["yes", "marvin", "_background_noise_", "off"] {
    try FileManager.default.createDirectory(atPath: dir.file(word), withIntermediateDirectories: true)
    try Data(WAVReader.encode(tone(300))).write(to: URL(fileURLWithPath: dir.file(word + "/a_nohash_0.wav")))
  }
  let (paths, set) = try SpeechCommandsFolder.load(directory: dir.path)
  #expect(paths.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent } == ["marvin", "off", "yes"])
  #expect(set.labels == [10, 7, 0])
}

/// The real Speech Commands sample in ../shared/data (skipped, with the reason, where it is absent).
@Test(.enabled(if: SharedData.isAvailable("data/speech-commands-sample/yes"),
               SharedData.reason("data/speech-commands-sample")))
func realSpeechCommandsSampleLoads() throws {
  let folder = SharedData.path("data/speech-commands-sample")
  // All 300 clips with PRECSEARCH_LONG_TESTS (about 20 s in a debug build), else the first of each word.
  let all = LongTests.isEnabled
  let (paths, set) = try SpeechCommandsFolder.load(directory: folder, threads: 2, limitPerWord: all ? nil : 1)
  let perWord = all ? 10 : 1
  #expect(paths.count == 30 * perWord)
  let histogram = set.classHistogram(classes: 12)
  #expect(histogram.prefix(10).allSatisfy { $0 == perWord })
  #expect(histogram[10] == 20 * perWord)
  #expect(histogram[11] == 0)
}
