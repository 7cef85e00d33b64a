import Testing
import NetworkEngine
@testable import PrecisionRuntime

/// A point with a dummy one-layer configuration (the governor only reads energy and accuracy).
func point(_ id: String, _ energy: Double, _ accuracy: Double) -> OperatingPoint {
  OperatingPoint(id: id, configuration: .uniform(8, layerCount: 1), validationAccuracy: accuracy, energyJoules: energy)
}

@Suite struct EnergyGovernorTests {
  /// Hand-worked: (1, 0.5), (2, 0.8), (3, 0.85), (4, 0.95), plus (2.5, 0.7) dominated and (3, 0.85) under the chord
  /// from (2, 0.8) to (4, 0.95) (the chord is 0.875 at 3). Hull: a, b, d.
  @Test func hullOfAHandWorkedFront() throws {
    let governor = try EnergyGovernor(points: [
      point("d", 4, 0.95), point("a", 1, 0.5), point("c", 3, 0.85), point("b", 2, 0.8), point("x", 2.5, 0.7),
    ])
    #expect(governor.hull.map { governor.table.points[$0].id } == ["a", "b", "d"])
    // Between b and d at 3: share 0.5, accuracy 0.875 > c's 0.85: the mix beats every single point within 3.
    let mix = try governor.mix(forBudget: 3)
    #expect(governor.table.points[mix.lowerIndex].id == "b" && governor.table.points[mix.upperIndex].id == "d")
    #expect(abs(mix.upperShare - 0.5) < 1e-12)
    #expect(abs(mix.expectedAccuracy - 0.875) < 1e-12)
    #expect(abs(try governor.expectedAccuracy(forBudget: 1.5) - 0.65) < 1e-12)
    #expect(try governor.expectedAccuracy(forBudget: 1) == 0.5)
    #expect(try governor.expectedAccuracy(forBudget: 2) == 0.8)
    #expect(try governor.expectedAccuracy(forBudget: 100) == 0.95)
  }

  @Test func hullDropsCollinearEqualEnergyAndDecreasingPoints() {
    // (0,0) (1,1) (2,2) collinear: the middle one goes. (2, 2) vs (2, 1.5): the less accurate at equal energy goes.
    // (3, 1.9) is less accurate than a cheaper point: dominated.
    let pairs: [(energy: Double, accuracy: Double)] = [(0, 0), (1, 1), (2, 2), (2, 1.5), (3, 1.9)]
    #expect(EnergyGovernor.upperHull(pairs) == [0, 2])
    // A concave front keeps every point.
    #expect(EnergyGovernor.upperHull([(1, 0.5), (2, 0.8), (3, 0.9), (4, 0.95)]) == [0, 1, 2, 3])
    // One point.
    #expect(EnergyGovernor.upperHull([(1, 0.5)]) == [0])
  }

  /// Over any prefix of N inferences at a fixed budget the energy spent is at most N E and more than
  /// N E - (e_H - e_L); the upper point runs within one of t N times; the expected accuracy is the hull value.
  @Test(arguments: [1.0, 1.3, 2.0, 2.2, 2.999, 3.5, 3.75, 4.0, 7.0])
  func realizedAverageMeetsTheBudget(budget: Double) throws {
    var governor = try EnergyGovernor(points: [
      point("a", 1, 0.5), point("b", 2, 0.8), point("c", 3, 0.85), point("d", 4, 0.95),
    ])
    try governor.setBudget(joulesPerInference: budget)
    let mix = try governor.mix(forBudget: budget)
    let eL = governor.table.points[mix.lowerIndex].energyJoules, eH = governor.table.points[mix.upperIndex].energyJoules
    var spent = 0.0, upperRuns = 0, accuracySum = 0.0
    for n in 1...1000 {
      let decision = try governor.next()
      #expect(decision.pointIndex == mix.lowerIndex || decision.pointIndex == mix.upperIndex)
      spent += decision.energyJoules
      if decision.pointIndex == mix.upperIndex && mix.upperShare > 0 { upperRuns += 1 }
      accuracySum += governor.table.points[decision.pointIndex].validationAccuracy
      let allowed = Double(n) * min(budget, 4)
      #expect(spent <= allowed + 1e-9, "prefix \(n): spent \(spent) > \(allowed)")
      #expect(spent > allowed - (eH - eL) - 1e-9 || eH == eL, "prefix \(n): spent \(spent), budget \(allowed)")
      #expect(abs(Double(upperRuns) - mix.upperShare * Double(n)) <= 1 + 1e-9)
    }
    // Realized expected accuracy equals the hull value up to one inference's share.
    let hullValue = try governor.expectedAccuracy(forBudget: budget)
    #expect(abs(accuracySum / 1000 - hullValue) <= 1.0 / 1000 + 1e-12)
    // Within one inference's energy of the budget (the criterion), on the average over 1000.
    #expect(abs(spent - 1000 * min(budget, 4)) <= 4)
  }

