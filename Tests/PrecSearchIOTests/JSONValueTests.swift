import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom

@Suite struct JSONValueTests {
  static let sample: JSONValue = [
    "int": 42, "negative": -7, "big": .integer(Int.max), "small": .integer(Int.min), "double": 0.1, "tiny": .number(.leastNonzeroMagnitude),
    "huge": 1.7976931348623157e308, "whole": 1.0, "negzero": -0.0, "t": true, "f": false, "null": nil,
    "text": "quote \" backslash \\ newline \n tab \t control \u{01} unicode é 🚀 \u{2028}",
    "nested": ["a": [1, [2, [3, []]], [:]], "b": ["x": ["y": ["z": "deep"]]]],
    "": "empty key",
  ]

  @Test func serializeThenParseRoundTrips() throws {
    for pretty in [true, false] {
      let text = try Self.sample.serialized(pretty: pretty)
      #expect(try JSONValue.parse(text) == Self.sample)
      // Foundation's parser accepts it too.
      #expect(throws: Never.self) { _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    }
  }

  @Test func serializationIsDeterministicAndSorted() throws {
    let a: JSONValue = ["b": 1, "a": [1, 2, 3], "c": ["y": true, "x": nil]]
    #expect(try a.serialized() == "{\n  \"a\": [1, 2, 3],\n  \"b\": 1,\n  \"c\": {\"x\": null, \"y\": true}\n}")
    // A flat object longer than 100 characters is spread over lines.
    let long: JSONValue = ["k": .string(String(repeating: "x", count: 100))]
    #expect(try long.serialized() == "{\n  \"k\": \"\(String(repeating: "x", count: 100))\"\n}")
    #expect(try a.serialized(pretty: false) == "{\"a\":[1,2,3],\"b\":1,\"c\":{\"x\":null,\"y\":true}}")
    #expect(try JSONValue.number(1.0).serialized() == "1.0")
    #expect(try JSONValue.number(1e-5).serialized() == "1e-05")
  }

  @Test func codableRoundTripThroughFoundation() throws {
    let data = try JSONEncoder().encode(Self.sample)
    let back = try JSONDecoder().decode(JSONValue.self, from: data)
    // Foundation may turn whole doubles into integers; compare numerically where the kinds differ.
    #expect(back["int"] == 42 && back["text"] == Self.sample["text"] && back["nested"] == Self.sample["nested"])
    #expect(back["double"]?.doubleValue == 0.1 && back["null"] == .null && back["t"] == true)
  }

  @Test func parsesNumbersByTheirLexicalForm() throws {
    #expect(try JSONValue.parse("12") == .integer(12))
    #expect(try JSONValue.parse("-0") == .integer(0))
    #expect(try JSONValue.parse("12.0") == .number(12))
    #expect(try JSONValue.parse("1E2") == .number(100))
    #expect(try JSONValue.parse("99999999999999999999") == .number(1e20))
    #expect(try JSONValue.parse(" \"\\u00e9\\ud83d\\ude80\" ") == "é🚀")
  }

  @Test(arguments: [
    "", " ", "{", "[1,]", "{\"a\":1,}", "[01]", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc", "\"\\x\"",
    "\"\\ud800\"", "\"\\udc00\"", "\"a\nb\"", "{\"a\" 1}", "{1:2}", "[1 2]", "1 2", "1e999", "{\"a\":1,\"a\":2}",
    "NaN", "[Infinity]", "'a'",
  ])
  func rejectsInvalidText(_ text: String) {
    #expect(throws: JSONSyntaxError.self) { _ = try JSONValue.parse(text) }
  }

  @Test func rejectsInvalidUTF8AndDeepNesting() throws {
    #expect(throws: JSONSyntaxError.self) { _ = try JSONValue.parse([0x22, 0xFF, 0x22]) }
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    let error = try #require(throws: JSONSyntaxError.self) { _ = try JSONValue.parse(deep) }
    #expect(error.message.contains("nesting"))
    let ok = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
    #expect(throws: Never.self) { _ = try JSONValue.parse(ok) }
  }

  @Test func syntaxErrorsGiveLineAndOffset() throws {
    let error = try #require(throws: JSONSyntaxError.self) { _ = try JSONValue.parse("{\n  \"a\": 1,\n  \"b\": x\n}") }
    #expect(error.line == 3 && error.offset == 19)
    #expect(error.description.contains("line 3"))
  }

  @Test func nonFiniteNumbersCannotBeSerialized() {
    let value: JSONValue = ["a": [1, .number(.infinity)]]
    let text = errorText { _ = try value.serialized() }
    #expect(text.contains("a[1]") && text.contains("not finite"))
  }

  @Test func floatsSurviveTheTripExactly() throws {
    var g = SplitMix64(seed: 5)
    var values: [Float] = [1.0 / 255, 0.1, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0, .leastNormalMagnitude,
                            16_777_216]
    for _ in 0..<2000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: g.next()))) }  // any bits
    for v in values where v.isFinite {
      let text = try JSONValue.float(v).serialized()
      let back = try StrictObject.float(try JSONValue.parse(text), path: "")
      #expect(back.bitPattern == v.bitPattern, "\(v) -> \(text) -> \(back)")
    }
  }
}
