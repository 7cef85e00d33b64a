// CKernels: the inner loops of precsearch's optimized kernels, in C so that each can be compiled for several
// instruction sets and chosen at run time by the CPU running the process (no compile flags: a package that depends
// on precsearch builds them for any x86-64 or ARM64 CPU). Called only from NetworkEngine and NetworkTraining; every
// variant is bit-exact with the Swift reference kernels (see docs/arithmetic.md and docs/architecture.md).
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stdint.h>

/// Instruction-set levels of the kernels: portable C (any CPU), AVX2 with FMA, AVX-512 (F, BW, DQ, VL).
#define PRECSEARCH_ISA_PORTABLE 0
#define PRECSEARCH_ISA_AVX2 1
#define PRECSEARCH_ISA_AVX512 2

/// The highest level this CPU (and operating system) supports, detected once.
int precsearch_cpu_isa_level(void);

/// The level the kernels run at: the CPU's level, capped by precsearch_set_kernel_isa_cap.
int precsearch_kernel_isa_level(void);

/// Caps the level the kernels use (tests force each path; benchmarks compare them). Values outside the range are
/// clamped; the default cap is PRECSEARCH_ISA_AVX512 (no cap). Takes effect for calls that start afterwards.
void precsearch_set_kernel_isa_cap(int cap);

/// 1 when the CPU running this process has AVX-512 F, BW and VNNI (checked once) and the kernels are not capped
/// below PRECSEARCH_ISA_AVX512, else 0.
int precsearch_has_int8_dot_product(void);

/// C = A x B with unsigned 8-bit A, signed 8-bit B and exact Int32 accumulation (vpdpbusd, no saturation).
///
/// Row r of A is the concatenation of `segment_count` runs of `segment_length` bytes starting at
/// `a + r * row_stride + segment_offsets[s]` (an ordinary matrix: row_stride = depth, one segment at 0).
/// `segment_length` is a multiple of 4 and `rows` a multiple of 4. B is laid out [depth / 4][column_stride][4]
/// (the 4 consecutive k of one output column are adjacent); `column_stride` is a multiple of 16. C is
/// [rows][column_stride], fully written. The caller guarantees that no sum leaves the Int32 range
/// (depth * 255 * 128 < 2^31). Requires precsearch_has_int8_dot_product() == 1.
void precsearch_gemm_u8s8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                          int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                          int32_t *c);
/// As precsearch_gemm_u8s8 for columns 0..<8 only (a layer of at most 8 output channels, `column_stride` 16): C's
/// columns 0..<8 of every row are written, columns 8..<column_stride are left as they were. Same requirements.
void precsearch_gemm_u8s8_8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                            int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                            int32_t *c);

/// C = A x B with unsigned 8-bit A and signed 8-bit B, exact in Int32, for CPUs without VNNI: AVX2 vpmaddubsw
/// (pairs of products into saturating Int16 lanes) and vpmaddwd (into Int32), portable C below AVX2. Layout and
/// sizes as precsearch_gemm_u8s8. The Int16 lanes accumulate `groups_per_flush` groups of 4 k before they are
/// widened; the caller guarantees groups_per_flush * max|a1 b1 + a2 b2| <= 32767 over every adjacent pair of
/// products (so no lane saturates or wraps) and that no sum leaves Int32 (Int8PairDotProduct.c).
void precsearch_gemm_u8s8_pairs(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                                int64_t segment_count, int64_t segment_length, const int8_t *b,
                                int64_t column_stride, int64_t groups_per_flush, int32_t *c);

/// C = A x B with signed 16-bit A and B, exact in Int64: AVX2 vpmaddwd into Int32 lanes for blocks of k pairs,
/// widened into Int64 after each block; portable C below AVX2. A is one plane (`a_high` NULL) or two planes with
/// A = 256 * a_high + a_low. Row r of a plane is `segment_count` runs of `segment_length` (even) codes at
/// plane + r * row_stride + segment_offsets[s]; B is [depth / 2][column_stride][2]; C is [rows][column_stride],
/// fully written; rows a multiple of 4, column_stride of 16. The caller guarantees that
/// low_pairs_per_block * max|a1 b1 + a2 b2| over the low plane (likewise the high plane) stays below 2^31
/// (Int16PairDotProduct.c).
void precsearch_gemm_s16_pairs(const int16_t *a_low, const int16_t *a_high, int64_t rows, int64_t row_stride,
                               const int64_t *segment_offsets, int64_t segment_count, int64_t segment_length,
                               const int16_t *b, int64_t column_stride, int64_t low_pairs_per_block,
                               int64_t high_pairs_per_block, int64_t *c);

