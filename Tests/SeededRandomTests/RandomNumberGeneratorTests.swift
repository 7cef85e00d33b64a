import Foundation
import Testing
import PrecSearchTestSupport
import SeededRandom

@Suite struct RandomNumberGeneratorTests {
  @Test func splitMix64MatchesReferenceOutputs() {
    // Reference values of Vigna's splitmix64.c for state 0 (recomputed independently in Python).
    var generator = SplitMix64(seed: 0)
    #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
    #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(generator.next() == 0x06C4_5D18_8009_454F)
  }

  @Test func xoshiro256StarStarMatchesReferenceOutputs() throws {
    // Reference values of xoshiro256starstar.c for state {1, 2, 3, 4}.
    var generator = try Xoshiro256StarStar(state: [1, 2, 3, 4])
    let outputs = (0..<6).map { _ in generator.next() }
    #expect(outputs == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360, 607_988_272_756_665_600])
  }

  @Test func xoshiroSeedIsExpandedWithSplitMix64() throws {
    let generator = Xoshiro256StarStar(seed: 42)
    // SplitMix64(seed: 42)'s first four outputs (recomputed in Python).
    #expect(generator.state == [13_679_457_532_755_275_413, 2_949_826_092_126_892_291, 5_139_283_748_462_763_858, 6_349_198_060_258_255_764])
    var copy = generator
    #expect([copy.next(), copy.next(), copy.next()] == [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009])
  }

  @Test func xoshiroRejectsInvalidStates() {
    #expect(throws: InvalidGeneratorState.self) { try Xoshiro256StarStar(state: [0, 0, 0, 0]) }
    #expect(throws: InvalidGeneratorState.self) { try Xoshiro256StarStar(state: [1, 2, 3]) }
    let json = Data(#"{"state":[0,0,0,0]}"#.utf8)
    #expect(throws: InvalidGeneratorState.self) { try JSONDecoder().decode(Xoshiro256StarStar.self, from: json) }
  }

  @Test func codableStateResumesTheSameStream() throws {
    var generator = Xoshiro256StarStar(seed: 7)
    for _ in 0..<13 { _ = generator.next() }
    let data = try JSONEncoder().encode(generator)
    var restored = try JSONDecoder().decode(Xoshiro256StarStar.self, from: data)
    #expect(restored == generator)
    for _ in 0..<100 { #expect(restored.next() == generator.next()) }

    var splitMix = SplitMix64(seed: .max)
    _ = splitMix.next()
    var restoredSplitMix = try JSONDecoder().decode(SplitMix64.self, from: JSONEncoder().encode(splitMix))
    #expect(restoredSplitMix.next() == splitMix.next())
  }

  @Test func seedDerivationIsAPureFunctionWithDistinctStreams() {
    #expect(SeedDerivation.seed(1, generation: 2, index: 3) == SeedDerivation.seed(1, generation: 2, index: 3))
    var seeds = Set<UInt64>()
    for seed in UInt64(0)..<4 {
      for generation in 0..<50 {
        for index in 0..<50 { seeds.insert(SeedDerivation.seed(seed, generation: generation, index: index)) }
      }
    }
    #expect(seeds.count == 4 * 50 * 50)
    // Swapping generation and index gives another stream.
    #expect(SeedDerivation.seed(9, generation: 1, index: 2) != SeedDerivation.seed(9, generation: 2, index: 1))
    var a = SeedDerivation.generator(seed: 5, generation: 6, index: 7)
    var b = Xoshiro256StarStar(seed: SeedDerivation.seed(5, generation: 6, index: 7))
    #expect(a.next() == b.next())
  }

  @Test func unitIntervalStaysInRangeForExtremeGenerators() {
    var zero = ZeroGenerator()
    #expect(zero.nextUnitInterval() == 0)
    var ones = OnesGenerator()
    let top = ones.nextUnitInterval()
    #expect(top < 1 && top == 1 - 0x1p-53)
    var generator = Xoshiro256StarStar(seed: 3)
    var sum = 0.0
    for _ in 0..<10_000 {
      let value = generator.nextUnitInterval()
      #expect(value >= 0 && value < 1)
      sum += value
    }
    #expect(abs(sum / 10_000 - 0.5) < 0.02)
  }
}
