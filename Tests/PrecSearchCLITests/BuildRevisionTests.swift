import Foundation
import Testing
@testable import PrecSearchCLI

/// The commit in provenance is the one the binary was built from, recorded at build time by SourceRevisionPlugin
/// (before, `git rev-parse HEAD` ran when a command ran, so a binary built at one commit and run after a pull
/// recorded the newer commit: #23).
@Suite struct BuildRevisionTests {
  /// HEAD of this checkout, read from .git without running git (nil outside a git checkout). In a linked worktree
  /// `.git` is a file naming the worktree's git folder (`gitdir: ...`), whose `commondir` holds the shared refs.
  static func checkoutHead() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    var git = root.appendingPathComponent(".git")
    var common = git
    if let link = try? String(contentsOf: git, encoding: .utf8), link.hasPrefix("gitdir: ") {
      let path = link.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines)
      git = URL(fileURLWithPath: path, relativeTo: root).standardizedFileURL
      let commonPath = (try? String(contentsOf: git.appendingPathComponent("commondir"), encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
      common = commonPath.map { URL(fileURLWithPath: $0, relativeTo: git.appendingPathComponent("x")).standardizedFileURL } ?? git
    }
    guard let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
    guard head.hasPrefix("ref: ") else { return head }
    let reference = String(head.dropFirst(5))
    git = common
    if let loose = try? String(contentsOf: git.appendingPathComponent(reference), encoding: .utf8) {
      return loose.trimmingCharacters(in: .whitespacesAndNewlines)
    }
    let packed = (try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8)) ?? ""
    return packed.split(separator: "\n").first { $0.hasSuffix(" " + reference) }.map { String($0.prefix(40)) }
  }

  @Test func theRecordedCommitIsTheBuildsAndMarksADirtyTree() throws {
    let commit = BuildRevision.commit
    #expect(commit == (Self.checkoutHead() ?? "unknown"), "built from \(commit)")
    let recorded = SourceRevision.commit
    #expect(recorded == commit || recorded == commit + "-dirty")
    #expect(recorded.hasSuffix("-dirty") == (BuildRevision.modifiedSourceFiles > 0))
    #expect(TrainingSourceRevision.commit == commit)
  }
}