/// The blocked GEMM C = A x B ("implicit GEMM" form). Row r of A is the concatenation of `segment_count` runs of
/// `segment_length` values at `a + r * row_stride + segment_offsets[s]` (offsets in elements); B is
/// [depth][column_stride] with depth = segment_count * segment_length; C is [rows][column_stride], fully written.
/// `rows` is a multiple of 4 and `column_stride` a multiple of 16. Summation order is fixed (see BlockedGEMM.c):
/// Float and Double use fused multiply-adds, so results are identical on every CPU and level; integer lanes wrap
/// (the caller guarantees the true sums fit).
void precsearch_gemm_f32(const float *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                         int64_t segment_count, int64_t segment_length, const float *b, int64_t column_stride,
                         float *c);
/// As precsearch_gemm_f32, in Double lanes.
void precsearch_gemm_f64(const double *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                         int64_t segment_count, int64_t segment_length, const double *b, int64_t column_stride,
                         double *c);
/// As precsearch_gemm_f32, in wrapping Int32 lanes.
void precsearch_gemm_i32(const int32_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                         int64_t segment_count, int64_t segment_length, const int32_t *b, int64_t column_stride,
                         int32_t *c);
/// As precsearch_gemm_f32, in wrapping Int64 lanes.
void precsearch_gemm_i64(const int64_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                         int64_t segment_count, int64_t segment_length, const int64_t *b, int64_t column_stride,
                         int64_t *c);

/// Parameters of a depthwise layer in exact floating-point lanes (see NetworkEngine's DepthwiseLanes). All
/// offsets and steps count elements, not bytes.
typedef struct {
  /// Taps per output pixel (kernel height x kernel width).
  int64_t taps;
  /// Offset of each tap from the grid position of an output pixel's first tap (taps entries).
  const int64_t *tap_offsets;
  /// Channels rounded up to a multiple of 8: the stride of a grid pixel, a weight tap and the bias.
  int64_t channel_stride;
  /// Output channels (the stride of an output pixel).
  int64_t channels;
  /// Output height and width.
  int64_t output_height;
  int64_t output_width;
  /// Grid elements between horizontally adjacent output pixels (stride width x channel_stride).
  int64_t pixel_step;
  /// Grid elements between vertically adjacent output rows (stride height x grid width x channel_stride).
  int64_t row_step;
} precsearch_depthwise_shape;

/// Depthwise convolution over a zero-padded grid: for every output pixel and channel, sum = bias +
/// sum over taps of grid * weight (fused multiply-adds in tap order, 16 channels at a time), then
/// code = clamp(roundeven(sum * scale), low, high), or with `scales` not null (per-channel weight formats)
/// clamp(roundeven(sum * scales[channel]), low, high). Weights are [taps][channel_stride], bias [channel_stride];
/// `row_sums` is scratch of output_width * channel_stride; output is HWC with `channels` per pixel. Exact when
/// the caller's bounds hold (DepthwiseLanes.choose).
void precsearch_depthwise_f32(const precsearch_depthwise_shape *shape, const float *grid, const float *weights,
                              const float *bias, float scale, const float *scales, float low, float high,
                              float *row_sums, int16_t *output);
/// As precsearch_depthwise_f32, in Double lanes.
void precsearch_depthwise_f64(const precsearch_depthwise_shape *shape, const double *grid, const double *weights,
                              const double *bias, double scale, const double *scales, double low, double high,
                              double *row_sums, int16_t *output);

