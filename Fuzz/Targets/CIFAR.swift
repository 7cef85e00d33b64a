// Fuzz target: CIFAR-10 binary batches (CIFAR10Reader.read(file:)): records of 1 label byte + 3,072 pixel bytes.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  if let dataset = try? CIFAR10Reader.read(file: fuzzFile(fuzzBytes(start, count), suffix: ".bin")) {
    fuzzRequire(dataset.count * 3073 == count, "\(dataset.count) records from \(count) bytes")
  }
  return 0
}

/// Two synthetic records (labels 3 and 9).
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let records = [3, 9].flatMap { label in [UInt8(label)] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 * label) } }
  return [("gen-two-records.bin", records)]
}
