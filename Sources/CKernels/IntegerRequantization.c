// Integer requantization loops (rounding right shift to nearest, ties to even, then saturation), compiled for
// several instruction sets and chosen at run time (see CPUFeatures.c). They equal NetworkEngine's
// Int32RoundingShift element for element: q = v >> shift (floor), plus one when the remainder is above half, or
// equal to half and q is odd; then clamped to [low, high].
#include "KernelDispatch.h"
#include "KernelVectors.h"

static inline __attribute__((always_inline)) int16_t rounding_shift(int32_t value, int32_t shift, int32_t mask,
                                                                     int32_t half, int32_t low, int32_t high) {
  int32_t quotient = value >> shift;  // arithmetic shift: floor
  const int32_t remainder = value & mask;
  const int32_t above = remainder > half;
  const int32_t tie = remainder == half;
  quotient += above | (tie & quotient & 1);
  quotient = quotient < low ? low : quotient;
  quotient = quotient > high ? high : quotient;
  return (int16_t)quotient;
}

// With no shift the remainder is always 0, so a half of 1 makes the rounding step add nothing.
#define ROUNDING_CONSTANTS                                                                                         \
  const int32_t mask = (int32_t)((1u << shift) - 1u);                                                              \
  const int32_t half = shift > 0 ? (int32_t)(1u << (shift - 1)) : 1;

// Sums in blocks of 16 and 8 lanes, then one by one: explicit vectors rather than an auto-vectorized loop, because
// rows are short (8 or 16 output channels in the early layers of the shipped models), where the compiler's loop
// spends its time on alias checks and remainders.
static inline __attribute__((always_inline)) void requantize_i32_body(const int32_t *sums, int64_t sum_stride,
                                                                      int64_t rows, const int32_t *bias,
                                                                      int64_t count, int32_t shift, int32_t low,
                                                                      int32_t high, int16_t *output,
                                                                      int64_t output_stride) {
  ROUNDING_CONSTANTS
  for (int64_t row = 0; row < rows; row++) {
    const int32_t *rowSums = sums + row * sum_stride;
    int16_t *rowOutput = output + row * output_stride;
    int64_t i = 0;
    // Wrapping additions (in unsigned lanes): the true sum fits.
    for (; i + 16 <= count; i += 16) {
      const i32x16 value = (i32x16)(LOAD_VECTOR(u32x16, rowSums + i) + LOAD_VECTOR(u32x16, bias + i));
      STORE_VECTOR(rowOutput + i, __builtin_convertvector(
                                      VECTOR_ROUNDING_SHIFT(i32x16, value, shift, mask, half, low, high), i16x16));
    }
    if (i + 8 <= count) {
      const i32x8 value = (i32x8)(LOAD_VECTOR(u32x8, rowSums + i) + LOAD_VECTOR(u32x8, bias + i));
      STORE_VECTOR(rowOutput + i, __builtin_convertvector(
                                      VECTOR_ROUNDING_SHIFT(i32x8, value, shift, mask, half, low, high), i16x8));
      i += 8;
    }
    for (; i < count; i++) {
      const int32_t value = (int32_t)((uint32_t)rowSums[i] + (uint32_t)bias[i]);
      rowOutput[i] = rounding_shift(value, shift, mask, half, low, high);
    }
  }
}

static inline __attribute__((always_inline)) void add_i16_body(const int16_t *x, const int16_t *y, int64_t count,
                                                               int32_t left_shift_x, int32_t left_shift_y,
                                                               int32_t shift, int32_t low, int32_t high,
                                                               int16_t *output) {
  ROUNDING_CONSTANTS
  for (int64_t i = 0; i < count; i++) {
    const int32_t value = (int32_t)(((uint32_t)(int32_t)x[i] << left_shift_x) +
                                    ((uint32_t)(int32_t)y[i] << left_shift_y));
    output[i] = rounding_shift(value, shift, mask, half, low, high);
  }
}

