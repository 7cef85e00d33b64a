import Foundation
import MultiObjectiveSearch
import Testing
import SeededRandom

@Suite struct ParetoArchiveTests {
  func candidate(_ genome: [Int], _ objectives: [Double], violation: Double = 0) -> Candidate {
    Candidate(genome: genome, evaluation: Evaluation(objectives: objectives, constraintViolation: violation))
  }

  @Test func handWorkedInsertions() throws {
    var archive = try ParetoArchive(objectiveCount: 2)
    #expect(try archive.insert(candidate([1], [3, 3])))
    #expect(try archive.insert(candidate([2], [1, 4])))
    #expect(try !archive.insert(candidate([3], [4, 4])))  // dominated by [1]
    #expect(try !archive.insert(candidate([1], [3, 3])))  // same genome again
    #expect(try archive.insert(candidate([4], [3, 3])))  // equal objectives, other genome: kept
    #expect(try archive.insert(candidate([5], [2, 2])))  // dominates [1] and [4]
    #expect(archive.members.map(\.genome) == [[2], [5]])
    try archive.checkInvariants()
  }

  @Test func feasibleMembersReplaceInfeasibleOnes() throws {
    var archive = try ParetoArchive(objectiveCount: 2)
    try archive.insert(candidate([1], [0, 0], violation: 2))
    try archive.insert(candidate([2], [5, 5], violation: 1))  // lower violation wins
    #expect(archive.members.map(\.genome) == [[2]])
    try archive.insert(candidate([3], [9, 9]))  // feasible beats everything infeasible
    try archive.insert(candidate([4], [0, 0], violation: 0.5))
    #expect(archive.members.map(\.genome) == [[3]])

    var plain = try ParetoArchive(objectiveCount: 2, constraintHandling: .ignored)
    try plain.insert(candidate([1], [0, 1], violation: 2))
    try plain.insert(candidate([3], [9, 9]))
    try plain.insert(candidate([4], [1, 0], violation: 0.5))
    #expect(plain.members.map(\.genome) == [[1], [4]])
  }

  @Test func rejectsInvalidEvaluations() throws {
    var archive = try ParetoArchive(objectiveCount: 2)
    #expect(throws: SearchError.self) { try archive.insert(candidate([1], [.nan, 0])) }
    #expect(throws: SearchError.self) { try archive.insert(candidate([1], [1, 2, 3])) }
    #expect(throws: SearchError.self) { try archive.insert(candidate([1], [1, 2], violation: -1)) }
    #expect(throws: SearchError.self) { try ParetoArchive(objectiveCount: 0) }
    #expect(archive.isEmpty)
  }

  @Test func invariantAndOrderHoldForRandomInsertionsInAnyOrder() throws {
    var generator = Xoshiro256StarStar(seed: 2024)
    for round in 0..<20 {
      let objectiveCount = 2 + round % 2
      let candidates = (0..<80).map { index in
        candidate(
          [index % 40],  // every genome appears twice
          (0..<objectiveCount).map { _ in Double(Int.random(in: 0...9, using: &generator)) },
          violation: round % 4 == 0 ? Double(Int.random(in: 0...2, using: &generator)) : 0)
      }
      var archive = try ParetoArchive(objectiveCount: objectiveCount)
      try archive.insert(contentsOf: candidates)
      try archive.checkInvariants()
      #expect(archive.members.allSatisfy { candidates.contains($0) })
      // With one evaluation per genome: no inserted candidate dominates a member, and the members
      // do not depend on the insertion order.
      var firstByGenome: [[Int]: Candidate] = [:]
      for candidate in candidates where firstByGenome[candidate.genome] == nil { firstByGenome[candidate.genome] = candidate }
      let unique = candidates.filter { firstByGenome[$0.genome] == $0 }
      var forward = try ParetoArchive(objectiveCount: objectiveCount)
      var backward = try ParetoArchive(objectiveCount: objectiveCount)
      try forward.insert(contentsOf: unique)
      try backward.insert(contentsOf: unique.reversed())
      #expect(forward == backward)
      try forward.checkInvariants()
      for member in forward.members {
        #expect(!unique.contains { Dominance.dominates($0.evaluation, member.evaluation) })
      }
    }
  }

  @Test func codableRoundTripAndRepairOnDecode() throws {
    var archive = try ParetoArchive(objectiveCount: 2)
    try archive.insert(contentsOf: [candidate([1, 2], [0.5, 0.25]), candidate([3, 4], [0.1, 0.9])])
    let data = try JSONEncoder().encode(archive)
    #expect(try JSONDecoder().decode(ParetoArchive.self, from: data) == archive)
    // A hand-edited file with a dominated member and a duplicate genome is repaired on decode.
    let edited = #"""
      {"objectiveCount":2,"constraintHandling":"feasibilityFirst","members":[
      {"genome":[1],"evaluation":{"objectives":[1,1],"constraintViolation":0}},
      {"genome":[2],"evaluation":{"objectives":[2,2],"constraintViolation":0}},
      {"genome":[1],"evaluation":{"objectives":[0,5],"constraintViolation":0}}]}
      """#
    let repaired = try JSONDecoder().decode(ParetoArchive.self, from: Data(edited.utf8))
    #expect(repaired.members.map(\.genome) == [[1]])
    try repaired.checkInvariants()
  }
}
