extension DynamicFixedPointFormat: Codable {
  @usableFromInline
  internal enum CodingKeys: String, CodingKey {
    case bitWidth, fractionalBits
  }

  /// Decodes `{"bitWidth": Int, "fractionalBits": Int}`; throws `DecodingError.dataCorrupted` naming
  /// `bitWidth` when it is outside `1 ... 32`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let bitWidth = try container.decode(Int.self, forKey: .bitWidth)
    let fractionalBits = try container.decode(Int.self, forKey: .fractionalBits)
    guard Self.bitWidthRange.contains(bitWidth) else {
      throw DecodingError.dataCorruptedError(
        forKey: .bitWidth, in: container,
        debugDescription: FixedPointFormatError.bitWidthOutOfRange(bitWidth: bitWidth, allowed: Self.bitWidthRange)
          .description)
    }
    self.init(bitWidth: bitWidth, fractionalBits: fractionalBits)
  }

  /// Encodes `{"bitWidth": Int, "fractionalBits": Int}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(bitWidth, forKey: .bitWidth)
    try container.encode(fractionalBits, forKey: .fractionalBits)
  }
}
