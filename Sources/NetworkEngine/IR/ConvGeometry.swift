/// Everything a convolution or pooling kernel needs about its window, resolved once at plan time
/// (the CMSIS-NN / TFLite `ConvParams` idea: parameters grouped in one named struct).
///
/// Layout conventions: activations HWC; conv weights `[outputChannels][kernelHeight][kernelWidth][inputChannelsPerGroup]`.
/// Output `(oy, ox)` reads input rows `oy * strideHeight - padTop + ky * dilationHeight` for `ky` in
/// `0..<kernelHeight` (likewise columns); positions outside the input are zero (conv) or ignored (pooling).
public struct ConvGeometry: Hashable, Sendable {
  /// Input shape.
  public var input: TensorShape
  /// Output shape.
  public var output: TensorShape
  /// Kernel rows.
  public var kernelHeight: Int
  /// Kernel columns.
  public var kernelWidth: Int
  /// Vertical stride.
  public var strideHeight: Int
  /// Horizontal stride.
  public var strideWidth: Int
  /// Vertical dilation.
  public var dilationHeight: Int
  /// Horizontal dilation.
  public var dilationWidth: Int
  /// Padding rows above the input.
  public var padTop: Int
  /// Padding columns left of the input.
  public var padLeft: Int
  /// Channel groups (1 for pooling).
  public var groups: Int

  /// Input channels per group.
  public var inputChannelsPerGroup: Int { input.channels / groups }
  /// Output channels per group.
  public var outputChannelsPerGroup: Int { output.channels / groups }
  /// Accumulation length of one output: kernelHeight x kernelWidth x inputChannelsPerGroup.
  public var fanIn: Int { kernelHeight * kernelWidth * inputChannelsPerGroup }
  /// Output pixels (rows x columns).
  public var outputPixels: Int { output.height * output.width }
  /// True for a depthwise convolution with channel multiplier 1.
  public var isDepthwise: Bool { groups == input.channels && groups == output.channels && groups > 1 }

  /// Geometry of a validated Conv2D node.
  public init(conv a: Conv2DAttributes, node: Node, input: TensorShape, output: TensorShape) throws {
    let (rows, cols) = try ShapeInference.windowGeometry(node: node, input: input, kernelHeight: a.kernelHeight,
      kernelWidth: a.kernelWidth, strideHeight: a.strideHeight, strideWidth: a.strideWidth,
      dilationHeight: a.dilationHeight, dilationWidth: a.dilationWidth, padding: a.padding)
    self.init(input: input, output: output, kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth,
              strideHeight: a.strideHeight, strideWidth: a.strideWidth, dilationHeight: a.dilationHeight,
              dilationWidth: a.dilationWidth, padTop: rows.padBefore, padLeft: cols.padBefore, groups: a.groups)
  }

  /// Geometry of a validated pooling node.
  public init(pool p: PoolAttributes, node: Node, input: TensorShape, output: TensorShape) throws {
    let (rows, cols) = try ShapeInference.windowGeometry(node: node, input: input, kernelHeight: p.kernelHeight,
      kernelWidth: p.kernelWidth, strideHeight: p.strideHeight, strideWidth: p.strideWidth, padding: p.padding)
    self.init(input: input, output: output, kernelHeight: p.kernelHeight, kernelWidth: p.kernelWidth,
              strideHeight: p.strideHeight, strideWidth: p.strideWidth, dilationHeight: 1, dilationWidth: 1,
              padTop: rows.padBefore, padLeft: cols.padBefore, groups: 1)
  }

  /// Memberwise initializer.
  public init(input: TensorShape, output: TensorShape, kernelHeight: Int, kernelWidth: Int, strideHeight: Int,
              strideWidth: Int, dilationHeight: Int, dilationWidth: Int, padTop: Int, padLeft: Int, groups: Int) {
    self.input = input
    self.output = output
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.strideHeight = strideHeight
    self.strideWidth = strideWidth
    self.dilationHeight = dilationHeight
    self.dilationWidth = dilationWidth
    self.padTop = padTop
    self.padLeft = padLeft
    self.groups = groups
  }

  /// Copies the receptive fields of group `group` into `columns`: row `p` (output pixel `oy * outW + ox`) holds
  /// `fanIn` values ordered (ky, kx, channel), then zeros up to `rowStride`. Padded positions are zero.
  @inlinable
  public func im2col<T: Numeric>(_ source: UnsafePointer<T>, group: Int, into columns: UnsafeMutablePointer<T>,
                                 rowStride: Int) {
    let cin = inputChannelsPerGroup
    let channelOffset = group * cin
    var p = 0
    for oy in 0..<output.height {
      for ox in 0..<output.width {
        let row = columns + p * rowStride
        var k = 0
        for ky in 0..<kernelHeight {
          let iy = oy * strideHeight - padTop + ky * dilationHeight
          for kx in 0..<kernelWidth {
            let ix = ox * strideWidth - padLeft + kx * dilationWidth
            if iy >= 0, iy < input.height, ix >= 0, ix < input.width {
              let from = source + ((iy * input.width + ix) * input.channels + channelOffset)
              (row + k).update(from: from, count: cin)
            } else {
              (row + k).update(repeating: 0, count: cin)
            }
            k += cin
          }
        }
        if rowStride > k { (row + k).update(repeating: 0, count: rowStride - k) }
        p += 1
      }
    }
  }

