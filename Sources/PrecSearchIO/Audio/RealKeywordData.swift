import AudioFeatures
import Foundation
import PlatformSupport
import PrecSearchFormats
import SeededRandom

/// The knobs of the real-speech keyword-spotting recipe (``RealKeywordData``, docs/audio.md). The defaults are
/// MLPerf Tiny's training settings (`get_dataset.py` / TensorFlow's `input_data.py`: background frequency 0.8,
/// background volume 0.1, time shift 100 ms, 10% silence, 10% unknown) with 4 augmented copies of each clip.
public struct RealKeywordRecipe: Hashable, Sendable {
  /// Real `speech-commands-mini/training` clips per command word (the first ones of its manifest); nil: all (300).
  public var realClipsPerWord: Int?
  /// Augmented copies of each training clip (each with its own time shift and background noise).
  public var copies: Int
  /// Share of "silence" clips in the training set (and in validation).
  public var silenceFraction: Double
  /// Share of "unknown" clips in the training set, at most (when there are enough unknown-word clips).
  public var unknownFraction: Double
  /// Probability that a training clip gets background noise.
  public var backgroundFrequency: Double
  /// The largest background volume (the noise, peak-normalized by its file, times a uniform volume in 0...this).
  public var backgroundVolume: Double
  /// The largest time shift, in samples (1,600 = 100 ms), each way.
  public var timeShiftSamples: Int
  /// Seed of every random choice of the assembly (unknown and silence draws, shifts, noise segments, volumes).
  public var seed: UInt64

  /// Creates a recipe; the defaults are MLPerf Tiny's settings with 4 copies and seed 1.
  public init(realClipsPerWord: Int? = nil, copies: Int = 4, silenceFraction: Double = 0.1,
              unknownFraction: Double = 0.1, backgroundFrequency: Double = 0.8, backgroundVolume: Double = 0.1,
              timeShiftSamples: Int = 1_600, seed: UInt64 = 1) {
    self.realClipsPerWord = realClipsPerWord
    self.copies = copies
    self.silenceFraction = silenceFraction
    self.unknownFraction = unknownFraction
    self.backgroundFrequency = backgroundFrequency
    self.backgroundVolume = backgroundVolume
    self.timeShiftSamples = timeShiftSamples
    self.seed = seed
  }
}

/// Keyword-spotting data of real speech in MLPerf Tiny's 12 classes (``KeywordLabelSet/mlperfTiny``) with the
/// `mlperf-tiny` front-end (docs/audio.md, "Real-speech training data"). `load(directory:)` reads a folder holding
/// (as folders or symbolic links):
///
/// - `speech-commands-mini/`: its `training` clips train (8 words), its `validation` clips validate (manifest.csv);
/// - `speech-commands-sample/`: clips of speakers in Speech Commands' training partition (``SpeechCommandsPartition``)
///   train, of its validation partition validate, of its testing partition are never read;
/// - `kws-synthetic/`: `Experiments/kws/synthesize.sh` output (e.g. `KWS_COMMANDS="on off"`): its `on`, `off` and
///   `unknown` clips, by the manifest's speaker split (train trains; validation and test speakers validate); its
///   synthetic silence is not used;
/// - `speech-commands-noise/`: the six background-noise WAVs ("silence" clips and background mixing);
/// - `mlperf-tiny-kws/`: MLPerf Tiny's test set (`audio/LABEL/*.wav`), the test split only.
///
/// Training clips: every command-word clip, unknown-word clips up to ``RealKeywordRecipe/unknownFraction`` of the set
/// (real ones first, then a seeded draw of the synthetic ones), and silence up to
/// ``RealKeywordRecipe/silenceFraction``; each in ``RealKeywordRecipe/copies`` augmented copies, as MLPerf's training
/// augments: the clip peak-normalized (its largest signed sample, as the front-end), shifted by up to 100 ms
/// (zero-filled), and with probability 0.8 a random 1 s segment of a random noise file times a volume uniform in
/// 0...0.1 added, clamped to [-1, 1]; a silence clip is a random noise segment, peak-normalized, with the same
/// background rule. Validation is not augmented (silence: one noise segment per clip). Every draw comes from
/// `SeedDerivation.generator(seed:generation:index:)` of the recipe's seed, so the data depend on nothing else.
public struct RealKeywordData: Sendable {
  /// Where a clip's foreground comes from.
  public enum Foreground: Hashable, Sendable {
    /// A WAV file (absolute path).
    case file(String)
    /// A noise segment ("silence").
    case silence
  }

