import SeededRandom

/// The tiny training problem the training tests share: four classes of noisy 8x8 single-channel patterns
/// (horizontal bar, vertical bar, diagonal, centre square), each bar at a random position.
public enum PatternImages {
  /// `count` images (64 values each, image after image, noise uniform in [-0.4, 0.4] from `Xoshiro256StarStar(seed:)`)
  /// and their labels, cycling 0, 1, 2, 3.
  public static func pixels(count: Int, seed: UInt64) -> (pixels: [Float], labels: [Int]) {
    var generator = Xoshiro256StarStar(seed: seed)
    var pixels: [Float] = []
    var labels: [Int] = []
    for n in 0..<count {
      let label = n % 4
      var image = (0..<64).map { _ in -0.4 + 0.8 * Float(generator.next() >> 40) / Float(1 << 24) }
      let offset = RandomDraws.uniform(below: 4, using: &generator) + 2
      for k in 0..<8 {
        switch label {
        case 0: image[offset * 8 + k] += 1.5
        case 1: image[k * 8 + offset] += 1.5
        case 2: image[k * 8 + k] += 1.5
        default: if k >= 2, k < 6 { for j in 2..<6 { image[k * 8 + j] += 1 } }
        }
      }
      pixels += image
      labels.append(label)
    }
    return (pixels, labels)
  }
}
