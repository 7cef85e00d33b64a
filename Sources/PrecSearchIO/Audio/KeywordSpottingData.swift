import PrecSearchFormats
import AudioFeatures
import Foundation
import NetworkEngine
import PlatformSupport

/// The keyword-spotting task's classes, features and input shape (docs/audio.md).
public enum KeywordSpotting {
  /// The 12 classes, in label order: the 10 command words of Speech Commands, then "unknown" (any other word) and
  /// "silence" (no speech).
  public static let classNames = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "unknown", "silence"]
  /// The 10 command words (labels 0...9).
  public static let commandWords = Array(classNames.prefix(10))
  /// The label of "unknown".
  public static let unknownLabel = 10
  /// The label of "silence".
  public static let silenceLabel = 11
  /// The network input: 49 frames x 10 coefficients x 1 channel.
  public static let inputShape = TensorShape(height: 49, width: 10, channels: 1)

  /// The label of a word: its index for a command word, ``silenceLabel`` for "silence" or "_silence_",
  /// ``unknownLabel`` for any other word.
  public static func label(ofWord word: String) -> Int {
    let w = word.lowercased()
    if w == "silence" || w == "_silence_" { return silenceLabel }
    return commandWords.firstIndex(of: w) ?? unknownLabel
  }
}

/// A keyword-spotting class order: the 12 class names in label order and which labels are "unknown" and
/// "silence". ``precsearch`` is the order of the shipped `kws` model (``KeywordSpotting/classNames``);
/// ``mlperfTiny`` is MLPerf Tiny's (`word_labels` of its `get_dataset.py`, the label indices of
/// `../shared/data/mlperf-tiny-kws/labels.csv`).
public struct KeywordLabelSet: Hashable, Sendable {
  /// A short name for messages: `precsearch` or `mlperf-tiny`.
  public let name: String
  /// The class names, in label order (lower case; "unknown" and "silence" without underscores).
  public let classNames: [String]
  /// The label of "unknown" (any word that is not a command word).
  public let unknownLabel: Int
  /// The label of "silence" (no speech).
  public let silenceLabel: Int

  /// The shipped model's order: yes no up down left right on off stop go, unknown (10), silence (11).
  public static let precsearch = KeywordLabelSet(name: "precsearch", classNames: KeywordSpotting.classNames,
                                                 unknownLabel: KeywordSpotting.unknownLabel,
                                                 silenceLabel: KeywordSpotting.silenceLabel)
  /// MLPerf Tiny's order: down go left no off on right stop up yes (alphabetical), silence (10), unknown (11).
  public static let mlperfTiny = KeywordLabelSet(
    name: "mlperf-tiny", classNames: ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"],
    unknownLabel: 11, silenceLabel: 10)

  /// The label of a word or folder name (any case): a command word's index; ``silenceLabel`` for `silence` or
  /// `_silence_`; ``unknownLabel`` for `unknown`, `_unknown_` and every other word.
  public func label(ofWord word: String) -> Int {
    let w = word.lowercased()
    if w == "silence" || w == "_silence_" { return silenceLabel }
    if w == "unknown" || w == "_unknown_" { return unknownLabel }
    return classNames.indices.first { $0 != unknownLabel && $0 != silenceLabel && classNames[$0] == w } ?? unknownLabel
  }

  /// The known sets, in this order: ``precsearch``, ``mlperfTiny``.
  public static let all: [KeywordLabelSet] = [.precsearch, .mlperfTiny]

  /// The known set whose class names are `labels` (e.g. a model file's `labels`), compared in lower case with
  /// `_silence_` / `_unknown_` read as `silence` / `unknown`; nil when none matches.
  public static func matching(labels: [String]) -> KeywordLabelSet? {
    let names = labels.map { label -> String in
      let l = label.lowercased()
      return l == "_silence_" ? "silence" : l == "_unknown_" ? "unknown" : l
    }
    return all.first { $0.classNames == names }
  }

  /// `label` of this set as a label of `other` (the same class name), e.g. an MLPerf label in the shipped order.
  public func label(_ label: Int, in other: KeywordLabelSet) -> Int? {
    guard classNames.indices.contains(label) else { return nil }
    return other.classNames.firstIndex(of: classNames[label])
  }
}

