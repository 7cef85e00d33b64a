/// A syntax error in JSON text, with the byte offset where it was found.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Byte offset into the text (0-based).
  public var offset: Int
  /// Line number (1-based) of `offset`.
  public var line: Int
  /// What was expected or what is wrong.
  public var message: String

  /// `line L, byte B: message`.
  public var description: String { "JSON syntax error at line \(line), byte \(offset): \(message)" }
}

extension JSONValue {
  /// The deepest nesting of arrays and objects `parse` accepts (deeper text is rejected, never a stack overflow).
  public static let maximumNestingDepth = 200

  /// Parses UTF-8 JSON text (RFC 8259: one value, optionally surrounded by whitespace).
  ///
  /// Strict: rejects duplicate object keys, invalid UTF-8, raw control characters in strings, lone surrogate
  /// escapes, leading zeros, numbers that overflow `Double`, trailing text and nesting deeper than
  /// `maximumNestingDepth`. Never traps.
  public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes: Array(bytes))
    return try parser.parseDocument()
  }

  /// Parses JSON text given as a string.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    try parse(Array(text.utf8))
  }
}

struct JSONParser {
  let bytes: [UInt8]
  var position = 0
  var depth = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
    let at = min(offset ?? position, bytes.count)
    var line = 1
    for b in bytes[0..<at] where b == 0x0A { line += 1 }
    return JSONSyntaxError(offset: at, line: line, message: message)
  }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
    // A UTF-8 byte order mark is not allowed (RFC 8259 section 8.1 lets parsers ignore it; we reject for clarity).
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    guard position == bytes.count else { throw error("unexpected text after the JSON value") }
    return value
  }

  mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  func describe(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
  }

  mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard position < bytes.count else { throw error("unexpected end of text, expected a value") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
    case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
    case UInt8(ascii: "n"): try expectWord("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected \(describe(bytes[position])), expected a value")
    }
  }

  mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
    let start = position
    for b in word.utf8 {
      guard position < bytes.count, bytes[position] == b else { throw error("invalid literal, expected '\(word)'", at: start) }
      position += 1
    }
  }

  mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > JSONValue.maximumNestingDepth {
      throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels")
    }
  }

  mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    position += 1  // '{'
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1; depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of text inside an object, expected a key") }
      guard bytes[position] == UInt8(ascii: "\"") else {
        throw error("unexpected \(describe(bytes[position])) inside an object, expected a string key")
      }
      let keyStart = position
      let key = try parseString()
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
        throw error("expected ':' after the key \"\(key)\"")
      }
      position += 1
      skipWhitespace()
      let value = try parseValue()
      guard members[key] == nil else { throw error("duplicate key \"\(key)\"", at: keyStart) }
      members[key] = value
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of text inside an object, expected ',' or '}'") }
      if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
      if bytes[position] == UInt8(ascii: "}") { position += 1; break }
      throw error("unexpected \(describe(bytes[position])) inside an object, expected ',' or '}'")
    }
    depth -= 1
    return .object(members)
  }

  mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    position += 1  // '['
    var elements: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1; depth -= 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      guard position < bytes.count else { throw error("unexpected end of text inside an array, expected ',' or ']'") }
      if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
      if bytes[position] == UInt8(ascii: "]") { position += 1; break }
      throw error("unexpected \(describe(bytes[position])) inside an array, expected ',' or ']'")
    }
    depth -= 1
    return .array(elements)
  }

  mutating func hexDigit() throws(JSONSyntaxError) -> UInt32 {
    guard position < bytes.count else { throw error("unexpected end of text inside a \\u escape") }
    let b = bytes[position]
    position += 1
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - UInt8(ascii: "A") + 10)
    default: throw error("invalid hex digit \(describe(b)) in a \\u escape", at: position - 1)
    }
  }

  mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 { v = v << 4 | (try hexDigit()) }
    return v
  }

  mutating func parseString() throws(JSONSyntaxError) -> String {
    let start = position
    position += 1  // opening quote
    var utf8: [UInt8] = []
    while true {
      guard position < bytes.count else { throw error("unterminated string", at: start) }
      let b = bytes[position]
      if b == UInt8(ascii: "\"") { position += 1; break }
      if b < 0x20 { throw error("raw control character \(describe(b)) in a string (escape it)") }
      if b != UInt8(ascii: "\\") { utf8.append(b); position += 1; continue }
      position += 1
      guard position < bytes.count else { throw error("unterminated escape in a string") }
      let e = bytes[position]
      position += 1
      switch e {
      case UInt8(ascii: "\""): utf8.append(0x22)
      case UInt8(ascii: "\\"): utf8.append(0x5C)
      case UInt8(ascii: "/"): utf8.append(0x2F)
      case UInt8(ascii: "b"): utf8.append(0x08)
      case UInt8(ascii: "f"): utf8.append(0x0C)
      case UInt8(ascii: "n"): utf8.append(0x0A)
      case UInt8(ascii: "r"): utf8.append(0x0D)
      case UInt8(ascii: "t"): utf8.append(0x09)
      case UInt8(ascii: "u"):
        let escapeStart = position - 2
        var scalar = try hexQuad()
        if (0xD800...0xDBFF).contains(scalar) {
          guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
            throw error("high surrogate escape without a following low surrogate", at: escapeStart)
          }
          position += 2
          let low = try hexQuad()
          guard (0xDC00...0xDFFF).contains(low) else { throw error("invalid low surrogate escape", at: escapeStart) }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
          throw error("lone low surrogate escape", at: escapeStart)
        }
        guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: escapeStart) }
        utf8.append(contentsOf: Array(String(Character(u)).utf8))
      default:
        throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in a string", at: position - 2)
      }
    }
    guard let s = String(validating: utf8, as: UTF8.self) else { throw error("string is not valid UTF-8", at: start) }
    return s
  }

  mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = position
    func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    if bytes[position] == UInt8(ascii: "-") { position += 1 }
    guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit in a number") }
    if bytes[position] == UInt8(ascii: "0") {
      position += 1
      if position < bytes.count, isDigit(bytes[position]) { throw error("leading zeros are not allowed in a number") }
    } else {
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }
    var isInteger = true
    if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
      isInteger = false
      position += 1
      guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit after the decimal point") }
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }
    if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
      isInteger = false
      position += 1
      if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
      guard position < bytes.count, isDigit(bytes[position]) else { throw error("expected a digit in the exponent") }
      while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if isInteger, let i = Int(text) { return .integer(i) }
    guard let d = Double(text), d.isFinite else { throw error("number \(text) is out of range", at: start) }
    return .number(d)
  }
}
