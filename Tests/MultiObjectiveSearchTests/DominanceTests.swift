import MultiObjectiveSearch
import Testing
import SeededRandom

@Suite struct DominanceTests {
  @Test func paretoRelations() {
    #expect(Dominance.relation([1, 2], [2, 3]) == .dominates)
    #expect(Dominance.relation([1, 3], [1, 2]) == .isDominated)
    #expect(Dominance.relation([1, 2], [1, 2]) == .equivalent)
    #expect(Dominance.relation([1, 3], [2, 2]) == .incomparable)
    #expect(Dominance.relation([1, 2], [1, 3]) == .dominates)  // weakly better everywhere, better once
    #expect(Dominance.relation([1, 2], [1, 2, 3]) == .incomparable)  // different lengths
    #expect(Dominance.relation([.nan, 1], [0, 2]) == .incomparable)
  }

  @Test func constraintDominationPutsFeasibilityFirst() {
    let feasibleBad = Evaluation(objectives: [9, 9])
    let infeasibleGood = Evaluation(objectives: [0, 0], constraintViolation: 0.5)
    let lessInfeasible = Evaluation(objectives: [5, 5], constraintViolation: 0.1)
    let sameViolationBetter = Evaluation(objectives: [-1, -1], constraintViolation: 0.5)
    // Any feasible point dominates any infeasible point.
    #expect(Dominance.relation(feasibleBad, infeasibleGood) == .dominates)
    #expect(Dominance.relation(infeasibleGood, feasibleBad) == .isDominated)
    // Between infeasible points the lower violation wins, whatever the objectives.
    #expect(Dominance.relation(lessInfeasible, infeasibleGood) == .dominates)
    // At equal violation the objectives decide (as in pymoo).
    #expect(Dominance.relation(sameViolationBetter, infeasibleGood) == .dominates)
    #expect(Dominance.relation(Evaluation(objectives: [0, 1], constraintViolation: 0.5), Evaluation(objectives: [1, 0], constraintViolation: 0.5)) == .incomparable)
    // Ignoring the constraint, objectives alone decide.
    #expect(Dominance.relation(feasibleBad, infeasibleGood, constraintHandling: .ignored) == .isDominated)
    #expect(Dominance.dominates(infeasibleGood, feasibleBad, constraintHandling: .ignored))
    #expect(!Dominance.dominates(infeasibleGood, feasibleBad))
  }
}

@Suite struct NonDominatedSortingTests {
  // Hand-worked (all minimized):
  //   0 A(1,5)  1 B(2,3)  2 C(4,1)  3 D(3,4)  4 E(5,5)  5 F(2,3) = B  6 G(4,4)
  // F1 = {A, B, C, F}: nothing dominates them (B and F are equal, hence equivalent).
  // D is dominated by B only -> F2. G is dominated by B and D -> F3. E by D and G (and B) -> F4.
  static let points: [[Double]] = [[1, 5], [2, 3], [4, 1], [3, 4], [5, 5], [2, 3], [4, 4]]

  @Test func handWorkedFrontsWithDuplicates() {
    #expect(NonDominatedSorting.fronts(objectives: Self.points) == [[0, 1, 2, 5], [3], [6], [4]])
    #expect(NonDominatedSorting.ranks(Self.points.map { Evaluation(objectives: $0) }) == [0, 0, 0, 1, 3, 0, 2])
  }

  @Test func frontsDoNotDependOnInputOrderBeyondRelabelling() {
    let permutation = [6, 4, 5, 0, 3, 2, 1]
    let permuted = permutation.map { Self.points[$0] }
    let fronts = NonDominatedSorting.fronts(objectives: permuted)
    let relabelled = fronts.map { $0.map { permutation[$0] }.sorted() }
    #expect(relabelled == [[0, 1, 2, 5], [3], [6], [4]])
    for front in fronts { #expect(front == front.sorted()) }
  }

  @Test func constrainedSortingRanksFeasiblePointsFirst() {
    // 0 (1,2) and 1 (2,1) feasible and incomparable; 2 (0,0) infeasible (0.2); 3 (1,1) infeasible
    // (0.2), dominated by 2; 4 (9,9) infeasible (0.1).
    // Feasibility first: {0,1}, then the lowest violation {4}, then 2, then 3.
    // Ignoring the constraint: (0,0) dominates all; (1,1) dominates (1,2) and (2,1); (9,9) last.
    let evaluations = [
      Evaluation(objectives: [1, 2]), Evaluation(objectives: [2, 1]),
      Evaluation(objectives: [0, 0], constraintViolation: 0.2),
      Evaluation(objectives: [1, 1], constraintViolation: 0.2),
      Evaluation(objectives: [9, 9], constraintViolation: 0.1),
    ]
    #expect(NonDominatedSorting.fronts(evaluations) == [[0, 1], [4], [2], [3]])
    #expect(NonDominatedSorting.fronts(evaluations, constraintHandling: .ignored) == [[2], [3], [0, 1], [4]])
  }

  @Test func emptyAndSingleInputs() {
    #expect(NonDominatedSorting.fronts(objectives: []) == [])
    #expect(NonDominatedSorting.fronts(objectives: [[3, 3]]) == [[0]])
  }

  @Test func agreesWithBruteForceDefinitionOnRandomSets() {
    var generator = Xoshiro256StarStar(seed: 11)
    for _ in 0..<50 {
      let count = Int.random(in: 1...25, using: &generator)
      let points = (0..<count).map { _ in (0..<3).map { _ in Double(Int.random(in: 0...4, using: &generator)) } }
      let ranks = NonDominatedSorting.ranks(points.map { Evaluation(objectives: $0) })
      // Definition: rank(p) = 0 if nothing dominates p, else 1 + max rank of its dominators.
      for p in 0..<count {
        let dominatorRanks = (0..<count).filter { Dominance.dominates(points[$0], points[p]) }.map { ranks[$0] }
        #expect(ranks[p] == (dominatorRanks.max().map { $0 + 1 } ?? 0))
      }
    }
  }
}

@Suite struct CrowdingDistanceTests {
  // Hand-worked front: P0(0,10) P1(1,6) P2(3,5) P3(6,1) P4(10,0); both ranges are 10.
  //   f1 order P0 P1 P2 P3 P4: P1 += (3-0)/10 = .3, P2 += (6-1)/10 = .5, P3 += (10-3)/10 = .7
  //   f2 order P4 P3 P2 P1 P0: P3 += (5-0)/10 = .5, P2 += (6-1)/10 = .5, P1 += (10-5)/10 = .5
  //   => P1 .8, P2 1.0, P3 1.2, ends +inf.
  static let front: [[Double]] = [[0, 10], [1, 6], [3, 5], [6, 1], [10, 0]]

