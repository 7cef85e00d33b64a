// Fuzz target: the budget trace CSV of `precsearch simulate --budget-trace` (BudgetTrace).
import Foundation
import PrecSearchFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = fuzzBytes(start, count)
  guard let text = String(bytes: bytes, encoding: .utf8),
        let trace = try? BudgetTrace.parse(text, file: fuzzFileName, uniform16BitPicojoules: 3_071_000) else { return 0 }
  // What parses is ordered from inference 0 with finite budgets >= 0.
  fuzzRequire(trace.rows.first?.inference == 0, "an accepted trace does not start at inference 0")
  fuzzRequire(zip(trace.rows, trace.rows.dropFirst()).allSatisfy { $0.inference < $1.inference },
              "an accepted trace is not in increasing order")
  fuzzRequire(trace.rows.allSatisfy { $0.joules.isFinite && $0.joules >= 0 }, "an accepted budget is not >= 0")
  return 0
}

func fuzzSeeds() throws -> [(String, [UInt8])] {
  [("gen-trace.csv", Array("# a budget that drops and recovers\ninference,budget\n0,100%\n500,40%\n1000,1.2uJ\n1500,800nJ\n".utf8))]
}
