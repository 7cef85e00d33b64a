public import NetworkEngine
import Synchronization

/// A ConvNet that carries several operating points and moves between them at run time, with one stored copy of
/// its weights (the 16-bit masters of a `FixedPointModel`).
///
/// - **Switching** (``switch(to:)``, ``select(maximumEnergy:)``, ``select(minimumAccuracy:)``) stores one integer
///   atomically: O(1), no allocation, no weights touched. Every point's shifts, accumulators and bias codes were
///   resolved once at creation (`MultiPrecisionPlan`).
/// - **Inference** (``infer(_:)``) reads the current point once, atomically, at its start and runs entirely at that
///   point, so a switch from another task never mixes two points in one inference. Its result equals
///   `IntegerPlan(model:configuration:)` at that point bit for bit. An inference workspace derives the b-bit weight
///   codes of its point from the masters into memory it owns when its point differs from the one it last ran (only
///   the layers that differ), so the first inference after a switch costs O(weights) more; the others cost the same
///   as a fixed `IntegerPlan`.
/// - **Concurrency**: the type is `Sendable`; any number of tasks may infer while others switch. ``infer(_:)``
///   borrows a workspace from an internal pool; ``infer(_:workspace:)`` takes one that the caller keeps per task.
public final class AdaptiveNetwork: Sendable {
  /// The multi-precision plan (masters plus per-point parameters).
  public let plan: MultiPrecisionPlan
  /// The operating points, by increasing energy (``OperatingPointTable``); plan point `k` is `table.points[k]`.
  public let table: OperatingPointTable
  /// Index of the current point in `table.points`.
  private let current: Atomic<Int>
  /// Idle workspaces for ``infer(_:)``.
  private let pool: Mutex<[PooledWorkspace]>

  /// The operating points, by increasing energy.
  public var points: [OperatingPoint] { table.points }

  /// The network (folded).
  public var network: Network { plan.network }

  /// Prepares `model` at every point. The current point starts at `initialPointID`, or at the most accurate point
  /// (validation) when nil.
  ///
  /// - Throws: ``RuntimeError`` for an empty or invalid point list, a configuration that does not fit the network,
  ///   or an unknown initial id.
  public init(model: FixedPointModel, points: [OperatingPoint], initialPointID: String? = nil,
              kernels: KernelVariant = .optimized) throws(RuntimeError) {
    let table = try OperatingPointTable(points)
    for point in table.points {
      do {
        try point.configuration.validate(for: model.network)
      } catch {
        throw .configurationDoesNotFit(id: point.id, reason: String(describing: error))
      }
    }
    do {
      plan = try MultiPrecisionPlan(model: model, configurations: table.points.map(\.configuration), kernels: kernels)
    } catch {
      // Every configuration was validated above; what remains is a layer geometry the engine cannot run.
      throw .configurationDoesNotFit(id: table.points[0].id, reason: String(describing: error))
    }
    self.table = table
    let start: Int
    if let initialPointID {
      guard let k = table.index(of: initialPointID) else {
        throw .unknownPoint(id: initialPointID, known: table.points.map(\.id))
      }
      start = k
    } else {
      start = try table.indexOfLeastEnergy(minimumAccuracy: table.points.map(\.validationAccuracy).max()!)
    }
    current = Atomic(start)
    pool = Mutex([])
  }

  /// The current operating point (a snapshot: another task may switch right after).
  public var currentPoint: OperatingPoint { table.points[current.load(ordering: .acquiring)] }

  /// Makes the point called `id` current. O(1), allocates nothing; inferences already running finish at their point.
  ///
  /// - Throws: ``RuntimeError/unknownPoint(id:known:)``.
  @discardableResult
  public func `switch`(to id: String) throws(RuntimeError) -> OperatingPoint {
    guard let k = table.index(of: id) else { throw .unknownPoint(id: id, known: table.points.map(\.id)) }
    current.store(k, ordering: .releasing)
    return table.points[k]
  }

  /// Makes the point at `index` in ``points`` current, without looking up an id (for example a governor
  /// decision's `pointIndex`, when the governor came from ``makeGovernor()``). O(1), allocates nothing.
  ///
  /// - Throws: ``RuntimeError/unknownPoint(id:known:)`` (with the index as the id) when `index` is out of range.
  @discardableResult
  public func `switch`(toIndex index: Int) throws(RuntimeError) -> OperatingPoint {
    guard index >= 0 && index < table.points.count else {
      throw .unknownPoint(id: "#\(index)", known: table.points.map(\.id))
    }
    current.store(index, ordering: .releasing)
    return table.points[index]
  }

  /// Makes the most accurate point (validation) whose energy is at most `joules` per inference current.
  ///
  /// - Throws: ``RuntimeError/noPointWithinEnergy(budgetJoules:cheapest:)`` when nothing fits (the current point
  ///   is left unchanged), ``RuntimeError/invalidBudget(_:)``.
  @discardableResult
  public func select(maximumEnergy joules: Double) throws(RuntimeError) -> OperatingPoint {
    let k = try table.indexOfMostAccurate(maximumEnergy: joules)
    current.store(k, ordering: .releasing)
    return table.points[k]
  }

  /// Makes the least-energy point whose validation accuracy is at least `accuracy` (0...1) current.
  ///
  /// - Throws: ``RuntimeError/noPointMeetsAccuracy(minimum:mostAccurate:)`` when nothing fits (the current point is
  ///   left unchanged), ``RuntimeError/invalidAccuracy(_:)``.
  @discardableResult
  public func select(minimumAccuracy accuracy: Double) throws(RuntimeError) -> OperatingPoint {
    let k = try table.indexOfLeastEnergy(minimumAccuracy: accuracy)
    current.store(k, ordering: .releasing)
    return table.points[k]
  }