static inline __attribute__((always_inline)) void derive_u8_body(const int16_t *codes, int64_t pixels,
                                                                 int64_t channels, int64_t output_stride,
                                                                 int32_t shift, int32_t low, int32_t high,
                                                                 int32_t offset, uint8_t *output) {
  ROUNDING_CONSTANTS
  // In Int16 lanes (every code, mask, half and bound fits, and code + offset lies in 0...255), 32 codes per vector.
  if (channels == output_stride) {  // contiguous: one pass over every code
    const int64_t count = pixels * channels;
    int64_t i = 0;
    for (; i + 32 <= count; i += 32) {
      const i16x32 code = VECTOR_ROUNDING_SHIFT(i16x32, LOAD_VECTOR(i16x32, codes + i), shift, mask, half, low, high);
      STORE_VECTOR(output + i, __builtin_convertvector(code + (i16x32)(offset), u8x32));
    }
    for (; i < count; i++) output[i] = (uint8_t)(rounding_shift(codes[i], shift, mask, half, low, high) + offset);
    return;
  }
  for (int64_t pixel = 0; pixel < pixels; pixel++) {
    const int16_t *from = codes + pixel * channels;
    uint8_t *to = output + pixel * output_stride;
    int64_t i = 0;
    for (; i + 16 <= channels; i += 16) {
      const i16x16 code = VECTOR_ROUNDING_SHIFT(i16x16, LOAD_VECTOR(i16x16, from + i), shift, mask, half, low, high);
      STORE_VECTOR(to + i, __builtin_convertvector(code + (i16x16)(offset), u8x16));
    }
    if (i + 8 <= channels) {
      const i16x8 code = VECTOR_ROUNDING_SHIFT(i16x8, LOAD_VECTOR(i16x8, from + i), shift, mask, half, low, high);
      STORE_VECTOR(to + i, __builtin_convertvector(code + (i16x8)(offset), u8x8));
      i += 8;
    }
    for (; i < channels; i++) to[i] = (uint8_t)(rounding_shift(from[i], shift, mask, half, low, high) + offset);
  }
}

// Codes derived to the layer's activation precision into Int16 planes for the pair GEMM: one plane (high == NULL)
// holds the codes; two hold low = code & 255 and high = code >> 8 (so code = 256 * high + low).
static inline __attribute__((always_inline)) void derive_i16_planes_body(const int16_t *codes, int64_t pixels,
                                                                         int64_t channels, int64_t output_stride,
                                                                         int32_t shift, int32_t low, int32_t high,
                                                                         int16_t *low_plane, int16_t *high_plane) {
  ROUNDING_CONSTANTS
  for (int64_t pixel = 0; pixel < pixels; pixel++) {
    const int16_t *from = codes + pixel * channels;
    int16_t *to_low = low_plane + pixel * output_stride;
    int16_t *to_high = high_plane == 0 ? 0 : high_plane + pixel * output_stride;
    int64_t i = 0;
    for (; i + 16 <= channels; i += 16) {
      const i16x16 code = VECTOR_ROUNDING_SHIFT(i16x16, LOAD_VECTOR(i16x16, from + i), shift, mask, half, low, high);
      if (to_high == 0) {
        STORE_VECTOR(to_low + i, code);
      } else {
        STORE_VECTOR(to_low + i, code & (i16x16)(255));
        STORE_VECTOR(to_high + i, code >> (i16x16)(8));
      }
    }
    if (i + 8 <= channels) {
      const i16x8 code = VECTOR_ROUNDING_SHIFT(i16x8, LOAD_VECTOR(i16x8, from + i), shift, mask, half, low, high);
      if (to_high == 0) {
        STORE_VECTOR(to_low + i, code);
      } else {
        STORE_VECTOR(to_low + i, code & (i16x8)(255));
        STORE_VECTOR(to_high + i, code >> (i16x8)(8));
      }
      i += 8;
    }
    for (; i < channels; i++) {
      const int16_t code = rounding_shift(from[i], shift, mask, half, low, high);
      if (to_high == 0) {
        to_low[i] = code;
      } else {
        to_low[i] = (int16_t)(code & 255);
        to_high[i] = (int16_t)(code >> 8);
      }
    }
  }
}

