/// A file could not be opened, read, written or renamed.
public struct FileAccessError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file's path.
  public var file: String
  /// What failed.
  public var message: String
  /// Creates an error about `file`.
  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }
  /// `'path': message`.
  public var description: String { "'\(file)': \(message)" }
}

/// A model file that cannot be read or written: names the file, the field (a JSON path such as
/// `nodes[3].attributes.kernel`, or `node 'conv1'`, or a byte range) and what was expected.
public struct ModelFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file's path (or the name given to in-memory data).
  public var file: String
  /// Where in the file: a JSON path, a node, or a region such as `header length`; empty for the whole file.
  public var field: String
  /// What is wrong and what was expected.
  public var message: String
  /// Creates an error.
  public init(file: String, field: String, message: String) {
    self.file = file
    self.field = field
    self.message = message
  }
  /// `model file 'PATH': FIELD: MESSAGE`.
  public var description: String {
    field.isEmpty ? "model file '\(file)': \(message)" : "model file '\(file)': \(field): \(message)"
  }
}

/// A data-set file that is truncated or malformed, or an inconsistent data set: names the file, the byte offset
/// and what was expected.
public struct DatasetError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file's path; nil for a data set built in memory.
  public var file: String?
  /// Byte offset of the problem, when it concerns one place in the file.
  public var offset: Int?
  /// What is wrong and what was expected.
  public var message: String
  /// Creates an error.
  public init(file: String?, offset: Int? = nil, message: String) {
    self.file = file
    self.offset = offset
    self.message = message
  }
  /// `data file 'PATH', byte OFFSET: MESSAGE` (parts omitted when unknown).
  public var description: String {
    var s = file.map { "data file '\($0)'" } ?? "data set"
    if let offset { s += ", byte \(offset)" }
    return s + ": " + message
  }
}
