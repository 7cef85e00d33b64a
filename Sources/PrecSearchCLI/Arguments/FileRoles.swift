import Foundation

/// The files a command reads and writes, checked before any work (issue #23: an output never overwrites an input).
///
/// - An output (or checkpoint) that is one of the inputs, or another of the outputs, is a usage error (exit 64).
///   Two paths name the same file when their resolved paths are equal (`./m.psmodel`, `m.psmodel`, a symbolic link
///   to it) or when they are the same existing file (device and inode).
/// - An output whose path is an existing directory, or whose directory is missing or not writable, is a runtime
///   failure (exit 1) found before the first measurement instead of after the whole run.
struct FileRoles {
  /// A file the command reads: the option it came from (for the message) and its path.
  struct Input {
    var option: String
    var path: String
  }

  /// A file the command writes.
  struct Output {
    var option: OptionSpec
    var path: String
    /// How the message names it ("output file", "checkpoint file").
    var what: String
  }

  var inputs: [Input] = []
  var outputs: [Output] = []

  /// Adds an input file; nil adds nothing. A data set directory adds the data files the readers take from it (IDX
  /// `*-idx*` files, CIFAR-10 and FER2013 `.bin` records, `.csv` files, directly inside it or in
  /// `cifar-10-batches-bin/`), not every file: models, fronts and checkpoints may live beside the data.
  mutating func read(_ path: String?, option: String) {
    guard let path else { return }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      inputs.append(Input(option: option, path: path))
      return
    }
    for folder in [path, URL(fileURLWithPath: path).appendingPathComponent("cifar-10-batches-bin").path] {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      for name in names.sorted() where Self.isDataFileName(name) {
        inputs.append(Input(option: option, path: URL(fileURLWithPath: folder).appendingPathComponent(name).path))
      }
    }
  }

  /// Whether a data set reader may read a file of this name (IDX, CIFAR-10 / FER2013 records, CSV).
  static func isDataFileName(_ name: String) -> Bool {
    name.contains("-idx") || name.hasSuffix(".bin") || name.hasSuffix(".csv")
  }

  /// Adds an output file; nil adds nothing.
  mutating func write(_ path: String?, option: OptionSpec, what: String = "output file") {
    guard let path else { return }
    outputs.append(Output(option: option, path: path, what: what))
  }

  /// Throws a `UsageError` when an output is an input or another output, and a `CommandFailure` when an output
  /// cannot be written where it is (an existing directory, a missing or read-only directory).
  func check() throws {
    for (index, output) in outputs.enumerated() {
      if let input = inputs.first(where: { Self.sameFile($0.path, output.path) }) {
        throw UsageError("The value '\(output.path)' is invalid for '\(output.option.synopsis)': it is the file "
          + "'\(input.path)' that \(input.option) reads; choose another \(output.what).")
      }
      if let other = outputs[..<index].first(where: { Self.sameFile($0.path, output.path) }) {
        throw UsageError("The value '\(output.path)' is invalid for '\(output.option.synopsis)': it is also the "
          + "\(other.what) of '\(other.option.synopsis)'; choose another \(output.what).")
      }
    }
    for output in outputs { try Self.checkWritable(output.path, what: output.what) }
  }

  /// Whether `a` and `b` name the same file: equal resolved paths, or the same existing file.
  static func sameFile(_ a: String, _ b: String) -> Bool {
    if resolved(a) == resolved(b) { return true }
    guard let first = identity(a), let second = identity(b) else { return false }
    return first == second
  }

  /// The absolute path with `.`, `..` and symbolic links (of the file or, when it does not exist, of its directory)
  /// resolved.
  static func resolved(_ path: String) -> String {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    if FileManager.default.fileExists(atPath: url.path) { return url.resolvingSymlinksInPath().path }
    return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
  }

  /// Device and inode of an existing file (following links), or nil.
  static func identity(_ path: String) -> [UInt64]? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return [UInt64(status.st_dev), UInt64(status.st_ino)]
  }

  /// Throws a `CommandFailure` naming the file unless `path` can be written: not an existing directory, and in an
  /// existing, writable directory.
  static func checkWritable(_ path: String, what: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      throw CommandFailure("cannot write \(what) '\(path)': it is a directory; give a file name")
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw CommandFailure("cannot write \(what) '\(path)': the directory '\(directory)' does not exist")
    }
    guard FileManager.default.isWritableFile(atPath: directory) else {
      throw CommandFailure("cannot write \(what) '\(path)': the directory '\(directory)' is not writable")
    }
  }

  /// Writes a run's result with `write(path)`; when that fails (the path was checked before the run, but a directory
  /// may have appeared there, or the disk filled), writes it beside the path as `PATH.recovered-PID.EXTENSION` and
  /// throws a failure that names both, so a long run is never thrown away. Rethrows when both writes fail.
  static func writeRecovering(to path: String, what: String, fileExtension: String = "json",
                              _ write: (String) throws -> Void) throws {
    do {
      try write(path)
    } catch {
      let recovered = "\(path).recovered-\(getpid()).\(fileExtension)"
      guard (try? write(recovered)) != nil else { throw error }
      throw CommandFailure("cannot write \(what) to '\(path)' (\(PrecSearchTool.describe(error))); it was written to "
        + "'\(recovered)' instead")
    }
  }
}
