import Foundation
import NetworkEngine
import NetworkTraining
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import SeededRandom

/// The file `--checkpoint` writes after every epoch: what identifies the run, the wall time so far and the
/// complete trainer state. JSON (keys sorted; floats round-trip exactly).
struct TrainingCheckpoint: Codable {
  /// What must match for a checkpoint to be resumed.
  struct Fingerprint: Codable, Hashable {
    var task: String
    var seed: String
    /// The run's configuration with `threads` set to 1 (threads do not change results).
    var configuration: TrainingConfiguration
    var trainingImagesSHA256: String
    /// The hold-out rule; nil when the data set publishes its validation split (then not encoded, so the
    /// checkpoints of hold-out tasks are unchanged).
    var validationHoldout: ValidationHoldout?
    /// SHA-256 of the published validation split's content; nil (not encoded) for hold-out tasks.
    var validationImagesSHA256: String?
  }

  static let formatName = "precsearch-training-checkpoint"
  static let currentVersion = 1

  var format = TrainingCheckpoint.formatName
  var version = TrainingCheckpoint.currentVersion
  var fingerprint: Fingerprint
  /// Wall time of all the run's processes so far, in seconds.
  var wallSeconds: Double
  var state: TrainingState

  init(fingerprint: Fingerprint, wallSeconds: Double, state: TrainingState) {
    self.fingerprint = fingerprint
    self.wallSeconds = wallSeconds
    self.state = state
  }

  func write(to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data: Data
    do { data = try encoder.encode(self) } catch {
      throw CommandFailure("cannot encode the training checkpoint: \(error)")
    }
    do { try FileIO.writeAtomically(data, to: path) } catch {
      throw CommandFailure("cannot write checkpoint '\(path)': \(PrecSearchTool.describe(error))")
    }
  }

  static func read(from path: String) throws -> TrainingCheckpoint {
    try FileChecks.requireReadableFile(path, what: "checkpoint")
    let data = try FileIO.readData(at: path)
    struct Header: Decodable { var format: String?; var version: Int? }
    guard let header = try? JSONDecoder().decode(Header.self, from: data), header.format == formatName else {
      throw CommandFailure("cannot resume from '\(path)': not a training checkpoint (expected a JSON object with "
        + "\"format\": \"\(formatName)\")")
    }
    guard header.version == currentVersion else {
      throw CommandFailure("cannot resume from '\(path)': checkpoint version \(header.version.map(String.init) ?? "missing"), "
        + "expected \(currentVersion)")
    }
    do { return try JSONDecoder().decode(TrainingCheckpoint.self, from: data) } catch {
      throw CommandFailure("cannot resume from '\(path)': the checkpoint is damaged (\(error))")
    }
  }

  /// Throws unless the checkpoint was made by the same task, seed, settings and training images.
  func check(against expected: Fingerprint, file: String) throws {
    func refuse(_ what: String) -> CommandFailure {
      CommandFailure("cannot resume from '\(file)': it was made with \(what); remove it or run with the same settings")
    }
    guard fingerprint.task == expected.task else { throw refuse("--task \(fingerprint.task)") }
    guard fingerprint.seed == expected.seed else { throw refuse("--seed \(fingerprint.seed)") }
    guard fingerprint.trainingImagesSHA256 == expected.trainingImagesSHA256,
          fingerprint.validationHoldout == expected.validationHoldout,
          fingerprint.validationImagesSHA256 == expected.validationImagesSHA256 else {
      throw refuse("other training images or another validation hold-out")
    }
    guard fingerprint.configuration.epochs == expected.configuration.epochs else {
      throw refuse("--epochs \(fingerprint.configuration.epochs)")
    }
    guard fingerprint.configuration == expected.configuration else { throw refuse("other hyper-parameters") }
  }
}
