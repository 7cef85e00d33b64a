import PrecSearchFormats
import Foundation

/// Mono 16-bit PCM audio read from a WAV file.
public struct WAVAudio: Hashable, Sendable {
  /// Samples per second, in Hz (1...1,000,000).
  public var sampleRate: Int
  /// The samples, in file order.
  public var samples: [Int16]

  /// Creates audio from samples.
  public init(sampleRate: Int, samples: [Int16]) {
    self.sampleRate = sampleRate
    self.samples = samples
  }

  /// Duration in seconds.
  public var duration: Double { Double(samples.count) / Double(max(sampleRate, 1)) }
}

/// Reads RIFF/WAVE files holding 16-bit PCM mono audio at any sample rate.
///
/// The RIFF chunk list is walked properly: each chunk is a 4-byte id, a little-endian 32-bit size and that many
/// bytes plus one pad byte when the size is odd. Chunks other than `fmt ` and `data` (`LIST`, `fact`, `cue `, ...)
/// are skipped. The `fmt ` chunk must come before `data` and describe PCM (format tag 1, or 0xFFFE
/// WAVE_FORMAT_EXTENSIBLE with the PCM sub-format), 1 channel, 16 bits per sample, block align 2, and a sample rate in
/// 1...1,000,000 Hz. Anything else (float, A-law, 8/24/32-bit, stereo, truncated or inconsistent sizes) is rejected
/// with a `DatasetError` naming the file, the byte offset and what was expected. Never traps.
public enum WAVReader {
  /// The PCM sub-format GUID of WAVE_FORMAT_EXTENSIBLE after its first two bytes (0x0001).
  static let pcmGUIDTail: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

  /// Reads the WAV file at `path`. Throws `FileAccessError` when it cannot be read, `DatasetError` when it is not
  /// 16-bit PCM mono WAV.
  public static func read(at path: String) throws -> WAVAudio {
    try decode([UInt8](try FileIO.readData(at: path)), file: path)
  }

  /// Decodes WAV bytes; `file` names the source in errors.
  public static func decode(_ bytes: [UInt8], file: String) throws -> WAVAudio {
    func fail(_ offset: Int, _ message: String) -> DatasetError { DatasetError(file: file, offset: offset, message: message) }
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    func fourCC(_ at: Int) -> String {
      String(bytes[at..<(at + 4)].map { (32...126).contains($0) ? Character(UnicodeScalar($0)) : "?" })
    }
    guard bytes.count >= 12 else {
      throw fail(bytes.count, "truncated: \(bytes.count) bytes, expected at least the 12-byte RIFF/WAVE header")
    }
    guard fourCC(0) == "RIFF" else {
      let hint = fourCC(0) == "RF64" ? " (RF64, 64-bit WAV, is not supported)" : ""
      throw fail(0, "found '\(fourCC(0))', expected 'RIFF' (a WAV file)\(hint)")
    }
    guard fourCC(8) == "WAVE" else { throw fail(8, "RIFF form type '\(fourCC(8))', expected 'WAVE'") }
    // The RIFF size may overstate (streamed files) but chunks must lie inside the file: walk to the real end.
    let end = min(bytes.count, 8 + u32(4))
    var offset = 12
    var format: (rate: Int, offset: Int)?
    while offset + 8 <= end {
      let id = fourCC(offset)
      let size = u32(offset + 4)
      let body = offset + 8
      guard size <= end - body else {
        throw fail(offset + 4, "chunk '\(id)' announces \(size) bytes but only \(end - body) remain in the file (truncated?)")
      }
      switch id {
      case "fmt ":
        guard size >= 16 else { throw fail(offset + 4, "'fmt ' chunk of \(size) bytes, expected at least 16") }
        var tag = u16(body)
        if tag == 0xFFFE {
          guard size >= 40, u16(body + 16) >= 22 else {
            throw fail(body + 16, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of \(size) bytes, expected 40 with a 22-byte extension")
          }
          let guid = Array(bytes[(body + 24)..<(body + 40)])
          guard guid[0] == 1, guid[1] == 0, Array(guid[2...]) == pcmGUIDTail else {
            throw fail(body + 24, "WAVE_FORMAT_EXTENSIBLE sub-format is not PCM; expected 16-bit PCM")
          }
          tag = 1
        }
        guard tag == 1 else {
          let names = [3: "IEEE float", 6: "A-law", 7: "mu-law", 2: "ADPCM", 0x11: "IMA ADPCM", 0x55: "MP3"]
          throw fail(body, "audio format \(tag)\(names[tag].map { " (\($0))" } ?? ""), expected 1 (PCM)")
        }
        let channels = u16(body + 2), rate = u32(body + 4), blockAlign = u16(body + 12), bits = u16(body + 14)
        guard channels == 1 else { throw fail(body + 2, "\(channels) channels, expected 1 (mono)") }
        guard bits == 16 else { throw fail(body + 14, "\(bits) bits per sample, expected 16") }
        guard blockAlign == 2 else { throw fail(body + 12, "block align \(blockAlign), expected 2 (one 16-bit sample)") }
        guard (1...1_000_000).contains(rate) else {
          throw fail(body + 4, "sample rate \(rate) Hz, expected 1...1000000")
        }
        format = (rate, body)
      case "data":
        guard let format else { throw fail(offset, "'data' chunk before the 'fmt ' chunk; expected 'fmt ' first") }
        guard size % 2 == 0 else {
          throw fail(offset + 4, "'data' chunk of \(size) bytes, expected a whole number of 2-byte samples")
        }
        var samples = [Int16](repeating: 0, count: size / 2)
        for i in 0..<(size / 2) { samples[i] = Int16(bitPattern: UInt16(truncatingIfNeeded: u16(body + 2 * i))) }
        return WAVAudio(sampleRate: format.rate, samples: samples)
      default:
        break  // LIST, fact, cue, bext, ...: not needed
      }
      offset = body + size + (size & 1)
    }
    throw fail(min(offset, bytes.count), format == nil ? "no 'fmt ' chunk, expected 'fmt ' and 'data' chunks"
                                                         : "no 'data' chunk after 'fmt ', expected the samples")
  }

  /// Encodes mono 16-bit PCM as a minimal WAV file (`RIFF`, `fmt ` with 16 bytes, `data`), e.g. for tests.
  public static func encode(_ audio: WAVAudio) -> [UInt8] {
    func le32(_ v: Int) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
    func le16(_ v: Int) -> [UInt8] { [0, 8].map { UInt8(truncatingIfNeeded: v >> $0) } }
    let dataSize = audio.samples.count * 2
    var out: [UInt8] = Array("RIFF".utf8) + le32(36 + dataSize) + Array("WAVEfmt ".utf8) + le32(16)
    out += le16(1) + le16(1) + le32(audio.sampleRate) + le32(audio.sampleRate * 2) + le16(2) + le16(16)
    out += Array("data".utf8) + le32(dataSize)
    out.reserveCapacity(out.count + dataSize)
    for s in audio.samples { out += le16(Int(UInt16(bitPattern: s))) }
    return out
  }
}
