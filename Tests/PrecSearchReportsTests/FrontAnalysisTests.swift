import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchReports

/// The analysis rules on `ReportFixtures.document()` (points p01...p06 and baselines 16...4 bits; energies and
/// accuracies listed there), with the expected answers worked out by hand.
@Suite struct FrontAnalysisTests {
  let document = ReportFixtures.document()

  @Test func savingPicksTheCheapestPointAndBaselineWithinTheLoss() throws {
    // Validation, 1 point of loss: floor 0.914 - 0.01 = 0.904. Points at or above: p05 (0.905, 1.05 uJ), p06.
    // Baselines: 16, 12, 10, 8 bits (0.912, 1.1 uJ) -> 8 bits.
    let one = try FrontAnalysis.saving(document, loss: 0.01, split: .validation)
    #expect(one.referenceAccuracy == 0.914 && one.pointId == "p05" && one.staticBits == 8)
    #expect(abs(one.savingVersus16Bit! - (1 - 1_050_000.0 / 2_000_000)) < 1e-12)
    #expect(abs(one.savingVersusStatic! - (1 - 1_050_000.0 / 1_100_000)) < 1e-12)
    // Test split, same loss: floor 0.915 - 0.01 = 0.905: p05 has 0.903, so p06; 8 bits (0.912) is the static one.
    let test = try FrontAnalysis.saving(document, loss: 0.01, split: .test)
    #expect(test.referenceAccuracy == 0.915 && test.pointId == "p06" && test.staticBits == 8)
    #expect(abs(test.savingVersusStatic! - (1 - 1_300_000.0 / 1_100_000)) < 1e-12)  // negative: a cheaper static
    // 3 points: floor 0.884: p04 (0.880) is out, p05 in; 6 bits (0.900, 0.9 uJ) is the cheapest static.
    let three = try FrontAnalysis.saving(document, loss: 0.03, split: .validation)
    #expect(three.pointId == "p05" && three.staticBits == 6)
    // No loss: no point reaches 0.914; 12 bits ties 16 bits in accuracy and is cheaper.
    let none = try FrontAnalysis.saving(document, loss: 0, split: .validation)
    #expect(none.pointId == nil && none.savingVersus16Bit == nil && none.savingVersusStatic == nil)
    #expect(none.staticBits == 12)
    // An accuracy exactly at the floor counts: p04's 0.880 at a loss of 0.034.
    #expect(try FrontAnalysis.saving(document, loss: 0.034, split: .validation).pointId == "p04")
  }

  @Test func budgetAnswerIsTheMostAccurateWithinTheEnergy() throws {
    let forty = try FrontAnalysis.answer(document, relativeBudget: 0.4)  // 800 nJ
    #expect(forty.pointId == "p04" && forty.pointValidation == 0.88 && forty.pointTest == 0.884)
    #expect(forty.staticBits == 5 && forty.staticValidation == 0.88 && forty.staticTest == 0.875)
    let tiny = try FrontAnalysis.answer(document, relativeBudget: 0.1)
    #expect(tiny.pointId == nil && tiny.staticBits == nil)
    let all = try FrontAnalysis.answer(document, relativeBudget: 1)
    #expect(all.pointId == "p06" && all.staticBits == 12)  // 16 and 12 bits tie at 0.914: the cheaper wins
    #expect(try FrontAnalysis.answer(document, relativeBudget: 0.8).staticBits == 10)  // 1.6 uJ: 12 bits is out
  }

  @Test func statisticsUseTheSampleDeviation() {
    let s = FrontAnalysis.Statistics([1, 2, 3, 4])!
    #expect(s.mean == 2.5 && s.minimum == 1 && s.maximum == 4 && s.count == 4)
    #expect(abs(s.standardDeviation - (5.0 / 3).squareRoot()) < 1e-12)
    #expect(FrontAnalysis.Statistics([7])!.standardDeviation == 0)
    #expect(FrontAnalysis.Statistics([]) == nil)
  }

