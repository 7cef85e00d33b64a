// Fuzz target: energy table files (EnergyTableFile.decode), read by --energy-model FILE and calibrate --base.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  guard let document = try? EnergyTableFile.decode(Data(fuzzBytes(start, count)), file: fuzzFileName) else { return 0 }
  // An accepted table writes in canonical form and reads back.
  do {
    _ = try EnergyTableFile.decode(try EnergyTableFile.canonicalData(document, file: fuzzFileName), file: fuzzFileName)
  } catch {
    fuzzRequire(false, "an accepted energy table does not write and read back: \(error)")
  }
  return 0
}

/// None generated: the real seeds, Experiments/energy-tables/*.json, are byte-identical to what
/// `EnergyTableFile.canonicalData` writes for the two presets.
func fuzzSeeds() throws -> [(String, [UInt8])] { [] }