  @Test func infeasibleBudgetsAreReportedNotViolated() throws {
    var governor = try EnergyGovernor(points: [point("a", 1, 0.5), point("b", 2, 0.8)])
    #expect(throws: RuntimeError.noBudget) { try governor.next() }
    try governor.setBudget(joulesPerInference: 0.5)
    #expect(throws: RuntimeError.budgetBelowCheapestPoint(budgetJoules: 0.5, cheapest: point("a", 1, 0.5))) {
      try governor.next()
    }
    #expect(throws: RuntimeError.budgetBelowCheapestPoint(budgetJoules: 0.5, cheapest: point("a", 1, 0.5))) {
      try governor.mix(forBudget: 0.5)
    }
    #expect(throws: RuntimeError.invalidBudget(-1)) { try governor.setBudget(joulesPerInference: -1) }
    #expect(throws: RuntimeError.self) { try governor.setBudget(joulesPerInference: .nan) }
    #expect(governor.budgetJoules == 0.5, "a rejected budget leaves the previous one")
    #expect(throws: RuntimeError.self) { try governor.setBattery(joulesLeft: 10, inferencesLeft: 0) }
    // Back to feasible: decisions resume.
    try governor.setBudget(joulesPerInference: 1.5)
    #expect(try governor.next().pointID == "a")
    #expect(try governor.next().pointID == "b")
  }

  /// Budget changes take effect from the next inference; the total never exceeds the sum of the budgets.
  @Test func budgetChangesTakeEffectAtTheNextInference() throws {
    var governor = try EnergyGovernor(points: [
      point("a", 1, 0.5), point("b", 2, 0.8), point("c", 3, 0.85), point("d", 4, 0.95),
    ])
    var spent = 0.0, allowed = 0.0
    for (step, budget) in [1.5, 3.2, 1.0, 4.0, 2.5, 3.9].enumerated() {
      try governor.setBudget(joulesPerInference: budget)
      let mix = try governor.mix(forBudget: budget)
      for _ in 0..<(50 + 13 * step) {
        let d = try governor.next()
        #expect(d.mix == mix)
        #expect(d.pointIndex == mix.lowerIndex || d.pointIndex == mix.upperIndex)
        spent += d.energyJoules
        allowed += budget
        #expect(spent <= allowed + 1e-9)
      }
    }
  }

  /// A battery: joules left and inferences wanted, re-read every 10 inferences; never runs out, and uses most of it.
  @Test func batteryReadingsSpreadTheEnergyLeft() throws {
    var governor = try EnergyGovernor(points: [point("a", 1, 0.5), point("b", 2, 0.8), point("d", 4, 0.95)])
    var battery = 500.0
    let wanted = 200
    for n in 0..<wanted {
      if n % 10 == 0 { try governor.setBattery(joulesLeft: battery, inferencesLeft: wanted - n) }
      battery -= try governor.next().energyJoules
      #expect(battery >= -1e-9)
    }
    #expect(battery < 4, "the governor leaves less than one inference's energy unused (left \(battery))")
  }
}
