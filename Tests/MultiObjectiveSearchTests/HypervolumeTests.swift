import Foundation
import MultiObjectiveSearch
import Testing
import SeededRandom

/// Inclusion–exclusion oracle: HV = Σ over non-empty subsets S of (−1)^(|S|+1) · vol(box(max over S, r)).
func inclusionExclusionHypervolume(_ points: [[Double]], reference: [Double]) -> Double {
  let inside = points.filter { zip($0, reference).allSatisfy { $0 < $1 } }
  var total = 0.0
  for mask in 1..<(1 << inside.count) {
    var corner = Array(repeating: -Double.infinity, count: reference.count)
    var size = 0
    for (bit, point) in inside.enumerated() where mask & (1 << bit) != 0 {
      size += 1
      for k in corner.indices { corner[k] = max(corner[k], point[k]) }
    }
    let volume = zip(corner, reference).reduce(1.0) { $0 * ($1.1 - $1.0) }
    total += size % 2 == 1 ? volume : -volume
  }
  return total
}

/// Grid oracle for integer coordinates in 0..<reference: count the unit cells whose lower corner is
/// dominated (weakly) by some point.
func gridHypervolume(_ points: [[Int]], reference: [Int]) -> Int {
  var count = 0
  func visit(_ cell: [Int]) {
    if cell.count == reference.count {
      if points.contains(where: { zip($0, cell).allSatisfy { $0 <= $1 } }) { count += 1 }
      return
    }
    for value in 0..<reference[cell.count] { visit(cell + [value]) }
  }
  visit([])
  return count
}

@Suite struct HypervolumeTests {
  @Test func twoDimensionalHandWorked() throws {
    // Staircase (1,3) (2,2) (3,1), reference (4,4): strips 3·1 + 2·1 + 1·1 = 6.
    #expect(try Hypervolume.compute([[1, 3], [2, 2], [3, 1]], referencePoint: [4, 4]) == 6)
    // Order, duplicates and dominated points change nothing.
    #expect(try Hypervolume.compute([[3, 1], [2, 2], [2, 2], [3, 3], [1, 3]], referencePoint: [4, 4]) == 6)
    #expect(try Hypervolume.compute([[0, 0]], referencePoint: [1, 1]) == 1)
    // Points on or beyond the reference point's boundary add nothing.
    #expect(try Hypervolume.compute([[1, 0.5], [2, 2]], referencePoint: [1, 1]) == 0)
    #expect(try Hypervolume.compute([], referencePoint: [1, 1]) == 0)
    // Reference point relative: moving it moves the volume.
    #expect(try Hypervolume.compute([[0, 0]], referencePoint: [2, 3]) == 6)
    #expect(try Hypervolume.compute([[-1, -1]], referencePoint: [0, 0]) == 1)
  }

  @Test func threeDimensionalHandWorked() throws {
    #expect(try Hypervolume.compute([[0, 0, 0]], referencePoint: [1, 1, 1]) == 1)
    // A(0,0,2) B(2,2,0), r = (3,3,3): 9 + 3 − overlap box (2,2,2) 1 = 11.
    #expect(try Hypervolume.compute([[0, 0, 2], [2, 2, 0]], referencePoint: [3, 3, 3]) == 11)
    // A(0,1,2) B(1,2,0) C(2,0,1), r = (3,3,3): singles 6+6+6, pairs 2+2+2, triple 1 -> 18 − 6 + 1 = 13.
    #expect(try Hypervolume.compute([[0, 1, 2], [1, 2, 0], [2, 0, 1]], referencePoint: [3, 3, 3]) == 13)
    // One-dimensional and four-dimensional edge cases.
    #expect(try Hypervolume.compute([[2], [5]], referencePoint: [10]) == 8)
    #expect(try Hypervolume.compute([[0, 0, 0, 0]], referencePoint: [1, 2, 3, 4]) == 24)
  }

  @Test func threeDimensionalMatchesOraclesOnRandomSets() throws {
    var generator = Xoshiro256StarStar(seed: 99)
    for _ in 0..<150 {
      let count = Int.random(in: 1...8, using: &generator)
      let points = (0..<count).map { _ in (0..<3).map { _ in Int.random(in: 0...5, using: &generator) } }
      let reference = [6, 6, 6]
      let exact = try Hypervolume.compute(points.map { $0.map(Double.init) }, referencePoint: reference.map(Double.init))
      #expect(exact == Double(gridHypervolume(points, reference: reference)))
      #expect(abs(exact - inclusionExclusionHypervolume(points.map { $0.map(Double.init) }, reference: reference.map(Double.init))) < 1e-9)
    }
  }

