// Fuzz target: FER2013 record files (FER2013Reader.readRecords): 1 label byte + 2,304 pixel bytes per record.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  _ = try? FER2013Reader.readRecords(data: Data(fuzzBytes(start, count)), file: fuzzFileName)
  return 0
}

/// Two synthetic records as written by FER2013Reader.writeRecords.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let dataset = try ImageDataset(height: 48, width: 48, channels: 1,
                                 pixels: (0..<(2 * 2304)).map { UInt8(truncatingIfNeeded: $0 * 7) }, labels: [0, 6])
  let path = NSTemporaryDirectory() + "precsearch-fuzz-seed-\(getpid()).bin"
  defer { try? FileManager.default.removeItem(atPath: path) }
  try FER2013Reader.writeRecords(dataset, to: path)
  return [("gen-two-records.bin", Array(try Data(contentsOf: URL(fileURLWithPath: path))))]
}
