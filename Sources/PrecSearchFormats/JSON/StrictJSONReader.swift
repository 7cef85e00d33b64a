/// A schema violation found while reading a parsed JSON document: the JSON path and what was expected.
struct SchemaError: Error {
  var path: String
  var message: String
}

/// Reads the members of one JSON object strictly: every member must be consumed (`finish()` rejects unknown
/// ones), every type is checked, and every error carries the JSON path.
struct StrictObject {
  let members: [String: JSONValue]
  let path: String
  private var used: Set<String> = []

  init(_ value: JSONValue, path: String) throws(SchemaError) {
    guard case .object(let o) = value else {
      throw SchemaError(path: path, message: "expected an object, found \(value.typeName)")
    }
    members = o
    self.path = path
  }

  func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  mutating func optional(_ key: String) -> JSONValue? {
    used.insert(key)
    return members[key]
  }

  mutating func required(_ key: String) throws(SchemaError) -> JSONValue {
    used.insert(key)
    guard let v = members[key] else { throw SchemaError(path: childPath(key), message: "missing required field") }
    return v
  }

  /// Rejects members that were never asked for.
  func finish() throws(SchemaError) {
    let extra = members.keys.filter { !used.contains($0) }.sorted()
    if let first = extra.first {
      let all = extra.map { "\"\($0)\"" }.joined(separator: ", ")
      throw SchemaError(path: childPath(first), message: "unknown field (not in this schema version): \(all)")
    }
  }

  mutating func string(_ key: String) throws(SchemaError) -> String {
    try Self.string(try required(key), path: childPath(key))
  }

  mutating func optionalString(_ key: String) throws(SchemaError) -> String? {
    guard let v = optional(key) else { return nil }
    return try Self.string(v, path: childPath(key))
  }

  mutating func integer(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(SchemaError) -> Int {
    try Self.integer(try required(key), path: childPath(key), in: range)
  }

  mutating func float(_ key: String) throws(SchemaError) -> Float {
    try Self.float(try required(key), path: childPath(key))
  }

  mutating func array(_ key: String) throws(SchemaError) -> [JSONValue] {
    try Self.array(try required(key), path: childPath(key))
  }

  mutating func integers(_ key: String, count: Int? = nil, in range: ClosedRange<Int> = Int.min...Int.max) throws(SchemaError) -> [Int] {
    let p = childPath(key)
    let a = try Self.array(try required(key), path: p)
    if let count, a.count != count {
      throw SchemaError(path: p, message: "expected \(count) integers, found \(a.count) elements")
    }
    var out: [Int] = []
    for (i, v) in a.enumerated() { out.append(try Self.integer(v, path: "\(p)[\(i)]", in: range)) }
    return out
  }

  mutating func floats(_ key: String) throws(SchemaError) -> [Float] {
    let p = childPath(key)
    let a = try Self.array(try required(key), path: p)
    var out: [Float] = []
    for (i, v) in a.enumerated() { out.append(try Self.float(v, path: "\(p)[\(i)]")) }
    return out
  }

  mutating func strings(_ key: String) throws(SchemaError) -> [String] {
    let p = childPath(key)
    let a = try Self.array(try required(key), path: p)
    var out: [String] = []
    for (i, v) in a.enumerated() { out.append(try Self.string(v, path: "\(p)[\(i)]")) }
    return out
  }

  static func string(_ v: JSONValue, path: String) throws(SchemaError) -> String {
    guard case .string(let s) = v else { throw SchemaError(path: path, message: "expected a string, found \(v.typeName)") }
    return s
  }

  static func array(_ v: JSONValue, path: String) throws(SchemaError) -> [JSONValue] {
    guard case .array(let a) = v else { throw SchemaError(path: path, message: "expected an array, found \(v.typeName)") }
    return a
  }

  static func integer(_ v: JSONValue, path: String, in range: ClosedRange<Int>) throws(SchemaError) -> Int {
    guard case .integer(let i) = v else {
      throw SchemaError(path: path, message: "expected an integer, found \(v.typeName)\(v.doubleValue.map { " \($0)" } ?? "")")
    }
    guard range.contains(i) else {
      let lower = range.lowerBound == Int.min ? "" : "\(range.lowerBound)"
      let upper = range.upperBound == Int.max ? "" : "\(range.upperBound)"
      throw SchemaError(path: path, message: "expected an integer in \(lower)...\(upper), found \(i)")
    }
    return i
  }

  /// A finite number that fits `Float` (values are rounded to the nearest `Float`).
  static func float(_ v: JSONValue, path: String) throws(SchemaError) -> Float {
    guard let d = v.doubleValue else { throw SchemaError(path: path, message: "expected a number, found \(v.typeName)") }
    let f = Float(d)
    guard f.isFinite else { throw SchemaError(path: path, message: "number \(d) is outside the 32-bit float range") }
    return f
  }
}

extension JSONValue {
  /// A finite `Float` as a JSON number that converts back (`Float(double)`) to exactly the same `Float`: the
  /// `Float`'s shortest decimal form when that survives the trip through `Double` (almost always), else the exact
  /// `Double` value of the `Float`.
  static func float(_ f: Float) -> JSONValue {
    if let short = Double(f.description), Float(short) == f, short.sign == f.sign { return .number(short) }
    return .number(Double(f))
  }
  /// An array of `Float`s.
  static func floats(_ values: [Float]) -> JSONValue { .array(values.map { .float($0) }) }
  /// An array of integers.
  static func integers(_ values: [Int]) -> JSONValue { .array(values.map { .integer($0) }) }
}
