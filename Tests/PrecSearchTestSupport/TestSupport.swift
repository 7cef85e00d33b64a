// What every test target shares: the long-tests switch, the shared data folder, temporary directories.
// Test targets only; no product depends on it.
import Foundation
import Testing

/// The long tests: larger sweeps and slower end-to-end runs, off by default so that `swift test` stays short.
///
/// On when the environment variable `PRECSEARCH_LONG_TESTS` is set to anything but an empty string or `0` (CI's
/// long step sets it to 1). Tests use it as `.enabled(if: LongTests.isEnabled, LongTests.reason)` for a whole
/// test, or read `isEnabled` to choose a sweep's size.
public enum LongTests {
  /// Whether the long tests run.
  public static let isEnabled: Bool = {
    guard let value = ProcessInfo.processInfo.environment["PRECSEARCH_LONG_TESTS"] else { return false }
    return !value.isEmpty && value != "0"
  }()

  /// Why a long test is skipped, for `.enabled(if:_:)`.
  public static let reason: Comment = "a long test: set PRECSEARCH_LONG_TESTS=1 to run it"
}

/// `../shared` beside the checkout: the real data sets (`data/`) and reference models (`models/`), which only
/// developer machines and CI have. Tests that read them are `.enabled(if: SharedData.isAvailable(...))`, so they
/// are reported as skipped, with the reason, where the folder is missing.
public enum SharedData {
  /// The `shared` folder: `PRECSEARCH_SHARED` if set, else `../shared` relative to the package root.
  public static let root: URL = {
    if let path = ProcessInfo.processInfo.environment["PRECSEARCH_SHARED"], !path.isEmpty {
      return URL(fileURLWithPath: path, isDirectory: true)
    }
    // This file is Tests/PrecSearchTestSupport/TestSupport.swift: the package root is three levels up.
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
  }()

  /// The path of `relativePath` inside the shared folder (e.g. `data/fer2013/privatetest.bin`).
  public static func path(_ relativePath: String) -> String {
    root.appendingPathComponent(relativePath).path
  }

  /// Whether every one of `relativePaths` exists in the shared folder.
  public static func isAvailable(_ relativePaths: String...) -> Bool {
    relativePaths.allSatisfy { FileManager.default.fileExists(atPath: path($0)) }
  }

  /// Why a test that needs the shared folder is skipped.
  public static func reason(_ what: String) -> Comment {
    Comment(rawValue: "needs \(what) in \(root.path) (the shared data sets; absent here)")
  }
}

/// A fresh empty directory under the system temporary directory, removed by `cleanup()`.
public struct TemporaryDirectory: Sendable {
  /// The directory.
  public let url: URL
  /// The directory's path.
  public var path: String { url.path }

  /// Creates the directory (named after `purpose`, with a random suffix).
  public init(_ purpose: String = "precsearch-tests") throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("\(purpose)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// The path of `name` inside the directory.
  public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

  /// The path of `name` inside the directory (the same as `file(_:)`).
  public func path(_ name: String) -> String { file(name) }

  /// Removes the directory and everything in it.
  public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// A generator whose every output is zero: an edge case that must not crash anything.
public struct ZeroGenerator: RandomNumberGenerator {
  public init() {}
  /// The constant output.
  public mutating func next() -> UInt64 { 0 }
}

/// A generator whose every output is all ones.
public struct OnesGenerator: RandomNumberGenerator {
  public init() {}
  /// The constant output.
  public mutating func next() -> UInt64 { .max }
}

