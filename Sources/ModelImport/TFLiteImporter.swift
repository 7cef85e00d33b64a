import NetworkEngine

/// Maps a decoded TFLite model onto the engine's IR (see `SupportedOperators.tflite`).
///
/// TFLite is NHWC and the IR is HWC, so activations and CONV_2D filters (`[O][KH][KW][I]`) keep their layout;
/// DEPTHWISE_CONV_2D filters (`[1][KH][KW][C]`) are transposed to `[C][KH][KW][1]`. TFLite's SAME padding puts the odd
/// row/column at the bottom/right, which is the IR's `.same`. Quantized tensors are dequantized
/// (`scale * (q - zeroPoint)`, per tensor or per axis); the network then runs in float ("float-derived").
public enum TFLiteImporter {
  /// A tensor's meaning during the mapping.
  enum Value {
    /// An activation: the IR node that computes it.
    case activation(node: String, shape: TensorShape)
    /// The zero-padded output of a PAD, waiting for the convolution it folds into.
    case padded(node: String, shape: TensorShape, top: Int, bottom: Int, left: Int, right: Int, padOperator: Int)
    /// A constant computed on import (the output of DEQUANTIZE on a constant).
    case constant(shape: [Int], values: [Float])
  }

  /// Imports a `.tflite` file.
  public static func importModel(bytes: [UInt8]) throws -> ImportedModel {
    try importModel(try TFLiteModel(bytes: bytes))
  }

  /// Imports a decoded TFLite model (its first subgraph).
  public static func importModel(_ model: TFLiteModel) throws -> ImportedModel {
    var mapping = try Mapping(model: model)
    return try mapping.run()
  }

  struct Mapping {
    let model: TFLiteModel
    let graph: TFLiteSubgraph
    var values: [Int: Value] = [:]
    var assembler: GraphAssembler
    var preprocessing = InputPreprocessing.identity
    var inputQuantization: InputQuantization?
    var quantizedWeights = false
    var counts: [String: Int] = [:]

    init(model: TFLiteModel) throws {
      self.model = model
      graph = model.subgraphs[0]
      guard graph.inputs.count == 1, graph.outputs.count == 1 else {
        throw ModelImportError(.unsupported, "the main subgraph has \(graph.inputs.count) inputs and \(graph.outputs.count) outputs; exactly one of each is supported")
      }
      let inputIndex = graph.inputs[0]
      guard inputIndex >= 0, inputIndex < graph.tensors.count else {
        throw ModelImportError.malformed("subgraph input tensor index \(inputIndex) is not one of its \(graph.tensors.count) tensors", at: 0)
      }
      let input = graph.tensors[inputIndex]
      let shape = try Self.activationShape(input.shape, what: "the input tensor '\(input.name)'")
      assembler = try GraphAssembler(inputShape: shape)
      values[inputIndex] = .activation(node: "input", shape: shape)
      switch input.type {
      case .float32: break
      case .int8, .uint8:
        guard let q = input.quantization, q.scales.count == 1, q.scales[0].isFinite, q.scales[0] > 0 else {
          throw ModelImportError(.unsupported, "the \(input.type == .int8 ? "int8" : "uint8") input tensor '\(input.name)' has no single positive scale")
        }
        let zeroPoint = Int(q.zeroPoints.first ?? 0)
        inputQuantization = InputQuantization(scale: q.scales[0], zeroPoint: zeroPoint, isSigned: input.type == .int8)
        preprocessing = InputPreprocessing(scale: q.scales[0], mean: [q.scales[0] * Float(zeroPoint)], standardDeviation: [1])
      default:
        throw ModelImportError(.unsupported, "input tensor '\(input.name)' has type code \(input.typeCode); float32, int8 and uint8 are supported")
      }
    }