  /// A governor over this network's points (its decisions name points by id; see ``infer(_:at:workspace:)``).
  public func makeGovernor() -> EnergyGovernor { EnergyGovernor(table: table) }

  /// Scratch memory (and the derived weights of the last point run) for one task's inferences. Use a workspace
  /// from one task at a time.
  public final class Workspace {
    let owner: ObjectIdentifier
    let inner: MultiPrecisionPlan.Workspace
    init(owner: ObjectIdentifier, inner: MultiPrecisionPlan.Workspace) {
      self.owner = owner
      self.inner = inner
    }
    /// The point (index in `points`) whose weights this workspace holds; nil before its first inference.
    public var preparedPointIndex: Int? { inner.point }
    /// How many times this workspace derived weights for a new point.
    public var derivations: Int { inner.derivations }
  }

  /// A new workspace for ``infer(_:workspace:)``.
  public func makeWorkspace() -> Workspace {
    Workspace(owner: ObjectIdentifier(self), inner: plan.makeWorkspace())
  }

  /// Classifies one preprocessed input at the current point, with a pooled workspace.
  ///
  /// - Throws: ``RuntimeError/inputSize(expected:actual:)``.
  public func infer(_ input: [Float]) throws(RuntimeError) -> Inference {
    let box = pool.withLock { $0.popLast() } ?? PooledWorkspace(makeWorkspace())
    defer { pool.withLock { $0.append(box) } }
    return try infer(input, workspace: box.workspace)
  }

  /// Classifies one preprocessed input at the current point (read once, atomically, before anything runs).
  ///
  /// - Throws: ``RuntimeError/inputSize(expected:actual:)``, ``RuntimeError/foreignWorkspace``.
  public func infer(_ input: [Float], workspace: Workspace) throws(RuntimeError) -> Inference {
    let k = current.load(ordering: .acquiring)
    return try infer(input, pointIndex: k, workspace: workspace)
  }

  /// Classifies one preprocessed input at the point called `id`, without changing the current point (for a
  /// governor's decisions, or to compare points).
  ///
  /// - Throws: ``RuntimeError/unknownPoint(id:known:)``, ``RuntimeError/inputSize(expected:actual:)``,
  ///   ``RuntimeError/foreignWorkspace``.
  public func infer(_ input: [Float], at id: String, workspace: Workspace) throws(RuntimeError) -> Inference {
    guard let k = table.index(of: id) else { throw .unknownPoint(id: id, known: table.points.map(\.id)) }
    return try infer(input, pointIndex: k, workspace: workspace)
  }

  /// Classifies one preprocessed input at the point at `index` in ``points``, without changing the current point.
  ///
  /// - Throws: ``RuntimeError/unknownPoint(id:known:)`` for an index out of range, and as ``infer(_:workspace:)``.
  public func infer(_ input: [Float], atIndex index: Int, workspace: Workspace) throws(RuntimeError) -> Inference {
    guard index >= 0 && index < table.points.count else {
      throw .unknownPoint(id: "#\(index)", known: table.points.map(\.id))
    }
    return try infer(input, pointIndex: index, workspace: workspace)
  }

  private func infer(_ input: [Float], pointIndex k: Int, workspace: Workspace) throws(RuntimeError) -> Inference {
    guard workspace.owner == ObjectIdentifier(self) else { throw .foreignWorkspace }
    let expected = plan.network.inputShape.elementCount
    guard input.count == expected else { throw .inputSize(expected: expected, actual: input.count) }
    let scores = plan.run(input, at: k, workspace: workspace.inner)
    let point = table.points[k]
    return Inference(scores: scores, label: Inference.argmax(scores), pointID: point.id, pointIndex: k,
                     energyJoules: point.energyJoules)
  }
}

/// A workspace moving in and out of the pool. Ownership is exclusive: it is either in the pool (reached only under
/// the mutex) or held by exactly one running inference, never both, so no two threads touch it at once.
private final class PooledWorkspace: @unchecked Sendable {
  let workspace: AdaptiveNetwork.Workspace
  init(_ workspace: AdaptiveNetwork.Workspace) { self.workspace = workspace }
}

/// The result of one inference.
public struct Inference: Hashable, Sendable {
  /// Class scores: dequantized logits, or Softmax probabilities when the network ends in Softmax.
  public var scores: [Float]
  /// The index of the largest score (the first on ties; NaN never wins).
  public var label: Int
  /// The id of the point the whole inference ran at.
  public var pointID: String
  /// Its index in `AdaptiveNetwork.points`.
  public var pointIndex: Int
  /// The point's energy per inference, in joules.
  public var energyJoules: Double

  /// Creates a result.
  public init(scores: [Float], label: Int, pointID: String, pointIndex: Int, energyJoules: Double) {
    self.scores = scores
    self.label = label
    self.pointID = pointID
    self.pointIndex = pointIndex
    self.energyJoules = energyJoules
  }

  /// Index of the largest score; the first one on ties; NaN never wins (0 for an empty or all-NaN list).
  public static func argmax(_ scores: [Float]) -> Int {
    var best = 0
    var bestScore = -Float.infinity
    for (i, s) in scores.enumerated() where s > bestScore {
      best = i
      bestScore = s
    }
    return best
  }
}
