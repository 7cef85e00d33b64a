/// One affine int8 rule for every feature value, as a TFLite int8 input tensor has: `code = value / scale +
/// zeroPoint`, made an integer by truncation toward zero (not rounding), and read back as `(code - zeroPoint) *
/// scale`. ``mlperfTiny`` is the rule of MLPerf Tiny's reference keyword-spotting features.
///
/// MLPerf Tiny's `make_bin_files.py` writes its features as `np.array(dat / input_scale + input_zero_point,
/// dtype=np.int8)`: the division and addition in float32 (`dat` is float32; a Python float and int do not widen
/// it), then numpy's float-to-int8 cast, a C conversion that truncates toward zero and does not saturate. On
/// x86-64 the value is converted to a 32-bit integer (`cvttss2si`) and only its low 8 bits are kept, so a value of
/// 133.09 becomes 133 and then -123. ``Overflow/wrap`` reproduces that; ``Overflow/saturate`` clamps to
/// -128...127 instead.
public struct Int8FeatureQuantization: Hashable, Sendable, Codable {
  /// What happens to a truncated value outside -128...127.
  public enum Overflow: String, Hashable, Sendable, Codable, CaseIterable {
    /// Keep the low 8 bits of the 32-bit integer, as numpy's cast does on x86-64 (MLPerf's reference files). NaN,
    /// infinities and values outside the 32-bit range become x86's "integer indefinite" 0x80000000, whose low
    /// byte gives code 0.
    case wrap
    /// Clamp to -128...127 (NaN gives the zero point).
    case saturate
  }

  /// Value of one code step (finite and > 0).
  public var scale: Float
  /// The code of the value 0 (-128...127).
  public var zeroPoint: Int
  /// What happens to codes outside -128...127.
  public var overflow: Overflow

  /// Creates a rule (checked by ``validate()``).
  public init(scale: Float, zeroPoint: Int, overflow: Overflow) {
    self.scale = scale
    self.zeroPoint = zeroPoint
    self.overflow = overflow
  }

  /// MLPerf Tiny's keyword-spotting input: scale 0.5847029 (the float32 `0x3F15AF17` of the reference
  /// `kws_ref_model.tflite`'s input tensor), zero point 83, truncation toward zero, ``Overflow/wrap``.
  public static let mlperfTiny = Int8FeatureQuantization(scale: 0.5847029, zeroPoint: 83, overflow: .wrap)

  /// Throws `AudioFeaturesError` unless `scale` is finite and > 0 and `zeroPoint` in -128...127.
  public func validate() throws {
    guard scale.isFinite, scale > 0 else { throw AudioFeaturesError("scale", "must be finite and > 0, got \(scale)") }
    guard (-128...127).contains(zeroPoint) else {
      throw AudioFeaturesError("zeroPoint", "must be in -128...127, got \(zeroPoint)")
    }
  }

  /// The code of one value: `value / scale + zeroPoint` in Float, truncated toward zero, then ``overflow``.
  public func code(_ value: Float) -> Int8 {
    let shifted = value / scale + Float(zeroPoint)
    switch overflow {
    case .wrap:
      // cvttss2si: anything that is not a number in the 32-bit range becomes Int32.min, whose low byte is 0.
      guard shifted.isFinite, shifted >= -2_147_483_648, shifted < 2_147_483_648 else { return 0 }
      return Int8(truncatingIfNeeded: Int32(shifted.rounded(.towardZero)))
    case .saturate:
      guard !shifted.isNaN else { return Int8(zeroPoint) }
      return Int8(max(-128, min(127, shifted.rounded(.towardZero))))
    }
  }

  /// The codes of `values`, in order.
  public func quantize(_ values: [Float]) -> [Int8] { values.map(code) }

  /// The value a code stands for, `(code - zeroPoint) * scale`.
  public func dequantize(_ code: Int8) -> Float { Float(Int(code) - zeroPoint) * scale }

  /// How an int8 code is stored in a byte of an 8-bit image (the project's data sets and network inputs are
  /// unsigned bytes): `code + 128`, so -128...127 maps to 0...255 in order and the zero point to `zeroPoint + 128`.
  public static func storedByte(_ code: Int8) -> UInt8 { UInt8(Int(code) + 128) }

  /// The int8 code of a stored byte, `byte - 128` (the inverse of ``storedByte(_:)``).
  public static func code(ofStoredByte byte: UInt8) -> Int8 { Int8(Int(byte) - 128) }
}
