// precsearch-bench: release-built speed benchmarks of the engine (never part of `swift test`).
//
//   swift run -c release precsearch-bench [--model PATH] [--seconds S] [--json FILE] [--engine-only] [--isa LEVEL]
//   swift run -c release precsearch-bench --write-model PATH          (the random ResNet-8 used by default)
//   swift run -c release precsearch-bench --model PATH --float-outputs INPUTS.f32 OUTPUTS.f32
//   swift run -c release precsearch-bench --evaluation [--isa LEVEL] [--seconds S]
//
// `--evaluation`: the search's unit of work, one whole evaluation: the shipped `fashion` model at one configuration
// (uniform 16, 8 and 4 bits, each a row) over its shipped validation split through `PrecisionEvaluator` (one
// worker, no screening reference, so every image runs; a fresh evaluator per evaluation, so no plan is cached),
// repeated for at least `--seconds` per row after one warm-up; prints evaluations/s and images/s in thread CPU time.
//
// Switching (PrecisionRuntime.AdaptiveNetwork with points uniform 16, 8 and 4 bits): the latency of `switch(to:)`
// (by id) and `switch(toIndex:)`,
// the time a workspace takes to derive a point's weights from the masters, and images/s of the adaptive network at
// a fixed point (measured in thread CPU time, in alternation with the fixed 8-bit IntegerPlan: rows "fixed 8 (CPU)"
// and "adaptive 8 (CPU)"), switching every image between 8 and 4 bits with
// one workspace (re-deriving each time) and with one workspace per point (no re-derivation).
//
// Default network: ResNet-8 as in MLPerf Tiny (3x32x32 input, 16/32/64 filters, 12.5 M MACs) with He-uniform random
// weights from SplitMix64 seed 1, calibrated on 16 uniform random inputs in [-1, 1]. Each configuration runs one
// image at a time on one thread for at least `--seconds` (default 3) after one warm-up pass; the best of three
// timed rounds is reported.
//
// Besides uniform 16, 8 and 4 bits, the row "fixed mixed" runs a mixed configuration: weighted layer k (in network
// order) gets weight bits [8, 4, 6, 16][k % 4] and activation bits [8, 6, 16, 4][k % 4], so stored tensors are wider
// than their readers' activations and input derivation runs. `--engine-only` prints only the float and fixed-point
// rows (no switching measurements; `--json` is not written), and `--cpu-time` measures those rows in thread CPU
// time instead of wall-clock time. E.g. for the depthwise-separable shipped models:
//   swift run -c release precsearch-bench --engine-only --model Sources/PrecSearchIO/Resources/ShippedModels/fer/fer.psmodel
//   swift run -c release precsearch-bench --engine-only --model Sources/PrecSearchIO/Resources/ShippedModels/kws/kws.psmodel
// `--front FILE.json --points p05,p20` (with --model) builds the masters with the window search the front records and
// adds a row "point ID" per listed front point (the fixed IntegerPlan at its configuration): the Swift side of
// Experiments/export-bench/run.sh, which times the exported C library at the same points.
import EnergyModel
import Foundation
import NetworkEngine
import PrecisionSearch
import PrecSearchFormats
import PrecSearchIO
import PrecisionRuntime
import SeededRandom

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("precsearch-bench: \(message)\n".utf8))
  exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String, count: Int = 1) -> [String]? {
  guard let i = arguments.firstIndex(of: name) else { return nil }
  guard i + count < arguments.count else { fail("\(name) needs \(count) value(s)") }
  let values = Array(arguments[(i + 1)...(i + count)])
  arguments.removeSubrange(i...(i + count))
  return values
}

let modelPath = option("--model")?[0]
let seconds = Double(option("--seconds")?[0] ?? "3") ?? 3
let jsonPath = option("--json")?[0]
let writeModelPath = option("--write-model")?[0]
let floatOutputs = option("--float-outputs", count: 2)
let frontPath = option("--front")?[0]
let frontPointIDs = option("--points")?[0].split(separator: ",").map(String.init) ?? []
// --isa portable|avx2|avx512 caps the kernels' instruction set (KernelInstructionSet), so one machine measures the
// paths of smaller CPUs too.
if let isa = option("--isa")?[0] {
  guard let level = KernelInstructionSet.allCases.first(where: { $0.description == isa }) else {
    fail("--isa takes portable, avx2 or avx512, not '\(isa)'")
  }
  guard level <= KernelInstructionSet.supported else { fail("this CPU supports up to \(KernelInstructionSet.supported)") }
  KernelInstructionSet.cap(at: level)
}
if arguments.contains("--evaluation") {
  arguments.removeAll { $0 == "--evaluation" }
  if !arguments.isEmpty { fail("unknown arguments \(arguments); see the comment at the top of main.swift") }
  runEvaluationBenchmark()
  exit(0)
}
let engineOnly = arguments.contains("--engine-only")
let cpuTime = arguments.contains("--cpu-time")
arguments.removeAll { $0 == "--engine-only" || $0 == "--cpu-time" }
if !arguments.isEmpty { fail("unknown arguments \(arguments); see the comment at the top of main.swift") }

