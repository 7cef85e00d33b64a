public import EnergyModel
public import NetworkEngine

/// Measures precision configurations: energy from the energy model, top-1 accuracy on one split with the bit-exact
/// integer engine.
///
/// Speed, all without changing a single result:
/// - **Workers.** Every chunk of images is split into `workers.workerCount` contiguous parts run concurrently;
///   correct counts are integers added afterwards, so the counts do not depend on the split.
/// - **Screening.** Images run in chunks and a configuration whose best possible accuracy is already dominated
///   by a completely measured one stops early (see ``ScreeningSettings``).
/// - **Plans.** Prepared plans are kept in a small cache, so pricing a configuration and then measuring it
///   prepares it once.
/// - **Shared prefixes.** A batch runs in lexicographic order of its configurations (layer 0 first), the order in
///   which consecutive configurations share the longest prefix of layers; see ``PrefixReuse``.
///
/// The evaluator keeps no search state: the memo of measured configurations lives in the search state so that
/// it is saved with checkpoints.
public final class PrecisionEvaluator {
  /// The 16-bit masters every plan derives from.
  public let model: FixedPointModel
  /// The images and labels accuracy is measured on.
  public let split: EvaluationSplit
  /// Prices configurations.
  public let estimator: EnergyEstimator
  /// What every weighted layer does per inference, for the energy model.
  public let workloads: [LayerWorkload]
  /// Runs the parts of every chunk.
  public let workers: any WorkerPool
  /// How configurations are screened.
  public let screening: ScreeningSettings
  /// The integer kernels.
  public let kernels: KernelVariant
  /// Run images through a batch's configurations image by image, restarting each inference at the first node whose
  /// configuration differs from the previous one's (`PrefixReuse`, `IntegerPlan.runCodes(resumingAt:workspace:)`),
  /// instead of configuration by configuration. Same counts either way; off by default because on the shipped
  /// models it measured slower (docs/cli.md, "Evaluation speed").
  public var reusesPrefixes = false
  /// Work done and where the time went, accumulated over every call.
  public private(set) var statistics = EvaluatorStatistics()

  /// Image indices of each chunk (strided).
  private let chunks: [[Int]]
  /// One workspace per worker, made once (a workspace depends only on the network's shapes, so it serves every
  /// plan of the same model).
  private let scratch: WorkerScratch
  private var planCache: [PrecisionConfiguration: IntegerPlan] = [:]
  /// Insertion order of the cache, for eviction (never iterated for results).
  private var planOrder: [PrecisionConfiguration] = []
  private let planCacheCapacity = 16
  private let clock = ContinuousClock()

  /// Creates an evaluator.
  ///
  /// - Parameters:
  ///   - model: the fixed-point masters.
  ///   - split: images whose shape and labels fit the model (see ``EvaluationSplit``).
  ///   - estimator: the energy model.
  ///   - workers: the pool the images are split over (default: the calling thread only).
  ///   - screening: chunking and early stopping (default: 16 chunks, 3-sigma confidence bound).
  ///   - kernels: the integer kernels (default optimized; both give identical results).
  /// - Throws: ``PrecisionSearchError`` for an invalid setting or a split that does not fit the model, and
  ///   energy-model errors for workloads the table cannot price.
  public init(model: FixedPointModel, split: EvaluationSplit, estimator: EnergyEstimator,
              workers: any WorkerPool = SerialWorkerPool(), screening: ScreeningSettings = ScreeningSettings(),
              kernels: KernelVariant = .optimized) throws {
    try screening.validate()
    let network = model.network
    guard split.inputs.allSatisfy({ $0.count == network.inputShape.elementCount }) else {
      throw PrecisionSearchError.invalidData("the images do not have the model's input shape \(network.inputShape)")
    }
    let classes = network.outputShape.elementCount
    guard split.labels.allSatisfy({ (0..<classes).contains($0) }) else {
      throw PrecisionSearchError.invalidData("a label is outside the model's \(classes) classes")
    }
    guard workers.workerCount >= 1 else {
      throw PrecisionSearchError.invalidSetting(name: "worker count", expected: "at least 1", actual: "\(workers.workerCount)")
    }
    self.model = model
    self.split = split
    self.estimator = estimator
    self.workloads = network.layerWorkloads
    self.workers = workers
    self.screening = screening
    self.kernels = kernels
    let chunkCount = min(screening.chunkCount, split.count)
    self.chunks = (0..<chunkCount).map { Array(stride(from: $0, to: split.count, by: chunkCount)) }
    let reference = try IntegerPlan(
      model: model, configuration: .uniform(16, layerCount: network.weightedLayerIndices.count), kernels: kernels)
    self.scratch = WorkerScratch(workspaces: (0..<workers.workerCount).map { _ in reference.makeWorkspace() })
    // Price 16-bit once so that a table unable to run the network fails here, with the layer named.
    _ = try estimator.uniform16BitBreakdown(workloads: workloads)
  }

