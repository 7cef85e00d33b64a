/// The option group of every command that reads a data set for a model (`evaluate`, `optimize`, `serve`, `run`,
/// `simulate`, `import`): which column of a `labels.csv` folder to read, and resizing images to the model's input.
struct DataOptions: Hashable, Sendable {
  /// `--tensor-column <name>`.
  static let tensorColumnOption = OptionSpec.value(
    "tensor-column", valueName: "name",
    help: "For a labels.csv folder: the column of raw input-tensor files to read (default: the WAV column for a model "
      + "with an audio front-end, else the first column whose files hold exactly one input tensor).")
  /// `--resize <HxW>`.
  static let resizeOption = OptionSpec.value(
    "resize", valueName: "HxW",
    help: "Resize images to H x W pixels before use (bilinear, OpenCV's INTER_LINEAR rule), for a model whose input "
      + "size differs from its data's (e.g. 64x64).")
  /// The options of the group, in help order.
  static let options = [tensorColumnOption, resizeOption]

  /// The `labels.csv` column named by `--tensor-column`.
  var tensorColumn: String?
  /// The size given by `--resize`.
  var resize: ImageSize?

  /// No column chosen, no resizing.
  init(tensorColumn: String? = nil, resize: ImageSize? = nil) {
    self.tensorColumn = tensorColumn
    self.resize = resize
  }

  /// Reads the group's options.
  init(parsing arguments: ParsedArguments) throws(UsageError) {
    tensorColumn = arguments.value(Self.tensorColumnOption)
    if tensorColumn?.isEmpty == true {
      throw UsageError("Invalid value '' for '\(Self.tensorColumnOption.synopsis)': expected a column name of labels.csv.")
    }
    resize = try arguments.value(Self.resizeOption).map { text throws(UsageError) in
      guard let size = ImageSize(text) else {
        throw UsageError("Invalid value '\(text)' for '\(Self.resizeOption.synopsis)': expected HEIGHTxWIDTH with both "
          + "from 1 to 4096, e.g. 64x64.")
      }
      return size
    }
  }
}

/// An image size written `HEIGHTxWIDTH` (`64x64`), each from 1 to 4096.
struct ImageSize: Hashable, Sendable, CustomStringConvertible {
  /// Rows.
  var height: Int
  /// Columns.
  var width: Int

  /// Parses `HxW`; nil unless both parts are decimal integers in 1...4096.
  init?(_ text: String) {
    let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && $0.count <= 4 }),
          let height = Int(parts[0]), let width = Int(parts[1]),
          (1...4096).contains(height), (1...4096).contains(width) else { return nil }
    self.height = height
    self.width = width
  }

  /// `HxW`.
  var description: String { "\(height)x\(width)" }
}
