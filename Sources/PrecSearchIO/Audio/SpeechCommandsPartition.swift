import Foundation

/// Speech Commands' own training / validation / testing partition of a clip: the `which_set` rule of TensorFlow's
/// `tensorflow/examples/speech_commands/input_data.py` (and the data set's README), which MLPerf Tiny's test set and
/// `../shared/data/speech-commands-mini` follow. It depends only on the speaker, so no speaker is in two partitions:
///
/// 1. `hash_name` = the file's base name with everything from the first `_nohash_` on removed
///    (`re.sub(r'_nohash_.*$', '', base_name)`; a name without `_nohash_` is kept whole, extension included);
/// 2. `percentage = (int(sha1(hash_name).hexdigest(), 16) % 2^27) * (100.0 / (2^27 - 1))`, SHA-1 of the UTF-8 bytes,
///    the low 27 bits of the digest read as a big-endian number, the product in Double;
/// 3. `validation` if `percentage < validationPercentage`, else `testing` if `percentage < testingPercentage +
///    validationPercentage`, else `training` (both 10 in Speech Commands and MLPerf Tiny).
public enum SpeechCommandsPartition: String, Hashable, Sendable, CaseIterable {
  /// The training partition.
  case training
  /// The validation partition.
  case validation
  /// The testing partition (MLPerf Tiny's test clips come from it).
  case testing

  /// `MAX_NUM_WAVS_PER_CLASS` of `input_data.py`: 2^27 - 1.
  public static let maximumClipsPerClass = (1 << 27) - 1

  /// The part of a clip's file name the rule hashes: the base name (after the last `/`) up to the first `_nohash_`,
  /// or the whole base name when it has none (e.g. `"bed/0a7c2a8d_nohash_0.wav"` gives `"0a7c2a8d"`).
  public static func hashName(ofFile path: String) -> String {
    let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    guard let marker = base.range(of: "_nohash_") else { return base }
    return String(base[..<marker.lowerBound])
  }

  /// The rule's percentage of a hash name (a speaker id), in [0, 100]: the digest's low 27 bits times
  /// `100.0 / (2^27 - 1)`.
  public static func percentage(ofHashName name: String) -> Double {
    let digest = SHA1.digest(Array(name.utf8))
    let low = digest[16...19].reduce(0) { $0 << 8 | Int($1) } & (maximumClipsPerClass)
    return Double(low) * (100.0 / Double(maximumClipsPerClass))
  }

  /// The partition of the clip at `path` (any path; only its base name counts) under the given percentages
  /// (Speech Commands' defaults: 10 and 10).
  public static func of(file path: String, validationPercentage: Double = 10,
                        testingPercentage: Double = 10) -> SpeechCommandsPartition {
    of(hashName: hashName(ofFile: path), validationPercentage: validationPercentage,
       testingPercentage: testingPercentage)
  }

  /// The partition of the clips of the speaker (hash name) `name`, under the given percentages.
  public static func of(hashName name: String, validationPercentage: Double = 10,
                        testingPercentage: Double = 10) -> SpeechCommandsPartition {
    let value = percentage(ofHashName: name)
    if value < validationPercentage { return .validation }
    if value < testingPercentage + validationPercentage { return .testing }
    return .training
  }
}

/// SHA-1 (FIPS 180-4), only for Speech Commands' partition rule above: not for anything that needs security.
enum SHA1 {
  /// The 20-byte digest of `message`.
  static func digest(_ message: [UInt8]) -> [UInt8] {
    var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    var padded = message
    padded.append(0x80)
    while padded.count % 64 != 56 { padded.append(0) }
    let bitLength = UInt64(message.count) &* 8
    for shift in stride(from: 56, through: 0, by: -8) { padded.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    var w = [UInt32](repeating: 0, count: 80)
    for block in stride(from: 0, to: padded.count, by: 64) {
      for i in 0..<16 {
        let j = block + 4 * i
        w[i] = UInt32(padded[j]) << 24 | UInt32(padded[j + 1]) << 16 | UInt32(padded[j + 2]) << 8 | UInt32(padded[j + 3])
      }
      for i in 16..<80 {
        let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
        w[i] = x << 1 | x >> 31
      }
      var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
      for i in 0..<80 {
        let (f, k): (UInt32, UInt32)
        switch i {
        case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5A82_7999)
        case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
        case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
        default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
        }
        let temp = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
        (e, d, c, b, a) = (d, c, b << 30 | b >> 2, a, temp)
      }
      h[0] = h[0] &+ a
      h[1] = h[1] &+ b
      h[2] = h[2] &+ c
      h[3] = h[3] &+ d
      h[4] = h[4] &+ e
    }
    return h.flatMap { v in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
  }
}