  /// The number of weighted layers.
  public var layerCount: Int { workloads.count }

  /// The energy of one inference at uniform 16 bits, in pJ (the reference of relative budgets and energies),
  /// summed exactly as ``energyPicojoules(of:)`` sums every configuration, so uniform 16 bits is exactly 1.
  public func uniform16BitPicojoules() throws -> Double {
    try energyPicojoules(of: .uniform(16, layerCount: layerCount))
  }

  /// The prepared plan of `configuration` (cached).
  ///
  /// - Throws: `PrecisionError` when the configuration does not fit the network.
  public func plan(for configuration: PrecisionConfiguration) throws -> IntegerPlan {
    if let plan = planCache[configuration] { return plan }
    let start = clock.now
    let plan = try IntegerPlan(model: model, configuration: configuration, kernels: kernels)
    statistics.planSeconds += Self.seconds(clock.now - start)
    statistics.plansPrepared += 1
    if planOrder.count >= planCacheCapacity {
      planCache[planOrder.removeFirst()] = nil
    }
    planCache[configuration] = plan
    planOrder.append(configuration)
    return plan
  }

  /// The total energy of one inference at `configuration`, in pJ.
  public func energyPicojoules(of configuration: PrecisionConfiguration) throws -> Double {
    let plan = try plan(for: configuration)
    let start = clock.now
    defer { statistics.energySeconds += Self.seconds(clock.now - start) }
    return try estimator.totalPicojoules(workloads: workloads, precisions: plan.layerPrecisionBits)
  }

  /// The full energy report of `configuration` (per layer, compute / memory / leakage, relative to 16 bits).
  public func energyReport(of configuration: PrecisionConfiguration) throws -> EnergyReport {
    try estimator.report(workloads: workloads, precisions: plan(for: configuration).layerPrecisionBits)
  }

  /// Measures every configuration of `configurations` (duplicates allowed; each distinct one is run once).
  ///
  /// - Parameters:
  ///   - configurations: configurations that fit the network.
  ///   - reference: completely measured points on this split that may screen configurations out (pass `[]` to
  ///     run every image of every configuration).
  ///   - shouldCancel: asked between chunks on the calling thread; when it returns true the call throws
  ///     ``PrecisionSearchError/cancelled`` and nothing is recorded.
  /// - Returns: one measurement per configuration, in order.
  public func measure(_ configurations: [PrecisionConfiguration], reference: [ScreeningReference] = [],
                      shouldCancel: () -> Bool = { false }) throws -> [PrecisionMeasurement] {
    // Distinct configurations in signature order (the shared-prefix order; see `PrefixReuse`). Equal
    // signatures mean equal configurations, so the order is total and does not depend on hashing.
    var distinct: [PrecisionConfiguration] = []
    var seen = Set<PrecisionConfiguration>()
    for configuration in configurations where seen.insert(configuration).inserted { distinct.append(configuration) }
    let unsortedPlans = try distinct.map { try plan(for: $0) }
    let signatures = unsortedPlans.map(PrefixReuse.signature(of:))
    let order = distinct.indices.sorted { PrefixReuse.precedes(signatures[$0], signatures[$1]) }
    distinct = order.map { distinct[$0] }
    let plans = order.map { unsortedPlans[$0] }
    let energies = try distinct.map { try energyPicojoules(of: $0) }
    let count = distinct.count
    let imageCount = split.count
    var correct = [Int](repeating: 0, count: count)
    var imagesRun = [Int](repeating: 0, count: count)
    var active = Array(0..<count)
    let workerCount = workers.workerCount
    let start = clock.now
    for (chunkIndex, chunk) in chunks.enumerated() where !active.isEmpty {
      if shouldCancel() { throw PrecisionSearchError.cancelled }
      let activePlans = active.map { plans[$0] }
      let counts = CountBuffer(count: workerCount * activePlans.count)
      let inputs = split.inputs, labels = split.labels, scratch = self.scratch
      if reusesPrefixes {
        // Image-major: each image runs through the configurations in signature order, every run restarting at the
        // first node whose signature differs from the previous configuration's (its earlier outputs are still in
        // the workspace; `IntegerPlan.runCodes(resumingAt:workspace:)`, see `PrefixReuse`).
        let activeSignatures = active.map { signatures[order[$0]] }
        workers.run { worker in
          let begin = chunk.count * worker / workerCount, end = chunk.count * (worker + 1) / workerCount
          guard begin < end else { return }
          let workspace = scratch.workspaces[worker]
          var hits = [Int](repeating: 0, count: activePlans.count)
          for position in begin..<end {
            let image = chunk[position]
            for (slot, plan) in activePlans.enumerated() {
              let start = slot == 0 ? 0 : PrefixReuse.sharedNodeCount(activeSignatures[slot - 1], activeSignatures[slot])
              let codes = start == 0
                ? plan.runCodes(inputs[image], workspace: workspace)
                : plan.runCodes(resumingAt: start, workspace: workspace)
              if Self.argmax(codes) == labels[image] { hits[slot] += 1 }
            }
          }
          for slot in hits.indices { counts.store(hits[slot], at: worker * activePlans.count + slot) }
        }
      } else {
        // Configuration-major: one plan's weights stay in cache while its images stream through.
        workers.run { worker in
          let begin = chunk.count * worker / workerCount, end = chunk.count * (worker + 1) / workerCount
          guard begin < end else { return }
          let workspace = scratch.workspaces[worker]
          for (slot, plan) in activePlans.enumerated() {
            var hits = 0
            for position in begin..<end {
              let image = chunk[position]
              let codes = plan.runCodes(inputs[image], workspace: workspace)
              if Self.argmax(codes) == labels[image] { hits += 1 }
            }
            counts.store(hits, at: worker * activePlans.count + slot)
          }
        }
      }
      for (slot, index) in active.enumerated() {
        for worker in 0..<workerCount { correct[index] += counts.value(at: worker * activePlans.count + slot) }
        imagesRun[index] += chunk.count
      }
      statistics.imagesRun += chunk.count * active.count
      if chunkIndex < chunks.count - 1 && !reference.isEmpty {
        active.removeAll { index in
          let bound = screening.correctUpperBound(
            correct: correct[index], imagesRun: imagesRun[index], imageCount: imageCount)
          return reference.contains { $0.dominates(energy: energies[index], correctBound: bound) }
        }
      }
    }
    statistics.inferenceSeconds += Self.seconds(clock.now - start)
    var byConfiguration: [PrecisionConfiguration: PrecisionMeasurement] = [:]
    for index in 0..<count {
      let measurement = PrecisionMeasurement(
        energyPicojoules: energies[index], correct: correct[index], imagesRun: imagesRun[index], imageCount: imageCount)
      byConfiguration[distinct[index]] = measurement
      statistics.configurationsMeasured += 1
      if !measurement.isComplete { statistics.configurationsScreenedOut += 1 }
    }
    return configurations.map { byConfiguration[$0]! }
  }

