// Fuzz target: the JSON parser (JSONValue.parse), which every JSON document of the project goes through.
import Foundation
import PrecSearchFormats
import PrecSearchIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let bytes = fuzzBytes(start, count)
  guard let value = try? JSONValue.parse(bytes) else { return 0 }
  // Whatever parses serializes, and the text parses back to the same value.
  if let text = try? value.serialized(pretty: false) {
    fuzzRequire((try? JSONValue.parse(text)) == value, "serialized JSON does not parse back: \(text.prefix(200))")
  }
  return 0
}

func fuzzSeeds() throws -> [(String, [UInt8])] {
  let value: JSONValue = ["format": "x", "n": 3, "pi": 3.25, "list": [1, -2, true, nil, "é\u{1F600}\\\"\n"], "o": [:]]
  return [("gen-small.json", Array(try value.serialized(pretty: true).utf8))]
}
