import FixedPointArithmetic
import Testing

@Suite("Codable conformances")
struct CodableTests {
  @Test("RoundingRule encodes as its case name and round-trips", arguments: RoundingRule.allCases)
  func roundingRule(rule: RoundingRule) throws {
    let encoded = try TreeEncoder.encode(rule)
    #expect(encoded == .string("\(rule)"))
    #expect(try TreeDecoder.decode(RoundingRule.self, from: encoded) == rule)
  }

  @Test("Unknown RoundingRule names are rejected")
  func unknownRule() {
    #expect(throws: (any Error).self) { try TreeDecoder.decode(RoundingRule.self, from: .string("nearest")) }
    #expect(RoundingRule(rawValue: "toNearestOrEven") == .toNearestOrEven)
    #expect(RoundingRule.allCases.count == 9)
  }

  @Test("DynamicFixedPointFormat round-trips as {bitWidth, fractionalBits}")
  func formatRoundTrip() throws {
    for format in [DynamicFixedPointFormat(bitWidth: 1, fractionalBits: -70), .init(bitWidth: 8, fractionalBits: 4),
                   .init(bitWidth: 32, fractionalBits: 100)] {
      let encoded = try TreeEncoder.encode(format)
      #expect(encoded == .object(["bitWidth": .int(format.bitWidth), "fractionalBits": .int(format.fractionalBits)]))
      #expect(try TreeDecoder.decode(DynamicFixedPointFormat.self, from: encoded) == format)
    }
  }

  @Test("Decoding rejects bitWidth outside 1...32 with an error naming the field", arguments: [0, -1, 33, Int.max])
  func formatRejectsBadWidth(bitWidth: Int) {
    let encoded = TreeValue.object(["bitWidth": .int(bitWidth), "fractionalBits": .int(0)])
    do {
      _ = try TreeDecoder.decode(DynamicFixedPointFormat.self, from: encoded)
      Issue.record("bitWidth \(bitWidth) was accepted")
    } catch let DecodingError.dataCorrupted(context) {
      #expect(context.codingPath.last?.stringValue == "bitWidth")
      #expect(context.debugDescription.contains("bitWidth must be in 1...32"))
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }
}
