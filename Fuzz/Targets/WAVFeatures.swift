// Fuzz target: WAV files through the keyword-spotting front-ends: WAVReader.decode, then (for what it accepts)
// KeywordFeatureExtractor.features(of:) (resampling, MFCC, 8-bit codes) of both front-ends, precsearch-40ms and
// mlperf-tiny, with the documented rate and length bounds (4...192 kHz, at least 40 ms / 30 ms), and no size cap.
import AudioFeatures
import Foundation
import PrecSearchFormats
import PrecSearchIO

let extractors = try! AudioFrontEnd.allCases.map { try KeywordFeatureExtractor(frontEnd: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  guard let audio = try? WAVReader.decode(fuzzBytes(start, count), file: fuzzFileName) else { return 0 }
  fuzzRequire((try? WAVReader.decode(WAVReader.encode(audio), file: fuzzFileName)) == audio, "WAV does not round-trip")
  for extractor in extractors {
    do {
      let codes = try extractor.features(of: audio)
      fuzzRequire(codes.count == 490, "\(codes.count) feature codes (\(extractor.frontEnd.rawValue))")
    } catch let error as AudioFeaturesError {
      fuzzRequire(["sampleRate", "samples"].contains(error.field), "unexpected front-end error \(error)")
    } catch {
      fuzzRequire(false, "unexpected error \(error)")
    }
  }
  return 0
}

/// Short synthetic tones (0.05 s) at 16, 8, 44.1 and 4 kHz as written by WAVReader.encode, one file with a LIST
/// chunk before `fmt ` and WAVE_FORMAT_EXTENSIBLE, and the hostile files of issue 23 that fit in a few KB: 2,000
/// samples at 1 Hz (ran 89 s before the rate bound: a -timeout failure) and 0- and 1-sample clips.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  func tone(_ rate: Int) -> WAVAudio {
    WAVAudio(sampleRate: rate, samples: (0..<(rate / 20)).map { Int16(9000 * sin(2 * Double.pi * 440 * Double($0) / Double(rate))) })
  }
  var seeds = [16_000, 8000, 44_100, 4000].map { ("gen-tone-\($0).wav", WAVReader.encode(tone($0))) }
  func le32(_ v: Int) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
  func le16(_ v: Int) -> [UInt8] { [0, 8].map { UInt8(truncatingIfNeeded: v >> $0) } }
  let samples = WAVReader.encode(tone(22_050)).dropFirst(44)
  var fmt = le16(0xFFFE) + le16(1) + le32(22_050) + le32(44_100) + le16(2) + le16(16) + le16(22) + le16(16) + le32(4)
  fmt += [1, 0, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
  let list = Array("INFOISFT".utf8) + [0x61, 0x62, 0x63]
  var chunks = Array("LIST".utf8) + le32(list.count) + list + [0]
  chunks += Array("fmt ".utf8) + le32(fmt.count) + fmt + Array("data".utf8) + le32(samples.count) + samples
  seeds.append(("gen-extensible-22050.wav", Array("RIFF".utf8) + le32(4 + chunks.count) + Array("WAVE".utf8) + chunks))
  seeds.append(("gen-issue23-1hz-2000-samples.wav",
                WAVReader.encode(WAVAudio(sampleRate: 1, samples: (0..<2000).map { Int16(($0 * 7919) % 20001 - 10000) }))))
  seeds.append(("gen-issue23-0-samples.wav", WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: []))))
  seeds.append(("gen-issue23-1-sample.wav", WAVReader.encode(WAVAudio(sampleRate: 16_000, samples: [1000]))))
  return seeds
}
