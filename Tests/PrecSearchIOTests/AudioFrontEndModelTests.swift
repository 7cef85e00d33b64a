import AudioFeatures
import Foundation
import NetworkEngine
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import PrecSearchTestSupport
import SeededRandom

/// The model file's optional `audioFrontEnd` field and the features a model computes of a WAV clip.
@Suite struct AudioFrontEndModelTests {
  /// A small 49x10x1 model (random weights) declaring `frontEnd`.
  static func audioModel(_ frontEnd: AudioFrontEnd?) throws -> ModelFile {
    var g = SplitMix64(seed: 19)
    var b = NetworkBuilder(input: KeywordSpotting.inputShape)
    try b.conv("conv", Conv2DAttributes(outputChannels: 2, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2),
               using: &g)
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: 12, using: &g)
    return ModelFile(name: "kws-test", network: try b.build(), labels: KeywordSpotting.classNames, audioFrontEnd: frontEnd)
  }

  @Test func theFieldRoundTripsInBothLayouts() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for frontEnd in AudioFrontEnd.allCases {
      let model = try Self.audioModel(frontEnd)
      try model.write(to: dir.file("\(frontEnd.rawValue).psmodel"))
      try model.write(to: dir.file("\(frontEnd.rawValue).json"), layout: .headerAndBlob)
      for path in [dir.file("\(frontEnd.rawValue).psmodel"), dir.file("\(frontEnd.rawValue).json")] {
        let back = try ModelFile.read(from: path)
        #expect(back.audioFrontEnd == frontEnd)
        #expect(back.audioFrontEndForWAV == frontEnd)
      }
      let header = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.file("\(frontEnd.rawValue).json"))), as: UTF8.self)
      #expect(header.contains("\"audioFrontEnd\": \"\(frontEnd.rawValue)\""), "\(header.prefix(400))")
    }
  }

  @Test func filesWithoutTheFieldReadAsBefore() throws {
    // Without the field nothing is written, so a model that never names a front-end encodes as before.
    let model = try Self.audioModel(nil)
    let header = String(decoding: try model.singleFileData(), as: UTF8.self)
    #expect(!header.contains("audioFrontEnd"))
    let back = try ModelFile(singleFileData: try model.singleFileData(), file: "m")
    #expect(back.audioFrontEnd == nil)
    // A 49x10x1 model without the field reads WAV clips through the 40 ms recipe; other models read no audio.
    #expect(back.audioFrontEndForWAV == .precsearch40ms)
    #expect(try Fixtures.tinyModel().audioFrontEndForWAV == nil)
    #expect(AudioFrontEnd.resolved(declared: .mlperfTiny, inputShape: KeywordSpotting.inputShape, imported: true) == .mlperfTiny)
    // An imported model (provenance "source") that names no front-end reads feature tensors, not audio.
    var imported = model
    imported.provenance = ["source": ["file": "kws_ref_model_int8.tflite"]]
    #expect(imported.audioFrontEndForWAV == nil)
    imported.audioFrontEnd = .mlperfTiny
    #expect(imported.audioFrontEndForWAV == .mlperfTiny)
  }

  @Test func theShippedKWSModelFileIsAnOldFile() throws {
    let shipped = try #require(ModelCatalog.shippedModel(named: "kws"))
    let bytes = try Data(contentsOf: URL(fileURLWithPath: shipped.modelPath))
    let model = try ModelFile.read(from: shipped.modelPath)
    #expect(model.audioFrontEnd == nil)
    #expect(model.audioFrontEndForWAV == .precsearch40ms)
    // Written again, it is the same bytes: the new field costs old files nothing.
    #expect(try model.singleFileData() == bytes)
  }

  @Test func unknownNamesAndNonAudioModelsAreRejected() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file("m.json")
    try Self.audioModel(.mlperfTiny).write(to: path, layout: .headerAndBlob)
    let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    for (replacement, expected) in [("\"mlperf-tiny-v2\"", "unknown audio front-end \"mlperf-tiny-v2\""),
                                    ("42", "expected a string")] {
      try Data(text.replacingOccurrences(of: "\"mlperf-tiny\"", with: replacement).utf8)
        .write(to: URL(fileURLWithPath: path))
      #expect {
        _ = try ModelFile.read(from: path)
      } throws: { error in
        let message = "\(error)"
        return message.contains("m.json") && message.contains("audioFrontEnd") && message.contains(expected)
          && (replacement == "42" || message.contains("\"precsearch-40ms\", \"mlperf-tiny\""))
      }
    }
    // An image model cannot name an audio front-end.
    var image = try Fixtures.tinyModel()
    image.audioFrontEnd = .mlperfTiny
    #expect {
      try image.write(to: dir.file("image.psmodel"))
    } throws: { error in
      "\(error)".contains("audioFrontEnd") && "\(error)".contains("[49, 10, 1]")
    }
    #expect(throws: DatasetError.self) { try KeywordFeatureExtractor(model: try Fixtures.tinyModel(), file: "tiny.psmodel") }
  }

  @Test func aModelsExtractorUsesItsFrontEnd() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    // 0.8 s of a gliding tone with a larger negative peak (so the two peak rules differ).
    let samples = (0..<12_800).map { n -> Int16 in
      let t = Double(n) / 16_000
      return Int16((6000 * sin(2 * Double.pi * (300 + 900 * t) * t) - 1500).rounded())
    }
    let wav = dir.file("glide.wav")
    try Data(WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: samples))).write(to: URL(fileURLWithPath: wav))

    let mlperf = try KeywordFeatureExtractor(model: try Self.audioModel(.mlperfTiny), file: "m")
    #expect(mlperf.frontEnd == .mlperfTiny)
    let bytes = try mlperf.features(ofFile: wav)
    let expected = Int8FeatureQuantization.mlperfTiny.quantize(
      try MFCCExtractor(configuration: .mlperfTiny).features(pcm: samples, sampleRate: 16_000))
    #expect(bytes == expected.map(Int8FeatureQuantization.storedByte))

    let old = try KeywordFeatureExtractor(model: try Self.audioModel(nil), file: "m")
    #expect(old.frontEnd == .precsearch40ms)
    #expect(try old.features(ofFile: wav) == (try KeywordFeatureExtractor().features(ofFile: wav)))
    #expect(try old.features(ofFile: wav) != bytes)

    // A clip shorter than one 30 ms window is refused, naming the file and the front-end.
    let short = dir.file("short.wav")
    try Data(WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: Array(samples.prefix(479))))).write(to: URL(fileURLWithPath: short))
    #expect {
      _ = try mlperf.features(ofFile: short)
    } throws: { error in
      let message = "\(error)"
      return message.contains("short.wav") && message.contains("30 ms") && message.contains("mlperf-tiny")
    }
    #expect(try mlperf.features(of: WAVAudio(sampleRate: 16_000, samples: Array(samples.prefix(480)))).count == 490)
  }

  @Test func speechCommandsFoldersTakeAFrontEndAndALabelSet() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for (index, word) in ["stop", "_silence_", "marvin"].enumerated() {
      try FileManager.default.createDirectory(atPath: dir.file(word), withIntermediateDirectories: true)
      let samples = (0..<16_000).map { n in Int16((5000 * sin(Double(n) * 0.05 * Double(index + 1))).rounded()) }
      try Data(WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: samples)))
        .write(to: URL(fileURLWithPath: dir.file("\(word)/a_nohash_0.wav")))
    }
    // Folders sorted: _silence_, marvin, stop.
    let old = try SpeechCommandsFolder.load(directory: dir.path)
    #expect((0..<3).map { old.dataset.label($0) } == [11, 10, 8])
    let mlperf = try SpeechCommandsFolder.load(directory: dir.path, frontEnd: .mlperfTiny, labelSet: .mlperfTiny)
    #expect((0..<3).map { mlperf.dataset.label($0) } == [10, 11, 7])
    let extractor = try KeywordFeatureExtractor(frontEnd: .mlperfTiny)
    for i in 0..<3 {
      #expect(Array(mlperf.dataset.image(i)) == (try extractor.features(ofFile: mlperf.paths[i])))
      #expect(Array(mlperf.dataset.image(i)) != Array(old.dataset.image(i)))
    }
    #expect(KeywordLabelSet.matching(labels: ["Down", "Go", "Left", "No", "Off", "On", "Right", "Stop", "Up", "Yes",
                                              "_silence_", "_unknown_"]) == .mlperfTiny)
    #expect(KeywordLabelSet.matching(labels: KeywordSpotting.classNames) == .precsearch)
    #expect(KeywordLabelSet.matching(labels: ["a", "b"]) == nil)
  }
}
