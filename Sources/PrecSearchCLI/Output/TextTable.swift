/// A plain-text table: a header row, a rule, and rows, columns separated by two spaces; numbers right-aligned.
struct TextTable {
  /// How a column's cells are aligned.
  enum Alignment { case left, right }

  /// Column titles and alignments.
  var columns: [(title: String, alignment: Alignment)]
  /// Cells, one array per row (same count as `columns`).
  var rows: [[String]] = []

  init(_ columns: [(String, Alignment)]) { self.columns = columns.map { (title: $0.0, alignment: $0.1) } }

  mutating func append(_ row: [String]) { rows.append(row) }

  /// The rendered table, each line ending in a newline, with no trailing spaces.
  func rendered(indent: Int = 0) -> String {
    var widths = columns.map(\.title.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    let margin = String(repeating: " ", count: indent)
    func line(_ cells: [String]) -> String {
      var parts: [String] = []
      for (i, column) in columns.enumerated() {
        let cell = i < cells.count ? cells[i] : ""
        let padding = String(repeating: " ", count: widths[i] - cell.count)
        parts.append(column.alignment == .left ? cell + padding : padding + cell)
      }
      var text = margin + parts.joined(separator: "  ")
      while text.last == " " { text.removeLast() }
      return text + "\n"
    }
    var text = line(columns.map(\.title))
    text += margin + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
    for row in rows { text += line(row) }
    return text
  }
}

/// Number formatting for human-readable output (JSON output keeps raw numbers).
enum NumberFormatting {
  /// `1234567` as `1,234,567`.
  static func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (i, digit) in digits.enumerated() {
      if i > 0, (digits.count - i) % 3 == 0 { result.append(",") }
      result.append(digit)
    }
    return value < 0 ? "-" + result : result
  }

  /// `value` with exactly `decimals` digits after the point, rounded half away from zero (Foundation-free).
  static func fixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return String(value) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
    guard scaled < 9e15 else { return String(value) }
    let integer = Int(scaled)
    let whole = integer / Int(scale), fraction = integer % Int(scale)
    var fractionText = String(fraction)
    while fractionText.count < decimals { fractionText = "0" + fractionText }
    let sign = value < 0 && integer != 0 ? "-" : ""
    return decimals == 0 ? sign + String(whole) : sign + String(whole) + "." + fractionText
  }

  /// A fraction in 0...1 as a percentage with two decimals: `0.97125` as `97.13%`.
  static func percent(_ fraction: Double) -> String { fixed(fraction * 100, decimals: 2) + "%" }
}
