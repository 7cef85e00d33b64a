import PrecSearchFormats
/// Text helpers shared by the SVG plot and the HTML report: escaping and locale-free number formatting with a
/// fixed number of decimals, so that the same document always gives the same bytes.
enum ReportText {
  /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in XML/HTML text and in
  /// attribute values (quoted either way). Control characters other than tab and line feed are replaced by
  /// U+FFFD, which XML 1.0 does not allow as characters.
  static func escaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      case "\t", "\n": result.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F || (0xFFFE...0xFFFF).contains(scalar.value) {
          result += "\u{FFFD}"
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }

  /// `value` with exactly `decimals` digits after the point, rounded half away from zero; `-0` is written `0`.
  /// Non-finite values are written `nan`, `inf` or `-inf`; magnitudes of 9e15 and above fall back to Swift's
  /// shortest form.
  static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    let decimals = max(0, min(decimals, 12))
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9e15 else { return String(value) }
    let integer = Int(scaled)
    let divisor = Int(scale)
    let whole = integer / divisor, fraction = integer % divisor
    var fractionText = String(fraction)
    while fractionText.count < decimals { fractionText = "0" + fractionText }
    let sign = value < 0 && integer != 0 ? "-" : ""
    return decimals == 0 ? sign + String(whole) : sign + String(whole) + "." + fractionText
  }

  /// A pixel coordinate with two decimals (SVG attribute values).
  static func coordinate(_ value: Double) -> String { fixed(value, decimals: 2) }

  /// `1234567` as `1,234,567`.
  static func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
      result.append(digit)
    }
    return value < 0 ? "-" + result : result
  }

  /// `value` with `decimals` decimals and thousands separators in the integer part (`1,234.5`).
  static func grouped(_ value: Double, decimals: Int) -> String {
    let text = fixed(value, decimals: decimals)
    guard value.isFinite, abs(value) < 9e15 else { return text }
    let negative = text.hasPrefix("-")
    let body = negative ? String(text.dropFirst()) : text
    let parts = body.split(separator: ".", maxSplits: 1)
    guard let whole = parts.first, let integer = Int(whole) else { return text }
    let fraction = parts.count > 1 ? "." + parts[1] : ""
    return (negative ? "-" : "") + grouped(integer) + fraction
  }

  /// A fraction in 0...1 as a percentage with `decimals` decimals, without the sign: `0.97125` as `97.13`.
  static func percent(_ fraction: Double, decimals: Int = 2) -> String { fixed(fraction * 100, decimals: decimals) }

  /// An energy in the largest unit that keeps it at least 1, with three decimals: `1.228 µJ`, `812.500 nJ`.
  static func energy(_ picojoules: Double) -> String {
    let unit = EnergyUnit.unit(for: picojoules)
    return fixed(picojoules / unit.picojoules, decimals: 3) + " " + unit.symbol
  }

  /// An estimate of the width of `text` in pixels at `fontSize` in a common sans-serif font (for layout only:
  /// wide enough for Helvetica, Arial, DejaVu Sans and Liberation Sans).
  static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
    var ems = 0.0
    for character in text {
      switch character {
      case "i", "j", "l", ".", ",", ":", ";", "'", "|", "!", "I", " ", "(", ")", "[", "]", "f", "t", "r":
        ems += 0.36
      case "m", "w", "M", "W", "%", "@":
        ems += 0.92
      case "A"..."Z", "µ":
        ems += 0.70
      case "0"..."9":
        ems += 0.62
      default:
        ems += 0.58
      }
    }
    return ems * fontSize
  }
}