    /// IR shape of an NHWC activation shape: `[1, H, W, C]`, `[H, W, C]`, `[1, N]` or `[N]`.
    static func activationShape(_ dims: [Int], what: String) throws -> TensorShape {
      var d = dims
      if d.count == 4 || d.count == 2 {
        guard d[0] == 1 else { throw ModelImportError(.unsupported, "\(what) has batch size \(d[0]); batch 1 is supported (shape \(dims))") }
        d.removeFirst()
      }
      let shape: TensorShape
      switch d.count {
      case 3: shape = TensorShape(height: d[0], width: d[1], channels: d[2])
      case 1: shape = .flat(d[0])
      default: throw ModelImportError(.unsupported, "\(what) has shape \(dims); NHWC (rank 4) or vector (rank 2) activations are supported")
      }
      guard shape.height >= 1, shape.width >= 1, shape.channels >= 1, elementCount(dims) != nil else {
        throw ModelImportError(.unsupported, "\(what) has shape \(dims), empty or too large")
      }
      return shape
    }

    func tensor(_ index: Int, of op: Int) throws -> TFLiteTensor {
      guard index >= 0, index < graph.tensors.count else {
        throw ModelImportError(.malformed, "tensor index \(index) is not one of the \(graph.tensors.count) tensors",
                               byteOffset: graph.operators[op].byteOffset, node: label(op))
      }
      return graph.tensors[index]
    }

    func label(_ op: Int) -> String {
      let o = graph.operators[op]
      let name = o.opcodeIndex < model.operatorCodes.count ? model.operatorCodes[o.opcodeIndex].name : "?"
      return "operator #\(op) \(name)"
    }

    func error(_ op: Int, _ message: String, _ kind: ModelImportError.Kind = .unsupported) -> ModelImportError {
      ModelImportError(kind, message, node: "'\(label(op))'")
    }

    /// The activation that tensor `index` holds (input `k` of operator `op`).
    func activationValue(_ index: Int, of op: Int) throws -> (String, TensorShape) {
      switch values[index] {
      case .activation(let node, let shape)?: return (node, shape)
      case .padded(_, _, _, _, _, _, let padOp)?:
        throw error(op, "reads the output of \(label(padOp)); a PAD can be folded only into a CONV_2D or DEPTHWISE_CONV_2D that reads it")
      case .constant?:
        throw error(op, "reads the constant tensor '\(graph.tensors[index].name)' where an activation is expected")
      case nil:
        let t = try tensor(index, of: op)
        if t.bufferIndex > 0, t.bufferIndex < model.buffers.count, !model.buffers[t.bufferIndex].data.isEmpty {
          throw error(op, "reads the constant tensor '\(t.name)' where an activation is expected (constant operands are not supported here)")
        }
        throw error(op, "reads tensor #\(index) '\(t.name)', which no earlier operator computes", .invalidGraph)
      }
    }

    /// Integer values of a constant (shapes, axes, paddings).
    func integerConstant(_ index: Int, of op: Int) throws -> [Int] {
      let t = try tensor(index, of: op)
      guard t.bufferIndex > 0, t.bufferIndex < model.buffers.count else {
        throw error(op, "tensor '\(t.name)' must be a constant")
      }
      let buffer = model.buffers[t.bufferIndex]
      let size: Int
      switch t.type {
      case .int32: size = 4
      case .int64: size = 8
      default: throw error(op, "constant '\(t.name)' has type code \(t.typeCode); int32 or int64 expected")
      }
      guard buffer.data.count % size == 0 else {
        throw ModelImportError(.malformed, "constant '\(t.name)' has \(buffer.data.count) bytes, not a multiple of \(size)",
                               byteOffset: buffer.byteOffset, node: "'\(label(op))'")
      }
      return stride(from: 0, to: buffer.data.count, by: size).map { start in
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(buffer.data[start + k]) << (8 * UInt64(k)) }
        return size == 4 ? Int(Int32(truncatingIfNeeded: v)) : Int(Int64(bitPattern: v))
      }
    }

