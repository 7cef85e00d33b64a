/// An energy budget: an absolute energy, or a fraction of the model's uniform 16-bit energy.
///
/// Syntax accepted by ``init(parsing:)`` (surrounding spaces and one space before the unit are allowed):
///
/// ```
/// 2.5uJ   2.5µJ   2.5μJ   800nJ   1200pJ   0.3mJ   1J   1.5e3pJ     absolute: positive decimal + J, mJ, uJ/µJ/μJ, nJ, pJ
/// 40%     12.5%                                                    relative to uniform 16-bit: positive decimal + %
/// ```
///
/// Units are case-sensitive (`mJ` is millijoule; `MJ` is rejected). Zero, negative, non-finite or out-of-range
/// values and anything else are rejected with an ``EnergyBudgetError`` that says what was expected.
public enum EnergyBudget: Sendable, Hashable, Codable, CustomStringConvertible {
  /// An absolute energy per inference, in pJ (> 0, finite).
  case absolute(picojoules: Double)
  /// A fraction of the uniform 16-bit energy (> 0, finite; `40%` is 0.4).
  case relativeToUniform16Bit(fraction: Double)

  /// The budget in pJ, given the model's uniform 16-bit energy in pJ.
  public func limitPicojoules(uniform16BitPicojoules: Double) -> Double {
    switch self {
    case .absolute(let picojoules): return picojoules
    case .relativeToUniform16Bit(let fraction): return fraction * uniform16BitPicojoules
    }
  }

  /// `1200.0pJ` or `40.0%` (re-parseable; the percentage may differ from the fraction in the last bit).
  public var description: String {
    switch self {
    case .absolute(let picojoules): return "\(picojoules)pJ"
    case .relativeToUniform16Bit(let fraction): return "\(fraction * 100)%"
    }
  }

  private enum CodingKeys: String, CodingKey { case kind, picojoules, fraction }

  /// Decodes `{"kind": "absolute", "picojoules": x}` or `{"kind": "relativeToUniform16Bit", "fraction": f}`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let kind = try container.decode(String.self, forKey: .kind)
    switch kind {
    case "absolute": self = .absolute(picojoules: try container.decode(Double.self, forKey: .picojoules))
    case "relativeToUniform16Bit":
      self = .relativeToUniform16Bit(fraction: try container.decode(Double.self, forKey: .fraction))
    default:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container,
        debugDescription: "budget kind is '\(kind)'; expected 'absolute' or 'relativeToUniform16Bit'")
    }
  }

  /// Encodes `{"kind": "absolute", "picojoules": x}` or `{"kind": "relativeToUniform16Bit", "fraction": f}`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .absolute(let picojoules):
      try container.encode("absolute", forKey: .kind)
      try container.encode(picojoules, forKey: .picojoules)
    case .relativeToUniform16Bit(let fraction):
      try container.encode("relativeToUniform16Bit", forKey: .kind)
      try container.encode(fraction, forKey: .fraction)
    }
  }

  /// Units and their size in pJ.
  private static let units: [(symbol: String, picojoules: Double)] = [
    ("J", 1e12), ("mJ", 1e9), ("uJ", 1e6), ("\u{00B5}J", 1e6), ("\u{03BC}J", 1e6), ("nJ", 1e3), ("pJ", 1),
  ]

  /// Parses a budget; never traps.
  ///
  /// - Throws: ``EnergyBudgetError`` naming the input, the problem, and the accepted syntax.
  public init(parsing text: String) throws {
    func fail(_ reason: String) -> EnergyBudgetError { EnergyBudgetError(input: text, reason: reason) }
    let scalars = Array(text.unicodeScalars)
    var start = 0
    var end = scalars.count
    while start < end, Self.isSpace(scalars[start]) { start += 1 }
    while end > start, Self.isSpace(scalars[end - 1]) { end -= 1 }
    guard start < end else { throw fail("it is empty") }
    guard scalars[start] != "-" else { throw fail("it is negative; a budget must be positive") }
    // Number: digits [. digits] [e|E [+|-] digits], at least one digit in the mantissa.
    var i = start
    if scalars[i] == "+" { i += 1 }
    var mantissaDigits = 0
    while i < end, Self.isDigit(scalars[i]) { i += 1; mantissaDigits += 1 }
    if i < end, scalars[i] == "." {
      i += 1
      while i < end, Self.isDigit(scalars[i]) { i += 1; mantissaDigits += 1 }
    }
    guard mantissaDigits > 0 else { throw fail("it does not start with a number") }
    if i < end, scalars[i] == "e" || scalars[i] == "E" {
      var j = i + 1
      if j < end, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
      var exponentDigits = 0
      while j < end, Self.isDigit(scalars[j]) { j += 1; exponentDigits += 1 }
      guard exponentDigits > 0 else { throw fail("the exponent after 'e' has no digits") }
      i = j
    }
    let numberText = String(String.UnicodeScalarView(scalars[start ..< i]))
    var unitStart = i
    if unitStart < end, Self.isSpace(scalars[unitStart]) { unitStart += 1 }
    let unit = String(String.UnicodeScalarView(scalars[unitStart ..< end]))
    if unit.isEmpty { throw fail("the unit is missing") }
    guard unit == "%" || Self.units.contains(where: { $0.symbol == unit }) else {
      throw fail("'\(unit)' is not a known unit")
    }
    guard let number = Double(numberText), number.isFinite else { throw fail("the number is out of range") }
    guard number > 0 else { throw fail("it is zero (or rounds to zero); a budget must be positive") }
    if unit == "%" {
      let fraction = number / 100
      guard fraction.isFinite, fraction > 0 else { throw fail("the percentage is out of range") }
      self = .relativeToUniform16Bit(fraction: fraction)
      return
    }
    let scale = Self.units.first(where: { $0.symbol == unit })?.picojoules ?? 1
    let picojoules = number * scale
    guard picojoules.isFinite, picojoules > 0 else { throw fail("the energy is out of range") }
    self = .absolute(picojoules: picojoules)
  }

  private static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
  private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }
}

/// A budget string that does not parse.
public struct EnergyBudgetError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The text as given.
  public var input: String
  /// What is wrong with it.
  public var reason: String

  /// Creates an error.
  public init(input: String, reason: String) {
    self.input = input
    self.reason = reason
  }

  /// `invalid energy budget '...': <reason>; expected ...`.
  public var description: String {
    "invalid energy budget '\(input)': \(reason); expected a positive number followed by J, mJ, uJ (or µJ), nJ"
      + " or pJ (e.g. 2.5uJ, 800nJ, 1200pJ), or a percentage of the uniform 16-bit energy (e.g. 40%)"
  }
}