/// Geometry of a pooling window over an HWC tensor (no dilation): output (oy, ox) reads input rows
/// oy * stride_height - pad_top + ky and columns ox * stride_width - pad_left + kx for ky < kernel_height,
/// kx < kernel_width, skipping those outside the input.
typedef struct {
  int64_t input_height;
  int64_t input_width;
  /// Channels per pixel (input and output).
  int64_t channels;
  int64_t output_height;
  int64_t output_width;
  int64_t kernel_height;
  int64_t kernel_width;
  int64_t stride_height;
  int64_t stride_width;
  int64_t pad_top;
  int64_t pad_left;
} precsearch_pool_shape;

/// Max pooling of Int16 codes: every output is the largest valid window element, INT16_MIN for an empty window
/// (NetworkEngine's IntegerPooling.pool with max).
void precsearch_max_pool_i16(const precsearch_pool_shape *shape, const int16_t *input, int16_t *output);

/// Requantization of `rows` rows of GEMM sums in Float lanes: for row r and i in 0..<count,
/// output[r * output_stride + i] = clamp(roundeven((sums[r * sum_stride + i] + bias[i]) * scale), low, high) as
/// Int16. Exact when every sum is an integer of magnitude below 2^24 and scale a power of two
/// (FloatingRequantization.float).
void precsearch_requantize_f32(const float *sums, int64_t sum_stride, int64_t rows, const float *bias,
                               int64_t count, float scale, float low, float high, int16_t *output,
                               int64_t output_stride);
/// As precsearch_requantize_f32 in Double lanes with an Int64 bias (converted exactly): exact when |sums|,
/// |bias| <= 2^51 and every scale is a power of two (FloatingRequantization.double); `scales`, when not NULL,
/// gives element i its own scale in place of `scale` (per-channel weight formats, `.doubleChannels`).
void precsearch_requantize_f64(const double *sums, int64_t sum_stride, int64_t rows, const int64_t *bias,
                               int64_t count, double scale, const double *scales, double low, double high,
                               int16_t *output, int64_t output_stride);
/// As precsearch_requantize_f32 in Int32 lanes: clamp(roundingShift(sum + bias, shift), low, high), a right shift
/// by 0...30 bits rounding to nearest with ties to even; the addition wraps (the true sum fits in Int32).
void precsearch_requantize_i32(const int32_t *sums, int64_t sum_stride, int64_t rows, const int32_t *bias,
                               int64_t count, int32_t shift, int32_t low, int32_t high, int16_t *output,
                               int64_t output_stride);
/// output[i] = clamp(roundingShift((x[i] << left_shift_x) + (y[i] << left_shift_y), shift), low, high): the
/// residual addition in Int32 lanes (left shifts <= 14, so each aligned operand is below 2^29 in magnitude).
void precsearch_add_i16(const int16_t *x, const int16_t *y, int64_t count, int32_t left_shift_x,
                        int32_t left_shift_y, int32_t shift, int32_t low, int32_t high, int16_t *output);
/// For `pixels` pixels of `channels` codes: output[p * output_stride + i] = clamp(roundingShift(codes[p * channels +
/// i], shift), low, high) + offset as a byte: codes derived to the layer's activation precision (at most 8 bits),
/// offset for the 8-bit dot products so that every byte lies in 0...255 (the caller's low + offset >= 0 and
/// high + offset <= 255). output_stride >= channels.
void precsearch_derive_u8(const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride,
                          int32_t shift, int32_t low, int32_t high, int32_t offset, uint8_t *output);

/// For `pixels` pixels of `channels` codes: code = clamp(roundingShift(codes[p * channels + i], shift), low, high)
/// (the derivation of precsearch_derive_u8), written at p * output_stride + i into `low_plane` when `high_plane` is
/// NULL, else split exactly: low_plane = code & 255, high_plane = code >> 8 (the Int16 pair GEMM's two planes).
void precsearch_derive_i16_planes(const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride,
                                  int32_t shift, int32_t low, int32_t high, int16_t *low_plane, int16_t *high_plane);
/// For `pixels` pixels of `channels` codes: code = clamp(roundingShift(codes[p * channels + i], shift), low, high)
/// (the derivation of precsearch_derive_u8) as a Float, written at p * output_stride + i, and zeros at
/// p * output_stride + i for channels <= i < output_stride: the depthwise lanes' grid.
void precsearch_derive_f32(const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride,
                           int32_t shift, int32_t low, int32_t high, float *output);