  /// The index of the largest code, the first one on ties (codes order like the scores they stand for: the
  /// dequantization scale is a positive power of two and Softmax is increasing).
  @inline(__always)
  static func argmax(_ codes: [Int16]) -> Int {
    var best = 0
    for index in codes.indices where codes[index] > codes[best] { best = index }
    return best
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }
}

/// Work done by a ``PrecisionEvaluator`` and where its time went.
///
/// The counts are deterministic for a given sequence of calls; the seconds are wall-clock figures.
public struct EvaluatorStatistics: Hashable, Sendable, Codable {
  /// Distinct configurations measured (memo hits are not measured again).
  public var configurationsMeasured = 0
  /// Of those, the ones screened out before the last chunk.
  public var configurationsScreenedOut = 0
  /// Image inferences run (one image through one configuration).
  public var imagesRun = 0
  /// Plans prepared (plan cache misses).
  public var plansPrepared = 0
  /// Wall time preparing plans (deriving weights from the masters), in seconds.
  public var planSeconds = 0.0
  /// Wall time running images, in seconds.
  public var inferenceSeconds = 0.0
  /// Wall time pricing configurations, in seconds.
  public var energySeconds = 0.0

  /// Creates empty statistics.
  public init() {}
}

/// Per-worker workspaces. Each worker uses only `workspaces[worker]`, and `WorkerPool.run` returns only after
/// every worker has finished, so no workspace is ever used by two threads at once.
final class WorkerScratch: @unchecked Sendable {
  let workspaces: [IntegerPlan.Workspace]
  init(workspaces: [IntegerPlan.Workspace]) { self.workspaces = workspaces }
}

/// Fixed storage for per-worker counts: each worker writes only its own slots, and the values are read after
/// `WorkerPool.run` has returned.
final class CountBuffer: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Int>
  init(count: Int) {
    slots = .allocate(capacity: max(count, 1))
    slots.initialize(repeating: 0)
  }
  deinit { slots.deallocate() }
  func store(_ value: Int, at index: Int) { slots[index] = value }
  func value(at index: Int) -> Int { slots[index] }
}
