/// A small in-memory Encoder/Decoder (objects, arrays, strings, numbers, booleans; nil keys are omitted), so the
/// energy types' Codable conformances can be round-tripped without Foundation. Decoding an unexpected shape throws;
/// nested and super encoders, which these types never use, trap (their requirements cannot throw).
indirect enum TreeValue: Equatable {
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([TreeValue])
  case object([String: TreeValue])
}

struct TreeCodingError: Error { let message: String }

/// Encodes primitives directly (so `Double.encode(to:)` does not recurse) and everything else through `TreeEncoder`.
private func treeValue(of value: some Encodable) throws -> TreeValue {
  switch value {
  case let v as Bool: return .bool(v)
  case let v as Int: return .int(v)
  case let v as Double: return .double(v)
  case let v as String: return .string(v)
  default:
    let encoder = TreeEncoder()
    try value.encode(to: encoder)
    guard let result = encoder.storage.value else { throw TreeCodingError(message: "nothing encoded") }
    return result
  }
}

/// Shared mutable slot that containers write into.
final class TreeSlot { var value: TreeValue? }

struct TreeEncoder: Encoder {
  let storage = TreeSlot()
  var codingPath: [any CodingKey] = []
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  static func encode(_ value: some Encodable) throws -> TreeValue { try treeValue(of: value) }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object = storage.value {} else { storage.value = .object([:]) }
    return KeyedEncodingContainer(Keyed<Key>(slot: storage))
  }
  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array = storage.value {} else { storage.value = .array([]) }
    return Unkeyed(slot: storage)
  }
  func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: storage) }

  struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: TreeSlot
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      guard case .object(var object) = slot.value else { throw TreeCodingError(message: "not an object") }
      object[key.stringValue] = try treeValue(of: value)
      slot.value = .object(object)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
      -> KeyedEncodingContainer<NestedKey> { fatalError("TreeEncoder: nested containers are not used by these types") }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      fatalError("TreeEncoder: nested containers are not used by these types")
    }
    mutating func superEncoder() -> any Encoder { fatalError("TreeEncoder: super encoders are not used") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { fatalError("TreeEncoder: super encoders are not used") }
  }

  struct Unkeyed: UnkeyedEncodingContainer {
    let slot: TreeSlot
    var codingPath: [any CodingKey] { [] }
    var count: Int { if case .array(let a) = slot.value { return a.count } else { return 0 } }
    mutating func encodeNil() throws { throw TreeCodingError(message: "nil array element") }
    mutating func encode<T: Encodable>(_ value: T) throws {
      guard case .array(var array) = slot.value else { throw TreeCodingError(message: "not an array") }
      array.append(try treeValue(of: value))
      slot.value = .array(array)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
      -> KeyedEncodingContainer<NestedKey> { fatalError("TreeEncoder: nested containers are not used by these types") }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
      fatalError("TreeEncoder: nested containers are not used by these types")
    }
    mutating func superEncoder() -> any Encoder { fatalError("TreeEncoder: super encoders are not used") }
  }

  struct Single: SingleValueEncodingContainer {
    let slot: TreeSlot
    var codingPath: [any CodingKey] { [] }
    mutating func encodeNil() throws { throw TreeCodingError(message: "nil") }
    mutating func encode<T: Encodable>(_ value: T) throws { slot.value = try treeValue(of: value) }
  }
}

struct TreeDecoder: Decoder {
  let value: TreeValue
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  static func decode<T: Decodable>(_ type: T.Type, from value: TreeValue) throws -> T {
    switch value {
    case .bool(let v) where T.self == Bool.self: return v as! T
    case .int(let v) where T.self == Int.self: return v as! T
    case .double(let v) where T.self == Double.self: return v as! T
    case .int(let v) where T.self == Double.self: return Double(v) as! T
    case .string(let v) where T.self == String.self: return v as! T
    default: return try T(from: TreeDecoder(value: value))
    }
  }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let object) = value else { throw TreeCodingError(message: "expected an object") }
    return KeyedDecodingContainer(Keyed<Key>(object: object))
  }
  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let array) = value else { throw TreeCodingError(message: "expected an array") }
    return Unkeyed(array: array)
  }
  func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value) }

  struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: TreeValue]
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { object.keys.sorted().compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { object[key.stringValue] != nil }
    func decodeNil(forKey key: Key) throws -> Bool { object[key.stringValue] == nil }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
      guard let child = object[key.stringValue] else {
        throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "missing \(key.stringValue)"))
      }
      return try TreeDecoder.decode(T.self, from: child)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
      -> KeyedDecodingContainer<NestedKey> { throw TreeCodingError(message: "unsupported") }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
      throw TreeCodingError(message: "unsupported")
    }
    func superDecoder() throws -> any Decoder { throw TreeCodingError(message: "unsupported") }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw TreeCodingError(message: "unsupported") }
  }

  struct Unkeyed: UnkeyedDecodingContainer {
    let array: [TreeValue]
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }
    mutating func decodeNil() throws -> Bool { false }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
      guard !isAtEnd else { throw TreeCodingError(message: "array exhausted") }
      defer { currentIndex += 1 }
      return try TreeDecoder.decode(T.self, from: array[currentIndex])
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
      -> KeyedDecodingContainer<NestedKey> { throw TreeCodingError(message: "unsupported") }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
      throw TreeCodingError(message: "unsupported")
    }
    mutating func superDecoder() throws -> any Decoder { throw TreeCodingError(message: "unsupported") }
  }

  struct Single: SingleValueDecodingContainer {
    let value: TreeValue
    var codingPath: [any CodingKey] { [] }
    func decodeNil() -> Bool { false }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
      switch value {
      case .bool(let v) where T.self == Bool.self: return v as! T
      case .int(let v) where T.self == Int.self: return v as! T
      case .double(let v) where T.self == Double.self: return v as! T
      case .int(let v) where T.self == Double.self: return Double(v) as! T
      case .string(let v) where T.self == String.self: return v as! T
      default: throw TreeCodingError(message: "expected \(T.self), found \(value)")
      }
    }
  }
}