  @Test func documentsWithoutA16BitBaselineAreRefused() {
    var broken = document
    broken.baselines.removeAll { $0.bits == 16 }
    #expect { _ = try FrontAnalysis.saving(broken, loss: 0.01, split: .test, file: "x.json") } throws: {
      "\($0)".contains("'x.json'") && "\($0)".contains("16-bit")
    }
  }

  @Test func summaryGroupsByModelAndEnergyModelAndSortsBySeed() throws {
    let runs = [
      FrontSummary.Run(file: "b2.json", document: ReportFixtures.document(seed: 2)),
      FrontSummary.Run(file: "h1.json", document: ReportFixtures.document(energyModel: "horowitz45-bitwise", seed: 1)),
      FrontSummary.Run(file: "b1.json", document: ReportFixtures.document(seed: 1)),
    ]
    let summary = try FrontSummary(runs: runs)
    #expect(summary.groups.map(\.energyModel) == ["swp-16-8-4", "horowitz45-bitwise"])
    #expect(summary.groups[0].runs.map(\.file) == ["b1.json", "b2.json"])
    let text = try summary.markdown()
    #expect(text == (try FrontSummary(runs: runs).markdown()))
    // Two identical seeds: spread 0; one run: no spread.
    #expect(text.contains("| 1% | validation | 91.40 | 47.5 ± 0.0 | 4.5 ± 0.0 | 8 | 2 of 2 |"), "\(text)")
    #expect(text.contains("| 1% | validation | 91.40 | 47.5 | 4.5 | 8 | 1 of 1 |"))
    #expect(text.contains("| 0.5% | test |"))
    #expect(text.contains("| 40% | 88.00 ± 0.00 | 88.40 ± 0.00 | 5 | 88.00 ± 0.00 | 87.50 ± 0.00 |"), "\(text)")
    #expect(text.contains("| 10% | - | - | - | - | - |"))
    // Per-layer precisions of the 1% point (p05: conv1 8/8, conv2 6/7, fc 12/10).
    #expect(text.contains("| 1% | p05 | 52.5% | 90.50 | 90.30 | 8/8 | 6/7 | 12/10 |"), "\(text)")
    #expect(text.contains("### tiny under swp-16-8-4") && text.contains("### tiny under horowitz45-bitwise"))
  }

  /// Runs that differ in a search setting, or repeat a seed, are not averaged as if they were seeds of one setting.
  @Test func summaryRefusesOtherSearchSettingsAndRepeatedSeeds() {
    var longer = ReportFixtures.document(seed: 2)
    longer.search.maximumEvaluations = (longer.search.maximumEvaluations ?? 0) + 100
    #expect { _ = try FrontSummary(runs: [FrontSummary.Run(file: "a.json", document: ReportFixtures.document(seed: 1)),
                                          FrontSummary.Run(file: "b.json", document: longer)]) } throws: {
      "\($0)".contains("'b.json'") && "\($0)".contains("search.maximumEvaluations")
    }
    var bigger = ReportFixtures.document(seed: 2)
    bigger.search.populationSize += 1
    #expect { _ = try FrontSummary(runs: [FrontSummary.Run(file: "a.json", document: ReportFixtures.document(seed: 1)),
                                          FrontSummary.Run(file: "b.json", document: bigger)]) } throws: {
      "\($0)".contains("search.populationSize")
    }
    var preselected = ReportFixtures.document(seed: 2)
    preselected.search.preselectionCandidates = 4
    #expect { _ = try FrontSummary(runs: [FrontSummary.Run(file: "a.json", document: ReportFixtures.document(seed: 1)),
                                          FrontSummary.Run(file: "b.json", document: preselected)]) } throws: {
      "\($0)".contains("search.preselectionCandidates")
    }
    // Absent (an older document) and 1 both mean off: seeds of one setting.
    var explicitOff = ReportFixtures.document(seed: 2)
    explicitOff.search.preselectionCandidates = 1
    #expect(throws: Never.self) {
      _ = try FrontSummary(runs: [FrontSummary.Run(file: "a.json", document: ReportFixtures.document(seed: 1)),
                                  FrontSummary.Run(file: "b.json", document: explicitOff)])
    }
    #expect { _ = try FrontSummary(runs: [FrontSummary.Run(file: "a.json", document: ReportFixtures.document(seed: 3)),
                                          FrontSummary.Run(file: "b.json", document: ReportFixtures.document(seed: 3))]) } throws: {
      "\($0)".contains("both seed 3") && "\($0)".contains("'a.json'")
    }
  }

  @Test func summaryRefusesMixingSettingsWithinAGroup() {
    var other = ReportFixtures.document(seed: 2)
    other.data.validation.sha256 = String(repeating: "33", count: 32)
    let runs = [FrontSummary.Run(file: "a.json", document: document), FrontSummary.Run(file: "b.json", document: other)]
    #expect { _ = try FrontSummary(runs: runs) } throws: {
      let text = "\($0)"
      return text.contains("'b.json'") && text.contains("'a.json'") && text.contains("data.validation.sha256")
    }
  }
}
