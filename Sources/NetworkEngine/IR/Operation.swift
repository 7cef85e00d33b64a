/// How a convolution or pooling window is padded.
///
/// - `same`: TensorFlow's rule. Output size = ceil(input / stride); the total padding
///   max((out - 1) * stride + effectiveKernel - input, 0) is split with the smaller half at the top/left.
/// - `valid`: no padding; output size = floor((input - effectiveKernel) / stride) + 1.
/// - `explicit`: the given number of zero rows/columns on each side.
public enum Padding: Hashable, Sendable, Codable {
  /// TensorFlow "SAME" padding.
  case same
  /// No padding.
  case valid
  /// Explicit zero padding on each side (each >= 0).
  case explicit(top: Int, bottom: Int, left: Int, right: Int)
}

/// Attributes of a 2-D convolution (weights `[outputChannels][kernelHeight][kernelWidth][inputChannels / groups]`).
public struct Conv2DAttributes: Hashable, Sendable, Codable {
  /// Number of output channels (filters).
  public var outputChannels: Int
  /// Kernel rows.
  public var kernelHeight: Int
  /// Kernel columns.
  public var kernelWidth: Int
  /// Vertical stride (>= 1).
  public var strideHeight: Int
  /// Horizontal stride (>= 1).
  public var strideWidth: Int
  /// Vertical dilation (>= 1).
  public var dilationHeight: Int
  /// Horizontal dilation (>= 1).
  public var dilationWidth: Int
  /// Padding rule.
  public var padding: Padding
  /// Channel groups: 1 for an ordinary convolution, `inputChannels` for a depthwise one.
  public var groups: Int

  /// Creates convolution attributes; defaults give a stride-1, undilated, ungrouped, same-padded convolution.
  public init(outputChannels: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
              dilationHeight: Int = 1, dilationWidth: Int = 1, padding: Padding = .same, groups: Int = 1) {
    self.outputChannels = outputChannels
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.dilationHeight = dilationHeight
    self.dilationWidth = dilationWidth
    self.padding = padding
    self.groups = groups
  }
}

/// Attributes of a fully connected layer (weights `[outputFeatures][inputFeatures]`, input must be flat).
public struct DenseAttributes: Hashable, Sendable, Codable {
  /// Number of outputs.
  public var outputFeatures: Int
  /// Creates dense attributes.
  public init(outputFeatures: Int) { self.outputFeatures = outputFeatures }
}

/// Attributes of a max or average pooling window.
public struct PoolAttributes: Hashable, Sendable, Codable {
  /// Window rows.
  public var kernelHeight: Int
  /// Window columns.
  public var kernelWidth: Int
  /// Vertical stride.
  public var strideHeight: Int
  /// Horizontal stride.
  public var strideWidth: Int
  /// Padding rule. Padded positions are ignored (max over / average of the valid elements only).
  public var padding: Padding
  /// Creates pooling attributes; the stride defaults to the window size.
  public init(kernelHeight: Int, kernelWidth: Int, strideHeight: Int? = nil, strideWidth: Int? = nil,
              padding: Padding = .valid) {
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideHeight = strideHeight ?? kernelHeight
    self.strideWidth = strideWidth ?? kernelWidth
    self.padding = padding
  }
}

/// The operation a node performs.
public enum Operation: Hashable, Sendable {
  /// The network input (exactly one per network), with its shape.
  case input(TensorShape)
  /// 2-D convolution (with `groups` for grouped and depthwise convolution). Parameters: weight, optional bias.
  case conv2D(Conv2DAttributes)
  /// Fully connected layer on a flat input. Parameters: weight, optional bias.
  case dense(DenseAttributes)
  /// Batch normalization with the given epsilon. Parameters: gamma, beta, mean, variance (one value per channel).
  /// Folded into the preceding conv/dense for inference.
  case batchNorm(epsilon: Float)
  /// max(x, 0).
  case relu
  /// min(max(x, 0), 6).
  case relu6
  /// Max pooling.
  case maxPool(PoolAttributes)
  /// Average pooling (over the valid, unpadded elements of each window).
  case avgPool(PoolAttributes)
  /// Mean over all rows and columns, per channel; output `1 x 1 x C`.
  case globalAvgPool
  /// Element-wise sum of two tensors of the same shape (residual connection).
  case add
  /// Reshape to `1 x 1 x (H*W*C)` in HWC order.
  case flatten
  /// Softmax over channels; allowed only at the network output.
  case softmax

  /// The operator name used in model files and messages (`Conv2D`, `Dense`, ...).
  public var kind: String {
    switch self {
    case .input: return "Input"
    case .conv2D: return "Conv2D"
    case .dense: return "Dense"
    case .batchNorm: return "BatchNorm"
    case .relu: return "ReLU"
    case .relu6: return "ReLU6"
    case .maxPool: return "MaxPool"
    case .avgPool: return "AvgPool"
    case .globalAvgPool: return "GlobalAvgPool"
    case .add: return "Add"
    case .flatten: return "Flatten"
    case .softmax: return "Softmax"
    }
  }

  /// True for the layers that carry weights and get a precision pair (Conv2D, Dense).
  public var isWeighted: Bool {
    switch self {
    case .conv2D, .dense: return true
    default: return false
    }
  }

  /// True for operations whose integer output keeps the fixed-point format of their input
  /// (ReLU, ReLU6, MaxPool, AvgPool, GlobalAvgPool, Flatten).
  public var preservesFormat: Bool {
    switch self {
    case .relu, .relu6, .maxPool, .avgPool, .globalAvgPool, .flatten: return true
    default: return false
    }
  }

  /// Number of inputs the operation takes.
  public var arity: Int {
    switch self {
    case .input: return 0
    case .add: return 2
    default: return 1
    }
  }
}

/// What a parameter tensor of a node is.
public enum ParameterRole: String, Hashable, Sendable, Codable, CaseIterable {
  /// Conv/Dense weights.
  case weight
  /// Conv/Dense bias.
  case bias
  /// BatchNorm scale.
  case gamma
  /// BatchNorm offset.
  case beta
  /// BatchNorm running mean.
  case mean
  /// BatchNorm running variance.
  case variance
}

/// A named float parameter tensor of a node.
public struct ParameterTensor: Hashable, Sendable {
  /// What the tensor is.
  public var role: ParameterRole
  /// Its shape (e.g. `[outputChannels, kernelHeight, kernelWidth, inputChannels / groups]` for conv weights).
  public var shape: [Int]
  /// Row-major values; `values.count` equals the product of `shape`.
  public var values: [Float]
  /// Creates a parameter tensor.
  public init(role: ParameterRole, shape: [Int], values: [Float]) {
    self.role = role
    self.shape = shape
    self.values = values
  }
}

/// One node of the network DAG.
public struct Node: Hashable, Sendable {
  /// Unique name (also the name of the node's output tensor), e.g. `block2.conv1`.
  public var name: String
  /// What the node computes.
  public var operation: Operation
  /// Names of the nodes whose outputs this node reads, in operand order.
  public var inputs: [String]
  /// Parameter tensors (order irrelevant; each role at most once).
  public var parameters: [ParameterTensor]

  /// Creates a node.
  public init(name: String, operation: Operation, inputs: [String] = [], parameters: [ParameterTensor] = []) {
    self.name = name
    self.operation = operation
    self.inputs = inputs
    self.parameters = parameters
  }

  /// The parameter tensor with this role, if any.
  public func parameter(_ role: ParameterRole) -> ParameterTensor? {
    parameters.first { $0.role == role }
  }
}
