/// Rules for the prefix of a generated C library (`PREFIX.h`, `PREFIX_infer`, `PREFIX_SCRATCH_BYTES`).
public enum CIdentifier {
  /// The C99 keywords (and the names of the standard integer types the library uses), which a prefix must not be.
  static let reservedWords: [String] = [
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
    "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
    "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool",
    "_Complex", "_Imaginary", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t",
  ]

  /// The longest accepted prefix (generated names add up to about 30 characters; C99 guarantees 63 significant
  /// characters of internal identifiers).
  public static let maximumLength = 32

  /// Why `prefix` is not a valid library prefix, or nil when it is: ASCII letters, digits and underscores, not
  /// starting with a digit, not starting with an underscore (names reserved to the implementation), not a keyword,
  /// at most `maximumLength` characters.
  public static func problem(with prefix: String) -> String? {
    guard !prefix.isEmpty else { return "it is empty" }
    guard prefix.utf8.count <= maximumLength else { return "it is longer than \(maximumLength) characters" }
    for byte in prefix.utf8 {
      let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
      let isDigit = byte >= 0x30 && byte <= 0x39
      guard isLetter || isDigit || byte == 0x5F else {
        return "a C identifier has only ASCII letters, digits and underscores"
      }
    }
    if let first = prefix.utf8.first, first >= 0x30 && first <= 0x39 { return "a C identifier cannot start with a digit" }
    if prefix.hasPrefix("_") { return "names starting with an underscore are reserved to the C implementation" }
    if reservedWords.contains(prefix) { return "it is a C keyword or type name" }
    return nil
  }

  /// True when `prefix` can name a library.
  public static func isValid(_ prefix: String) -> Bool { problem(with: prefix) == nil }

  /// The upper-case form used for macros (`fashion` -> `FASHION`).
  static func macroName(_ prefix: String) -> String {
    String(decoding: prefix.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
  }
}
