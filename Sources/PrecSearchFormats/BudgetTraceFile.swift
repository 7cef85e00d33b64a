import EnergyModel
import Foundation

/// A budget trace: from inference `inference` on, the average budget is `joules` per inference.
public struct BudgetTrace: Hashable, Sendable {
  /// One row: from `inference` on, `joules` per inference (the budget as written: `given`).
  public struct Row: Hashable, Sendable {
    /// The first inference the budget applies to.
    public var inference: Int
    /// The average budget in joules per inference.
    public var joules: Double
    /// The budget as written in the file.
    public var given: String
  }

  /// The rows, by increasing `inference`, the first at 0.
  public var rows: [Row]

  /// Reads `inference,budget` rows (docs/runtime.md: `simulate --budget-trace`); budgets are energies (`2.5uJ`) or
  /// shares of `uniform16BitPicojoules` (`40%`). Errors (`BudgetTraceError`, `FileAccessError`) name the file, the
  /// line and the field.
  public static func read(path: String, uniform16BitPicojoules: Double) throws -> BudgetTrace {
    guard let text = String(data: try FileIO.readData(at: path), encoding: .utf8) else {
      throw BudgetTraceError("budget trace '\(path)': not UTF-8 text")
    }
    return try parse(text, file: path, uniform16BitPicojoules: uniform16BitPicojoules)
  }

  /// Parses the text of a budget trace (see `read`); `file` names it in errors.
  public static func parse(_ text: String, file: String, uniform16BitPicojoules: Double) throws -> BudgetTrace {
    func fail(_ line: Int, _ field: String?, _ reason: String) -> BudgetTraceError {
      BudgetTraceError("budget trace '\(file)', line \(line)\(field.map { ", field '\($0)'" } ?? ""): \(reason)")
    }
    var rows: [Row] = []
    var sawHeader = false
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = n + 1
      let content = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
      let trimmed = content.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if !sawHeader {
        guard fields == ["inference", "budget"] else {
          throw fail(line, nil, "expected the header 'inference,budget', found '\(trimmed)'")
        }
        sawHeader = true
        continue
      }
      guard fields.count == 2 else { throw fail(line, nil, "expected 2 fields (inference,budget), found \(fields.count)") }
      guard let inference = Int(fields[0]), inference >= 0 else {
        throw fail(line, "inference", "'\(fields[0])' is not an integer >= 0")
      }
      if let previous = rows.last {
        guard inference > previous.inference else {
          throw fail(line, "inference", "\(inference) does not follow \(previous.inference); rows must be in increasing order")
        }
      } else if inference != 0 {
        throw fail(line, "inference", "the first row must start at inference 0, found \(inference)")
      }
      let budget: EnergyBudget
      do { budget = try EnergyBudget(parsing: fields[1]) } catch {
        throw fail(line, "budget", "\(error)")
      }
      let joules = budget.limitPicojoules(uniform16BitPicojoules: uniform16BitPicojoules) * 1e-12
      guard joules.isFinite, joules >= 0 else { throw fail(line, "budget", "'\(fields[1])' is not an energy >= 0") }
      rows.append(Row(inference: inference, joules: joules, given: fields[1]))
    }
    guard sawHeader else { throw BudgetTraceError("budget trace '\(file)': empty; expected the header 'inference,budget' and rows") }
    guard !rows.isEmpty else { throw BudgetTraceError("budget trace '\(file)': no rows after the header") }
    return BudgetTrace(rows: rows)
  }
}

/// A budget trace that cannot be read: the message names the file, the line and the field.
public struct BudgetTraceError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The message.
  public var description: String
  /// Creates the error.
  public init(_ description: String) { self.description = description }
}
