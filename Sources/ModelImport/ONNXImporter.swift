import NetworkEngine

/// Maps a decoded ONNX graph onto the engine's IR (see `SupportedOperators.onnx`).
///
/// ONNX activations are NCHW and the IR is HWC: each 4-D value remembers whether its ONNX axis order is NCHW or
/// NHWC (after a Transpose), Conv weights `[O][I/g][KH][KW]` become `[O][KH][KW][I/g]`, and a vector made by
/// flattening an NCHW tensor remembers the C,H,W order so that the Gemm/MatMul reading it gets its weight columns
/// permuted to the IR's H,W,C order: the outputs are unchanged. A 4-D graph input or output is NCHW in ONNX and HWC
/// in the IR (`ModelProvenance.inputLayout` says which layout the source used).
public enum ONNXImporter {
  /// Axis order of a 4-D ONNX value relative to the IR's HWC storage.
  enum Layout: Equatable {
    /// ONNX dims `[1, C, H, W]`.
    case nchw
    /// ONNX dims `[1, H, W, C]`.
    case nhwc
    /// A vector (ONNX `[1, N]`) in the IR's order.
    case vector
    /// A vector made by flattening an NCHW tensor of this IR shape: ONNX index `c*H*W + y*W + x` is IR index
    /// `(y*W + x)*C + c`.
    case flattenedNCHW(TensorShape)
  }

  enum Value {
    case activation(node: String, shape: TensorShape, layout: Layout)
    case constant(dims: [Int], values: [Double])
  }

  /// Imports an `.onnx` file.
  public static func importModel(bytes: [UInt8]) throws -> ImportedModel {
    try importModel(try ONNXModel(bytes: bytes))
  }

  /// Imports a decoded ONNX model.
  public static func importModel(_ model: ONNXModel) throws -> ImportedModel {
    var mapping = try Mapping(model: model)
    return try mapping.run()
  }

  struct Mapping {
    let model: ONNXModel
    var values: [String: Value] = [:]
    var assembler: GraphAssembler
    var counts: [String: Int] = [:]
    var quantizedWeights = false
    var inputLayout = "NCHW"
    /// Dense nodes made from a MatMul (no bias yet), by node name: an Add of a constant may become their bias.
    var biasFree: Set<String> = []
    /// Every tensor name some node or the graph output reads.
    let consumedNames: Set<String>

    init(model: ONNXModel) throws {
      self.model = model
      let graph = model.graph
      consumedNames = Set(graph.nodes.flatMap(\.inputs) + graph.outputs.map(\.name))
      var constants: [String: Value] = [:]
      for t in graph.initializers {
        constants[t.name] = .constant(dims: t.dims.map { Int(clamping: $0) }, values: try t.values())
      }
      let inputs = graph.inputs.filter { constants[$0.name] == nil }
      guard inputs.count == 1, graph.outputs.count == 1 else {
        throw ModelImportError(.unsupported, "the graph has \(inputs.count) inputs (not counting initializers) and \(graph.outputs.count) outputs; exactly one of each is supported")
      }
      let input = inputs[0]
      guard input.elementType == ONNXDataType.float.rawValue else {
        throw ModelImportError(.unsupported, "graph input '\(input.name)' has element type \(input.elementType); float (1) is supported")
      }
      // Symbolic dims (a dynamic batch) count as 1.
      let dims = input.dims.map { Int($0 ?? 1) }
      let shape: TensorShape
      var layout = Layout.nchw
      switch dims.count {
      case 4:
        guard dims[0] == 1 else { throw ModelImportError(.unsupported, "graph input '\(input.name)' has batch \(dims[0]); batch 1 is supported") }
        // An NHWC input transposed to NCHW by every reader (the usual TensorFlow export) is taken as NHWC.
        let readers = graph.nodes.filter { $0.inputs.contains(input.name) }  // once per import: linear
        if !readers.isEmpty, readers.allSatisfy({ $0.opType == "Transpose" && $0.attribute("perm")?.ints == [0, 3, 1, 2] }) {
          layout = .nhwc
          shape = TensorShape(height: dims[1], width: dims[2], channels: dims[3])
        } else {
          shape = TensorShape(height: dims[2], width: dims[3], channels: dims[1])
        }
      case 2:
        guard dims[0] == 1 else { throw ModelImportError(.unsupported, "graph input '\(input.name)' has batch \(dims[0]); batch 1 is supported") }
        shape = .flat(dims[1]); layout = .vector
      default:
        throw ModelImportError(.unsupported, "graph input '\(input.name)' has dims \(input.dims.map { $0.map(String.init) ?? "?" }); [N, C, H, W] or [N, F] is supported")
      }
      guard shape.height >= 1, shape.width >= 1, shape.channels >= 1, elementCount(dims) != nil else {
        throw ModelImportError(.unsupported, "graph input '\(input.name)' has an empty or too large shape \(dims)")
      }
      assembler = try GraphAssembler(inputShape: shape)
      inputLayout = layout == .nhwc ? "NHWC" : (layout == .vector ? "vector" : "NCHW")
      values = constants
      values[input.name] = .activation(node: "input", shape: shape, layout: layout)
    }

