import PlatformSupport

/// The float reference path, prepared once: geometry resolved and weights laid out for the kernels.
///
/// `FloatPlan` is the accuracy reference for the integer engine and the "float" line of the benchmarks. It runs a
/// validated network whose BatchNorms are folded (see `Network.foldingBatchNorm()`); `init` folds them itself.
/// Arithmetic is Float32 with products accumulated in Float32 in a fixed order, so results are deterministic.
public struct FloatPlan: Sendable {
  /// The folded network this plan runs.
  public let network: Network
  @usableFromInline let steps: [Step]

  @usableFromInline enum Step: Sendable {
    case input
    /// weightsKxO: per group, [fanIn][outputChannelsPerGroup rounded up to 16] (the GEMM's B layout).
    case conv(ConvGeometry, weightsKxO: [Float], bias: [Float], depthwiseKxC: [Float])
    case dense(inputs: Int, outputs: Int, weightsIxO: [Float], bias: [Float])
    case relu, relu6
    case maxPool(ConvGeometry), avgPool(ConvGeometry)
    case globalAvgPool
    case add
    case copy
    case softmax
  }

  /// Prepares `network` (folding BatchNorm first).
  public init(network unfolded: Network) throws {
    let network = try unfolded.foldingBatchNorm()
    self.network = network
    var steps: [Step] = []
    for (i, node) in network.nodes.enumerated() {
      let ins = network.inputIndices[i].map { network.shapes[$0] }
      switch node.operation {
      case .input: steps.append(.input)
      case .conv2D(let a):
        let g = try ConvGeometry(conv: a, node: node, input: ins[0], output: network.shapes[i])
        let w = node.parameter(.weight)!.values
        let bias = node.parameter(.bias)?.values ?? Array(repeating: 0, count: a.outputChannels)
        if g.isDepthwise {
          // [C][kh][kw][1] -> [kh*kw][C]
          let taps = g.kernelHeight * g.kernelWidth, c = g.output.channels
          var d = Array(repeating: Float(0), count: taps * c)
          for ch in 0..<c { for t in 0..<taps { d[t * c + ch] = w[ch * taps + t] } }
          steps.append(.conv(g, weightsKxO: [], bias: bias, depthwiseKxC: d))
        } else {
          let k = g.fanIn, og = g.outputChannelsPerGroup, stride = (og + 15) / 16 * 16
          var t = Array(repeating: Float(0), count: g.groups * k * stride)
          for grp in 0..<g.groups { for o in 0..<og { for j in 0..<k {
            t[(grp * k + j) * stride + o] = w[(grp * og + o) * k + j]
          } } }
          steps.append(.conv(g, weightsKxO: t, bias: bias, depthwiseKxC: []))
        }
      case .dense(let a):
        let n = ins[0].channels, m = a.outputFeatures
        let w = node.parameter(.weight)!.values
        var t = Array(repeating: Float(0), count: n * m)
        for o in 0..<m { for j in 0..<n { t[j * m + o] = w[o * n + j] } }
        steps.append(.dense(inputs: n, outputs: m, weightsIxO: t,
                            bias: node.parameter(.bias)?.values ?? Array(repeating: 0, count: m)))
      case .batchNorm: preconditionFailure("folded above")
      case .relu: steps.append(.relu)
      case .relu6: steps.append(.relu6)
      case .maxPool(let p): steps.append(.maxPool(try ConvGeometry(pool: p, node: node, input: ins[0], output: network.shapes[i])))
      case .avgPool(let p): steps.append(.avgPool(try ConvGeometry(pool: p, node: node, input: ins[0], output: network.shapes[i])))
      case .globalAvgPool: steps.append(.globalAvgPool)
      case .add: steps.append(.add)
      case .flatten: steps.append(.copy)
      case .softmax: steps.append(.softmax)
      }
    }
    self.steps = steps
  }

