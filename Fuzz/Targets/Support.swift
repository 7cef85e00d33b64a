// Compiled into every fuzz target (Fuzz/run.sh): the libFuzzer initialization hook and helpers.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The name every target passes to the readers as the input's file name.
let fuzzFileName = "fuzz-input"

/// libFuzzer calls this once before fuzzing. With `PRECSEARCH_FUZZ_WRITE_SEEDS=DIR` in the environment it writes
/// the target's generated seeds (`fuzzSeeds()`, made with the project's own writers) into DIR and exits instead.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzInitialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
  guard let directory = ProcessInfo.processInfo.environment["PRECSEARCH_FUZZ_WRITE_SEEDS"] else { return 0 }
  do {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (name, bytes) in try fuzzSeeds() {
      try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
      print("wrote \(directory)/\(name) (\(bytes.count) bytes)")
    }
    exit(0)
  } catch {
    print("cannot write the seeds: \(error)")
    exit(1)
  }
}

/// The input as an array.
func fuzzBytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
  Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// Writes the input to this process's scratch file (in /dev/shm when it exists) and returns the path, for readers
/// that take a path. The file is overwritten by every call.
func fuzzFile(_ bytes: [UInt8], suffix: String = "") -> String {
  let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
  let path = "\(directory)/precsearch-fuzz-\(getpid())\(suffix)"
  _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
  return path
}

/// Stops the run with a message when a property every accepted input must have does not hold (libFuzzer reports
/// it as a crash and keeps the input).
func fuzzRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
  if !condition() {
    print("fuzz property violated: \(message())")
    abort()
  }
}