var generator = SplitMix64(seed: 1)
let model: ModelFile
do {
  if let modelPath {
    model = try ModelFile.read(from: modelPath)
  } else {
    let network = try ReferenceArchitectures.resNet8(using: &generator)
    let calibration = (0..<16).map { _ in (0..<network.inputShape.elementCount).map { _ in Float.random(in: -1...1, using: &generator) } }
    let plan = try FloatPlan(network: network)
    model = ModelFile(name: "resnet8-random", description: "ResNet-8 (MLPerf Tiny shape), He-uniform random weights, SplitMix64 seed 1",
                      network: network, activationRanges: ActivationRanges(observing: plan, inputs: calibration),
                      provenance: ["generator": "precsearch-bench", "seed": 1])
  }
} catch { fail("\(error)") }

if let writeModelPath {
  do { try model.write(to: writeModelPath) } catch { fail("\(error)") }
  print("wrote \(writeModelPath)")
  exit(0)
}

let floatPlan: FloatPlan
let fixedModel: FixedPointModel
var frontPoints: [OperatingPoint] = []
do {
  floatPlan = try FloatPlan(network: model.network)
  guard let ranges = model.activationRanges else { fail("the model has no activation ranges (calibrate it first)") }
  if let frontPath {
    let front = try ParetoFrontDocument.loadRuntimeFront(from: frontPath, network: model.network, ranges: ranges)
    fixedModel = front.model
    frontPoints = frontPointIDs.map { id in
      guard let point = front.points.first(where: { $0.id == id }) else { fail("the front has no point '\(id)'") }
      return point
    }
  } else {
    fixedModel = try FixedPointModel(network: model.network, ranges: ranges)
  }
} catch { fail("\(error)") }

let elementCount = model.network.inputShape.elementCount
if let floatOutputs {
  // Float reference outputs for the ONNX comparison: raw little-endian float32 in, raw float32 out.
  guard let data = FileManager.default.contents(atPath: floatOutputs[0]), data.count % (4 * elementCount) == 0 else {
    fail("\(floatOutputs[0]): expected a multiple of \(4 * elementCount) bytes of float32 inputs")
  }
  let values = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
  let ws = floatPlan.makeWorkspace()
  var out = Data()
  for start in stride(from: 0, to: values.count, by: elementCount) {
    let scores = floatPlan.run(Array(values[start..<(start + elementCount)]), workspace: ws)
    scores.withUnsafeBytes { out.append(contentsOf: $0) }
  }
  do { try FileIO.writeAtomically(out, to: floatOutputs[1]) } catch { fail("\(error)") }
  exit(0)
}

let inputs = (0..<32).map { _ in (0..<elementCount).map { _ in Float.random(in: -1...1, using: &generator) } }

/// Best-of-three images per second of `body` (one image per call), in wall-clock time, or in thread CPU time
/// with `--cpu-time` (not inflated by time spent descheduled on a shared machine).
@MainActor func measure(_ body: (Int) -> Void) -> Double {
  for i in inputs.indices { body(i) }
  var best = 0.0
  for _ in 0..<3 {
    let clock = ContinuousClock()
    let start = clock.now, startCPU = threadCPUSeconds()
    var images = 0
    while true {
      for i in inputs.indices { body(i) }
      images += inputs.count
      let elapsed = clock.now - start
      var s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
      if cpuTime { s = threadCPUSeconds() - startCPU }
      if s >= seconds / 3 { best = max(best, Double(images) / s); break }
    }
  }
  return best
}

var rows: [(String, Double)] = []
let fws = floatPlan.makeWorkspace()
rows.append(("float32", measure { _ = floatPlan.run(inputs[$0], workspace: fws) }))
let layers = model.network.foldingBatchNormOrSelf.weightedLayerNames.count
for bits in [16, 8, 4] {
  do {
    let plan = try IntegerPlan(model: fixedModel, configuration: .uniform(bits, layerCount: layers))
    let ws = plan.makeWorkspace()
    rows.append(("fixed \(bits)-bit", measure { _ = plan.run(inputs[$0], workspace: ws) }))
  } catch { fail("\(error)") }
}
do {
  let mixed = PrecisionConfiguration(layers: (0..<layers).map {
    LayerPrecision(weightBits: [8, 4, 6, 16][$0 % 4], activationBits: [8, 6, 16, 4][$0 % 4])
  })
  let plan = try IntegerPlan(model: fixedModel, configuration: mixed)
  let ws = plan.makeWorkspace()
  rows.append(("fixed mixed", measure { _ = plan.run(inputs[$0], workspace: ws) }))
} catch { fail("\(error)") }

