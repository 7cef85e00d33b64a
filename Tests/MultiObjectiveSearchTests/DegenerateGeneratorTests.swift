import MultiObjectiveSearch
import PrecSearchTestSupport
import Testing

@Suite struct DegenerateGeneratorTests {
  @Test func operatorsDoNotCrashOnDegenerateGenerators() throws {
    let space = try SearchSpace(geneCount: 4, domain: GeneDomain(values: [2, 4, 8, 16]))
    var zero = ZeroGenerator()
    var ones = OnesGenerator()
    var genome = space.randomGenome(using: &zero)
    #expect(space.contains(genome))
    StepMutation(geneProbability: 1).mutate(&genome, in: space, using: &zero)
    StepMutation(geneProbability: 1, maximumStep: 3).mutate(&genome, in: space, using: &ones)
    #expect(space.contains(genome))
    #expect(BinaryTournamentSelection().select(ranks: [0, 1, 2], crowding: [1, 1, 1], using: &ones) != nil)
  }
}
