// Fuzz target: Pareto front documents (ParetoFrontDocument.decode), read by run, simulate, plot, report, summarize.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  _ = try? ParetoFrontDocument.decode(Data(fuzzBytes(start, count)), file: fuzzFileName)
  return 0
}

/// The seed is a real front cut short (Fuzz/run.sh --write-seeds makes it from Results/).
func fuzzSeeds() throws -> [(String, [UInt8])] { [] }