/// Computes the 8-bit features a keyword-spotting model reads from WAV audio, for one `AudioFrontEnd`
/// (docs/audio.md): what the `kws` model reads, in training and at inference, and what a data set reader computes
/// for a model with an audio front-end.
///
/// - `precsearch-40ms` (the default): `MFCCExtractor` with `MFCCConfiguration.keywordSpotting`, then
///   `MFCCQuantization.keywordSpotting` (one step and zero code per coefficient, rounded, clamped to 0...255);
/// - `mlperf-tiny`: `MFCCConfiguration.mlperfTiny`, then `Int8FeatureQuantization.mlperfTiny` (MLPerf's int8 input
///   codes), each code stored as the byte `code + 128` (`Int8FeatureQuantization.storedByte(_:)`).
///
/// For a model, `KeywordFeatureExtractor(model:file:)` picks the front-end its file names
/// (`ModelFile.audioFrontEndForWAV`): `try KeywordFeatureExtractor(model: model, file: modelPath).features(ofFile: path)`
/// are the model's input bytes for the WAV at `path`.
public struct KeywordFeatureExtractor: Sendable {
  /// How MFCC values become bytes.
  public enum Storage: Hashable, Sendable {
    /// One step and zero code per coefficient, codes 0...255 (`precsearch-40ms`).
    case perCoefficient(MFCCQuantization)
    /// One affine int8 rule, each int8 code stored as `code + 128` (`mlperf-tiny`).
    case int8(Int8FeatureQuantization)

    /// The stored bytes of frame-major MFCC values.
    public func bytes(_ values: [Float]) -> [UInt8] {
      switch self {
      case .perCoefficient(let rule): return rule.quantize(values)
      case .int8(let rule): return values.map { Int8FeatureQuantization.storedByte(rule.code($0)) }
      }
    }
  }

  /// The front-end this extractor computes.
  public let frontEnd: AudioFrontEnd
  /// The MFCC front-end.
  public let extractor: MFCCExtractor
  /// The 8-bit storage rule.
  public let storage: Storage

  /// Creates the extractor of `frontEnd` (the project's 40 ms recipe unless given).
  public init(frontEnd: AudioFrontEnd = .precsearch40ms) throws {
    self.frontEnd = frontEnd
    switch frontEnd {
    case .precsearch40ms:
      extractor = try MFCCExtractor(configuration: .keywordSpotting)
      storage = .perCoefficient(.keywordSpotting)
    case .mlperfTiny:
      extractor = try MFCCExtractor(configuration: .mlperfTiny)
      storage = .int8(.mlperfTiny)
    }
  }

  /// The extractor of the front-end `model` reads WAV clips through (`ModelFile.audioFrontEndForWAV`: the file's
  /// `audioFrontEnd`, else `precsearch-40ms` for a 49 x 10 x 1 input of a model that was not imported). Throws
  /// `DatasetError` naming `file` (the model's path, for the message) when the model does not read audio.
  public init(model: ModelFile, file: String) throws {
    guard let frontEnd = model.audioFrontEndForWAV else {
      let s = model.network.inputShape, f = AudioFrontEnd.featureShape
      throw DatasetError(file: file, message: "the model does not read audio: its file names no audioFrontEnd, and its "
        + "input is \(s.height)x\(s.width)x\(s.channels) (the MFCC features of a WAV clip are \(f.height)x\(f.width)x\(f.channels)) "
        + "or it was imported (an imported model reads feature tensors unless it names a front-end)")
    }
    try self.init(frontEnd: frontEnd)
  }

  /// Number of feature bytes per clip (490).
  public var featureCount: Int { extractor.featureCount }

  /// The 490 feature bytes of `audio` (resampled to 16 kHz when needed; the first second, zero-padded). Throws
  /// `AudioFeaturesError` for a sample rate outside `MFCCExtractor.supportedInputRates` (4...192 kHz) or a clip
  /// shorter than one analysis window (40 ms, or 30 ms for `mlperf-tiny`; `MFCCExtractor.features(pcm:sampleRate:)`;
  /// docs/audio.md).
  public func features(of audio: WAVAudio) throws -> [UInt8] {
    storage.bytes(try extractor.features(pcm: audio.samples, sampleRate: audio.sampleRate))
  }

