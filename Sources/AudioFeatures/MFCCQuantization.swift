/// How MFCC features are stored in 8 bits (the shipped feature files and the network's raw input):
/// coefficient `i` of every frame becomes `code = clamp(round(value / steps[i]) + zeroPoints[i], 0, 255)` and reads
/// back as `(code - zeroPoints[i]) * steps[i]`. One step and zero point per coefficient, because c0 spans about
/// -124...+29 (ln(1e-6) bands give -123.6 on silence) while c2...c9 stay within about +-12.
public struct MFCCQuantization: Hashable, Sendable, Codable {
  /// Value of one code step for each coefficient (all finite and > 0).
  public var steps: [Float]
  /// The code of the value 0 for each coefficient (0...255).
  public var zeroPoints: [Int]

  /// Creates a rule; `steps` and `zeroPoints` must have one entry per coefficient (checked by ``validate()``).
  public init(steps: [Float], zeroPoints: [Int]) {
    self.steps = steps
    self.zeroPoints = zeroPoints
  }

  /// The keyword-spotting rule for 10 coefficients: c0 step 0.6, zero code 207 (range -124.2...+28.8);
  /// c1 step 0.2, zero 128 (-25.6...+25.4); c2...c9 step 0.1, zero 128 (-12.8...+12.7).
  public static let keywordSpotting = MFCCQuantization(
    steps: [0.6, 0.2] + Array(repeating: 0.1, count: 8), zeroPoints: [207] + Array(repeating: 128, count: 9))

  /// Coefficients per frame.
  public var coefficientCount: Int { steps.count }

  /// Throws `AudioFeaturesError` unless both lists are non-empty and equally long, steps finite and > 0 and zero
  /// points in 0...255.
  public func validate() throws {
    guard !steps.isEmpty, steps.count == zeroPoints.count else {
      throw AudioFeaturesError("steps, zeroPoints", "need one entry each per coefficient, got \(steps.count) and \(zeroPoints.count)")
    }
    if let bad = steps.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
      throw AudioFeaturesError("steps[\(bad)]", "must be finite and > 0, got \(steps[bad])")
    }
    if let bad = zeroPoints.firstIndex(where: { !(0...255).contains($0) }) {
      throw AudioFeaturesError("zeroPoints[\(bad)]", "must be in 0...255, got \(zeroPoints[bad])")
    }
  }

  /// Codes of frame-major features (`values[t * coefficientCount + i]`); NaN maps to the zero point, +-infinity
  /// and values out of range to 255 / 0.
  public func quantize(_ values: [Float]) -> [UInt8] {
    let n = coefficientCount
    return values.enumerated().map { index, value in
      let i = index % n
      guard !value.isNaN else { return UInt8(zeroPoints[i]) }
      let code = (value / steps[i]).rounded() + Float(zeroPoints[i])
      return UInt8(min(255, max(0, code)))
    }
  }

  /// The value of `code` for coefficient `coefficient`.
  public func dequantize(_ code: UInt8, coefficient: Int) -> Float {
    Float(Int(code) - zeroPoints[coefficient]) * steps[coefficient]
  }
}
