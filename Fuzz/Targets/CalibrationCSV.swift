// Fuzz target: energy measurement CSV files (EnergyMeasurementCSV.parse), read by `precsearch calibrate`.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  guard let csv = try? EnergyMeasurementCSV.parse(Data(fuzzBytes(start, count)), file: fuzzFileName) else { return 0 }
  // The rows of an accepted file write as CSV text that parses to the same rows.
  let text = EnergyMeasurementCSV.text(csv.rows)
  fuzzRequire((try? EnergyMeasurementCSV.parse(Data(text.utf8), file: fuzzFileName))?.rows.count == csv.rows.count,
              "accepted rows do not write and read back:\n\(text.prefix(400))")
  return 0
}

/// The documented example of docs/energy.md's calibration section, and a CRLF variant with quoting.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let example = """
    id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj
    r1,network,,8;8;8;8;8,8;8;8;8;8,,921000
    r2,network,,4;4;8;8;16,4;4;8;8;16,,1210500
    r3,layer,fc1,4,8,8,410000

    """
  let variant = "scope,id,energy_pj,activation_bits,weight_bits\r\n\"network\",a,1.5e6,16;16,2;16\r\nlayer,b,7,8,8\r\n"
  return [("gen-example.csv", Array(example.utf8)), ("gen-variant.csv", Array(variant.utf8))]
}
