import FixedPointArithmetic

/// A minimal in-memory Encoder/Decoder (keyed containers and single values of Int and String), so Codable
/// conformances can be round-tripped without Foundation. Unsupported shapes throw rather than trap.
indirect enum TreeValue: Equatable {
  case int(Int)
  case string(String)
  case object([String: TreeValue])
}

struct TreeCodingError: Error { let message: String }

final class TreeEncoder: Encoder {
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] = [:]
  var value: TreeValue?

  static func encode(_ value: some Encodable) throws -> TreeValue {
    let encoder = TreeEncoder()
    try value.encode(to: encoder)
    guard let result = encoder.value else { throw TreeCodingError(message: "nothing encoded") }
    return result
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = value {} else { value = .object([:]) }
    return KeyedEncodingContainer(Keyed<Key>(encoder: self))
  }
  func unkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("TreeEncoder: unkeyed containers unsupported") }
  func singleValueContainer() -> any SingleValueEncodingContainer { Single(encoder: self) }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { [] }
    func put(_ v: TreeValue, _ key: Key) {
      guard case .object(var object) = encoder.value else { return }
      object[key.stringValue] = v
      encoder.value = .object(object)
    }
    mutating func encodeNil(forKey key: Key) throws { throw TreeCodingError(message: "nil") }
    mutating func encode(_ v: Int, forKey key: Key) throws { put(.int(v), key) }
    mutating func encode(_ v: String, forKey key: Key) throws { put(.string(v), key) }
    mutating func encode<T: Encodable>(_ v: T, forKey key: Key) throws { put(try TreeEncoder.encode(v), key) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
      -> KeyedEncodingContainer<NestedKey> { fatalError("unsupported") }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { fatalError("unsupported") }
    mutating func superEncoder() -> any Encoder { encoder }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
  }

  struct Single: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { throw TreeCodingError(message: "nil") }
    mutating func encode(_ v: Int) throws { encoder.value = .int(v) }
    mutating func encode(_ v: String) throws { encoder.value = .string(v) }
    mutating func encode<T: Encodable>(_ v: T) throws { encoder.value = try TreeEncoder.encode(v) }
  }
}

struct TreeDecoder: Decoder {
  let value: TreeValue
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  static func decode<T: Decodable>(_ type: T.Type, from value: TreeValue) throws -> T {
    try T(from: TreeDecoder(value: value))
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let object) = value else { throw TreeCodingError(message: "expected an object") }
    return KeyedDecodingContainer(Keyed<Key>(object: object))
  }
  func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw TreeCodingError(message: "unsupported") }
  func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value) }

  struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: TreeValue]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { object.keys.sorted().compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }
    func child(_ key: Key) throws -> TreeValue {
      guard let v = object[key.stringValue] else {
        throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "missing \(key.stringValue)"))
      }
      return v
    }
    func decodeNil(forKey key: Key) throws -> Bool { false }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
      guard case .int(let v) = try child(key) else { throw TreeCodingError(message: "expected Int") }
      return v
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
      guard case .string(let v) = try child(key) else { throw TreeCodingError(message: "expected String") }
      return v
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
      try TreeDecoder.decode(T.self, from: try child(key))
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
      -> KeyedDecodingContainer<NestedKey> { try TreeDecoder(value: try child(key)).container(keyedBy: type) }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
      throw TreeCodingError(message: "unsupported")
    }
    func superDecoder() throws -> any Decoder { TreeDecoder(value: .object(object)) }
    func superDecoder(forKey key: Key) throws -> any Decoder { TreeDecoder(value: try child(key)) }
  }

  struct Single: SingleValueDecodingContainer {
    let value: TreeValue
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { false }
    func decode(_ type: Int.Type) throws -> Int {
      guard case .int(let v) = value else { throw TreeCodingError(message: "expected Int") }
      return v
    }
    func decode(_ type: String.Type) throws -> String {
      guard case .string(let v) = value else { throw TreeCodingError(message: "expected String") }
      return v
    }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try TreeDecoder.decode(T.self, from: value) }
  }
}