    /// The float values of a constant tensor (dequantized when it is quantized), with its shape.
    mutating func floatConstant(_ index: Int, of op: Int) throws -> (shape: [Int], values: [Float]) {
      if case .constant(let shape, let values)? = values[index] { return (shape, values) }
      let t = try tensor(index, of: op)
      guard t.bufferIndex > 0, t.bufferIndex < model.buffers.count, !model.buffers[t.bufferIndex].data.isEmpty else {
        throw error(op, "tensor #\(index) '\(t.name)' must be a constant (weights computed at run time are not supported)")
      }
      let buffer = model.buffers[t.bufferIndex]
      guard let count = elementCount(t.shape), count > 0 else { throw error(op, "constant '\(t.name)' has an invalid or empty shape \(t.shape)", .malformed) }
      let size: Int
      switch t.type {
      case .float32, .int32: size = 4
      case .int8, .uint8: size = 1
      case .int16: size = 2
      case .int64: size = 8
      default: throw error(op, "constant '\(t.name)' has type code \(t.typeCode); float32, int8, uint8, int16, int32 and int64 are supported")
      }
      guard buffer.data.count == count * size else {
        throw ModelImportError(.malformed, "constant '\(t.name)' of shape \(t.shape) needs \(count * size) bytes, its buffer #\(t.bufferIndex) has \(buffer.data.count)",
                               byteOffset: buffer.byteOffset, node: "'\(label(op))'")
      }
      var raw: [Double] = []
      raw.reserveCapacity(count)
      let data = buffer.data
      for i in 0..<count {
        let s = i * size
        switch t.type {
        case .float32:
          let bits = UInt32(data[s]) | UInt32(data[s + 1]) << 8 | UInt32(data[s + 2]) << 16 | UInt32(data[s + 3]) << 24
          raw.append(Double(Float(bitPattern: bits)))
        case .int32:
          raw.append(Double(Int32(bitPattern: UInt32(data[s]) | UInt32(data[s + 1]) << 8 | UInt32(data[s + 2]) << 16 | UInt32(data[s + 3]) << 24)))
        case .int8: raw.append(Double(Int8(bitPattern: data[s])))
        case .uint8: raw.append(Double(data[s]))
        case .int16: raw.append(Double(Int16(bitPattern: UInt16(data[s]) | UInt16(data[s + 1]) << 8)))
        default:
          var v: UInt64 = 0
          for k in 0..<8 { v |= UInt64(data[s + k]) << (8 * UInt64(k)) }
          raw.append(Double(Int64(bitPattern: v)))
        }
      }
      if t.type == .float32 { return (t.shape, raw.map { Float($0) }) }
      guard let q = t.quantization else {
        throw error(op, "the \(t.type.map { "\($0)" } ?? "?") weight tensor '\(t.name)' has no quantization parameters")
      }
      quantizedWeights = true
      return (t.shape, try Self.dequantize(raw, shape: t.shape, q, name: t.name, node: label(op)))
    }

    /// `scale[c] * (q - zeroPoint[c])` with `c` the index along the quantized dimension (or 0 per tensor).
    static func dequantize(_ raw: [Double], shape: [Int], _ q: TFLiteQuantization, name: String, node: String) throws -> [Float] {
      let perAxis = q.scales.count > 1
      var stride = 1, extent = 1
      if perAxis {
        guard q.quantizedDimension >= 0, q.quantizedDimension < shape.count, shape[q.quantizedDimension] == q.scales.count else {
          throw ModelImportError(.malformed, "tensor '\(name)' has \(q.scales.count) scales for dimension \(q.quantizedDimension) of shape \(shape)", node: "'\(node)'")
        }
        extent = shape[q.quantizedDimension]
        stride = elementCount(Array(shape[(q.quantizedDimension + 1)...])) ?? 1
      }
      guard q.zeroPoints.isEmpty || q.zeroPoints.count == q.scales.count else {
        throw ModelImportError(.malformed, "tensor '\(name)' has \(q.scales.count) scales but \(q.zeroPoints.count) zero points", node: "'\(node)'")
      }
      var out: [Float] = []
      out.reserveCapacity(raw.count)
      for (i, v) in raw.enumerated() {
        let c = perAxis ? (i / stride) % extent : 0
        let zero = q.zeroPoints.isEmpty ? 0 : Double(q.zeroPoints[c])
        out.append(Float(Double(q.scales[c]) * (v - zero)))
      }
      return out
    }