  /// Scratch memory for one thread's inferences with this plan: one buffer per node output plus an im2col buffer.
  /// After `run`, `outputs[i]` holds node i's output (used for calibration).
  public final class Workspace {
    /// Output of every node of the last run, in the plan's node order (HWC).
    public internal(set) var outputs: [[Float]]
    @usableFromInline var columns: [Float]
    @usableFromInline var accumulator: [Float]
    init(plan: FloatPlan) {
      outputs = plan.network.shapes.map { Array(repeating: 0, count: $0.elementCount) }
      var maxColumns = 0, maxAcc = 0
      for s in plan.steps {
        if case let .conv(g, _, _, d) = s, d.isEmpty {
          let rows = g.supportsImplicitGEMM ? g.gridRows : g.paddedOutputPixels
          maxColumns = max(maxColumns, g.supportsImplicitGEMM ? g.gridElementCount : rows * g.fanIn)
          maxAcc = max(maxAcc, rows * ((g.outputChannelsPerGroup + 15) / 16 * 16))
        }
        if case let .dense(_, m, _, _) = s { maxAcc = max(maxAcc, m) }
      }
      columns = Array(repeating: 0, count: maxColumns)
      accumulator = Array(repeating: 0, count: max(maxAcc, 1))
    }
  }

  /// A new workspace for this plan (not thread-safe; use one per thread).
  public func makeWorkspace() -> Workspace { Workspace(plan: self) }

  /// Runs one preprocessed input (HWC, `network.inputShape.elementCount` floats) and returns the output node's
  /// values (probabilities when the output is a Softmax).
  public func run(_ input: [Float], workspace: Workspace) -> [Float] {
    precondition(input.count == network.inputShape.elementCount, "input has \(input.count) values, expected \(network.inputShape.elementCount)")
    workspace.outputs[0] = input
    for i in 1..<steps.count { execute(i, workspace) }
    return workspace.outputs[network.outputIndex]
  }

  /// Convenience: runs with a fresh workspace.
  public func run(_ input: [Float]) -> [Float] { run(input, workspace: makeWorkspace()) }

  private func execute(_ i: Int, _ ws: Workspace) {
    let inputs = network.inputIndices[i]
    var out = ws.outputs[i]
    ws.outputs[i] = []  // avoid copy-on-write while we fill it
    defer { ws.outputs[i] = out }
    let x = ws.outputs[inputs.first ?? 0]
    switch steps[i] {
    case .input: break
    case let .conv(g, wt, bias, dw):
      if !dw.isEmpty { FloatKernels.depthwise(x, g, dw, bias, &out) }
      else { FloatKernels.conv(x, g, wt, bias, &out, columns: &ws.columns, accumulator: &ws.accumulator) }
    case let .dense(n, m, wt, bias):
      FloatKernels.dense(x, n, m, wt, bias, &out)
    case .relu:
      x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { o in for j in 0..<o.count { o[j] = xp[j] > 0 ? xp[j] : 0 } }
      }
    case .relu6:
      x.withUnsafeBufferPointer { xp in
        out.withUnsafeMutableBufferPointer { o in
          for j in 0..<o.count { let v: Float = xp[j] > 0 ? xp[j] : 0; o[j] = v < 6 ? v : 6 }
        }
      }
    case .maxPool(let g): FloatKernels.pool(x, g, max: true, &out)
    case .avgPool(let g): FloatKernels.pool(x, g, max: false, &out)
    case .globalAvgPool:
      let s = network.shapes[inputs[0]]
      let c = s.channels, n = s.height * s.width
      for ch in 0..<c {
        var sum: Float = 0
        for p in 0..<n { sum += x[p * c + ch] }
        out[ch] = sum / Float(n)
      }
    case .add:
      let y = ws.outputs[inputs[1]]
      x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
          out.withUnsafeMutableBufferPointer { o in for j in 0..<o.count { o[j] = xp[j] + yp[j] } }
        }
      }
    case .copy: out = x
    case .softmax:
      let m = x.max() ?? 0
      var sum: Float = 0
      for j in out.indices { out[j] = LibM.exp(x[j] - m); sum += out[j] }
      for j in out.indices { out[j] /= sum }
    }
  }
}

