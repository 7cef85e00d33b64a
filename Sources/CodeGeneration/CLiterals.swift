/// Exact C99 literals for the values the generated library embeds.
enum CLiteral {
  /// A C99 hexadecimal floating literal equal to `value` bit for bit (finite values only), e.g. `0x1.8p+1`.
  static func hex(_ value: Double) -> String {
    if value == 0 { return value.sign == .minus ? "-0x0p+0" : "0x0p+0" }
    let sign = value.sign == .minus ? "-" : ""
    let bits = value.significandBitPattern  // 52 bits
    let digits = String(bits, radix: 16)
    let mantissa = String(repeating: "0", count: 13 - digits.count) + digits
    if value.isSubnormal { return "\(sign)0x0.\(mantissa)p-1022" }
    return "\(sign)0x1.\(mantissa)p\(value.exponent >= 0 ? "+" : "")\(value.exponent)"
  }

  /// A C99 float literal equal to `value` bit for bit (finite values only), e.g. `0x1.010102p-8f`.
  static func hex(_ value: Float) -> String {
    if value == 0 { return value.sign == .minus ? "-0x0p+0f" : "0x0p+0f" }
    let sign = value.sign == .minus ? "-" : ""
    let bits = UInt32(value.significandBitPattern) << 1  // 23 bits -> 24 bits, 6 hex digits
    let digits = String(bits, radix: 16)
    let mantissa = String(repeating: "0", count: 6 - digits.count) + digits
    if value.isSubnormal { return "\(sign)0x0.\(mantissa)p-126f" }
    return "\(sign)0x1.\(mantissa)p\(value.exponent >= 0 ? "+" : "")\(value.exponent)f"
  }

  /// An `int64_t` constant expression (`INT64_C(...)`; the minimum as `(-INT64_C(9223372036854775807) - 1)`).
  static func int64(_ value: Int64) -> String {
    value == .min ? "(-INT64_C(9223372036854775807) - 1)" : "INT64_C(\(value))"
  }

  /// A C string literal of printable ASCII (other bytes as octal escapes).
  static func string(_ text: String) -> String {
    var result = "\""
    for byte in text.utf8 {
      switch byte {
      case 0x22: result += "\\\""
      case 0x5C: result += "\\\\"
      case 0x3F: result += "\\?"  // never a trigraph (-std=c99 enables them)
      case 0x20...0x7E: result.append(Character(Unicode.Scalar(byte)))
      default:
        let octal = String(byte, radix: 8)
        result += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
      }
    }
    return result + "\""
  }

  /// A comment-safe form of a name (no `*/`, no line breaks, printable ASCII).
  static func comment(_ text: String) -> String {
    let printable = String(decoding: text.utf8.map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    return printable.replacingAll("*/", with: "* /").replacingAll("??", with: "? ?")
  }

  /// Integer values as the body of an array initializer, `perLine` per line, indented by two spaces.
  static func list<T: BinaryInteger>(_ values: [T], perLine: Int = 16) -> String {
    var text = ""
    text.reserveCapacity(values.count * 7)
    var index = 0
    while index < values.count {
      let end = min(index + perLine, values.count)
      text += "  "
      for j in index..<end {
        text += String(values[j])
        if j + 1 < values.count { text += j + 1 == end ? "," : ", " }
      }
      text += "\n"
      index = end
    }
    return text
  }
}

extension String {
  /// `self` with every occurrence of `target` replaced (stdlib only; `target` must be non-empty).
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = Substring(self)
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension Substring {
  /// The first range of `target` (stdlib only).
  func range(of target: String) -> Range<Substring.Index>? {
    let needle = Array(target.utf8)
    guard !needle.isEmpty else { return nil }
    let haystack = self.utf8
    var start = haystack.startIndex
    while start != haystack.endIndex {
      var i = start, j = 0
      while j < needle.count, i != haystack.endIndex, haystack[i] == needle[j] {
        i = haystack.index(after: i); j += 1
      }
      if j == needle.count { return start..<i }
      start = haystack.index(after: start)
    }
    return nil
  }
}