    func tensorNames(_ indices: [Int]) -> [String] {
      indices.map { $0 >= 0 && $0 < graph.tensors.count ? graph.tensors[$0].name : "(none)" }
    }

    func origin(_ op: Int, note: String = "") -> NodeOrigin {
      let o = graph.operators[op]
      return NodeOrigin(sourceOperator: model.operatorCodes[o.opcodeIndex].name, sourceNode: "operator #\(op)",
                        inputTensors: tensorNames(o.inputs), outputTensors: tensorNames(o.outputs), note: note)
    }

    /// Appends the fused activation after `node` and returns the final node.
    mutating func fuse(_ activation: Int8, after node: (String, TensorShape), op: Int) throws -> (String, TensorShape) {
      guard let a = TFLiteActivation(rawValue: activation) else { throw error(op, "unknown fused activation \(activation)", .malformed) }
      switch a {
      case .none: return node
      case .relu:
        return try assembler.append(Node(name: assembler.uniqueName("\(node.0).relu"), operation: .relu, inputs: [node.0]),
                                    origin: origin(op, note: "fused RELU"))
      case .relu6:
        return try assembler.append(Node(name: assembler.uniqueName("\(node.0).relu6"), operation: .relu6, inputs: [node.0]),
                                    origin: origin(op, note: "fused RELU6"))
      default:
        throw error(op, "fused activation \(a) is not supported (NONE, RELU and RELU6 are)")
      }
    }

    /// Stride and dilation values must be positive.
    func positive(_ values: [(String, Int)], _ op: Int) throws {
      for (name, v) in values where v < 1 || v > ShapeInference.maximumWindowExtent {
        throw error(op, "\(name) is \(v); it must be in 1...\(ShapeInference.maximumWindowExtent)", .malformed)
      }
    }

    /// The convolution input and padding, folding a preceding PAD.
    func convolutionInput(_ index: Int, _ op: Int, padding: TFLitePadding, kernel: (Int, Int), stride: (Int, Int),
                          dilation: (Int, Int)) throws -> (String, TensorShape, Padding, String) {
      if case let .padded(node, shape, top, bottom, left, right, padOp)? = values[index] {
        let paddedHeight = shape.height + top + bottom, paddedWidth = shape.width + left + right
        var extra = (0, 0, 0, 0)
        if padding == .same {
          guard let rows = ShapeInference.axis(input: paddedHeight, kernel: kernel.0, stride: stride.0, dilation: dilation.0, padding: .same, vertical: true),
                let cols = ShapeInference.axis(input: paddedWidth, kernel: kernel.1, stride: stride.1, dilation: dilation.1, padding: .same, vertical: false) else {
            throw error(op, "the window does not fit the padded input")
          }
          let totalRows = max((rows.outputSize - 1) * stride.0 + (kernel.0 - 1) * dilation.0 + 1 - paddedHeight, 0)
          let totalCols = max((cols.outputSize - 1) * stride.1 + (kernel.1 - 1) * dilation.1 + 1 - paddedWidth, 0)
          extra = (rows.padBefore, totalRows - rows.padBefore, cols.padBefore, totalCols - cols.padBefore)
        }
        return (node, shape, .explicit(top: top + extra.0, bottom: bottom + extra.1, left: left + extra.2, right: right + extra.3),
                "PAD (\(label(padOp))) folded: \(top),\(bottom),\(left),\(right)")
      }
      let (node, shape) = try activationValue(index, of: op)
      return (node, shape, padding == .same ? .same : .valid, "")
    }

    mutating func optionalBias(_ o: TFLiteOperator, _ op: Int, count: Int) throws -> [ParameterTensor] {
      guard o.inputs.count >= 3, o.inputs[2] >= 0 else { return [] }
      let bias = try floatConstant(o.inputs[2], of: op)
      guard bias.values.count == count else {
        throw error(op, "bias has \(bias.values.count) values, expected \(count)", .invalidGraph)
      }
      return [ParameterTensor(role: .bias, shape: [count], values: bias.values)]
    }