// Codes derived to the layer's activation precision as exact Float or Double lanes (the depthwise kernel's
// zero-padded grid, DepthwiseLanes.c): every derived code is an Int16, exactly a Float. The lanes between a pixel's
// last channel and the next pixel are zeroed, so that the grid's caller need not clear them first.
#define DEFINE_DERIVE_LANES(NAME, T, V16, V8)                                                                      \
  static inline __attribute__((always_inline)) void NAME##_body(const int16_t *codes, int64_t pixels,              \
                                                                int64_t channels, int64_t output_stride,           \
                                                                int32_t shift, int32_t low, int32_t high,          \
                                                                T *output) {                                       \
    ROUNDING_CONSTANTS                                                                                             \
    for (int64_t pixel = 0; pixel < pixels; pixel++) {                                                             \
      const int16_t *from = codes + pixel * channels;                                                              \
      T *to = output + pixel * output_stride;                                                                      \
      int64_t i = 0;                                                                                               \
      for (; i + 16 <= channels; i += 16) {                                                                        \
        const i16x16 code = VECTOR_ROUNDING_SHIFT(i16x16, LOAD_VECTOR(i16x16, from + i), shift, mask, half, low, high); \
        STORE_VECTOR(to + i, __builtin_convertvector(__builtin_convertvector(code, i32x16), V16));                 \
      }                                                                                                            \
      if (i + 8 <= channels) {                                                                                     \
        const i16x8 code = VECTOR_ROUNDING_SHIFT(i16x8, LOAD_VECTOR(i16x8, from + i), shift, mask, half, low, high); \
        STORE_VECTOR(to + i, __builtin_convertvector(__builtin_convertvector(code, i32x8), V8));                   \
        i += 8;                                                                                                    \
      }                                                                                                            \
      for (; i < channels; i++) to[i] = (T)rounding_shift(from[i], shift, mask, half, low, high);                  \
      for (; i + 8 <= output_stride; i += 8) STORE_VECTOR(to + i, (V8)(0));                                        \
      for (; i < output_stride; i++) to[i] = 0;                                                                    \
    }                                                                                                              \
  }
DEFINE_DERIVE_LANES(derive_f32, float, f32x16, f32x8)
DEFINE_DERIVE_LANES(derive_f64, double, f64x16, f64x8)

// An Int64 in [-2^51, 2^51] as a Double, exactly: its bits added to those of 1.5 * 2^52 give the Double
// 1.5 * 2^52 + value (the sum stays in the binade [2^52, 2^53], where the unit in the last place is 1), from which
// 1.5 * 2^52 is subtracted exactly. Unlike a cast, it vectorizes without AVX-512DQ's vcvtqq2pd.
static inline __attribute__((always_inline)) double exact_double_of_int64(int64_t value) {
  const uint64_t bits = (uint64_t)value + UINT64_C(0x4338000000000000);
  double shifted;
  memcpy(&shifted, &bits, sizeof shifted);
  return shifted - 6755399441055744.0;
}

// One requantized code in Double lanes: the exact `sum` scaled by a power of two, rounded to nearest even, clamped.
static inline __attribute__((always_inline)) int16_t requantized_in_double(double sum, double scale, double low,
                                                                         double high) {
  double v = __builtin_roundeven(sum * scale);
  v = v < low ? low : v;
  v = v > high ? high : v;
  return (int16_t)v;
}

