/// Any JSON value, kept exactly as written: integers and other numbers stay apart, object keys keep no order
/// (serialization sorts them), so `parse(serialize(v)) == v` for every value without NaN or infinities.
///
/// Used for the free-form parts of documents (a model's `provenance` and `metrics`) and, internally, as the
/// parse tree of model headers, which are then read field by field with strict checks.
public enum JSONValue: Hashable, Sendable {
  /// `null`.
  case null
  /// `true` or `false`.
  case bool(Bool)
  /// A number written without fraction or exponent that fits `Int` (e.g. `42`, `-7`).
  case integer(Int)
  /// Any other number (e.g. `0.5`, `1e-3`, `1.0`, or an integer too large for `Int`). Must be finite.
  case number(Double)
  /// A string.
  case string(String)
  /// An array.
  case array([JSONValue])
  /// An object (keys unique; serialized in sorted order).
  case object([String: JSONValue])

  /// An empty object, `{}`.
  public static let emptyObject = JSONValue.object([:])

  /// The members if this is an object.
  public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
  /// The elements if this is an array.
  public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
  /// The string if this is a string.
  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
  /// The Boolean if this is `true` or `false`.
  public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
  /// The integer if this is an integer, or a number with an exact integer value that fits `Int`.
  public var integerValue: Int? {
    switch self {
    case .integer(let i): return i
    case .number(let d): return Int(exactly: d)
    default: return nil
    }
  }
  /// The numeric value of an integer or a number.
  public var doubleValue: Double? {
    switch self {
    case .integer(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }

  /// Member `key` of an object (nil for other values or a missing key).
  public subscript(key: String) -> JSONValue? { objectValue?[key] }

  /// A short name of the value's type for messages: `null`, `boolean`, `integer`, `number`, `string`, `array`,
  /// `object`.
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .integer: return "integer"
    case .number: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
  /// `.string(value)`.
  public init(stringLiteral value: String) { self = .string(value) }
  /// `.integer(value)`.
  public init(integerLiteral value: Int) { self = .integer(value) }
  /// `.number(value)`.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// `.bool(value)`.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  /// `.array(elements)`.
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  /// `.object(...)`; a repeated key keeps its last value.
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    var o: [String: JSONValue] = [:]
    for (k, v) in elements { o[k] = v }
    self = .object(o)
  }
  /// `.null`.
  public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: Codable {
  private struct MemberKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
  }

  /// Decodes any JSON value through a `Decoder` (integers that fit `Int` become `.integer`).
  public init(from decoder: any Decoder) throws {
    if let keyed = try? decoder.container(keyedBy: MemberKey.self) {
      var o: [String: JSONValue] = [:]
      for key in keyed.allKeys { o[key.stringValue] = try keyed.decode(JSONValue.self, forKey: key) }
      self = .object(o)
      return
    }
    if var list = try? decoder.unkeyedContainer() {
      var a: [JSONValue] = []
      while !list.isAtEnd { a.append(try list.decode(JSONValue.self)) }
      self = .array(a)
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() { self = .null }
    else if let b = try? single.decode(Bool.self) { self = .bool(b) }
    else if let i = try? single.decode(Int.self) { self = .integer(i) }
    else if let d = try? single.decode(Double.self) { self = .number(d) }
    else if let s = try? single.decode(String.self) { self = .string(s) }
    else {
      throw DecodingError.dataCorruptedError(in: single, debugDescription: "not a JSON value")
    }
  }

  /// Encodes the value through an `Encoder`.
  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .null:
      var c = encoder.singleValueContainer(); try c.encodeNil()
    case .bool(let b):
      var c = encoder.singleValueContainer(); try c.encode(b)
    case .integer(let i):
      var c = encoder.singleValueContainer(); try c.encode(i)
    case .number(let d):
      var c = encoder.singleValueContainer(); try c.encode(d)
    case .string(let s):
      var c = encoder.singleValueContainer(); try c.encode(s)
    case .array(let a):
      var c = encoder.unkeyedContainer()
      for v in a { try c.encode(v) }
    case .object(let o):
      var c = encoder.container(keyedBy: MemberKey.self)
      for k in o.keys.sorted() { try c.encode(o[k]!, forKey: MemberKey(stringValue: k)) }
    }
  }
}
