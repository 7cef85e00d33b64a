/// Errors of the precision search. Every message names the setting or input and says what was expected.
public enum PrecisionSearchError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A setting is outside its allowed range.
  case invalidSetting(name: String, expected: String, actual: String)
  /// The evaluation data cannot be used with the model.
  case invalidData(String)
  /// A saved search state does not fit the current model, data or settings.
  case stateMismatch(String)
  /// The caller asked the evaluator to stop (for example on SIGINT); no result was recorded.
  case cancelled

  /// A one-line message.
  public var description: String {
    switch self {
    case .invalidSetting(let name, let expected, let actual):
      return "invalid \(name): expected \(expected), got \(actual)"
    case .invalidData(let message):
      return "invalid evaluation data: \(message)"
    case .stateMismatch(let message):
      return "the saved search state does not match this run: \(message)"
    case .cancelled:
      return "the evaluation was cancelled"
    }
  }
}