    func label(_ index: Int) -> String {
      let n = model.graph.nodes[index]
      return n.name.isEmpty ? "node #\(index) (\(n.opType))" : "\(n.name) (\(n.opType))"
    }

    func error(_ index: Int, _ message: String, _ kind: ModelImportError.Kind = .unsupported) -> ModelImportError {
      ModelImportError(kind, message, node: "'\(label(index))'")
    }

    func origin(_ index: Int, note: String = "") -> NodeOrigin {
      let n = model.graph.nodes[index]
      return NodeOrigin(sourceOperator: n.opType, sourceNode: n.name.isEmpty ? "node #\(index)" : n.name,
                        inputTensors: n.inputs, outputTensors: n.outputs, note: note)
    }

    func activation(_ name: String, _ index: Int) throws -> (String, TensorShape, Layout) {
      switch values[name] {
      case .activation(let node, let shape, let layout)?: return (node, shape, layout)
      case .constant?: throw error(index, "input '\(name)' is a constant where an activation is expected")
      case nil: throw error(index, "input '\(name)' is not computed by any earlier node", .invalidGraph)
      }
    }

    func constant(_ name: String, _ index: Int) throws -> (dims: [Int], values: [Double]) {
      switch values[name] {
      case .constant(let dims, let v)?:
        guard dims.allSatisfy({ $0 >= 0 && $0 <= Network.maximumElementCount }), elementCount(dims) == v.count, !v.isEmpty else {
          throw error(index, "constant '\(name)' has dims \(dims) that do not describe its \(v.count) values", .malformed)
        }
        return (dims, v)
      case .activation?: throw error(index, "input '\(name)' must be a constant (an initializer or a Constant node), not an activation")
      case nil: throw error(index, "input '\(name)' is not defined", .invalidGraph)
      }
    }

    func input(_ index: Int, _ k: Int) -> String? {
      let n = model.graph.nodes[index]
      return k < n.inputs.count && !n.inputs[k].isEmpty ? n.inputs[k] : nil
    }

    func requiredInput(_ index: Int, _ k: Int) throws -> String {
      guard let name = input(index, k) else { throw error(index, "input #\(k) is missing", .invalidGraph) }
      return name
    }

    func int(_ index: Int, _ name: String, _ defaultValue: Int) throws -> Int {
      guard let a = model.graph.nodes[index].attribute(name) else { return defaultValue }
      guard let v = a.int else { throw error(index, "attribute '\(name)' is not an integer", .malformed) }
      return Int(clamping: v)
    }

    func ints(_ index: Int, _ name: String) -> [Int]? {
      model.graph.nodes[index].attribute(name).map { $0.ints.map { Int(clamping: $0) } }
    }

