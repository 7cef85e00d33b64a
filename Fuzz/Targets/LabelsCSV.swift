// Fuzz target: a labels.csv data folder's table (LabelsCSVFolder): header with label_index, path columns, rows.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  if let folder = try? LabelsCSVFolder(table: Data(fuzzBytes(start, count)), directory: "/nonexistent-fuzz-folder") {
    // Path resolution of every row must fail cleanly (no file exists there), never trap.
    for row in folder.rows.prefix(64) {
      for column in folder.columns.indices { _ = try? folder.file(row: row, column: column) }
    }
    _ = folder.wavColumn
  }
  return 0
}

/// MLPerf Tiny's two layouts, one quoted with CRLF.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let ic = "file,label_index\nimages/a.bin,7\nimages/b.bin,5\n"
  let kws = "file,label_index,label,mfcc_file\r\n\"tst_000000_Stop_7.wav\",7,stop,mfcc-int8/tst_000000_Stop_7.bin\r\n"
  return [("gen-ic.csv", Array(ic.utf8)), ("gen-kws-crlf.csv", Array(kws.utf8))]
}
