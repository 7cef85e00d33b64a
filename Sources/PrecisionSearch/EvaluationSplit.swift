public import NetworkEngine

/// Labelled, preprocessed images on which the evaluator measures accuracy (a validation or a test split).
public struct EvaluationSplit: Sendable {
  /// One preprocessed input per image, in the network's input layout (HWC), each `inputShape.elementCount` values.
  public let inputs: [[Float]]
  /// One class index per image.
  public let labels: [Int]

  /// Creates a split after checking it against a network.
  ///
  /// - Parameters:
  ///   - inputs: at least one image; each with `inputShape.elementCount` finite values.
  ///   - labels: one per image, each in `0..<classCount`.
  ///   - inputShape: the network's input shape.
  ///   - classCount: the network's number of classes (output elements).
  /// - Throws: ``PrecisionSearchError/invalidData(_:)`` naming the first bad image.
  public init(inputs: [[Float]], labels: [Int], inputShape: TensorShape, classCount: Int) throws {
    guard !inputs.isEmpty else { throw PrecisionSearchError.invalidData("the split has no images") }
    guard inputs.count == labels.count else {
      throw PrecisionSearchError.invalidData("\(inputs.count) images but \(labels.count) labels")
    }
    let size = inputShape.elementCount
    if let bad = inputs.firstIndex(where: { $0.count != size }) {
      throw PrecisionSearchError.invalidData("image \(bad) has \(inputs[bad].count) values, expected \(size) (\(inputShape))")
    }
    if let bad = labels.firstIndex(where: { !(0..<classCount).contains($0) }) {
      throw PrecisionSearchError.invalidData("label \(labels[bad]) of image \(bad) is outside 0..<\(classCount)")
    }
    self.inputs = inputs
    self.labels = labels
  }

  /// The number of images.
  public var count: Int { labels.count }

  /// The first `count` images (all of them when `count` is larger).
  public func prefix(_ count: Int) -> EvaluationSplit {
    EvaluationSplit(unchecked: Array(inputs.prefix(count)), Array(labels.prefix(count)))
  }

  private init(unchecked inputs: [[Float]], _ labels: [Int]) {
    self.inputs = inputs
    self.labels = labels
  }
}