    func float(_ index: Int, _ name: String, _ defaultValue: Float) throws -> Float {
      guard let a = model.graph.nodes[index].attribute(name) else { return defaultValue }
      guard let v = a.float else { throw error(index, "attribute '\(name)' is not a float", .malformed) }
      return v
    }

    func string(_ index: Int, _ name: String, _ defaultValue: String) -> String {
      model.graph.nodes[index].attribute(name)?.string ?? defaultValue
    }

    func requireNCHW(_ layout: Layout, _ index: Int) throws {
      guard layout == .nchw else { throw error(index, "expects an NCHW tensor, got a \(layout) value") }
    }

    mutating func set(_ index: Int, _ node: (String, TensorShape), layout: Layout) {
      values[model.graph.nodes[index].outputs[0]] = .activation(node: node.0, shape: node.1, layout: layout)
    }

    mutating func nodeName(_ index: Int) -> String {
      let n = model.graph.nodes[index]
      let base = n.name.isEmpty ? "\(n.opType.lowercased())_\(index)" : n.name
      return assembler.uniqueName(base)
    }

    /// Window padding from `auto_pad` / `pads` (ONNX order: begins then ends, H before W).
    func padding(_ index: Int, input: TensorShape, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int)) throws -> Padding {
      switch string(index, "auto_pad", "NOTSET") {
      case "NOTSET":
        let pads = ints(index, "pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 }) else { throw error(index, "pads \(pads); four non-negative values expected") }
        return pads.allSatisfy { $0 == 0 } ? .valid : .explicit(top: pads[0], bottom: pads[2], left: pads[1], right: pads[3])
      case "VALID": return .valid
      case "SAME_UPPER": return .same
      case "SAME_LOWER":
        func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
          let out = (size + s - 1) / s
          let total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
          return (total - total / 2, total / 2)
        }
        let rows = split(input.height, kernel.0, stride.0, dilation.0), cols = split(input.width, kernel.1, stride.1, dilation.1)
        return .explicit(top: rows.0, bottom: rows.1, left: cols.0, right: cols.1)
      case let other: throw error(index, "auto_pad '\(other)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", .malformed)
      }
    }

    func pair(_ index: Int, _ name: String) throws -> (Int, Int) {
      let v = ints(index, name) ?? [1, 1]
      guard v.count == 2, v.allSatisfy({ $0 >= 1 && $0 <= ShapeInference.maximumWindowExtent }) else {
        throw error(index, "\(name) \(v); two values in 1...\(ShapeInference.maximumWindowExtent) expected (2-D operations only)")
      }
      return (v[0], v[1])
    }

    mutating func run() throws -> ImportedModel {
      for index in model.graph.nodes.indices { try map(index) }
      let outputName = model.graph.outputs[0].name
      guard case .activation(let node, _, let layout)? = values[outputName] else {
        throw ModelImportError(.invalidGraph, "the graph output '\(outputName)' is not computed by a supported node")
      }
      if case .flattenedNCHW = layout {
        throw ModelImportError(.unsupported, "the graph output '\(outputName)' is a flattened NCHW tensor whose element order the IR cannot keep")
      }
      let network = try assembler.build()
      guard network.nodes[network.outputIndex].name == node else {
        throw ModelImportError(.invalidGraph, "the network's last node is '\(network.nodes[network.outputIndex].name)', not the graph output '\(outputName)'")
      }
      var producer = model.producerName
      if !model.producerVersion.isEmpty { producer += " " + model.producerVersion }
      let provenance = ModelProvenance(format: .onnx, producer: producer, formatVersion: Int(model.irVersion),
                                       opsetVersion: Int(model.defaultOpset), operatorCounts: counts,
                                       hasQuantizedWeights: quantizedWeights, inputLayout: inputLayout)
      return ImportedModel(network: network, preprocessing: .identity, inputQuantization: nil, provenance: provenance,
                           nodeOrigins: assembler.origins, absorbedOperators: assembler.absorbed)
    }