  /// One clip of the training or validation list.
  public struct Clip: Hashable, Sendable {
    /// The foreground audio.
    public var foreground: Foreground
    /// The label, in ``KeywordLabelSet/mlperfTiny`` order.
    public var label: Int
    /// The speaker (Speech Commands' hash name, a synthetic voice, or `noise`).
    public var speaker: String
    /// The source folder: `speech-commands-mini`, `speech-commands-sample`, `kws-synthetic` or `speech-commands-noise`.
    public var source: String
  }

  /// The sub-folder names `load(directory:)` reads.
  public static let miniFolder = "speech-commands-mini", sampleFolder = "speech-commands-sample",
    syntheticFolder = "kws-synthetic", noiseFolder = "speech-commands-noise", testFolder = "mlperf-tiny-kws"
  /// The label set of the data.
  public static let labelSet = KeywordLabelSet.mlperfTiny
  /// The front-end of the features.
  public static let frontEnd = AudioFrontEnd.mlperfTiny

  /// The recipe that made the data.
  public var recipe: RealKeywordRecipe
  /// The training clips (before copies), in assembly order.
  public var trainClips: [Clip]
  /// The validation clips, in assembly order.
  public var validationClips: [Clip]
  /// Training features: ``RealKeywordRecipe/copies`` copies, copy-major (all clips' copy 0, then copy 1, ...).
  public var train: ImageDataset
  /// Validation features.
  public var validation: ImageDataset
  /// MLPerf Tiny's 1,000 test clips, labels in ``labelSet`` order (word folders sorted, files sorted).
  public var test: ImageDataset
  /// (file name, SHA-256) of the manifests, noise files and the test set's labels.csv, in reading order.
  public var fileChecksums: [(String, String)]

  /// Counts of `clips` per (label, source), sorted by label then source: the recipe's table.
  public static func counts(_ clips: [Clip]) -> [(label: String, source: String, count: Int)] {
    var table: [String: Int] = [:]
    for clip in clips { table["\(clip.label)|\(clip.source)", default: 0] += 1 }
    return table.keys.sorted { a, b in
      let pa = a.split(separator: "|"), pb = b.split(separator: "|")
      return (Int(pa[0])!, String(pa[1])) < (Int(pb[0])!, String(pb[1]))
    }.map { key in
      let parts = key.split(separator: "|")
      return (labelSet.classNames[Int(parts[0])!], String(parts[1]), table[key]!)
    }
  }

  /// Lists the clips and computes every feature (on `threads` threads, 1 or 2). Throws `DatasetError` naming the
  /// missing folder or malformed manifest line, and the WAV reader's errors.
  public static func load(directory: String, recipe: RealKeywordRecipe = RealKeywordRecipe(),
                          threads: Int = 1) throws -> RealKeywordData {
    let base = URL(fileURLWithPath: directory)
    func folder(_ name: String) throws -> URL {
      let url = base.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw DatasetError(file: url.path, message: "missing: the real-speech keyword data needs \(miniFolder), "
          + "\(sampleFolder), \(syntheticFolder), \(noiseFolder) and \(testFolder) in '\(directory)' "
          + "(Experiments/kws/real_data.sh makes that folder)")
      }
      return url
    }
    let mini = try folder(miniFolder), sample = try folder(sampleFolder), synthetic = try folder(syntheticFolder)
    let noise = try folder(noiseFolder), testRoot = try folder(testFolder)
    var checksums: [(String, String)] = []
    var train: [Clip] = [], validation: [Clip] = []

    // speech-commands-mini: file,word,speaker,partition.
    let miniManifest = mini.appendingPathComponent("manifest.csv").path
    let miniRows = try csvRows(miniManifest, columns: ["file", "word", "speaker", "partition"])
    checksums.append(("\(miniFolder)/manifest.csv", try sha256Hex(ofFile: miniManifest)))
    var perWord: [Int: Int] = [:]
    for row in miniRows {
      let clip = Clip(foreground: .file(mini.appendingPathComponent(row[0]).path), label: labelSet.label(ofWord: row[1]),
                      speaker: row[2], source: miniFolder)
      switch row[3] {
      case "training":
        if let limit = recipe.realClipsPerWord, perWord[clip.label, default: 0] >= limit { continue }
        perWord[clip.label, default: 0] += 1
        train.append(clip)
      case "validation": validation.append(clip)
      default:
        throw DatasetError(file: miniManifest, message: "partition '\(row[3])' of '\(row[0])'; expected training or validation")
      }
    }

