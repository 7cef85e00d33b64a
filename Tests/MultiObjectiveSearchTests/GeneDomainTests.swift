import Foundation
import MultiObjectiveSearch
import Testing

@Suite struct GeneDomainTests {
  @Test func stepsMoveToNeighbouringAllowedValues() throws {
    let domain = try GeneDomain(values: [2, 3, 4, 8, 16])
    #expect(domain.index(of: 8) == 3)
    #expect(domain.index(of: 5) == nil)
    #expect(domain.value(movedFrom: 4, by: 1) == 8)
    #expect(domain.value(movedFrom: 4, by: -1) == 3)
    #expect(domain.value(movedFrom: 4, by: 10) == 16)  // clamped
    #expect(domain.value(movedFrom: 3, by: -5) == 2)  // clamped
    #expect(domain.value(movedFrom: 4, by: Int.min) == 2)  // no overflow
    #expect(domain.value(movedFrom: 5, by: 1) == nil)
    #expect(domain.description == "[2, 3, 4, 8, 16]")
    #expect(try GeneDomain(2...16).description == "2...16")
  }

  @Test func rejectsInvalidDomains() {
    #expect(throws: SearchError.self) { try GeneDomain(values: []) }
    #expect(throws: SearchError.self) { try GeneDomain(values: [4, 4]) }
    #expect(throws: SearchError.self) { try GeneDomain(values: [8, 4]) }
    #expect(throws: SearchError.self) { try GeneDomain(Int.min...Int.max) }
    #expect(throws: SearchError.self) { try GeneDomain(0...(1 << 30)) }
    #expect(throws: SearchError.self) { try JSONDecoder().decode(GeneDomain.self, from: Data(#"{"values":[3,1]}"#.utf8)) }
  }

  @Test func searchSpaceValidatesGenomes() throws {
    let space = try SearchSpace(genes: [GeneDomain(values: [2, 4, 8]), GeneDomain(1...3)])
    #expect(space.contains([4, 2]))
    #expect(!space.contains([5, 2]))
    #expect(!space.contains([4]))
    #expect(space.genomeCount == 9)
    #expect(throws: SearchError.genomeLengthMismatch(expected: 2, actual: 3)) { try space.validate([2, 1, 1]) }
    #expect(throws: SearchError.geneValueNotAllowed(gene: 1, value: 7, allowed: "1...3")) { try space.validate([2, 7]) }
    #expect(throws: SearchError.self) { try SearchSpace(genes: []) }
    #expect(throws: SearchError.self) { try SearchSpace(geneCount: 0, domain: GeneDomain(1...2)) }
    let huge = try SearchSpace(geneCount: 80, domain: GeneDomain(1...4))
    #expect(huge.genomeCount == nil)
  }

  @Test func errorMessagesNameTheFieldAndTheExpectation() {
    let message = SearchError.geneValueNotAllowed(gene: 3, value: 5, allowed: "2...4").description
    #expect(message == "gene 3 has value 5, expected one of 2...4")
    let parameter = SearchError.invalidParameter(name: "populationSize", expected: "at least 2", actual: "1")
    #expect(parameter.description == "invalid populationSize: expected at least 2, got 1")
  }
}