    /// Dense weights `[outputs][inputs]` in IR order from ONNX `[outputs][inputs]` ones, undoing an NCHW flatten.
    func denseWeights(_ w: [Double], outputs: Int, inputs: Int, layout: Layout) -> [Float] {
      guard case .flattenedNCHW(let s) = layout else { return w.map { Float($0) } }
      var out = [Float](repeating: 0, count: w.count)
      let hw = s.height * s.width
      for o in 0..<outputs {
        for y in 0..<s.height { for x in 0..<s.width { for c in 0..<s.channels {
          out[o * inputs + (y * s.width + x) * s.channels + c] = Float(w[o * inputs + c * hw + y * s.width + x])
        } } }
      }
      return out
    }

    mutating func map(_ index: Int) throws {
      let n = model.graph.nodes[index]
      counts[n.opType, default: 0] += 1
      guard n.domain.isEmpty || n.domain == "ai.onnx" else {
        throw error(index, "operator \(n.domain).\(n.opType) is not in the default ONNX domain; supported: \(SupportedOperators.onnx.joined(separator: ", "))")
      }
      guard !n.outputs.isEmpty, !n.outputs[0].isEmpty else { throw error(index, "has no output", .malformed) }
      let out = n.outputs[0]
      switch n.opType {
      case "Conv":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        try requireNCHW(layout, index)
        let w = try constant(try requiredInput(index, 1), index)
        guard w.dims.count == 4 else { throw error(index, "weights of dims \(w.dims); [O, I/group, KH, KW] expected (2-D convolutions only)") }
        let (outputChannels, inputChannelsPerGroup, kernelHeight, kernelWidth) = (w.dims[0], w.dims[1], w.dims[2], w.dims[3])
        let group = try int(index, "group", 1)
        guard group >= 1, group <= shape.channels, inputChannelsPerGroup * group == shape.channels else {
          throw error(index, "group \(group) with \(inputChannelsPerGroup) input channels per group does not match the \(shape.channels)-channel input", .invalidGraph)
        }
        if let k = ints(index, "kernel_shape"), k != [kernelHeight, kernelWidth] {
          throw error(index, "kernel_shape \(k) disagrees with the weights' \(w.dims)", .invalidGraph)
        }
        let stride = try pair(index, "strides"), dilation = try pair(index, "dilations")
        let pad = try padding(index, input: shape, kernel: (kernelHeight, kernelWidth), stride: stride, dilation: dilation)
        // [O][I/g][KH][KW] -> [O][KH][KW][I/g]
        var weights = [Float](repeating: 0, count: w.values.count)
        let taps = kernelHeight * kernelWidth
        for o in 0..<outputChannels { for i in 0..<inputChannelsPerGroup { for t in 0..<taps {
          weights[(o * taps + t) * inputChannelsPerGroup + i] = Float(w.values[(o * inputChannelsPerGroup + i) * taps + t])
        } } }
        var parameters = [ParameterTensor(role: .weight, shape: [outputChannels, kernelHeight, kernelWidth, inputChannelsPerGroup], values: weights)]
        if let b = input(index, 2) {
          let bias = try constant(b, index)
          guard bias.values.count == outputChannels else { throw error(index, "bias has \(bias.values.count) values, expected \(outputChannels)", .invalidGraph) }
          parameters.append(ParameterTensor(role: .bias, shape: [outputChannels], values: bias.values.map { Float($0) }))
        }
        let attributes = Conv2DAttributes(outputChannels: outputChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
          strideHeight: stride.0, strideWidth: stride.1, dilationHeight: dilation.0, dilationWidth: dilation.1,
          padding: pad, groups: group)
        let node = try assembler.append(Node(name: nodeName(index), operation: .conv2D(attributes), inputs: [x], parameters: parameters),
                                        origin: origin(index))
        set(index, node, layout: .nchw)

      case "BatchNormalization":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        guard try int(index, "training_mode", 0) == 0 else { throw error(index, "training_mode 1 is not supported") }
        var parameters: [ParameterTensor] = []
        for (k, role) in [(1, ParameterRole.gamma), (2, .beta), (3, .mean), (4, .variance)] {
          let c = try constant(try requiredInput(index, k), index)
          guard c.values.count == shape.channels else {
            throw error(index, "\(role.rawValue) has \(c.values.count) values, expected \(shape.channels)", .invalidGraph)
          }
          parameters.append(ParameterTensor(role: role, shape: [shape.channels], values: c.values.map { Float($0) }))
        }
        guard layout == .nchw || layout == .vector else { throw error(index, "BatchNormalization of a \(layout) value") }
        let node = try assembler.append(Node(name: nodeName(index), operation: .batchNorm(epsilon: try float(index, "epsilon", 1e-5)),
                                             inputs: [x], parameters: parameters), origin: origin(index, note: "folded into the layer before it"))
        set(index, node, layout: layout)

      case "Relu":
        let (x, _, layout) = try activation(try requiredInput(index, 0), index)
        set(index, try assembler.append(Node(name: nodeName(index), operation: .relu, inputs: [x]), origin: origin(index)), layout: layout)

      case "Clip":
        let (x, _, layout) = try activation(try requiredInput(index, 0), index)
        var low: Double? = nil, high: Double? = nil
        if let a = n.attribute("min") { low = a.float.map(Double.init) }
        if let a = n.attribute("max") { high = a.float.map(Double.init) }
        if let m = input(index, 1) { let c = try constant(m, index); guard c.values.count == 1 else { throw error(index, "min is not a scalar") }; low = c.values[0] }
        if let m = input(index, 2) { let c = try constant(m, index); guard c.values.count == 1 else { throw error(index, "max is not a scalar") }; high = c.values[0] }
        let operation: Operation
        if low == 0 && high == 6 { operation = .relu6 } else if low == 0 && (high == nil || high == .infinity) { operation = .relu } else {
          throw error(index, "Clip(\(low.map { "\($0)" } ?? "-inf"), \(high.map { "\($0)" } ?? "inf")); only Clip(0, 6) (ReLU6) and Clip(0, inf) (ReLU) are supported")
        }
        set(index, try assembler.append(Node(name: nodeName(index), operation: operation, inputs: [x]), origin: origin(index)), layout: layout)

      case "MaxPool", "AveragePool":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        try requireNCHW(layout, index)
        guard n.outputs.count == 1 || n.outputs[1].isEmpty else { throw error(index, "the Indices output of MaxPool is not supported") }
        guard let k = ints(index, "kernel_shape"), k.count == 2, k.allSatisfy({ $0 >= 1 && $0 <= ShapeInference.maximumWindowExtent }) else {
          throw error(index, "kernel_shape must be two values in 1...\(ShapeInference.maximumWindowExtent)", .malformed)
        }
        guard try int(index, "ceil_mode", 0) == 0 else { throw error(index, "ceil_mode 1 is not supported") }
        guard try pair(index, "dilations") == (1, 1) else { throw error(index, "pooling dilations are not supported") }
        guard try int(index, "storage_order", 0) == 0 else { throw error(index, "storage_order 1 is not supported") }
        let stride = try pair(index, "strides")
        let pad = try padding(index, input: shape, kernel: (k[0], k[1]), stride: stride, dilation: (1, 1))
        if n.opType == "AveragePool", try int(index, "count_include_pad", 0) != 0, pad != .valid {
          throw error(index, "count_include_pad 1 with padding is not supported (the engine averages the valid elements only)")
        }
        let attributes = PoolAttributes(kernelHeight: k[0], kernelWidth: k[1], strideHeight: stride.0, strideWidth: stride.1, padding: pad)
        let node = try assembler.append(Node(name: nodeName(index), operation: n.opType == "MaxPool" ? .maxPool(attributes) : .avgPool(attributes),
                                             inputs: [x]), origin: origin(index))
        set(index, node, layout: .nchw)

      case "GlobalAveragePool":
        let (x, _, layout) = try activation(try requiredInput(index, 0), index)
        try requireNCHW(layout, index)
        set(index, try assembler.append(Node(name: nodeName(index), operation: .globalAvgPool, inputs: [x]), origin: origin(index)), layout: .nchw)

      case "Add":
        let a = try requiredInput(index, 0), b = try requiredInput(index, 1)
        if case .activation(let x, let xs, let xl)? = values[a], case .activation(let y, let ys, let yl)? = values[b] {
          guard xs == ys, xl == yl else { throw error(index, "adds \(xs) (\(xl)) and \(ys) (\(yl)); equal shapes and layouts are required (no broadcasting)") }
          set(index, try assembler.append(Node(name: nodeName(index), operation: .add, inputs: [x, y]), origin: origin(index)), layout: xl)
        } else {
          // MatMul + Add of a constant: the constant becomes the bias of the Dense made from the MatMul.
          let (activationName, constantName) = values[a].map { if case .activation = $0 { return (a, b) } else { return (b, a) } } ?? (a, b)
          let (x, shape, layout) = try activation(activationName, index)
          let c = try constant(constantName, index)
          guard biasFree.contains(x), let position = assembler.positions[x], !assembler.consumed.contains(x) else {
            throw error(index, "adds the constant '\(constantName)'; a constant operand is supported only as the bias right after a MatMul")
          }
          guard c.values.count == shape.channels || c.values.count == 1 else {
            throw error(index, "bias '\(constantName)' has \(c.values.count) values for \(shape.channels) outputs", .invalidGraph)
          }
          let bias = c.values.count == 1 ? [Float](repeating: Float(c.values[0]), count: shape.channels) : c.values.map { Float($0) }
          assembler.nodes[position].parameters.append(ParameterTensor(role: .bias, shape: [shape.channels], values: bias))
          biasFree.remove(x)
          assembler.absorbed.append(origin(index, note: "bias of the Dense '\(x)'"))
          values[out] = .activation(node: x, shape: shape, layout: layout)
        }

      case "Gemm", "MatMul":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        guard shape.height == 1, shape.width == 1, layout != .nchw || shape.elementCount == shape.channels else {
          throw error(index, "\(n.opType) of a \(shape) tensor; a vector input ([1, K]) is expected (Flatten first)")
        }
        let b = try constant(try requiredInput(index, 1), index)
        guard b.dims.count == 2 else { throw error(index, "weights of dims \(b.dims); a matrix is expected") }
        let transposed = n.opType == "Gemm" ? try int(index, "transB", 0) != 0 : false
        if n.opType == "Gemm" { guard try int(index, "transA", 0) == 0 else { throw error(index, "transA 1 is not supported") } }
        let inputs = transposed ? b.dims[1] : b.dims[0], outputs = transposed ? b.dims[0] : b.dims[1]
        guard inputs == shape.channels else { throw error(index, "weights \(b.dims) do not match the \(shape.channels)-element input", .invalidGraph) }
        let alpha = Double(try float(index, "alpha", 1)), beta = Double(try float(index, "beta", 1))
        var w = [Double](repeating: 0, count: b.values.count)
        for o in 0..<outputs { for i in 0..<inputs { w[o * inputs + i] = alpha * (transposed ? b.values[o * inputs + i] : b.values[i * outputs + o]) } }
        var parameters = [ParameterTensor(role: .weight, shape: [outputs, inputs], values: denseWeights(w, outputs: outputs, inputs: inputs, layout: layout))]
        if n.opType == "Gemm", let cName = input(index, 2) {
          let c = try constant(cName, index)
          guard c.values.count == outputs || c.values.count == 1 else { throw error(index, "C has \(c.values.count) values for \(outputs) outputs", .invalidGraph) }
          parameters.append(ParameterTensor(role: .bias, shape: [outputs],
                                            values: (0..<outputs).map { Float(beta * c.values[c.values.count == 1 ? 0 : $0]) }))
        }
        let node = try assembler.append(Node(name: nodeName(index), operation: .dense(DenseAttributes(outputFeatures: outputs)),
                                             inputs: [x], parameters: parameters), origin: origin(index))
        if n.opType == "MatMul" { biasFree.insert(node.0) }
        set(index, node, layout: .vector)

      case "Flatten", "Reshape":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        if n.opType == "Flatten" {
          guard try int(index, "axis", 1) == 1 else { throw error(index, "Flatten axis \(try int(index, "axis", 1)); axis 1 is supported") }
        } else {
          let target = try constant(try requiredInput(index, 1), index).values.map { Int(exactly: $0) ?? Int.min }
          let isVector = (target.count == 2 && (target[0] == 1 || target[0] == -1 || target[0] == 0)
                          && (target[1] == -1 || target[1] == shape.elementCount)) || (target == [1, -1]) || (target == [-1])
            || target == [shape.elementCount]
          guard isVector, !(target.count == 2 && target[0] == -1 && target[1] == -1) else {
            throw error(index, "Reshape to \(target); only reshapes to a vector ([1, -1] or [1, \(shape.elementCount)]) are supported")
          }
        }
        if shape.height == 1 && shape.width == 1 {
          assembler.absorbed.append(origin(index, note: "no node: the input is already a vector"))
          values[out] = .activation(node: x, shape: shape, layout: layout == .nchw || layout == .nhwc ? .vector : layout)
        } else {
          let node = try assembler.append(Node(name: nodeName(index), operation: .flatten, inputs: [x]),
                                          origin: origin(index, note: layout == .nchw ? "NCHW order kept for the next Gemm/MatMul" : ""))
          set(index, node, layout: layout == .nchw ? .flattenedNCHW(shape) : .vector)
        }

      case "Softmax":
        let (x, shape, layout) = try activation(try requiredInput(index, 0), index)
        guard shape.height == 1, shape.width == 1, layout != .nchw || shape.channels == shape.elementCount else {
          throw error(index, "Softmax of a \(shape) tensor; a vector is expected")
        }
        let axis = try int(index, "axis", model.defaultOpset >= 13 ? -1 : 1)
        guard axis == 1 || axis == -1 else { throw error(index, "Softmax axis \(axis); the last axis of a [1, N] vector is supported") }
        set(index, try assembler.append(Node(name: nodeName(index), operation: .softmax, inputs: [x]), origin: origin(index)), layout: layout)

      case "Identity", "Dropout":
        let source = try requiredInput(index, 0)
        if n.opType == "Dropout", n.outputs.count > 1, !n.outputs[1].isEmpty, consumedNames.contains(n.outputs[1]) {
          throw error(index, "the Dropout mask output is used; only inference Dropout (an identity) is supported")
        }
        guard let v = values[source] else { throw error(index, "input '\(source)' is not defined", .invalidGraph) }
        assembler.absorbed.append(origin(index, note: "no node: identity at inference"))
        values[out] = v

      case "Constant":
        if let t = n.attribute("value")?.tensor {
          values[out] = .constant(dims: t.dims.map { Int(clamping: $0) }, values: try t.values())
        } else if let a = n.attribute("value_float"), let f = a.float {
          values[out] = .constant(dims: [], values: [Double(f)])
        } else if let a = n.attribute("value_floats") {
          values[out] = .constant(dims: [a.floats.count], values: a.floats.map(Double.init))
        } else if let a = n.attribute("value_int"), let i = a.int {
          values[out] = .constant(dims: [], values: [Double(i)])
        } else if let a = n.attribute("value_ints") {
          values[out] = .constant(dims: [a.ints.count], values: a.ints.map(Double.init))
        } else {
          throw error(index, "Constant without a value, value_float(s) or value_int(s) attribute")
        }
        assembler.absorbed.append(origin(index, note: "constant"))

      case "DequantizeLinear", "QuantizeLinear":
        let source = try requiredInput(index, 0)
        guard case .constant(let dims, let v)? = values[source] else {
          throw error(index, "\(n.opType) of an activation (QDQ activation quantization) is not supported; only QuantizeLinear/DequantizeLinear on weights")
        }
        let scale = try constant(try requiredInput(index, 1), index).values
        let zero = try input(index, 2).map { try constant($0, index).values } ?? [0]
        guard !scale.isEmpty, scale.allSatisfy({ $0.isFinite && $0 > 0 }), zero.count == scale.count || zero.count == 1 else {
          throw error(index, "scale must be positive and have as many values as the zero point", .invalidGraph)
        }
        var axis = try int(index, "axis", 1)
        if axis < 0 { axis += dims.count }
        var stride = 1, extent = 1
        if scale.count > 1 {
          guard axis >= 0, axis < dims.count, dims[axis] == scale.count else { throw error(index, "\(scale.count) scales for axis \(axis) of dims \(dims)", .invalidGraph) }
          extent = dims[axis]; stride = elementCount(Array(dims[(axis + 1)...])) ?? 1
        }
        var result = [Double](repeating: 0, count: v.count)
        for i in v.indices {
          let c = scale.count > 1 ? (i / stride) % extent : 0
          let s = scale[c], z = zero.count == 1 ? zero[0] : zero[c]
          if n.opType == "DequantizeLinear" {
            result[i] = Double(Float(s * (v[i] - z)))
          } else {
            // Round half to even, then saturate to the zero point's type (uint8 unless given).
            let zeroIsSigned = input(index, 2).flatMap { name in model.graph.initializers.first { $0.name == name }?.dataType } == ONNXDataType.int8.rawValue
            let q = (v[i] / s).rounded(.toNearestOrEven) + z
            result[i] = zeroIsSigned ? min(max(q, -128), 127) : min(max(q, 0), 255)
          }
        }
        if n.opType == "DequantizeLinear" { quantizedWeights = true }
        values[out] = .constant(dims: dims, values: result)
        assembler.absorbed.append(origin(index, note: "applied to a constant on import"))

      case "Transpose":
        let source = try requiredInput(index, 0)
        let perm = ints(index, "perm") ?? []
        switch values[source] {
        case .activation(let x, let shape, let layout)?:
          if layout == .nhwc && perm == [0, 3, 1, 2] {
            values[out] = .activation(node: x, shape: shape, layout: .nchw)
          } else if layout == .nchw && perm == [0, 2, 3, 1] {
            values[out] = .activation(node: x, shape: shape, layout: .nhwc)
          } else {
            throw error(index, "Transpose \(perm) of a \(layout) tensor; only NHWC<->NCHW transposes are supported")
          }
          assembler.absorbed.append(origin(index, note: "no node: layout change only (the IR is HWC)"))
        case .constant(let dims, let v)?:
          guard dims.count == 2, perm.isEmpty || perm == [1, 0] else { throw error(index, "Transpose \(perm) of a \(dims.count)-D constant; 2-D only") }
          var t = [Double](repeating: 0, count: v.count)
          for i in 0..<dims[0] { for j in 0..<dims[1] { t[j * dims[0] + i] = v[i * dims[1] + j] } }
          values[out] = .constant(dims: [dims[1], dims[0]], values: t)
          assembler.absorbed.append(origin(index, note: "applied to a constant on import"))
        case nil:
          throw error(index, "input '\(source)' is not defined", .invalidGraph)
        }

      default:
        throw error(index, "operator \(n.opType) is not supported; supported: \(SupportedOperators.onnx.joined(separator: ", "))")
      }
    }
  }
}
