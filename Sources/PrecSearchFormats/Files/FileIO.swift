import Foundation

/// Small file helpers: whole-file reads with clear errors, and atomic writes.
public enum FileIO {
  /// The contents of the file at `path`. Throws `FileAccessError` naming the file when it is missing, a
  /// directory, or unreadable.
  public static func readData(at path: String) throws -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw FileAccessError(file: path, message: "no such file")
    }
    guard !isDirectory.boolValue else { throw FileAccessError(file: path, message: "is a directory, expected a file") }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
      throw FileAccessError(file: path, message: "cannot read: \(error.localizedDescription)")
    }
  }

  /// Writes `data` to `path` atomically: the bytes go to a temporary file in the same directory, which is then
  /// renamed over `path` (POSIX `rename`), so readers see either the old file or the complete new one.
  /// Throws `FileAccessError`; the temporary file is removed on failure.
  ///
  /// Temporary files of this naming pattern (`.NAME.tmp-PID-RANDOM`) left beside `path` by a process that no longer
  /// runs (a `kill -9` during a write) are removed first, and the directory is synced after the rename so that the
  /// new name survives a power cut.
  public static func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    removeStaleTemporaries(of: url.lastPathComponent, in: directory)
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    // Plain POSIX calls: Foundation's createFile(atPath:contents:) on Linux leaves a TemporaryDirectory.* folder
    // in /tmp behind on every call.
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
      throw FileAccessError(file: path, message: "cannot create the temporary file '\(temporary)': \(String(cString: strerror(errno)))")
    }
    var failure: String?
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = String(cString: strerror(errno))
          return
        }
        offset += written
      }
    }
    if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
    close(descriptor)
    if let failure {
      unlink(temporary)
      throw FileAccessError(file: path, message: "cannot write the temporary file '\(temporary)': \(failure)")
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw FileAccessError(file: path, message: "cannot rename the temporary file into place: \(reason)")
    }
    let directoryDescriptor = open(directory, O_RDONLY)
    if directoryDescriptor >= 0 {
      _ = fsync(directoryDescriptor)  // best effort: some file systems refuse fsync on a directory
      close(directoryDescriptor)
    }
  }

  /// Removes `.NAME.tmp-PID-RANDOM` files in `directory` whose process `PID` no longer runs (this process's own
  /// and other running writers' files are kept).
  static func removeStaleTemporaries(of name: String, in directory: String) {
    let prefix = "." + name + ".tmp-"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for entry in entries where entry.hasPrefix(prefix) {
      let parts = entry.dropFirst(prefix.count).split(separator: "-")
      guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt32(parts[1]) != nil else { continue }
      if kill(pid, 0) == 0 || errno == EPERM { continue }  // the writer still runs
      unlink(directory + "/" + entry)
    }
  }
}