for point in frontPoints {
  do {
    let plan = try IntegerPlan(model: fixedModel, configuration: point.configuration)
    let ws = plan.makeWorkspace()
    rows.append(("point \(point.id)", measure { _ = plan.run(inputs[$0], workspace: ws) }))
  } catch { fail("\(error)") }
}

if engineOnly {
  print("model: \(model.name), \(model.network.totalMACs) MACs per image, 1 thread\(cpuTime ? ", thread CPU time" : ""), "
    + "kernels \(KernelInstructionSet.current), 8-bit dot product "
    + (KernelInstructionSet.hasInt8DotProduct ? "VNNI" : KernelInstructionSet.current >= .avx2 ? "AVX2 pairs" : "no"))
  print("configuration      images/s   ms/image")
  for (label, rate) in rows {
    print(label.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%10.1f %10.3f", rate, 1000 / rate))
  }
  exit(0)
}

// Switching between operating points (one copy of the masters).
let switchPoints = [16, 8, 4].map { bits in
  OperatingPoint(id: "u\(bits)", configuration: .uniform(bits, layerCount: layers),
                 validationAccuracy: Double(bits) / 16, energyJoules: Double(bits) * 1e-7)  // placeholder energies
}
let adaptive: AdaptiveNetwork
do { adaptive = try AdaptiveNetwork(model: fixedModel, points: switchPoints) } catch { fail("\(error)") }

/// Best-of-three nanoseconds per call of `body` over `count` calls.
@MainActor func nanoseconds(count: Int, _ body: (Int) -> Void) -> Double {
  var best = Double.infinity
  for _ in 0..<3 {
    let clock = ContinuousClock()
    let start = clock.now
    for i in 0..<count { body(i) }
    let elapsed = clock.now - start
    let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    best = min(best, s * 1e9 / Double(count))
  }
  return best
}
/// Thread CPU seconds (not counting time the thread waits for a core).
func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
/// Images per thread-CPU second of `body` over at least `seconds / 3` CPU seconds (after one warm-up pass).
@MainActor func cpuRate(_ body: (Int) -> Void) -> Double {
  for i in inputs.indices { body(i) }
  let start = threadCPUSeconds()
  var images = 0
  while true {
    for i in inputs.indices { body(i) }
    images += inputs.count
    let s = threadCPUSeconds() - start
    if s >= seconds / 3 { return Double(images) / s }
  }
}
let switchIDs = ["u8", "u4"]
let switchNanoseconds = nanoseconds(count: 1_000_000) { i in _ = try? adaptive.switch(to: switchIDs[i & 1]) }
let switchIndexNanoseconds = nanoseconds(count: 1_000_000) { i in _ = try? adaptive.switch(toIndex: i & 1) }
let plan8 = adaptive.plan
let derivationWorkspace = plan8.makeWorkspace()
// Points in the table are by increasing energy: index 1 is u8, 0 is u4.
let derivationMicroseconds = nanoseconds(count: 200) { i in plan8.prepare(derivationWorkspace, at: i & 1) } / 1000
let planMicroseconds = nanoseconds(count: 20) { i in
  _ = try? IntegerPlan(model: fixedModel, configuration: switchPoints[1 + (i & 1)].configuration)
} / 1000
do {
  try adaptive.switch(to: "u8")
  let ws = adaptive.makeWorkspace()
  // Interleaved with the fixed 8-bit plan (best of three rounds each) so that load from other processes hits both.
  let plan = try IntegerPlan(model: fixedModel, configuration: .uniform(8, layerCount: layers))
  let fixedWorkspace = plan.makeWorkspace()
  // Measured in thread CPU time (CLOCK_THREAD_CPUTIME_ID), which time spent descheduled by other processes does
  // not inflate: on a shared machine wall-clock rates of two identical loops differ by tens of percent.
  var fixedBest = 0.0, adaptiveBest = 0.0
  for _ in 0..<5 {
    fixedBest = max(fixedBest, cpuRate { _ = plan.run(inputs[$0], workspace: fixedWorkspace) })
    adaptiveBest = max(adaptiveBest, cpuRate { _ = try? adaptive.infer(inputs[$0], workspace: ws) })
  }
  rows.append(("fixed 8 (CPU)", fixedBest))
  rows.append(("adaptive 8 (CPU)", adaptiveBest))
  let one = adaptive.makeWorkspace()
  rows.append(("alternate 1 ws", measure { i in _ = try? adaptive.infer(inputs[i], at: switchIDs[i & 1], workspace: one) }))
  let pair = [adaptive.makeWorkspace(), adaptive.makeWorkspace()]
  rows.append(("alternate 2 ws", measure { i in _ = try? adaptive.infer(inputs[i], at: switchIDs[i & 1], workspace: pair[i & 1]) }))
} catch { fail("\(error)") }
let fixed8 = rows.first { $0.0 == "fixed 8 (CPU)" }?.1 ?? 0, adaptive8 = rows.first { $0.0 == "adaptive 8 (CPU)" }?.1 ?? 0
let overheadPercent = (fixed8 / adaptive8 - 1) * 100

print("model: \(model.name), \(model.network.totalMACs) MACs per image, 1 thread")
print("configuration      images/s   ms/image")
for (label, rate) in rows {
  print(label.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%10.1f %10.3f", rate, 1000 / rate))
}
print("switch(to:) by id: \(String(format: "%.1f", switchNanoseconds)) ns, switch(toIndex:): "
  + "\(String(format: "%.1f", switchIndexNanoseconds)) ns; deriving a point's weights in a workspace "
  + "(8 <-> 4 bits, all layers): \(String(format: "%.1f", derivationMicroseconds)) us (preparing an IntegerPlan: "
  + "\(String(format: "%.1f", planMicroseconds)) us); adaptive at a fixed point vs "
  + "IntegerPlan: \(String(format: "%+.1f", overheadPercent))% time per image")
if let jsonPath {
  let document: JSONValue = .object([
    "model": .string(model.name),
    "macsPerImage": .integer(model.network.totalMACs),
    "threads": 1,
    "results": .array(rows.map { .object(["configuration": .string($0.0), "imagesPerSecond": .number($0.1)]) }),
    "switching": .object([
      "switchNanoseconds": .number(switchNanoseconds),
      "switchByIndexNanoseconds": .number(switchIndexNanoseconds),
      "derivationMicroseconds": .number(derivationMicroseconds),
      "integerPlanPreparationMicroseconds": .number(planMicroseconds),
      "fixedPointOverheadPercent": .number(overheadPercent),
    ]),
  ])
  do { try FileIO.writeAtomically(Data(try document.serialized().utf8), to: jsonPath) } catch { fail("\(error)") }
}

extension Network {
  /// The folded form (BatchNorm folded), or self when folding is impossible.
  var foldingBatchNormOrSelf: Network { (try? foldingBatchNorm()) ?? self }
}

/// `--evaluation`: whole evaluations of the shipped fashion model over its validation split (see the top comment).
@MainActor func runEvaluationBenchmark() {
  guard let shipped = ModelCatalog.shippedModel(named: "fashion"), let validation = shipped.validation else {
    fail("the shipped fashion model and its validation split are not installed")
  }
  do {
    let model = try ModelFile.read(from: shipped.modelPath)
    let network = try model.network.foldingBatchNorm()
    guard let ranges = model.activationRanges else { fail("fashion has no activation ranges") }
    let fixed = try FixedPointModel(network: model.network, ranges: ranges)
    let images = try IDXReader.read(images: validation.images, labels: validation.labels,
                                    classCount: network.outputShape.elementCount)
    let channels = network.inputShape.channels
    let inputs = (0..<images.count).map { model.preprocessing.apply(images.image($0), channels: channels) }
    let split = try EvaluationSplit(inputs: inputs, labels: images.labels.map(Int.init), inputShape: network.inputShape,
                                    classCount: network.outputShape.elementCount)
    let estimator = try EnergyEstimator(table: .horowitz45Bitwise)
    let layers = network.weightedLayerIndices.count
    print("model: fashion, \(split.count) validation images, \(network.totalMACs) MACs per image, 1 worker, "
      + "thread CPU time, kernels \(KernelInstructionSet.current)")
    print("configuration   evaluations/s   images/s   top-1")
    for bits in [16, 8, 4] {
      let configuration = PrecisionConfiguration.uniform(bits, layerCount: layers)
      var accuracy = 0.0
      func evaluate() throws {
        let evaluator = try PrecisionEvaluator(model: fixed, split: split, estimator: estimator)
        let measurement = try evaluator.measure([configuration])[0]
        accuracy = Double(measurement.correct) / Double(measurement.imageCount)
      }
      try evaluate()
      let start = threadCPUSeconds()
      var evaluations = 0
      var elapsed = 0.0
      repeat {
        try evaluate()
        evaluations += 1
        elapsed = threadCPUSeconds() - start
      } while elapsed < seconds
      let rate = Double(evaluations) / elapsed
      print("uniform \(bits)".padding(toLength: 16, withPad: " ", startingAt: 0)
        + String(format: "%13.2f %10.0f %7.2f%%", rate, rate * Double(split.count), accuracy * 100))
    }
  } catch { fail("\(error)") }
}
