// Fuzz target: the Kaggle fer2013.csv layout (FER2013Reader.readCSV): emotion, 2,304 space-separated pixels, Usage.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  _ = try? FER2013Reader.readCSV(data: Data(fuzzBytes(start, count)), file: fuzzFileName)
  return 0
}

/// One synthetic row per usage, pixels 0-9, in the Kaggle column order and with quoting and CRLF.
func fuzzSeeds() throws -> [(String, [UInt8])] {
  let pixels = (0..<2304).map { String($0 % 10) }.joined(separator: " ")
  let kaggle = "emotion,pixels,Usage\n3,\(pixels),Training\n"
  let quoted = "\u{FEFF}Usage,emotion,pixels\r\n\"PrivateTest\",\"5\",\" \(pixels) \"\r\n"
  return [("gen-kaggle.csv", Array(kaggle.utf8)), ("gen-quoted-crlf.csv", Array(quoted.utf8))]
}