    mutating func nodeName(_ op: Int, _ code: String) -> String {
      assembler.uniqueName("\(code.lowercased())_\(op)")
    }

    mutating func run() throws -> ImportedModel {
      for op in graph.operators.indices { try map(op) }
      let outputIndex = graph.outputs[0]
      guard case .activation(let outputNode, _)? = values[outputIndex] else {
        throw ModelImportError(.invalidGraph, "the subgraph output tensor #\(outputIndex) is not computed by a supported operator")
      }
      let network = try assembler.build()
      guard network.nodes[network.outputIndex].name == outputNode else {
        throw ModelImportError(.invalidGraph, "the network's last node is '\(network.nodes[network.outputIndex].name)', not the subgraph output '\(outputNode)'")
      }
      let provenance = ModelProvenance(format: .tflite, producer: model.description, formatVersion: Int(model.version),
                                       opsetVersion: nil, operatorCounts: counts, hasQuantizedWeights: quantizedWeights,
                                       inputLayout: assembler.shapes["input"].map { $0.height == 1 && $0.width == 1 ? "vector" : "NHWC" } ?? "NHWC")
      return ImportedModel(network: network, preprocessing: preprocessing, inputQuantization: inputQuantization,
                           provenance: provenance, nodeOrigins: assembler.origins, absorbedOperators: assembler.absorbed)
    }