  @Test func handWorkedDistances() throws {
    let distances = try CrowdingDistance.distances(Self.front)
    #expect(distances[0] == .infinity && distances[4] == .infinity)
    #expect(abs(distances[1] - 0.8) < 1e-12)
    #expect(abs(distances[2] - 1.0) < 1e-12)
    #expect(abs(distances[3] - 1.2) < 1e-12)
  }

  @Test func duplicatesGetZeroAndDoNotChangeOthers() throws {
    // A copy of P2 appended, and a copy of the end point P4 placed first: only first occurrences count.
    let withCopies = [[10, 0]] + Self.front + [[3, 5]]
    let distances = try CrowdingDistance.distances(withCopies)
    #expect(distances[0] == .infinity)  // first occurrence of (10, 0)
    #expect(distances[5] == 0)  // later copy of (10, 0)
    #expect(distances[6] == 0)  // later copy of (3, 5)
    #expect(distances[1] == .infinity)
    #expect(abs(distances[2] - 0.8) < 1e-12 && abs(distances[3] - 1.0) < 1e-12 && abs(distances[4] - 1.2) < 1e-12)
  }

  @Test func zeroRangeObjectiveContributesNothing() throws {
    let flat = Self.front.map { $0 + [7] }  // third objective constant
    let distances = try CrowdingDistance.distances(flat)
    #expect(distances.allSatisfy { !$0.isNaN })
    #expect(distances[0] == .infinity && distances[4] == .infinity)
    #expect(abs(distances[1] - 0.8) < 1e-12 && abs(distances[2] - 1.0) < 1e-12 && abs(distances[3] - 1.2) < 1e-12)
    // Every objective flat except one: interior points still get finite, non-NaN values.
    let line: [[Double]] = [[0, 5], [1, 5], [3, 5], [4, 5]]
    let lineDistances = try CrowdingDistance.distances(line)
    #expect(lineDistances == [.infinity, 0.75, 0.75, .infinity])
  }

  @Test func smallAndDegenerateFronts() throws {
    #expect(try CrowdingDistance.distances([]) == [])
    #expect(try CrowdingDistance.distances([[1, 2]]) == [.infinity])
    #expect(try CrowdingDistance.distances([[1, 2], [2, 1]]) == [.infinity, .infinity])
    #expect(try CrowdingDistance.distances([[1, 2], [1, 2], [1, 2]]) == [.infinity, 0, 0])
    #expect(try CrowdingDistance.distances([[1, 2], [2, 1], [1, 2]]) == [.infinity, .infinity, 0])
    #expect(throws: SearchError.objectiveCountMismatch(expected: 2, actual: 3)) {
      try CrowdingDistance.distances([[1, 2], [1, 2, 3]])
    }
  }

  @Test func survivalCutsTheLastFrontByCrowding() {
    // Front 1 = the five hand-worked points; one dominated point (7, 7).
    let evaluations = (Self.front + [[7, 7]]).map { Evaluation(objectives: $0) }
    let survival = RankAndCrowdingSurvival()
    #expect(survival.select(evaluations, count: 6) == [0, 1, 2, 3, 4, 5])
    // Keep 3 of front 1: the two ends (infinite) then P3 (1.2).
    #expect(survival.select(evaluations, count: 3) == [0, 4, 3])
    #expect(survival.select(evaluations, count: 0) == [])
    #expect(survival.select(evaluations, count: 99).count == 6)
    let (ranks, crowding) = survival.ranksAndCrowding(evaluations)
    #expect(ranks == [0, 0, 0, 0, 0, 1])
    #expect(crowding[5] == .infinity)  // alone in its front
  }
}
