/// Resolved window geometry along one spatial axis: output size and padding before the first element.
public struct AxisGeometry: Hashable, Sendable {
  /// Output size along the axis.
  public var outputSize: Int
  /// Zero rows/columns before the first input element (the window of output `o` starts at `o * stride - padBefore`).
  public var padBefore: Int
}

/// Shape inference and parameter validation for single nodes.
public enum ShapeInference {
  /// Largest kernel, stride, dilation or pooling size accepted on any axis.
  public static let maximumWindowExtent = 1 << 12

  /// Output size and leading padding along one axis; nil when the window does not fit.
  public static func axis(input: Int, kernel: Int, stride: Int, dilation: Int, padding: Padding,
                          vertical: Bool) -> AxisGeometry? {
    let effective = (kernel - 1) * dilation + 1
    switch padding {
    case .valid:
      guard input >= effective else { return nil }
      return AxisGeometry(outputSize: (input - effective) / stride + 1, padBefore: 0)
    case .same:
      let out = (input + stride - 1) / stride
      let total = max((out - 1) * stride + effective - input, 0)
      return AxisGeometry(outputSize: out, padBefore: total / 2)
    case let .explicit(top, bottom, left, right):
      let before = vertical ? top : left
      let after = vertical ? bottom : right
      let padded = input + before + after
      guard padded >= effective else { return nil }
      return AxisGeometry(outputSize: (padded - effective) / stride + 1, padBefore: before)
    }
  }

  private static func checkWindow(_ node: Node, _ values: [(String, Int)]) throws {
    for (label, v) in values where v < 1 || v > maximumWindowExtent {
      throw NetworkError(node: node.name, "\(label) must be in 1...\(maximumWindowExtent), got \(v)")
    }
  }

  private static func checkPadding(_ node: Node, _ padding: Padding) throws {
    if case let .explicit(t, b, l, r) = padding {
      for (label, v) in [("top", t), ("bottom", b), ("left", l), ("right", r)] where v < 0 || v > maximumWindowExtent {
        throw NetworkError(node: node.name, "padding \(label) must be in 0...\(maximumWindowExtent), got \(v)")
      }
    }
  }

  private static func checked(_ node: Node, _ shape: TensorShape) throws -> TensorShape {
    let (hw, o1) = shape.height.multipliedReportingOverflow(by: shape.width)
    let (n, o2) = hw.multipliedReportingOverflow(by: shape.channels)
    if o1 || o2 || n > Network.maximumElementCount || shape.height < 1 || shape.width < 1 || shape.channels < 1 {
      throw NetworkError(node: node.name, "output shape \(shape) is empty or larger than \(Network.maximumElementCount) elements")
    }
    return shape
  }

  /// Geometry (rows, columns) of a conv or pooling window over `input`, or a thrown error naming the node.
  public static func windowGeometry(node: Node, input: TensorShape, kernelHeight: Int, kernelWidth: Int,
                                    strideHeight: Int, strideWidth: Int, dilationHeight: Int = 1,
                                    dilationWidth: Int = 1, padding: Padding) throws -> (AxisGeometry, AxisGeometry) {
    try checkWindow(node, [("kernel height", kernelHeight), ("kernel width", kernelWidth),
                           ("stride height", strideHeight), ("stride width", strideWidth),
                           ("dilation height", dilationHeight), ("dilation width", dilationWidth)])
    try checkPadding(node, padding)
    guard let rows = axis(input: input.height, kernel: kernelHeight, stride: strideHeight, dilation: dilationHeight,
                          padding: padding, vertical: true),
          let cols = axis(input: input.width, kernel: kernelWidth, stride: strideWidth, dilation: dilationWidth,
                          padding: padding, vertical: false) else {
      throw NetworkError(node: node.name,
        "a \(kernelHeight)x\(kernelWidth) window (dilation \(dilationHeight)x\(dilationWidth)) does not fit the \(input) input with this padding")
    }
    return (rows, cols)
  }

