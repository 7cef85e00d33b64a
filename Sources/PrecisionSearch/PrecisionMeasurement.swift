/// What the evaluator measured for one precision configuration on one split.
///
/// The energy is exact (it needs no data). The accuracy is exact when every image was run
/// (``isComplete``); a screened-out configuration stopped early, once its best possible accuracy could no longer
/// beat the measured front, and then ``accuracy`` is the accuracy on the images it ran (an estimate) and
/// ``accuracyUpperBound`` the hard bound that ruled it out.
public struct PrecisionMeasurement: Hashable, Sendable, Codable {
  /// Energy of one inference, in pJ (finite, >= 0).
  public var energyPicojoules: Double
  /// Images classified correctly among those run.
  public var correct: Int
  /// Images run (1...imageCount).
  public var imagesRun: Int
  /// Images in the split (>= 1).
  public var imageCount: Int

  /// Creates a measurement.
  public init(energyPicojoules: Double, correct: Int, imagesRun: Int, imageCount: Int) {
    self.energyPicojoules = energyPicojoules
    self.correct = correct
    self.imagesRun = imagesRun
    self.imageCount = imageCount
  }

  /// Whether every image of the split was run, so that ``accuracy`` is exact.
  public var isComplete: Bool { imagesRun == imageCount }

  /// Top-1 accuracy in 0...1 on the images run: exact when complete, an estimate otherwise.
  public var accuracy: Double { imagesRun > 0 ? Double(correct) / Double(imagesRun) : 0 }

  /// The largest number of images of the split this configuration can classify correctly, given what was run:
  /// `correct + (imageCount - imagesRun)`.
  public var correctUpperBound: Int { correct + (imageCount - imagesRun) }

  /// The largest accuracy (0...1) the configuration can have on the whole split.
  public var accuracyUpperBound: Double { Double(correctUpperBound) / Double(max(imageCount, 1)) }

  /// The objective vector the search minimizes: `[energy in pJ, -accuracy]`.
  public var objectives: [Double] { [energyPicojoules, -accuracy] }
}
