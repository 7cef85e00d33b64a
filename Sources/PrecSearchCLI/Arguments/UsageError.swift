/// A mistake in the command line: an unknown option, a missing or malformed value, a value that does not fit the
/// model. The tool prints it as `Error: <message>` followed by the command's usage line and a pointer to its help,
/// on standard error, and exits with `EX_USAGE` (64).
public struct UsageError: Error, Hashable, Sendable, CustomStringConvertible {
  /// One line saying what is wrong and what was expected.
  public var message: String
  /// Creates a usage error.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// A failure while doing the work (unreadable file, malformed model or data, engine error). The tool prints
/// `Error: <message>` on standard error and exits with status 1.
public struct CommandFailure: Error, Hashable, Sendable, CustomStringConvertible {
  /// One line saying what failed.
  public var message: String
  /// Creates a runtime failure.
  public init(_ message: String) { self.message = message }
  /// The message.
  public var description: String { message }
}

/// Process exit statuses used by the tool (the BSD `sysexits.h` values that swift-argument-parser uses).
public enum ExitStatus {
  /// Success.
  public static let success: Int32 = 0
  /// A runtime failure (`EXIT_FAILURE`).
  public static let failure: Int32 = 1
  /// A usage error (`EX_USAGE`).
  public static let usage: Int32 = 64
}
