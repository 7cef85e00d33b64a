// Records the git commit the tool is built from, at build time, so that results name the commit of the binary that
// made them (not the checkout's HEAD when the binary runs, which a later pull changes). A prebuild command: it
// runs on every build and rewrites the generated file only when its content changes, so builds stay incremental.
import Foundation
import PackagePlugin

@main
struct SourceRevisionPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let directory = context.pluginWorkDirectoryURL.appendingPathComponent("GeneratedSources")
    let output = directory.appendingPathComponent("BuildRevision.swift")
    // $1 the package root, $2 the generated file. Outside a git checkout (a source archive) the commit is
    // "unknown"; tracked files of Sources/ or Package.swift with uncommitted changes are counted.
    let script = #"""
      set -u
      root="$1"; out="$2"; tmp="$out.tmp.$$"
      mkdir -p "$(dirname "$out")"
      commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
      modified=$(git -C "$root" status --porcelain --untracked-files=no -- Sources Package.swift 2>/dev/null | grep -c . || true)
      [ -n "$modified" ] || modified=0
      {
        echo "// Generated at build time by Sources/SourceRevisionPlugin: do not edit."
        echo "/// The source revision this binary was built from."
        echo "enum BuildRevision {"
        echo "  /// The git commit (HEAD) of the checkout at build time, or \"unknown\" outside a git checkout."
        echo "  static let commit = \"$commit\""
        echo "  /// Tracked files of Sources/ and Package.swift that differed from the commit at build time."
        echo "  static let modifiedSourceFiles = $modified"
        echo "}"
      } > "$tmp"
      if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
      """#
    return [
      .prebuildCommand(
        displayName: "Recording the source revision of \(target.name)",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
        outputFilesDirectory: directory),
    ]
  }
}