// The rows of a Double-lane requantization of SUM_TYPE sums converted by TO_DOUBLE: one loop with `scale`, or, when
// `scales` is not null, one with scales[i] (two loops, so that each vectorizes).
#define REQUANTIZE_IN_DOUBLE_ROWS(SUM_TYPE, TO_DOUBLE)                                                             \
  for (int64_t row = 0; row < rows; row++) {                                                                       \
    const SUM_TYPE *rowSums = sums + row * sum_stride;                                                             \
    int16_t *rowOutput = output + row * output_stride;                                                             \
    if (scales) {                                                                                                  \
      for (int64_t i = 0; i < count; i++) {                                                                        \
        rowOutput[i] = requantized_in_double(TO_DOUBLE(rowSums[i]) + exact_double_of_int64(bias[i]), scales[i],    \
                                             low, high);                                                           \
      }                                                                                                            \
    } else {                                                                                                       \
      for (int64_t i = 0; i < count; i++) {                                                                        \
        rowOutput[i] = requantized_in_double(TO_DOUBLE(rowSums[i]) + exact_double_of_int64(bias[i]), scale,        \
                                             low, high);                                                           \
      }                                                                                                            \
    }                                                                                                              \
  }

#define EXACT_CAST_TO_DOUBLE(x) ((double)(x))

// NAME_body: the Double-lane requantization of SUM_TYPE sums, each converted exactly by TO_DOUBLE (the caller
// guarantees |sum| <= 2^51 and |bias| <= 2^51; FloatingRequantization.double and .doubleChannels); `scales` (one
// per i) replaces `scale` when not null.
#define DEFINE_REQUANTIZE_IN_DOUBLE(NAME, SUM_TYPE, TO_DOUBLE)                                                     \
  static inline __attribute__((always_inline)) void NAME##_body(                                                   \
      const SUM_TYPE *sums, int64_t sum_stride, int64_t rows, const int64_t *bias, int64_t count, double scale,    \
      const double *scales, double low, double high, int16_t *output, int64_t output_stride) {                     \
    REQUANTIZE_IN_DOUBLE_ROWS(SUM_TYPE, TO_DOUBLE)                                                                 \
  }

// Double sums (the GEMM in Double lanes).
DEFINE_REQUANTIZE_IN_DOUBLE(requantize_f64, double, EXACT_CAST_TO_DOUBLE)
// Int64 sums, through the exact magic-number conversion (no AVX-512DQ needed to vectorize).
DEFINE_REQUANTIZE_IN_DOUBLE(requantize_i64_f64, int64_t, exact_double_of_int64)
// Float sums (every Float is a Double exactly): the Float GEMM of a layer whose bias exceeds the Float lanes.
DEFINE_REQUANTIZE_IN_DOUBLE(requantize_f32_f64, float, EXACT_CAST_TO_DOUBLE)
// Int32 sums (every Int32 is a Double exactly).
DEFINE_REQUANTIZE_IN_DOUBLE(requantize_i32_f64, int32_t, EXACT_CAST_TO_DOUBLE)

#define DERIVE_I16_PLANES_PARAMETERS                                                                               \
  const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride, int32_t shift, int32_t low,       \
      int32_t high, int16_t *low_plane, int16_t *high_plane
#define DERIVE_I16_PLANES_ARGUMENTS codes, pixels, channels, output_stride, shift, low, high, low_plane, high_plane
#define REQUANTIZE_I64_F64_PARAMETERS                                                                              \
  const int64_t *sums, int64_t sum_stride, int64_t rows, const int64_t *bias, int64_t count, double scale,         \
      const double *scales, double low, double high, int16_t *output, int64_t output_stride
#define REQUANTIZE_I32_F64_PARAMETERS                                                                              \
  const int32_t *sums, int64_t sum_stride, int64_t rows, const int64_t *bias, int64_t count, double scale,         \
      const double *scales, double low, double high, int16_t *output, int64_t output_stride
