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
  public static func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    guard FileManager.default.createFile(atPath: temporary, contents: data) else {
      throw FileAccessError(file: path, message: "cannot create the temporary file '\(temporary)' (missing directory or no permission)")
    }
    if rename(temporary, path) != 0 {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw FileAccessError(file: path, message: "cannot rename the temporary file into place: \(reason)")
    }
  }
}
