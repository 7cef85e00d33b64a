// Fuzz target: IDX files (IDXReader.readImages and readLabels on the same bytes), the Fashion-MNIST format and the
// shipped keyword-spotting features.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let path = fuzzFile(fuzzBytes(start, count))
  if let images = try? IDXReader.readImages(at: path) {
    fuzzRequire(images.pixels.count == images.count * images.height * images.width, "pixel count \(images)")
  }
  _ = try? IDXReader.readLabels(at: path)
  _ = try? IDXReader.readLabels(at: path, classCount: 10)
  return 0
}

/// A 3-image 2x3 data set as written by IDXWriter.write (images and labels). Real ones: Fuzz/run.sh --write-seeds
/// cuts the shipped keyword-spotting validation features to 3 images.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let dataset = try ImageDataset(height: 2, width: 3, channels: 1, pixels: (0..<18).map { UInt8($0 * 13) }, labels: [0, 9, 3])
  let directory = NSTemporaryDirectory() + "precsearch-fuzz-seed-\(getpid())"
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: directory) }
  try IDXWriter.write(dataset, images: directory + "/i", labels: directory + "/l")
  return [("gen-images-idx3", Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/i")))),
          ("gen-labels-idx1", Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/l"))))]
}
