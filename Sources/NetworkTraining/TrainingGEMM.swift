import CKernels

/// The two GEMMs of float training. The loops are C (`CKernels`, TrainingGEMM.c), compiled for several instruction
/// sets and chosen at run time; every variant runs fused multiply-adds in the same order, so results are
/// deterministic and identical on every level.
enum TrainingGEMM {
  /// The transposed-A GEMM of the weight gradients: `C += Aᵀ x B`, accumulating in place.
  ///
  /// - `A` is `[depth][aStride]`; its columns `0..<rows` are the rows of `Aᵀ` (`rows` a multiple of 4; the columns
  ///   `rows - 4 ..< rows` are read even past a shorter logical width, so callers keep 3 readable floats of slack).
  /// - `B` is `[depth][columnStride]`, `columnStride` a multiple of 16.
  /// - `C` is `[rows][columnStride]`, read and written.
  ///
  /// Register tiles: 4 rows x 32 columns when `columnStride` is a multiple of 32, else 8 rows x 16 columns (k
  /// ascending) while 8 rows remain and 4 rows x 16 columns with even and odd `k` accumulated separately for the
  /// last 4. With `A` = im2col rows `[pixels][fanIn]` and `B` = the output gradient `[pixels][outputChannels]`,
  /// this forms `dW` in `[fanIn][outputChannels]` layout without transposing anything.
  static func accumulateTransposed(a: UnsafePointer<Float>, aStride: Int, rows: Int, depth: Int,
                                   b: UnsafePointer<Float>, columnStride: Int, c: UnsafeMutablePointer<Float>) {
    precondition(rows % 4 == 0 && columnStride % 16 == 0, "rows must be a multiple of 4 and columnStride of 16")
    precsearch_training_accumulate_transposed(a, Int64(aStride), Int64(rows), Int64(depth), b, Int64(columnStride), c)
  }

  /// Implicit-GEMM product over overlapping rows: `C[r][.] = sum over s of A_s[r] x B_s`, overwriting `C`.
  ///
  /// Row `r` of `A_s` starts at `a + r * aStride + s * segmentOffset` and has `segmentDepth` values; `B_s` is
  /// `b + s * segmentDepth * columnStride`, `[segmentDepth][columnStride]`. With `a` a zero-padded HWC image,
  /// `aStride` its channel count, `segmentOffset` one padded image row and `segmentDepth = kernelWidth * channels`,
  /// this is a stride-1 convolution without im2col (rows `r` index the padded-width output grid; the columns
  /// past the output width are junk and ignored by the caller). `rows` a multiple of 4, `columnStride` of 16.
  /// Summation order is fixed (segments ascending, k ascending; the tiles as in `accumulateTransposed`).
  static func multiplySegmented(a: UnsafePointer<Float>, aStride: Int, rows: Int, segments: Int, segmentOffset: Int,
                                segmentDepth: Int, b: UnsafePointer<Float>, columnStride: Int,
                                c: UnsafeMutablePointer<Float>) {
    precondition(rows % 4 == 0 && columnStride % 16 == 0, "rows must be a multiple of 4 and columnStride of 16")
    precsearch_training_multiply_segmented(a, Int64(aStride), Int64(rows), Int64(segments), Int64(segmentOffset),
                                           Int64(segmentDepth), b, Int64(columnStride), c)
  }
}