    // speech-commands-sample: by Speech Commands' partition of the speaker; never a testing-partition speaker.
    var realUnknown: [Clip] = []
    for wordFolder in try SpeechCommandsFolder.wordFolders(in: sample.path) {
      let word = wordFolder.lastPathComponent
      for file in try SpeechCommandsFolder.wavFiles(in: wordFolder) {
        let clip = Clip(foreground: .file(wordFolder.appendingPathComponent(file).path), label: labelSet.label(ofWord: word),
                        speaker: SpeechCommandsPartition.hashName(ofFile: file), source: sampleFolder)
        switch SpeechCommandsPartition.of(file: file) {
        case .training: if clip.label == labelSet.unknownLabel { realUnknown.append(clip) } else { train.append(clip) }
        case .validation: validation.append(clip)
        case .testing: continue
        }
      }
    }

    // Synthetic on, off and unknown clips, by the manifest's speaker split.
    let syntheticManifest = synthetic.appendingPathComponent("manifest.csv").path
    let syntheticRows = try csvRows(syntheticManifest, columns: ["path", "label", "speaker", "split"])
    checksums.append(("\(syntheticFolder)/manifest.csv", try sha256Hex(ofFile: syntheticManifest)))
    var syntheticUnknown: [Clip] = []
    for row in syntheticRows where row[1] != "silence" {
      let label = labelSet.label(ofWord: row[1])
      let clip = Clip(foreground: .file(synthetic.appendingPathComponent(row[0]).path), label: label, speaker: row[2],
                      source: syntheticFolder)
      if row[3] == "train" {
        if label == labelSet.unknownLabel { syntheticUnknown.append(clip) } else { train.append(clip) }
      } else {
        validation.append(clip)
      }
    }

    // Unknown and silence shares of the training set (MLPerf: 10% each).
    let words = train.count
    let rest = 1 - recipe.unknownFraction - recipe.silenceFraction
    let unknownTarget = Int((Double(words) * recipe.unknownFraction / rest).rounded())
    let silenceTarget = Int((Double(words) * recipe.silenceFraction / rest).rounded())
    var draw = SeedDerivation.generator(seed: recipe.seed, generation: 0, index: 0)
    let unknown = Array(realUnknown.prefix(unknownTarget))
      + RandomDraws.shuffledIndices(count: syntheticUnknown.count, using: &draw)
        .prefix(max(0, unknownTarget - realUnknown.count)).sorted().map { syntheticUnknown[$0] }
    train += unknown
    train += Array(repeating: Clip(foreground: .silence, label: labelSet.silenceLabel, speaker: "noise", source: noiseFolder),
                   count: silenceTarget)
    let validationSilence = Int((Double(validation.count) * recipe.silenceFraction / (1 - recipe.silenceFraction)).rounded())
    validation += Array(repeating: Clip(foreground: .silence, label: labelSet.silenceLabel, speaker: "noise",
                                        source: noiseFolder), count: validationSilence)

    // Noise recordings, peak-normalized.
    var noises: [[Float]] = []
    for file in try FileManager.default.contentsOfDirectory(atPath: noise.path).sorted() where file.lowercased().hasSuffix(".wav") {
      let path = noise.appendingPathComponent(file).path
      let audio = try WAVReader.read(at: path)
      guard audio.sampleRate == 16_000, audio.samples.count >= 16_000 else {
        throw DatasetError(file: path, message: "expected 16 kHz noise of at least 1 s")
      }
      noises.append(normalized(audio.samples.map { Float($0) / 32_768 }))
      checksums.append(("\(noiseFolder)/\(file)", try sha256Hex(ofFile: path)))
    }
    guard !noises.isEmpty else { throw DatasetError(file: noise.path, message: "no noise WAVs") }

    let extractor = try KeywordFeatureExtractor(frontEnd: frontEnd)
    let augmenter = Augmenter(recipe: recipe, noises: noises, extractor: extractor)
    let trainClips = train, copies = max(1, recipe.copies)
    let trainFeatures = try ParallelMap.map(count: trainClips.count * copies, threads: min(max(threads, 1), 2)) { job in
      let copy = job / trainClips.count, index = job % trainClips.count
      return try augmenter.features(trainClips[index], augmented: true, generation: 1 + copy, index: index)
    }.flatMap { $0 }
    let validationClips = validation
    let validationFeatures = try ParallelMap.map(count: validationClips.count, threads: min(max(threads, 1), 2)) { index in
      try augmenter.features(validationClips[index], augmented: false, generation: 1_000, index: index)
    }.flatMap { $0 }

