/// Fast integer kernels for Conv2D / Dense, bit-exact with `ReferenceKernels`.
///
/// - The input is derived to the layer's activation precision (when stored higher) and converted to the
///   accumulator's scalar in one pass.
/// - Ordinary and grouped convolutions and Dense: im2col (or an implicit GEMM over a padded grid), then
///   `GEMMKernel` with the exact accumulator chosen by `AccumulatorKind.choose`; 8-bit layers through the 8-bit dot
///   products (AVX-512 VNNI, or AVX2 `vpmaddubsw` pairs where the operand bounds allow), and from the AVX2 level up the
///   Int32 and Int64 kinds through the Int16 pair GEMM (`Int16PairLayout`).
/// - Depthwise convolutions: a zero-padded copy of the input and register blocks of 16 channels in exact Float or
///   Double lanes (see `DepthwiseLanes`), or direct Int64 loops where the lanes would not be exact.
@usableFromInline enum OptimizedKernels {
  static func weighted(_ x: [Int16], _ k: WeightedLayerKernel, _ out: inout [Int16], _ ws: IntegerPlan.Workspace) {
    if k.geometry.isDepthwise {
      switch k.depthwiseLanes {
      case let .float(weights, bias, r): depthwise(x, k, weights: weights, bias: bias, requantization: r, &out, ws)
      case let .double(weights, bias, r): depthwise(x, k, weights: weights, bias: bias, requantization: r, &out, ws)
      case .integer: depthwiseInteger(x, k, &out)
      }
      return
    }
    switch k.gemmWeights {
    case .float(let w): gemmConv(x, k, w, &out, ws)
    case .int32(let w): gemmConv(x, k, w, &out, ws)
    case .int64(let w): gemmConv(x, k, w, &out, ws)
    case .double(let w): gemmConv(x, k, w, &out, ws)
    case let .int8(w, rowLength): int8Conv(x, k, w, rowLength, &out, ws)
    case let .int16Pairs(w, rowLength, layout): int16PairConv(x, k, w, rowLength, layout, &out, ws)
    case .none: preconditionFailure("non-depthwise kernel without GEMM weights")
    }
  }
}