  /// The feature codes of the WAV file at `path`. Throws the reader's errors, and a `DatasetError` naming the file
  /// for audio the front-end rejects (its sample rate or length, see ``features(of:)``).
  public func features(ofFile path: String) throws -> [UInt8] {
    let audio = try WAVReader.read(at: path)
    do {
      return try features(of: audio)
    } catch let error as AudioFeaturesError {
      throw DatasetError(file: path, message: "cannot compute keyword-spotting features: \(error.message) "
        + "(\(frontEnd.rawValue) front-end)")
    }
  }

  /// Features of many files on `threads` threads (1 or 2), in the order of `paths`. Throws the first error in
  /// path order.
  public func features(ofFiles paths: [String], threads: Int) throws -> [UInt8] {
    let extractor = self
    return try ParallelMap.map(count: paths.count, threads: min(threads, 2)) { index in
      try extractor.features(ofFile: paths[index])
    }.flatMap { $0 }
  }
}

/// The synthetic keyword-spotting data made by `Experiments/kws/synthesize.sh`: a directory with `manifest.csv`
/// (columns `path,label,word,speaker,voice,split`; paths relative to the directory) and the WAV clips. The splits are
/// the manifest's (by speaker); a speaker found in two splits is an error.
public struct SyntheticKeywordData: Sendable {
  /// One manifest row.
  public struct Clip: Hashable, Sendable {
    /// Path relative to the data directory.
    public var path: String
    /// Class label (``KeywordSpotting/classNames`` index).
    public var label: Int
    /// The speaker (the unit of the split).
    public var speaker: String
  }

  /// The data directory.
  public var directory: String
  /// SHA-256 of `manifest.csv`.
  public var manifestSHA256: String
  /// Clips per split, in manifest order.
  public var clips: [String: [Clip]]
  /// Features (`KeywordSpotting.inputShape` 8-bit images) and labels of each split: "train", "validation", "test".
  public var sets: [String: ImageDataset]

  /// The split names, in order.
  public static let splitNames = ["train", "validation", "test"]

  /// Reads the manifest and computes the features of every clip (on `threads` threads). Throws `DatasetError`
  /// naming the manifest line for a malformed row, an unknown label or split, or a speaker in two splits, and
  /// the WAV reader's errors for a bad clip.
  public static func load(directory: String, threads: Int = 1) throws -> SyntheticKeywordData {
    let manifestPath = URL(fileURLWithPath: directory).appendingPathComponent("manifest.csv").path
    guard FileManager.default.fileExists(atPath: manifestPath) else {
      throw DatasetError(file: manifestPath, message: "missing: expected the manifest.csv written by Experiments/kws/synthesize.sh")
    }
    let data = try FileIO.readData(at: manifestPath)
    let text = String(decoding: data, as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
      throw DatasetError(file: manifestPath, message: "empty; expected a header line 'path,label,word,speaker,voice,split'")
    }
    func column(_ name: String) throws -> Int {
      guard let i = header.firstIndex(of: name) else {
        throw DatasetError(file: manifestPath, offset: 0, message: "header has no '\(name)' column; expected path,label,word,speaker,voice,split")
      }
      return i
    }
    let pathColumn = try column("path"), labelColumn = try column("label"), speakerColumn = try column("speaker")
    let splitColumn = try column("split")
    var clips: [String: [Clip]] = [:]
    var speakerSplit: [String: String] = [:]
    for (number, line) in lines.enumerated().dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == header.count else {
        throw DatasetError(file: manifestPath, message: "line \(number + 1) has \(fields.count) fields, expected \(header.count)")
      }
      let labelName = fields[labelColumn]
      guard let label = KeywordSpotting.classNames.firstIndex(of: labelName) else {
        throw DatasetError(file: manifestPath, message: "line \(number + 1): label '\(labelName)', expected one of "
          + KeywordSpotting.classNames.joined(separator: " "))
      }
      let split = fields[splitColumn], speaker = fields[speakerColumn]
      guard splitNames.contains(split) else {
        throw DatasetError(file: manifestPath, message: "line \(number + 1): split '\(split)', expected train, validation or test")
      }
      if let previous = speakerSplit[speaker], previous != split {
        throw DatasetError(file: manifestPath, message: "line \(number + 1): speaker '\(speaker)' is in both \(previous) and "
          + "\(split); the splits must be by speaker")
      }
      speakerSplit[speaker] = split
      clips[split, default: []].append(Clip(path: fields[pathColumn], label: label, speaker: speaker))
    }
    let extractor = try KeywordFeatureExtractor()
    var sets: [String: ImageDataset] = [:]
    for split in splitNames {
      let list = clips[split] ?? []
      guard !list.isEmpty else {
        throw DatasetError(file: manifestPath, message: "no \(split) clips; expected clips of every split (train, validation, test)")
      }
      let paths = list.map { URL(fileURLWithPath: directory).appendingPathComponent($0.path).path }
      let features = try extractor.features(ofFiles: paths, threads: threads)
      sets[split] = try ImageDataset(height: 49, width: 10, channels: 1, pixels: features,
                                     labels: list.map { UInt8($0.label) })
    }
    return SyntheticKeywordData(directory: directory, manifestSHA256: sha256Hex(of: data), clips: clips,
                                sets: sets)
  }
}

