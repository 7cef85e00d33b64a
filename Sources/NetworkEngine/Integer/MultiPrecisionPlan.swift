/// One network prepared at several precision configurations ("operating points") with one stored copy of the
/// weights: the 16-bit masters of `model`.
///
/// What is stored per point is only what `IntegerPlan` resolves without weights: every tensor's stored width and
/// format, and per weighted layer its shifts, accumulator kind, geometry and bias codes at that point's accumulator
/// scale (O(output channels) per layer). The b-bit weight codes of a point are never stored with the plan: each
/// `Workspace` derives the weight codes of the point it last ran into memory it owns (O(weights), once per change of
/// point, and only for the layers whose resolution differs from the previous point's), then runs the same kernels as
/// `IntegerPlan`. So a run at point `k` is bit-identical to `IntegerPlan(model:configuration:kernels:)` at
/// `configurations[k]` by construction (one shared resolution and execution path), which the tests also check.
///
/// A `MultiPrecisionPlan` is an immutable value (Sendable); workspaces are per thread.
public struct MultiPrecisionPlan: Sendable {
  /// The 16-bit masters every point derives from (the only stored weights).
  public let model: FixedPointModel
  /// The configurations, indexed by point (0..<count).
  public let configurations: [PrecisionConfiguration]
  /// The kernel implementation.
  public let kernels: KernelVariant
  let resolved: [ResolvedConfiguration]

  /// The network (folded).
  public var network: Network { model.network }

  /// Number of points.
  public var pointCount: Int { configurations.count }

  /// Resolves every configuration against `model` (validating each).
  ///
  /// - Throws: `PrecisionError` (naming the point index) when a configuration does not fit the network.
  public init(model: FixedPointModel, configurations: [PrecisionConfiguration],
              kernels: KernelVariant = .optimized) throws {
    var resolved: [ResolvedConfiguration] = []
    resolved.reserveCapacity(configurations.count)
    for (k, configuration) in configurations.enumerated() {
      do {
        resolved.append(try ResolvedConfiguration(model: model, configuration: configuration))
      } catch let error as PrecisionError {
        throw PrecisionError("point \(k): \(error.description)")
      }
    }
    self.model = model
    self.configurations = configurations
    self.kernels = kernels
    self.resolved = resolved
  }

  /// Resolved parameters of every weighted layer at `point` (as `IntegerPlan.layerParameters`).
  /// `point` must be in `0..<pointCount`.
  public func layerParameters(at point: Int) -> [WeightedLayerParameters] { resolved[point].layerParameters }

  /// Stored bit-width of every node's output at `point` (as `IntegerPlan.storageBits`).
  public func storageBits(at point: Int) -> [Int] { resolved[point].storageBits }

  /// Scratch memory and the derived weights of the last point run, for one thread's inferences.
  public final class Workspace {
    /// The integer workspace the kernels use (node outputs and scratch).
    public let integer: IntegerPlan.Workspace
    /// The point whose weights `steps` hold; nil before the first run.
    public private(set) var point: Int?
    /// How many times this workspace derived weights for a new point.
    public private(set) var derivations = 0
    /// Weighted layers re-derived over all derivations (layers identical at the old and new point are kept).
    public private(set) var layersDerived = 0
    var steps: [IntegerStep] = []
    var layers: [ResolvedConfiguration.WeightedLayer?] = []

    init(network: Network) { integer = IntegerPlan.Workspace(network: network) }

    /// Derives the weights of `point` unless they are already there.
    func prepare(_ plan: MultiPrecisionPlan, point newPoint: Int) {
      if point == newPoint { return }
      let target = plan.resolved[newPoint].steps
      if steps.count != target.count {
        steps = Array(repeating: .copy, count: target.count)
        layers = Array(repeating: nil, count: target.count)
      }
      for (i, step) in target.enumerated() {
        switch step {
        case .fixed(let s):
          steps[i] = s
          layers[i] = nil
        case .weighted(let layer):
          // Same shifts, widths, accumulator and bias: the derived kernel would be identical, keep it.
          if let old = layers[i], old == layer { continue }
          steps[i] = .weighted(layer.kernel(model: plan.model))
          layers[i] = layer
          layersDerived += 1
        }
      }
      point = newPoint
      derivations += 1
    }
  }

  /// A new workspace (one per thread).
  public func makeWorkspace() -> Workspace { Workspace(network: network) }

  /// Makes `workspace` hold the weights of `point` now (so that the next run at it does no derivation).
  /// `point` must be in `0..<pointCount`.
  public func prepare(_ workspace: Workspace, at point: Int) {
    precondition(point >= 0 && point < pointCount, "point \(point) outside 0..<\(pointCount)")
    workspace.prepare(self, point: point)
  }

  /// Runs one preprocessed float input at `point`; returns the output codes (as `IntegerPlan.runCodes`).
  /// `point` must be in `0..<pointCount` and `input` must have the network's input element count.
  @discardableResult
  public func runCodes(_ input: [Float], at point: Int, workspace: Workspace) -> [Int16] {
    precondition(point >= 0 && point < pointCount, "point \(point) outside 0..<\(pointCount)")
    precondition(input.count == network.inputShape.elementCount,
                 "input has \(input.count) values, expected \(network.inputShape.elementCount)")
    workspace.prepare(self, point: point)
    let r = resolved[point]
    let ws = workspace.integer
    ws.outputs[0] = IntegerPlan.quantizeInput(input, bits: r.storageBits[0], fractionalBits: r.storageFractionalBits[0])
    IntegerPlan.execute(workspace.steps, network: network, kernels: kernels, ws)
    return ws.outputs[network.outputIndex]
  }

  /// Runs one preprocessed float input at `point`; returns class scores (as `IntegerPlan.run`).
  public func run(_ input: [Float], at point: Int, workspace: Workspace) -> [Float] {
    let codes = runCodes(input, at: point, workspace: workspace)
    return IntegerPlan.scores(codes, fractionalBits: resolved[point].storageFractionalBits[network.outputIndex],
                              network: network)
  }
}
