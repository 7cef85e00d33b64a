/// A JSON value that cannot be written (a NaN or infinite number), with the path to it.
public struct JSONEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Path to the offending value, e.g. `provenance.metrics[2]`.
  public var path: String
  /// What is wrong.
  public var message: String
  /// `path: message`.
  public var description: String { "\(path.isEmpty ? "(root)" : path): \(message)" }
}

extension JSONValue {
  /// The value as deterministic JSON text: object keys sorted (by `String`'s `<`), no trailing newline.
  ///
  /// `pretty`: members and array elements on their own lines, indented by two spaces per level, except that an
  /// array whose elements are all scalars stays on one line (`[3, 3, 16]`), and so does an object whose members
  /// are all scalars or such arrays when that line has at most 100 characters
  /// (`{"count": 36, "offset": 0, "role": "weight", "shape": [4, 3, 3, 1]}`). Numbers: `.integer` in decimal,
  /// `.number` as Swift's shortest round-trip form (`0.1`, `1e-05`, `1.0`), so parsing gives back the same value.
  /// Strings escape `"`, `\` and control characters; other characters are written as UTF-8.
  ///
  /// Throws `JSONEncodingError` for a NaN or infinite `.number`.
  public func serialized(pretty: Bool = true) throws(JSONEncodingError) -> String {
    var out = ""
    try Self.write(self, into: &out, pretty: pretty, indent: 0, path: "")
    return out
  }

  private var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }

  private static func write(_ value: JSONValue, into out: inout String, pretty: Bool, indent: Int,
                            path: String, spaced: Bool = false) throws(JSONEncodingError) {
    switch value {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .integer(let i): out += String(i)
    case .number(let d):
      guard d.isFinite else { throw JSONEncodingError(path: path, message: "number \(d) is not finite; JSON has no NaN or infinity") }
      out += d.description
    case .string(let s): writeString(s, into: &out)
    case .array(let elements):
      if elements.isEmpty { out += "[]"; return }
      let inline = !pretty || elements.allSatisfy(\.isScalar)
      out += "["
      for (i, e) in elements.enumerated() {
        if i > 0 { out += inline ? (pretty || spaced ? ", " : ",") : "," }
        if !inline { newline(&out, indent + 1) }
        try write(e, into: &out, pretty: pretty, indent: indent + 1, path: "\(path)[\(i)]", spaced: spaced)
      }
      if !inline { newline(&out, indent) }
      out += "]"
    case .object(let members):
      if members.isEmpty { out += "{}"; return }
      // A small flat object (members all scalars or scalar arrays, one line of at most 100 characters) stays
      // on one line.
      let inline = pretty && members.values.allSatisfy { $0.isScalar || ($0.arrayValue?.allSatisfy(\.isScalar) ?? false) }
      if inline {
        var line = ""
        try write(value, into: &line, pretty: false, indent: 0, path: path, spaced: true)
        if line.count <= 100 { out += line; return }
      }
      out += "{"
      for (i, key) in members.keys.sorted().enumerated() {
        if i > 0 { out += spaced ? ", " : "," }
        if pretty { newline(&out, indent + 1) }
        writeString(key, into: &out)
        out += pretty || spaced ? ": " : ":"
        try write(members[key]!, into: &out, pretty: pretty, indent: indent + 1,
                  path: path.isEmpty ? key : "\(path).\(key)", spaced: spaced)
      }
      if pretty { newline(&out, indent) }
      out += "}"
    }
  }

  private static func newline(_ out: inout String, _ indent: Int) {
    out += "\n"
    out += String(repeating: "  ", count: indent)
  }

  private static func writeString(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}
