/// A rejected argument of the audio front-end: which field, and what was expected.
public struct AudioFeaturesError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The field or argument that was rejected (e.g. `sampleRate`).
  public var field: String
  /// What was expected and what was found.
  public var message: String

  /// Creates an error about `field`.
  public init(_ field: String, _ message: String) {
    self.field = field
    self.message = message
  }

  /// `field: message`.
  public var description: String { "\(field): \(message)" }
}