/// The float reference kernels (HWC). Products accumulate in Float32 in a fixed order.
@usableFromInline enum FloatKernels {
  static func conv(_ x: [Float], _ g: ConvGeometry, _ wt: [Float], _ bias: [Float], _ out: inout [Float],
                   columns: inout [Float], accumulator: inout [Float]) {
    let k = g.fanIn, og = g.outputChannelsPerGroup, oc = g.output.channels
    let stride = (og + 15) / 16 * 16
    let implicit = g.supportsImplicitGEMM
    let rows = implicit ? g.gridRows : g.paddedOutputPixels
    let rowWidth = implicit ? g.gridWidth : g.output.width
    let offsets = implicit ? g.gridTapOffsets : []
    x.withUnsafeBufferPointer { xp in
      columns.withUnsafeMutableBufferPointer { cp in
        accumulator.withUnsafeMutableBufferPointer { ap in
          out.withUnsafeMutableBufferPointer { op in
            wt.withUnsafeBufferPointer { wp in
              for grp in 0..<g.groups {
                if implicit {
                  g.fillGrid(xp.baseAddress!, into: cp.baseAddress!) { $0 }
                  offsets.withUnsafeBufferPointer { o in
                    GEMMKernel.run(a: UnsafePointer(cp.baseAddress!), rows: rows, rowStride: g.input.channels,
                                   segmentOffsets: o.baseAddress!, segmentCount: o.count,
                                   segmentLength: g.input.channels, b: wp.baseAddress!, columnStride: stride,
                                   c: ap.baseAddress!)
                  }
                } else {
                  g.im2col(xp.baseAddress!, group: grp, into: cp.baseAddress!)
                  GEMMKernel.run(a: UnsafePointer(cp.baseAddress!), rows: rows, depth: k,
                                 b: wp.baseAddress! + grp * k * stride, columnStride: stride, c: ap.baseAddress!)
                }
                for oy in 0..<g.output.height {
                  for ox in 0..<g.output.width {
                    let src = ap.baseAddress! + (oy * rowWidth + ox) * stride
                    let dst = op.baseAddress! + (oy * g.output.width + ox) * oc + grp * og
                    for o in 0..<og { dst[o] = src[o] + bias[grp * og + o] }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  static func depthwise(_ x: [Float], _ g: ConvGeometry, _ w: [Float], _ bias: [Float], _ out: inout [Float]) {
    let c = g.output.channels, inW = g.input.width, inH = g.input.height
    x.withUnsafeBufferPointer { xp in
      w.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
          for oy in 0..<g.output.height {
            for ox in 0..<g.output.width {
              let dst = op.baseAddress! + (oy * g.output.width + ox) * c
              for ch in 0..<c { dst[ch] = bias[ch] }
              for ky in 0..<g.kernelHeight {
                let iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight
                if iy < 0 || iy >= inH { continue }
                for kx in 0..<g.kernelWidth {
                  let ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth
                  if ix < 0 || ix >= inW { continue }
                  let src = xp.baseAddress! + (iy * inW + ix) * c
                  let wr = wp.baseAddress! + (ky * g.kernelWidth + kx) * c
                  for ch in 0..<c { dst[ch] += src[ch] * wr[ch] }
                }
              }
            }
          }
        }
      }
    }
  }

  static func dense(_ x: [Float], _ n: Int, _ m: Int, _ wt: [Float], _ bias: [Float], _ out: inout [Float]) {
    for o in 0..<m { out[o] = bias[o] }
    wt.withUnsafeBufferPointer { wp in
      out.withUnsafeMutableBufferPointer { op in
        for j in 0..<n {
          let a = x[j]
          let wr = wp.baseAddress! + j * m
          for o in 0..<m { op[o] += a * wr[o] }
        }
      }
    }
  }

  static func pool(_ x: [Float], _ g: ConvGeometry, max isMax: Bool, _ out: inout [Float]) {
    let c = g.output.channels
    for oy in 0..<g.output.height {
      for ox in 0..<g.output.width {
        for ch in 0..<c {
          var acc: Float = isMax ? -.infinity : 0
          var count = 0
          for ky in 0..<g.kernelHeight {
            let iy = oy * g.strideHeight - g.padTop + ky
            if iy < 0 || iy >= g.input.height { continue }
            for kx in 0..<g.kernelWidth {
              let ix = ox * g.strideWidth - g.padLeft + kx
              if ix < 0 || ix >= g.input.width { continue }
              let v = x[(iy * g.input.width + ix) * c + ch]
              if isMax { acc = max(acc, v) } else { acc += v }
              count += 1
            }
          }
          out[(oy * g.output.width + ox) * c + ch] = isMax ? acc : acc / Float(count)
        }
      }
    }
  }
}
