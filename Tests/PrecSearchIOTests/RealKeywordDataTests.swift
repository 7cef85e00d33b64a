import Foundation
import PrecSearchFormats
import Testing
@testable import PrecSearchIO
import PrecSearchTestSupport

@Suite struct RealKeywordDataTests {
  /// A tone of `frequency` Hz at `amplitude`, `count` samples at 16 kHz.
  static func tone(_ frequency: Double, amplitude: Double = 0.5, count: Int = 16_000) -> WAVAudio {
    WAVAudio(sampleRate: 16_000, samples: (0..<count).map {
      Int16(amplitude * 32_000 * sin(2 * Double.pi * frequency * Double($0) / 16_000))
    })
  }

  /// A data folder with two real training clips per word of `speech-commands-mini` (yes, no), one validation clip,
  /// sample clips of a training (d750966e), validation (dc2222d7) and testing (563aa4e6) speaker, synthetic on/off
  /// and unknown clips, one noise file and a 2-clip test set.
  static func makeFolder(_ dir: TemporaryDirectory) throws -> String {
    func write(_ relative: String, _ audio: WAVAudio) throws {
      let path = dir.file(relative)
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                              withIntermediateDirectories: true)
      try Data(WAVReader.encode(audio)).write(to: URL(fileURLWithPath: path))
    }
    var mini = "file,word,speaker,partition\n"
    for (w, word) in ["yes", "no"].enumerated() {
      for i in 0..<2 {
        try write("speech-commands-mini/training/\(word)/s\(i)_nohash_0.wav", tone(300 + 100 * Double(w + i)))
        mini += "training/\(word)/s\(i)_nohash_0.wav,\(word),s\(i),training\n"
      }
      try write("speech-commands-mini/validation/\(word)/v_nohash_0.wav", tone(700))
      mini += "validation/\(word)/v_nohash_0.wav,\(word),v,validation\n"
    }
    try Data(mini.utf8).write(to: URL(fileURLWithPath: dir.file("speech-commands-mini/manifest.csv")))
    for speaker in ["d750966e", "dc2222d7", "563aa4e6"] {
      try write("speech-commands-sample/on/\(speaker)_nohash_0.wav", tone(900, count: 12_000))
      try write("speech-commands-sample/bed/\(speaker)_nohash_0.wav", tone(1_100))
    }
    var synthetic = "path,label,word,speaker,voice,split\n"
    for (i, (label, split)) in [("on", "train"), ("off", "train"), ("unknown", "train"), ("unknown", "train"),
                                ("off", "validation"), ("silence", "train")].enumerated() {
      try write("kws-synthetic/clips/c\(i).wav", tone(500 + 50 * Double(i)))
      synthetic += "clips/c\(i).wav,\(label),w,sp\(i),v,\(split)\n"
    }
    try Data(synthetic.utf8).write(to: URL(fileURLWithPath: dir.file("kws-synthetic/manifest.csv")))
    try write("speech-commands-noise/noise.wav", WAVAudio(sampleRate: 16_000, samples: (0..<32_000).map {
      Int16(truncatingIfNeeded: ($0 &* 7_919) % 20_011 - 10_000)
    }))
    try write("mlperf-tiny-kws/audio/yes/t0.wav", tone(400))
    try write("mlperf-tiny-kws/audio/_silence_/t1.wav", tone(10, amplitude: 0.01))
    return dir.path
  }

  @Test func assemblesTheRecipeInMLPerfOrderAndNeverReadsTestingSpeakers() throws {
    let dir = try TemporaryDirectory("real-kws")
    defer { dir.cleanup() }
    let folder = try Self.makeFolder(dir)
    let recipe = RealKeywordRecipe(copies: 2, silenceFraction: 0.2, unknownFraction: 0.2)
    let data = try RealKeywordData.load(directory: folder, recipe: recipe)
    let names = KeywordLabelSet.mlperfTiny.classNames
    // Words: 4 mini + sample "on" (training speaker) + synthetic on, off = 7; unknown and silence 7 * 0.2 / 0.6.
    let counts = RealKeywordData.counts(data.trainClips)
    #expect(counts.map { "\($0.label)/\($0.source) \($0.count)" } == [
      "no/speech-commands-mini 2", "off/kws-synthetic 1", "on/kws-synthetic 1", "on/speech-commands-sample 1",
      "yes/speech-commands-mini 2", "silence/speech-commands-noise 2", "unknown/kws-synthetic 1",
      "unknown/speech-commands-sample 1",
    ])
    #expect(data.train.count == 2 * data.trainClips.count)
    #expect(data.train.labels.prefix(data.trainClips.count).map(Int.init) == data.trainClips.map(\.label))
    // The testing-partition speaker is in neither list; the validation-partition one validates.
    let speakers = (data.trainClips + data.validationClips).map(\.speaker)
    #expect(!speakers.contains("563aa4e6"))
    #expect(data.validationClips.filter { $0.speaker == "dc2222d7" }.count == 2)
    #expect(!data.trainClips.contains { $0.speaker == "dc2222d7" })
    #expect(data.validationClips.contains { $0.source == "kws-synthetic" && names[$0.label] == "off" })
    // Test: MLPerf's order, silence = 10.
    #expect(data.test.labels.sorted() == [8 + 1, 10].map(UInt8.init))
    // Seeded: the same bytes again; another seed changes the augmented copies but not validation.
    let again = try RealKeywordData.load(directory: folder, recipe: recipe)
    #expect(again.train.pixels == data.train.pixels && again.validation.pixels == data.validation.pixels)
    var other = recipe
    other.seed = 2
    let reseeded = try RealKeywordData.load(directory: folder, recipe: other)
    #expect(reseeded.train.pixels != data.train.pixels)
    // The copies differ (shift and noise), and a limit per word keeps the first clips.
    let n = data.trainClips.count * 490
    #expect(Array(data.train.pixels[0..<n]) != Array(data.train.pixels[n..<(2 * n)]))
    let limited = try RealKeywordData.load(directory: folder, recipe: RealKeywordRecipe(realClipsPerWord: 1, copies: 1))
    #expect(limited.trainClips.filter { $0.source == "speech-commands-mini" }.map(\.speaker) == ["s0", "s0"])
  }

  @Test func namesAMissingFolder() throws {
    let dir = try TemporaryDirectory("real-kws-missing")
    defer { dir.cleanup() }
    #expect(throws: DatasetError.self) { try RealKeywordData.load(directory: dir.path) }
  }
}