  /// Output pixels rounded up to a multiple of 4 (the GEMM row tile).
  public var paddedOutputPixels: Int { (outputPixels + 3) / 4 * 4 }

  /// im2col: row `p` (output pixel `oy * outW + ox`) of group `group` gets the `fanIn` values of its receptive field
  /// ordered (ky, kx, channel), then `paddingValue` up to `rowLength` (default `fanIn`); padded positions hold
  /// `paddingValue` (the code of zero), and rows `outputPixels..<paddedOutputPixels` are all `paddingValue`.
  /// Channel runs that are a multiple of 16 long are copied 16 lanes at a time.
  @inlinable
  public func im2col<U: SIMDScalar & Numeric>(_ source: UnsafePointer<U>, group: Int, into rows: UnsafeMutablePointer<U>,
                                              rowLength: Int? = nil, paddingValue: U = 0) {
    let cin = inputChannelsPerGroup
    let depth = rowLength ?? fanIn
    let tail = depth - fanIn
    let channelOffset = group &* cin
    let vectorized = cin % 16 == 0
    // Local copies of the geometry keep the loop variables in registers.
    let outH = output.height, outW = output.width, inH = input.height, inW = input.width, inC = input.channels
    let kh = kernelHeight, kw = kernelWidth, sh = strideHeight, sw = strideWidth
    let dh = dilationHeight, dw = dilationWidth, pt = padTop, pl = padLeft
    var dst = rows
    // Index arithmetic uses &* and &+: every index is below Network.maximumElementCount (2^28) by validation.
    for oy in 0..<outH {
      for ox in 0..<outW {
        for ky in 0..<kh {
          let iy = oy &* sh &- pt &+ ky &* dh
          let rowInside = iy >= 0 && iy < inH
          for kx in 0..<kw {
            let ix = ox &* sw &- pl &+ kx &* dw
            if rowInside, ix >= 0, ix < inW {
              let from = source + ((iy &* inW &+ ix) &* inC &+ channelOffset)
              if vectorized {
                var c = 0
                while c < cin {
                  UnsafeMutableRawPointer(dst + c).storeBytes(
                    of: UnsafeRawPointer(from + c).loadUnaligned(as: SIMD16<U>.self), as: SIMD16<U>.self)
                  c &+= 16
                }
              } else {
                for c in 0..<cin { dst[c] = from[c] }
              }
            } else {
              for c in 0..<cin { dst[c] = paddingValue }
            }
            dst += cin
          }
        }
        for j in 0..<tail { dst[j] = paddingValue }
        dst += tail
      }
    }
    let padding = (paddedOutputPixels - outputPixels) * depth
    for j in 0..<padding { dst[j] = paddingValue }
  }

  /// True when the convolution can run as an implicit GEMM over a zero-padded copy of its input (stride 1, one
  /// group): output pixel (oy, ox) and tap (ky, kx) read padded pixel (oy + ky * dh, ox + kx * dw).
  public var supportsImplicitGEMM: Bool { strideHeight == 1 && strideWidth == 1 && groups == 1 }
  /// Width of the padded input grid: output width + (kernelWidth - 1) * dilationWidth.
  public var gridWidth: Int { output.width + (kernelWidth - 1) * dilationWidth }
  /// Height of the padded input grid.
  public var gridHeight: Int { output.height + (kernelHeight - 1) * dilationHeight }
  /// GEMM rows of the implicit form: one per grid position of the output rows (`output.height * gridWidth`; the
  /// `gridWidth - output.width` extra columns are computed and ignored), rounded up to a multiple of 4.
  public var gridRows: Int { (output.height * gridWidth + 3) / 4 * 4 }
  /// Elements of the padded grid buffer, including the zero tail the last GEMM rows read.
  public var gridElementCount: Int {
    (gridHeight * gridWidth + 4 + (kernelWidth - 1) * dilationWidth) * input.channels
  }
  /// Element offset of each kernel tap (ky, kx) in the padded grid, in (ky, kx) order.
  public var gridTapOffsets: [Int] {
    var offsets: [Int] = []
    for ky in 0..<kernelHeight {
      for kx in 0..<kernelWidth { offsets.append((ky * dilationHeight * gridWidth + kx * dilationWidth) * input.channels) }
    }
    return offsets
  }

  /// Writes the zero-padded input grid (and its zero tail) converting every value with `convert`.
  @inlinable
  public func fillGrid<T, U: Numeric>(_ source: UnsafePointer<T>, into grid: UnsafeMutablePointer<U>,
                                      convert: (T) -> U) {
    let c = input.channels, gw = gridWidth, inH = input.height, inW = input.width
    let total = gridElementCount
    for j in 0..<total { grid[j] = 0 }
    for y in 0..<inH {
      let gy = y &+ padTop
      if gy >= gridHeight { break }
      for x in 0..<inW {
        let gx = x &+ padLeft
        if gx >= gw { break }
        let from = source + (y &* inW &+ x) &* c
        let to = grid + (gy &* gw &+ gx) &* c
        for ch in 0..<c { to[ch] = convert(from[ch]) }
      }
    }
  }
}