#define REQUANTIZE_I64_F64_ARGUMENTS sums, sum_stride, rows, bias, count, scale, scales, low, high, output, output_stride

#define REQUANTIZE_PARAMETERS                                                                                      \
  const int32_t *sums, int64_t sum_stride, int64_t rows, const int32_t *bias, int64_t count, int32_t shift,        \
      int32_t low, int32_t high, int16_t *output, int64_t output_stride
#define REQUANTIZE_ARGUMENTS sums, sum_stride, rows, bias, count, shift, low, high, output, output_stride
#define ADD_PARAMETERS                                                                                             \
  const int16_t *x, const int16_t *y, int64_t count, int32_t left_shift_x, int32_t left_shift_y, int32_t shift,    \
      int32_t low, int32_t high, int16_t *output
#define ADD_ARGUMENTS x, y, count, left_shift_x, left_shift_y, shift, low, high, output
#define DERIVE_U8_PARAMETERS                                                                                       \
  const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride, int32_t shift, int32_t low,       \
      int32_t high, int32_t offset, uint8_t *output
#define DERIVE_U8_ARGUMENTS codes, pixels, channels, output_stride, shift, low, high, offset, output


DEFINE_ENTRY(precsearch_requantize_i32, requantize_i32, REQUANTIZE_PARAMETERS, REQUANTIZE_ARGUMENTS)
DEFINE_ENTRY(precsearch_add_i16, add_i16, ADD_PARAMETERS, ADD_ARGUMENTS)
DEFINE_ENTRY(precsearch_derive_u8, derive_u8, DERIVE_U8_PARAMETERS, DERIVE_U8_ARGUMENTS)
DEFINE_ENTRY(precsearch_derive_i16_planes, derive_i16_planes, DERIVE_I16_PLANES_PARAMETERS, DERIVE_I16_PLANES_ARGUMENTS)
#define DERIVE_LANES_PARAMETERS(T)                                                                                 \
  const int16_t *codes, int64_t pixels, int64_t channels, int64_t output_stride, int32_t shift, int32_t low,       \
      int32_t high, T *output
#define DERIVE_LANES_ARGUMENTS codes, pixels, channels, output_stride, shift, low, high, output
DEFINE_ENTRY(precsearch_derive_f32, derive_f32, DERIVE_LANES_PARAMETERS(float), DERIVE_LANES_ARGUMENTS)
DEFINE_ENTRY(precsearch_derive_f64, derive_f64, DERIVE_LANES_PARAMETERS(double), DERIVE_LANES_ARGUMENTS)
DEFINE_ENTRY(precsearch_requantize_i64_f64, requantize_i64_f64, REQUANTIZE_I64_F64_PARAMETERS,
             REQUANTIZE_I64_F64_ARGUMENTS)
DEFINE_ENTRY(precsearch_requantize_i32_f64, requantize_i32_f64, REQUANTIZE_I32_F64_PARAMETERS,
             REQUANTIZE_I64_F64_ARGUMENTS)
#define REQUANTIZE_F32_F64_PARAMETERS                                                                              \
  const float *sums, int64_t sum_stride, int64_t rows, const int64_t *bias, int64_t count, double scale,           \
      const double *scales, double low, double high, int16_t *output, int64_t output_stride
DEFINE_ENTRY(precsearch_requantize_f32_f64, requantize_f32_f64, REQUANTIZE_F32_F64_PARAMETERS,
             REQUANTIZE_I64_F64_ARGUMENTS)
#define REQUANTIZE_F64_PARAMETERS                                                                                  \
  const double *sums, int64_t sum_stride, int64_t rows, const int64_t *bias, int64_t count, double scale,          \
      const double *scales, double low, double high, int16_t *output, int64_t output_stride
DEFINE_ENTRY(precsearch_requantize_f64, requantize_f64, REQUANTIZE_F64_PARAMETERS, REQUANTIZE_I64_F64_ARGUMENTS)