  @Test func twoAndFourDimensionalMatchInclusionExclusion() throws {
    var generator = Xoshiro256StarStar(seed: 5)
    for dimension in [2, 4] {
      for _ in 0..<60 {
        let count = Int.random(in: 1...7, using: &generator)
        let points = (0..<count).map { _ in (0..<dimension).map { _ in generator.nextUnitInterval() * 2 - 0.5 } }
        let reference = Array(repeating: 1.0, count: dimension)
        let exact = try Hypervolume.compute(points, referencePoint: reference)
        #expect(abs(exact - inclusionExclusionHypervolume(points, reference: reference)) < 1e-9)
      }
    }
  }

  @Test func analyticZDTFrontsAreApproachedByDenseSamples() throws {
    // The exact 2-D sweep on 20 001 points of each analytic front converges to the closed form.
    for variant in [ZDTProblem.Variant.zdt1, .zdt2] {
      let problem = try ZDTProblem(variant)
      let points = (0...20_000).map { i -> [Double] in
        let f1 = Double(i) / 20_000
        return [f1, problem.front(f1)]
      }
      let sampled = try Hypervolume.compute(points, referencePoint: [1.1, 1.1])
      #expect(sampled <= problem.analyticHypervolume)
      #expect(problem.analyticHypervolume - sampled < 1e-4)
    }
    #expect(abs(try ZDTProblem(.zdt1).analyticHypervolume - 0.876_666_666) < 1e-8)
    #expect(abs(try ZDTProblem(.zdt2).analyticHypervolume - 0.543_333_333) < 1e-8)
  }

  @Test func rejectsInvalidInput() {
    #expect(throws: SearchError.self) { try Hypervolume.compute([[1, 2]], referencePoint: []) }
    #expect(throws: SearchError.self) { try Hypervolume.compute([[1, 2]], referencePoint: [.infinity, 1]) }
    #expect(throws: SearchError.objectiveCountMismatch(expected: 2, actual: 3)) {
      try Hypervolume.compute([[1, 2, 3]], referencePoint: [4, 4])
    }
    #expect(throws: SearchError.self) { try Hypervolume.compute([[.nan, 2]], referencePoint: [4, 4]) }
  }

  @Test func normalizedIndicator() throws {
    // Energy in pJ and -accuracy: ideal (1000, -1), nadir (3000, -0.5) (exact binary fractions).
    let normalization = try ObjectiveNormalization(ideal: [1000, -1], nadir: [3000, -0.5])
    #expect(try normalization.normalize([2000, -0.75]) == [0.5, 0.5])
    #expect(try normalization.denormalize([0.5, 0.5]) == [2000, -0.75])
    let indicator = try HypervolumeIndicator(referencePoint: [1, 1], normalization: normalization)
    #expect(try indicator.value(of: [[2000, -0.75]]) == 0.25)
    // A zero-range objective is shifted only.
    let flat = try ObjectiveNormalization.bounding([[1, 5], [3, 5]])
    #expect(flat.ideal == [1, 5] && flat.nadir == [3, 5])
    #expect(try flat.normalize([2, 6]) == [0.5, 1])
    #expect(throws: SearchError.self) { try ObjectiveNormalization(ideal: [1, 2], nadir: [0, 3]) }
    #expect(throws: SearchError.self) { try HypervolumeIndicator(referencePoint: [1, 1, 1], normalization: normalization) }
    #expect(throws: SearchError.self) { try ObjectiveNormalization.bounding([]) }
    // Decoding validates like the initializers do.
    #expect(try JSONDecoder().decode(HypervolumeIndicator.self, from: JSONEncoder().encode(indicator)) == indicator)
    let inverted = Data(#"{"ideal":[1],"nadir":[0]}"#.utf8)
    #expect(throws: SearchError.self) { try JSONDecoder().decode(ObjectiveNormalization.self, from: inverted) }
    #expect(throws: SearchError.self) { try JSONDecoder().decode(HypervolumeIndicator.self, from: Data(#"{"referencePoint":[]}"#.utf8)) }
  }
}