    mutating func map(_ op: Int) throws {
      let o = graph.operators[op]
      guard o.opcodeIndex >= 0, o.opcodeIndex < model.operatorCodes.count else {
        throw ModelImportError(.malformed, "operator #\(op) has opcode index \(o.opcodeIndex) but the model has \(model.operatorCodes.count) operator codes",
                               byteOffset: o.byteOffset)
      }
      let code = model.operatorCodes[o.opcodeIndex]
      counts[code.name, default: 0] += 1
      guard code.customCode == nil, let builtin = TFLiteBuiltinOperator(rawValue: code.builtinCode),
            Self.supported.contains(builtin) else {
        throw error(op, "operator \(code.name) is not supported; supported: \(SupportedOperators.tflite.joined(separator: ", "))")
      }
      guard o.outputs.count == 1, o.outputs[0] >= 0, o.outputs[0] < graph.tensors.count else {
        throw error(op, "has \(o.outputs.count) outputs; one valid output tensor is expected", .malformed)
      }
      guard !o.inputs.isEmpty, o.inputs.allSatisfy({ $0 >= -1 && $0 < graph.tensors.count }) else {
        throw error(op, "has invalid input tensor indices \(o.inputs) (the subgraph has \(graph.tensors.count) tensors)", .malformed)
      }
      func needInputs(_ n: Int) throws {
        guard o.inputs.count >= n, o.inputs[..<n].allSatisfy({ $0 >= 0 }) else {
          throw error(op, "needs \(n) inputs, has \(o.inputs)", .malformed)
        }
      }
      let out = o.outputs[0]
      let name = nodeName(op, "\(builtin)")
      switch builtin {
      case .conv2D:
        try needInputs(2)
        guard case let .conv2D(padding, strideWidth, strideHeight, activation, dilationWidth, dilationHeight) = o.options else {
          throw error(op, "has no Conv2DOptions", .malformed)
        }
        try positive([("stride_w", strideWidth), ("stride_h", strideHeight), ("dilation_w", dilationWidth), ("dilation_h", dilationHeight)], op)
        let filter = try floatConstant(o.inputs[1], of: op)
        guard filter.shape.count == 4 else { throw error(op, "filter has shape \(filter.shape); [O, KH, KW, I] expected", .invalidGraph) }
        let (outputChannels, kernelHeight, kernelWidth, inputChannelsPerGroup) = (filter.shape[0], filter.shape[1], filter.shape[2], filter.shape[3])
        let (input, inputShape, irPadding, note) = try convolutionInput(o.inputs[0], op, padding: padding,
          kernel: (kernelHeight, kernelWidth), stride: (strideHeight, strideWidth), dilation: (dilationHeight, dilationWidth))
        guard inputChannelsPerGroup >= 1, inputShape.channels % inputChannelsPerGroup == 0 else {
          throw error(op, "filter has \(inputChannelsPerGroup) input channels, which does not divide the input's \(inputShape.channels)", .invalidGraph)
        }
        let attributes = Conv2DAttributes(outputChannels: outputChannels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
          strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight, dilationWidth: dilationWidth,
          padding: irPadding, groups: inputShape.channels / inputChannelsPerGroup)
        let parameters = [ParameterTensor(role: .weight, shape: filter.shape, values: filter.values)]
          + (try optionalBias(o, op, count: outputChannels))
        let node = try assembler.append(Node(name: name, operation: .conv2D(attributes), inputs: [input], parameters: parameters),
                                        origin: origin(op, note: note))
        let (final, shape) = try fuse(activation, after: node, op: op)
        values[out] = .activation(node: final, shape: shape)

      case .depthwiseConv2D:
        try needInputs(2)
        guard case let .depthwiseConv2D(padding, strideWidth, strideHeight, _, activation, dilationWidth, dilationHeight) = o.options else {
          throw error(op, "has no DepthwiseConv2DOptions", .malformed)
        }
        try positive([("stride_w", strideWidth), ("stride_h", strideHeight), ("dilation_w", dilationWidth), ("dilation_h", dilationHeight)], op)
        let filter = try floatConstant(o.inputs[1], of: op)
        guard filter.shape.count == 4, filter.shape[0] == 1 else {
          throw error(op, "filter has shape \(filter.shape); [1, KH, KW, C] expected", .invalidGraph)
        }
        let (kernelHeight, kernelWidth, channels) = (filter.shape[1], filter.shape[2], filter.shape[3])
        let (input, inputShape, irPadding, note) = try convolutionInput(o.inputs[0], op, padding: padding,
          kernel: (kernelHeight, kernelWidth), stride: (strideHeight, strideWidth), dilation: (dilationHeight, dilationWidth))
        guard channels == inputShape.channels else {
          throw error(op, "depth multiplier \(channels / max(inputShape.channels, 1)) (filter \(filter.shape) on \(inputShape.channels) channels); only multiplier 1 is supported")
        }
        // [1][KH][KW][C] -> [C][KH][KW][1]
        let taps = kernelHeight * kernelWidth
        var weights = [Float](repeating: 0, count: filter.values.count)
        for c in 0..<channels { for t in 0..<taps { weights[c * taps + t] = filter.values[t * channels + c] } }
        let attributes = Conv2DAttributes(outputChannels: channels, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
          strideHeight: strideHeight, strideWidth: strideWidth, dilationHeight: dilationHeight, dilationWidth: dilationWidth,
          padding: irPadding, groups: channels)
        let parameters = [ParameterTensor(role: .weight, shape: [channels, kernelHeight, kernelWidth, 1], values: weights)]
          + (try optionalBias(o, op, count: channels))
        let node = try assembler.append(Node(name: name, operation: .conv2D(attributes), inputs: [input], parameters: parameters),
                                        origin: origin(op, note: note))
        let (final, shape) = try fuse(activation, after: node, op: op)
        values[out] = .activation(node: final, shape: shape)

      case .fullyConnected:
        try needInputs(2)
        guard case let .fullyConnected(activation, weightsFormat, keepNumDims) = o.options else {
          throw error(op, "has no FullyConnectedOptions", .malformed)
        }
        guard weightsFormat == 0 else { throw error(op, "weights format \(weightsFormat) (shuffled) is not supported") }
        var (input, inputShape) = try activationValue(o.inputs[0], of: op)
        let weights = try floatConstant(o.inputs[1], of: op)
        guard weights.shape.count == 2, weights.shape[1] == inputShape.elementCount else {
          throw error(op, "weights of shape \(weights.shape) do not match the \(inputShape) input ([outputs, \(inputShape.elementCount)] expected)", .invalidGraph)
        }
        if inputShape.height != 1 || inputShape.width != 1 {
          guard !keepNumDims else { throw error(op, "keep_num_dims on a \(inputShape) input is not supported") }
          // TFLite flattens the NHWC input row-major, which is the IR's HWC order.
          (input, inputShape) = try assembler.append(Node(name: assembler.uniqueName("\(name).flatten"), operation: .flatten, inputs: [input]),
                                                     origin: origin(op, note: "implicit flatten of the FULLY_CONNECTED input"))
        }
        let outputs = weights.shape[0]
        let parameters = [ParameterTensor(role: .weight, shape: weights.shape, values: weights.values)]
          + (try optionalBias(o, op, count: outputs))
        let node = try assembler.append(Node(name: name, operation: .dense(DenseAttributes(outputFeatures: outputs)),
                                             inputs: [input], parameters: parameters), origin: origin(op))
        let (final, shape) = try fuse(activation, after: node, op: op)
        values[out] = .activation(node: final, shape: shape)

      case .averagePool2D, .maxPool2D:
        guard case let .pool2D(padding, strideWidth, strideHeight, filterWidth, filterHeight, activation) = o.options else {
          throw error(op, "has no Pool2DOptions", .malformed)
        }
        try positive([("stride_w", strideWidth), ("stride_h", strideHeight), ("filter_width", filterWidth), ("filter_height", filterHeight)], op)
        let (input, _) = try activationValue(o.inputs[0], of: op)
        let attributes = PoolAttributes(kernelHeight: filterHeight, kernelWidth: filterWidth, strideHeight: strideHeight,
                                        strideWidth: strideWidth, padding: padding == .same ? .same : .valid)
        let node = try assembler.append(Node(name: name, operation: builtin == .maxPool2D ? .maxPool(attributes) : .avgPool(attributes),
                                             inputs: [input]), origin: origin(op))
        let (final, shape) = try fuse(activation, after: node, op: op)
        values[out] = .activation(node: final, shape: shape)

      case .add:
        try needInputs(2)
        guard case let .add(activation) = o.options else { throw error(op, "has no AddOptions", .malformed) }
        let (a, aShape) = try activationValue(o.inputs[0], of: op)
        let (b, bShape) = try activationValue(o.inputs[1], of: op)
        guard aShape == bShape else { throw error(op, "adds \(aShape) and \(bShape); broadcasting is not supported") }
        let node = try assembler.append(Node(name: name, operation: .add, inputs: [a, b]), origin: origin(op))
        let (final, shape) = try fuse(activation, after: node, op: op)
        values[out] = .activation(node: final, shape: shape)

      case .mean:
        try needInputs(2)
        let (input, inputShape) = try activationValue(o.inputs[0], of: op)
        let axes = Set(try integerConstant(o.inputs[1], of: op).map { $0 < 0 ? $0 + 4 : $0 })
        guard axes == [1, 2] else { throw error(op, "MEAN over axes \(axes.sorted()); only the mean over H and W (axes 1, 2) is supported") }
        guard inputShape.height * inputShape.width > 0 else { throw error(op, "empty input", .invalidGraph) }
        let node = try assembler.append(Node(name: name, operation: .globalAvgPool, inputs: [input]), origin: origin(op, note: "MEAN over H,W"))
        values[out] = .activation(node: node.0, shape: node.1)

      case .reshape, .squeeze:
        let (input, inputShape) = try activationValue(o.inputs[0], of: op)
        let outputDims = graph.tensors[out].shape
        guard let count = elementCount(outputDims), count == inputShape.elementCount else {
          throw error(op, "reshapes \(inputShape) to \(outputDims): element counts differ", .invalidGraph)
        }
        let isVector = outputDims.dropLast().allSatisfy { $0 == 1 }
        if inputShape.height == 1 && inputShape.width == 1 && isVector {
          assembler.absorbed.append(origin(op, note: "no node: the input is already a vector"))
          values[out] = .activation(node: input, shape: inputShape)
        } else if isVector {
          let node = try assembler.append(Node(name: name, operation: .flatten, inputs: [input]), origin: origin(op, note: "reshape to a vector"))
          values[out] = .activation(node: node.0, shape: node.1)
        } else if let shape = try? Self.activationShape(outputDims, what: ""), shape == inputShape {
          assembler.absorbed.append(origin(op, note: "no node: the shape does not change"))
          values[out] = .activation(node: input, shape: inputShape)
        } else {
          throw error(op, "\(builtin) from \(inputShape) to \(outputDims); only reshapes to a vector are supported")
        }

      case .softmax:
        guard case let .softmax(beta) = o.options else { throw error(op, "has no SoftmaxOptions", .malformed) }
        guard beta == 1 else { throw error(op, "softmax beta \(beta); only beta 1 is supported") }
        let (input, inputShape) = try activationValue(o.inputs[0], of: op)
        guard inputShape.height == 1, inputShape.width == 1 else { throw error(op, "softmax over a \(inputShape) tensor; a vector is expected") }
        let node = try assembler.append(Node(name: name, operation: .softmax, inputs: [input]), origin: origin(op))
        values[out] = .activation(node: node.0, shape: node.1)

      case .relu, .relu6:
        let (input, _) = try activationValue(o.inputs[0], of: op)
        let node = try assembler.append(Node(name: name, operation: builtin == .relu ? .relu : .relu6, inputs: [input]), origin: origin(op))
        values[out] = .activation(node: node.0, shape: node.1)

      case .pad:
        try needInputs(2)
        let (input, inputShape) = try activationValue(o.inputs[0], of: op)
        let p = try integerConstant(o.inputs[1], of: op)
        guard p.count == 8, p[0] == 0, p[1] == 0, p[6] == 0, p[7] == 0, p[2...5].allSatisfy({ $0 >= 0 }) else {
          throw error(op, "paddings \(p); only non-negative padding of H and W of an NHWC tensor can be folded")
        }
        guard inputShape.height > 1 || inputShape.width > 1 || (p[2...5].allSatisfy { $0 == 0 }) else {
          throw error(op, "PAD of a vector")
        }
        assembler.absorbed.append(origin(op, note: "folded into the convolution that reads it"))
        values[out] = .padded(node: input, shape: inputShape, top: p[2], bottom: p[3], left: p[4], right: p[5], padOperator: op)

      case .quantize:
        let (input, inputShape) = try activationValue(o.inputs[0], of: op)
        if input == "input", inputQuantization == nil, let q = graph.tensors[out].quantization, q.scales.count == 1 {
          inputQuantization = InputQuantization(scale: q.scales[0], zeroPoint: Int(q.zeroPoints.first ?? 0),
                                                isSigned: graph.tensors[out].type == .int8)
        }
        assembler.absorbed.append(origin(op, note: "no node: the network computes in float"))
        values[out] = .activation(node: input, shape: inputShape)

      case .dequantize:
        if case .activation(let input, let inputShape)? = values[o.inputs[0]] {
          assembler.absorbed.append(origin(op, note: "no node: the network computes in float"))
          values[out] = .activation(node: input, shape: inputShape)
        } else {
          let constant = try floatConstant(o.inputs[0], of: op)
          assembler.absorbed.append(origin(op, note: "constant dequantized on import"))
          values[out] = .constant(shape: constant.shape, values: constant.values)
        }

      default:
        throw error(op, "operator \(code.name) is not supported; supported: \(SupportedOperators.tflite.joined(separator: ", "))")
      }
    }

    static let supported: Set<TFLiteBuiltinOperator> = [.add, .averagePool2D, .conv2D, .depthwiseConv2D, .dequantize,
      .fullyConnected, .maxPool2D, .mean, .pad, .quantize, .relu, .relu6, .reshape, .softmax, .squeeze]
  }
}