/// A folder of real clips laid out like Speech Commands (`WORD/SPEAKER_nohash_N.wav`), e.g.
/// `../shared/data/speech-commands-sample`: the 10 command words get their labels, every other word folder
/// "unknown", `_silence_` folders "silence"; `_background_noise_` is skipped.
public enum SpeechCommandsFolder {
  /// True when `directory` has Speech Commands' layout: at least one word folder (``wordFolders(in:)``) holding a
  /// `.wav` file. Reads only directory listings.
  public static func hasLayout(directory: String) -> Bool {
    ((try? wordFolders(in: directory)) ?? []).contains { (try? wavFiles(in: $0))?.isEmpty == false }
  }

  /// The word folders of `directory`, sorted: its subdirectories except `_background_noise_` and hidden ones.
  static func wordFolders(in directory: String) throws -> [URL] {
    let fm = FileManager.default
    return try fm.contentsOfDirectory(atPath: directory).sorted().compactMap { word in
      var isDirectory: ObjCBool = false
      let folder = URL(fileURLWithPath: directory).appendingPathComponent(word)
      guard word != "_background_noise_", !word.hasPrefix("."),
            fm.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
      return folder
    }
  }

  /// The names of the `.wav` files (any case) of `folder`, sorted.
  static func wavFiles(in folder: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter { $0.lowercased().hasSuffix(".wav") }
  }

  /// The clips' paths (word folders sorted, files sorted) and their features and labels; with `limitPerWord`, only
  /// the first that many clips of each word folder. Features are those of `frontEnd` and labels those of
  /// `labelSet` (by default the shipped `kws` model's: `precsearch-40ms`, ``KeywordLabelSet/precsearch``); for a
  /// model, pass `model.audioFrontEndForWAV` and `KeywordLabelSet.matching(labels: model.labels)`.
  public static func load(directory: String, threads: Int = 1, limitPerWord: Int? = nil,
                          frontEnd: AudioFrontEnd = .precsearch40ms,
                          labelSet: KeywordLabelSet = .precsearch) throws -> (paths: [String], dataset: ImageDataset) {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw DatasetError(file: directory, message: "no such directory; expected a folder of WORD/*.wav clips")
    }
    var paths: [String] = [], labels: [UInt8] = []
    for folder in try wordFolders(in: directory) {
      let files = try wavFiles(in: folder)
      for file in files.prefix(limitPerWord ?? files.count) {
        paths.append(folder.appendingPathComponent(file).path)
        labels.append(UInt8(labelSet.label(ofWord: folder.lastPathComponent)))
      }
    }
    guard !paths.isEmpty else {
      throw DatasetError(file: directory, message: "no WORD/*.wav clips found; expected Speech Commands' layout")
    }
    let features = try KeywordFeatureExtractor(frontEnd: frontEnd).features(ofFiles: paths, threads: threads)
    return (paths, try ImageDataset(height: 49, width: 10, channels: 1, pixels: features, labels: labels))
  }
}