/// As precsearch_derive_f32, as Doubles.
void precsearch_derive_f64(const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride,
                           int32_t shift, int32_t low, int32_t high, double *output);
/// As precsearch_requantize_f64 with Int64 sums, each converted exactly to Double (|sum| <= 2^51).
void precsearch_requantize_i64_f64(const int64_t *sums, int64_t sum_stride, int64_t rows, const int64_t *bias,
                                   int64_t count, double scale, const double *scales, double low, double high,
                                   int16_t *output, int64_t output_stride);
/// As precsearch_requantize_f64 with Float sums (each exactly a Double).
void precsearch_requantize_f32_f64(const float *sums, int64_t sum_stride, int64_t rows, const int64_t *bias,
                                   int64_t count, double scale, const double *scales, double low, double high,
                                   int16_t *output, int64_t output_stride);
/// As precsearch_requantize_f64 with Int32 sums (each exactly a Double).
void precsearch_requantize_i32_f64(const int32_t *sums, int64_t sum_stride, int64_t rows, const int64_t *bias,
                                   int64_t count, double scale, const double *scales, double low, double high,
                                   int16_t *output, int64_t output_stride);

/// output[i] = clamp(roundeven(input[i] * scale), low, high) as Int16 (NaN gives 0), in Double: the quantization
/// of a float input (IntegerPlan.quantizeInput; scale a power of two, so the product is exact).
void precsearch_quantize_input(const float *input, int64_t count, double scale, double low, double high,
                               int16_t *output);

/// The weight-gradient GEMM of training, C += Aᵀ x B accumulating in place: A is [depth][a_stride] (its columns
/// 0..<rows are the rows of Aᵀ; 3 floats of slack past the last row are read), B [depth][column_stride], C
/// [rows][column_stride]; rows a multiple of 4, column_stride of 16 (NetworkTraining's TrainingGEMM).
void precsearch_training_accumulate_transposed(const float *a, int64_t a_stride, int64_t rows, int64_t depth,
                                               const float *b, int64_t column_stride, float *c);
/// The implicit-GEMM product of training over overlapping rows, C[r][.] = sum over s of A_s[r] x B_s (C
/// overwritten): row r of A_s starts at a + r * a_stride + s * segment_offset with segment_depth values; B_s is
/// b + s * segment_depth * column_stride. rows a multiple of 4, column_stride of 16 (TrainingGEMM).
void precsearch_training_multiply_segmented(const float *a, int64_t a_stride, int64_t rows, int64_t segments,
                                            int64_t segment_offset, int64_t segment_depth, const float *b,
                                            int64_t column_stride, float *c);

/// Per-channel mean and sum of squared deviations of one image of `pixels` rows x `channels` (a multiple of 16):
/// sum[c] = (sum over rows, 4 interleaved accumulators added pairwise) * inverse; squared_deviation[c] = sum over
/// rows of (x - sum[c])^2 with fused multiply-adds, likewise interleaved (NetworkTraining's batchNormMoments).
void precsearch_training_batch_norm_image_moments(const float *x, int64_t pixels, int64_t channels, float inverse,
                                                  float *sum, float *squared_deviation);
/// Per-channel sum of dy and sum of dy * (x - mean) over one image (channels a multiple of 16; even and odd pixels
/// accumulated apart; NetworkTraining's batchNormGradientSums).
void precsearch_training_batch_norm_gradient_sums(const float *x, const float *dy, int64_t pixels,
                                                  int64_t channels, const float *mean, float *sum_gradient,
                                                  float *sum_gradient_centered);
/// dx (= or +=) fma(k2, x - mean, k1 * dy + k3) per element of `rows` x `channels` (a multiple of 16;
/// NetworkTraining's batchNormInputGradient).
void precsearch_training_batch_norm_input_gradient(const float *x, const float *dy, float *dx, int32_t overwrite,
                                                   int64_t rows, int64_t channels, const float *mean,
                                                   const float *k1, const float *k2, const float *k3);

#endif
