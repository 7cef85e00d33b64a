import Foundation         // exit
import NetworkEngine
import PrecSearchFormats  // model files and the Pareto JSON (uses Foundation)
import PrecisionRuntime   // switching and the governor (stdlib only)

do {
  let file = try ModelFile.read(from: "fashion.psmodel")
  // The masters are built the way the front was measured (its recorded window search), once.
  let front = try ParetoFrontDocument.loadRuntimeFront(from: "pareto.json", network: file.network,
                                                       ranges: file.activationRanges!)
  let network = try AdaptiveNetwork(model: front.model, points: front.points)  // starts at the most accurate point
  let energies = network.points.map(\.energyJoules).sorted()                    // joules per inference

  // Choose by requirement. If nothing fits, a RuntimeError says so and the current point stays.
  do { try network.select(maximumEnergy: energies[energies.count / 2]) } catch { print(error) }
  try network.select(minimumAccuracy: 0.90)

  let pixels = [UInt8](repeating: 128, count: 28 * 28)          // one 28x28 grey image
  let input = file.preprocessing.apply(pixels, channels: 1)    // bytes -> [Float]
  let result = try network.infer(input)                        // safe while other tasks switch
  print(result.label, result.pointID, result.energyJoules)

  // Or hold an average budget between the cheapest and the dearest point by time-sharing two points of the front.
  var governor = network.makeGovernor()
  try governor.setBudget(joulesPerInference: (energies.first! + energies.last!) / 2)
  let decision = try governor.next()          // throws budgetBelowCheapestPoint if infeasible
  let governed = try network.infer(input, at: decision.pointID, workspace: network.makeWorkspace())
  print(governed.label, governed.pointID, governed.energyJoules)
} catch {
  print("error: \(error)")
  exit(1)
}