  /// The output shape of `node` given its input shapes (already checked for arity).
  public static func outputShape(of node: Node, inputShapes: [TensorShape]) throws -> TensorShape {
    switch node.operation {
    case .input(let shape):
      return try checked(node, shape)
    case .conv2D(let a):
      let x = inputShapes[0]
      guard a.groups >= 1, a.outputChannels >= 1, a.outputChannels <= Network.maximumElementCount else {
        throw NetworkError(node: node.name, "groups and output channels must be >= 1 (got \(a.groups), \(a.outputChannels))")
      }
      guard x.channels % a.groups == 0, a.outputChannels % a.groups == 0 else {
        throw NetworkError(node: node.name,
          "input channels (\(x.channels)) and output channels (\(a.outputChannels)) must both be divisible by groups (\(a.groups))")
      }
      let (rows, cols) = try windowGeometry(node: node, input: x, kernelHeight: a.kernelHeight,
        kernelWidth: a.kernelWidth, strideHeight: a.strideHeight, strideWidth: a.strideWidth,
        dilationHeight: a.dilationHeight, dilationWidth: a.dilationWidth, padding: a.padding)
      return try checked(node, TensorShape(height: rows.outputSize, width: cols.outputSize, channels: a.outputChannels))
    case .dense(let a):
      let x = inputShapes[0]
      guard x.height == 1, x.width == 1 else {
        throw NetworkError(node: node.name, "Dense expects a flat 1x1xN input, got \(x); insert a Flatten or GlobalAvgPool")
      }
      guard a.outputFeatures >= 1 else {
        throw NetworkError(node: node.name, "output features must be >= 1, got \(a.outputFeatures)")
      }
      return try checked(node, .flat(a.outputFeatures))
    case .batchNorm(let epsilon):
      guard epsilon.isFinite, epsilon >= 0 else {
        throw NetworkError(node: node.name, "epsilon must be finite and >= 0, got \(epsilon)")
      }
      return inputShapes[0]
    case .relu, .relu6, .softmax:
      return inputShapes[0]
    case .maxPool(let p), .avgPool(let p):
      let x = inputShapes[0]
      if case let .explicit(t, b, l, r) = p.padding,
         max(t, b) >= p.kernelHeight || max(l, r) >= p.kernelWidth {
        throw NetworkError(node: node.name, "pooling padding must be smaller than the window on every side")
      }
      let (rows, cols) = try windowGeometry(node: node, input: x, kernelHeight: p.kernelHeight,
        kernelWidth: p.kernelWidth, strideHeight: p.strideHeight, strideWidth: p.strideWidth, padding: p.padding)
      return try checked(node, TensorShape(height: rows.outputSize, width: cols.outputSize, channels: x.channels))
    case .globalAvgPool:
      return .flat(inputShapes[0].channels)
    case .add:
      guard inputShapes[0] == inputShapes[1] else {
        throw NetworkError(node: node.name, "Add operands must have the same shape, got \(inputShapes[0]) and \(inputShapes[1])")
      }
      return inputShapes[0]
    case .flatten:
      return .flat(inputShapes[0].elementCount)
    }
  }

  /// The parameter roles and shapes `node` must carry (bias is optional for Conv2D and Dense).
  public static func expectedParameters(of node: Node, inputShapes: [TensorShape]) -> (required: [(ParameterRole, [Int])], optional: [(ParameterRole, [Int])]) {
    switch node.operation {
    case .conv2D(let a):
      let cin = inputShapes[0].channels / max(a.groups, 1)
      return ([(.weight, [a.outputChannels, a.kernelHeight, a.kernelWidth, cin])], [(.bias, [a.outputChannels])])
    case .dense(let a):
      return ([(.weight, [a.outputFeatures, inputShapes[0].channels])], [(.bias, [a.outputFeatures])])
    case .batchNorm:
      let c = inputShapes[0].channels
      return ([(.gamma, [c]), (.beta, [c]), (.mean, [c]), (.variance, [c])], [])
    default:
      return ([], [])
    }
  }

  /// Checks that `node` carries exactly the parameters its operation needs, with the right shapes and finite values.
  public static func validateParameters(of node: Node, inputShapes: [TensorShape]) throws {
    let (required, optional) = expectedParameters(of: node, inputShapes: inputShapes)
    let allowed = required + optional
    var seen = Set<ParameterRole>()
    for p in node.parameters {
      guard let expected = allowed.first(where: { $0.0 == p.role }) else {
        throw NetworkError(node: node.name, "\(node.operation.kind) takes no '\(p.role.rawValue)' parameter")
      }
      guard seen.insert(p.role).inserted else {
        throw NetworkError(node: node.name, "parameter '\(p.role.rawValue)' appears twice")
      }
      guard p.shape == expected.1 else {
        throw NetworkError(node: node.name, "parameter '\(p.role.rawValue)' has shape \(p.shape), expected \(expected.1)")
      }
      var count = 1
      for d in expected.1 {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow, product <= Network.maximumElementCount else {
          throw NetworkError(node: node.name, "parameter '\(p.role.rawValue)' shape \(expected.1) exceeds \(Network.maximumElementCount) elements")
        }
        count = product
      }
      guard p.values.count == count else {
        throw NetworkError(node: node.name, "parameter '\(p.role.rawValue)' has \(p.values.count) values, expected \(count)")
      }
      if let bad = p.values.firstIndex(where: { !$0.isFinite }) {
        throw NetworkError(node: node.name, "parameter '\(p.role.rawValue)' value #\(bad) is \(p.values[bad]) (NaN or infinite)")
      }
      if p.role == .variance, let bad = p.values.firstIndex(where: { $0 < 0 }) {
        throw NetworkError(node: node.name, "variance #\(bad) is negative (\(p.values[bad]))")
      }
    }
    for (role, _) in required where !seen.contains(role) {
      throw NetworkError(node: node.name, "missing parameter '\(role.rawValue)'")
    }
  }
}