    let labelsCSV = testRoot.appendingPathComponent("labels.csv").path
    if FileManager.default.fileExists(atPath: labelsCSV) {
      checksums.append(("\(testFolder)/labels.csv", try sha256Hex(ofFile: labelsCSV)))
    }
    let (_, test) = try SpeechCommandsFolder.load(directory: testRoot.appendingPathComponent("audio").path,
                                                  threads: threads, frontEnd: frontEnd, labelSet: labelSet)
    let trainLabels = (0..<copies).flatMap { _ in trainClips.map { UInt8($0.label) } }
    return RealKeywordData(
      recipe: recipe, trainClips: trainClips, validationClips: validationClips,
      train: try ImageDataset(height: 49, width: 10, channels: 1, pixels: trainFeatures, labels: trainLabels),
      validation: try ImageDataset(height: 49, width: 10, channels: 1, pixels: validationFeatures,
                                   labels: validationClips.map { UInt8($0.label) }),
      test: test, fileChecksums: checksums)
  }

  /// `samples` divided by their largest signed sample (the largest magnitude when that is not positive; all-zero
  /// stays zero), as the `mlperf-tiny` front-end and MLPerf's `get_dataset.py` do.
  static func normalized(_ samples: [Float]) -> [Float] {
    var peak = samples.max() ?? 0
    if peak <= 0 { peak = samples.map(abs).max() ?? 0 }
    return peak > 0 ? samples.map { $0 / peak } : samples
  }

  /// The rows of a CSV file with a header, the named columns in the given order. No quoting (the manifests have none).
  static func csvRows(_ path: String, columns: [String]) throws -> [[String]] {
    let text = String(decoding: try FileIO.readData(at: path), as: UTF8.self)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
      throw DatasetError(file: path, message: "empty; expected a header naming \(columns.joined(separator: ", "))")
    }
    let indices = try columns.map { name -> Int in
      guard let i = header.firstIndex(of: name) else {
        throw DatasetError(file: path, message: "header has no '\(name)' column")
      }
      return i
    }
    return try lines.enumerated().dropFirst().map { number, line in
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == header.count else {
        throw DatasetError(file: path, message: "line \(number + 1) has \(fields.count) fields, expected \(header.count)")
      }
      return indices.map { fields[$0] }
    }
  }

  /// MLPerf's training augmentation of one clip, then its features.
  struct Augmenter: Sendable {
    let recipe: RealKeywordRecipe
    let noises: [[Float]]
    let extractor: KeywordFeatureExtractor
    static let length = 16_000

    /// A random 1 s segment of a random noise recording.
    func noiseSegment(using generator: inout Xoshiro256StarStar) -> [Float] {
      let noise = noises[RandomDraws.uniform(below: noises.count, using: &generator)]
      let start = RandomDraws.uniform(below: noise.count - Self.length + 1, using: &generator)
      return Array(noise[start..<(start + Self.length)])
    }

    func features(_ clip: Clip, augmented: Bool, generation: Int, index: Int) throws -> [UInt8] {
      var generator = SeedDerivation.generator(seed: recipe.seed, generation: generation, index: index)
      var samples: [Float]
      switch clip.foreground {
      case .silence:
        samples = normalized(noiseSegment(using: &generator))
      case .file(let path):
        let audio = try WAVReader.read(at: path)
        guard audio.sampleRate == 16_000 else {
          throw DatasetError(file: path, message: "sample rate \(audio.sampleRate) Hz; the training clips must be 16 kHz")
        }
        samples = Array(audio.samples.prefix(Self.length)).map { Float($0) / 32_768 }
        samples += [Float](repeating: 0, count: Self.length - samples.count)
        samples = normalized(samples)
      }
      if augmented {
        if case .file = clip.foreground, recipe.timeShiftSamples > 0 {
          let shift = RandomDraws.uniform(in: -recipe.timeShiftSamples...recipe.timeShiftSamples, using: &generator)
          var shifted = [Float](repeating: 0, count: Self.length)
          for n in 0..<Self.length where n - shift >= 0 && n - shift < Self.length { shifted[n] = samples[n - shift] }
          samples = shifted
        }
        if generator.nextUnitInterval() < recipe.backgroundFrequency {
          let volume = Float(generator.nextUnitInterval() * recipe.backgroundVolume)
          let background = noiseSegment(using: &generator)
          for n in 0..<Self.length { samples[n] = min(1, max(-1, samples[n] + volume * background[n])) }
        }
      }
      return extractor.storage.bytes(extractor.extractor.features(samples))
    }
  }
}
