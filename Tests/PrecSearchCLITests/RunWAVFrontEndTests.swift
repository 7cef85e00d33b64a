import Foundation
import Testing
import AudioFeatures
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
@testable import PrecSearchCLI
import SeededRandom
import PrecSearchTestSupport

/// `run` computes a WAV clip's features with the front-end the model file names (`audioFrontEnd`).
@Suite struct RunWAVFrontEndTests {
  @Test func wavFeaturesFollowTheModelsFrontEnd() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    var g = SplitMix64(seed: 23)
    var b = NetworkBuilder(input: KeywordSpotting.inputShape)
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: 12, using: &g)
    let network = try b.build()
    let samples = (0..<16_000).map { n -> Int16 in
      Int16((7000 * sin(2 * Double.pi * 523 * Double(n) / 16_000) * Double(n) / 16_000 - 900).rounded())
    }
    let wav = directory.path("clip.wav")
    try Data(WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: samples))).write(to: URL(fileURLWithPath: wav))

    var seen: [[UInt8]] = []
    for frontEnd in [nil, AudioFrontEnd.precsearch40ms, .mlperfTiny] {
      let model = ModelFile(name: "kws", network: network, labels: KeywordSpotting.classNames, audioFrontEnd: frontEnd)
      let items = try RuntimeInputs.load(wav, model: model, limit: nil)
      #expect(items.count == 1)
      let expected = try KeywordFeatureExtractor(frontEnd: frontEnd ?? .precsearch40ms).features(ofFile: wav)
      #expect(items.first?.pixels == expected)
      seen.append(items.first?.pixels ?? [])
    }
    #expect(seen[0] == seen[1] && seen[1] != seen[2])
  }
}
