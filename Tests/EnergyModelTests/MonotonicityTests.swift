import EnergyModel
import Testing
import SeededRandom

/// Energy never rises when one layer's weight or activation width is lowered (the layer before it then also writes
/// its output at the lower width).
@Suite struct MonotonicityTests {
  static let bits = Array(2 ... 16)

  @Test(arguments: EnergyTable.presetNames)
  func loweringAnySingleLayerPrecisionNeverRaisesEnergy(preset: String) throws {
    let estimator = try EnergyEstimator(presetNamed: preset)
    let workloads = TestWorkloads.threeLayer
    var generator = SplitMix64(seed: 0x5EED_0001)
    // Other layers at 16 bits, at 2 bits, and at two seeded random settings.
    var backgrounds: [(w: [Int], a: [Int])] = [([16, 16, 16], [16, 16, 16]), ([2, 2, 2], [2, 2, 2])]
    for _ in 0 ..< 2 {
      backgrounds.append(
        ((0 ..< 3).map { _ in Self.bits.randomElement(using: &generator)! },
         (0 ..< 3).map { _ in Self.bits.randomElement(using: &generator)! }))
    }
    var comparisons = 0
    for background in backgrounds {
      for layer in 0 ..< 3 {
        // energy[w - 2][a - 2] with layer `layer` at (w, a).
        var energy = [[Double]](repeating: [Double](repeating: 0, count: 15), count: 15)
        for w in Self.bits {
          for a in Self.bits {
            var weightBits = background.w
            var activationBits = background.a
            weightBits[layer] = w
            activationBits[layer] = a
            let precisions = try LayerPrecisionBits.sequential(weightBits: weightBits, activationBits: activationBits)
            energy[w - 2][a - 2] = try estimator.totalPicojoules(workloads: workloads, precisions: precisions)
          }
        }
        // Every pair (w', a') <= (w, a) componentwise must cost no more: exact comparison (each term is a product
        // of non-negative numbers, and IEEE rounding is monotone).
        for w in 0 ..< 15 {
          for a in 0 ..< 15 {
            for lowerW in 0 ... w {
              for lowerA in 0 ... a {
                comparisons += 1
                if energy[lowerW][lowerA] > energy[w][a] {
                  let message: String =
                    "\(preset), layer \(layer), background \(background): w\(lowerW + 2)a\(lowerA + 2) costs"
                    + " \(energy[lowerW][lowerA]) pJ > w\(w + 2)a\(a + 2) at \(energy[w][a]) pJ"
                  Issue.record(Comment(rawValue: message))
                  return
                }
              }
            }
            // And strictly less for a lower weight width (weights are always read).
            if w > 0 { #expect(energy[w - 1][a] < energy[w][a]) }
          }
        }
      }
    }
    #expect(comparisons == 4 * 3 * 14_400)
  }
}
