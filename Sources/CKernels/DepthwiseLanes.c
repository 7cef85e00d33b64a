// Depthwise convolution and requantization in exact floating-point lanes, compiled for several instruction sets
// and chosen at run time (see CPUFeatures.c). All variants compute the same operations in the same order.
#include "KernelDispatch.h"
#include "KernelVectors.h"

#pragma STDC FP_CONTRACT OFF

// One requantized vector of sums of type V already multiplied by their scales: clamp(roundeven(product), low,
// high) as Int16 lanes of type I (the scalar loops' operations, lane by lane; the clamp keeps every lane an Int16).
#define REQUANTIZED_LANES(V, I, products, low, high)                                                               \
  __builtin_convertvector(__builtin_elementwise_min(                                                               \
                              __builtin_elementwise_max(__builtin_elementwise_roundeven(products), (V)(low)), (V)(high)), \
                          I)

// NAME##SUFFIX: `COUNT` adjacent output pixels of one block of channels (one VECTOR of lanes): one sum per pixel in
// registers, each from the bias through the taps in order (so every sum is computed exactly as alone), every weight
// vector loaded once for all of them (the pixels' FMA chains are independent, which also hides the FMA latency).
#define DEFINE_DEPTHWISE_PIXELS(NAME, SUFFIX, T, VECTOR, COUNT)                                                    \
  static inline __attribute__((always_inline)) void NAME##SUFFIX(const T *pixel, int64_t pixel_step,               \
                                                                  const int64_t *tap_offsets, int64_t taps,        \
                                                                  const T *weight, int64_t cp, const T *bias,      \
                                                                  T *target, int64_t count) {                      \
    VECTOR acc[COUNT];                                                                                             \
    const VECTOR bias_vector = LOAD_VECTOR(VECTOR, bias);                                                          \
    for (int64_t p = 0; p < COUNT; p++) acc[p] = bias_vector;                                                      \
    for (int64_t t = 0; t < taps; t++) {                                                                           \
      const VECTOR w = LOAD_VECTOR(VECTOR, weight);                                                                \
      const T *tap = pixel + tap_offsets[t];                                                                       \
      for (int64_t p = 0; p < COUNT; p++) {                                                                        \
        if (p < count) acc[p] = __builtin_elementwise_fma(LOAD_VECTOR(VECTOR, tap + p * pixel_step), w, acc[p]);   \
      }                                                                                                            \
      weight += cp;                                                                                                \
    }                                                                                                              \
    for (int64_t p = 0; p < COUNT; p++) {                                                                          \
      if (p < count) memcpy(target + p * cp, &acc[p], sizeof(VECTOR));                                             \
    }                                                                                                              \
  }

#define DEFINE_DEPTHWISE_BODY(NAME, T, V, V8, ROUNDEVEN, PIXELS)                                                   \
  DEFINE_DEPTHWISE_PIXELS(NAME, _pixels, T, V, PIXELS)                                                             \
  DEFINE_DEPTHWISE_PIXELS(NAME, _pixels8, T, V8, 2 * PIXELS)                                                       \
  /* Blocks of 16 and 8 lanes, then one by one: rows are often only 8 or 16 channels long. */                      \
  static inline __attribute__((always_inline)) void NAME##_requantize(const T *sums, int64_t count, T scale,       \
                                                                      const T *scales, T low, T high,              \
                                                                      int16_t *output) {                           \
    /* `scales` (per-channel weight formats) when not null, else `scale` for every channel */                      \
    int64_t i = 0;                                                                                                 \
    for (; i + 16 <= count; i += 16) {                                                                             \
      const V factor = scales != 0 ? LOAD_VECTOR(V, scales + i) : (V)(scale);                                      \
      STORE_VECTOR(output + i, REQUANTIZED_LANES(V, i16x16, LOAD_VECTOR(V, sums + i) * factor, low, high));        \
    }                                                                                                              \
    if (i + 8 <= count) {                                                                                          \
      const V8 factor = scales != 0 ? LOAD_VECTOR(V8, scales + i) : (V8)(scale);                                   \
      STORE_VECTOR(output + i, REQUANTIZED_LANES(V8, i16x8, LOAD_VECTOR(V8, sums + i) * factor, low, high));       \
      i += 8;                                                                                                      \
    }                                                                                                              \
    for (; i < count; i++) {                                                                                       \
      T v = ROUNDEVEN(sums[i] * (scales != 0 ? scales[i] : scale));                                                \
      v = v < low ? low : v;                                                                                       \
      v = v > high ? high : v;                                                                                     \
      output[i] = (int16_t)v;                                                                                      \
    }                                                                                                              \
  }                                                                                                                \
  static inline __attribute__((always_inline)) void NAME##_body(const precsearch_depthwise_shape *shape,           \
                                                                const T *grid, const T *weights, const T *bias,    \
                                                                T scale, const T *scales, T low, T high,           \
                                                                T *row_sums, int16_t *output) {                    \
    const int64_t cp = shape->channel_stride, channels = shape->channels, taps = shape->taps;                      \
    const int64_t width = shape->output_width, step = shape->pixel_step;                                           \
    for (int64_t oy = 0; oy < shape->output_height; oy++) {                                                        \
      const T *row = grid + oy * shape->row_step;                                                                  \
      int64_t block = 0;                                                                                           \
      for (; block + 16 <= cp; block += 16) {                                                                      \
        int64_t ox = 0;                                                                                            \
        for (; ox + PIXELS <= width; ox += PIXELS) {                                                               \
          NAME##_pixels(row + ox * step + block, step, shape->tap_offsets, taps, weights + block, cp, bias + block, \
                        row_sums + ox * cp + block, PIXELS);                                                       \
        }                                                                                                          \
        if (ox < width) {                                                                                          \
          NAME##_pixels(row + ox * step + block, step, shape->tap_offsets, taps, weights + block, cp, bias + block, \
                        row_sums + ox * cp + block, width - ox);                                                   \
        }                                                                                                          \
      }                                                                                                            \
      if (block < cp) { /* the last 8 channels (cp is a multiple of 8): twice the pixels in half-width vectors */  \
        int64_t ox = 0;                                                                                            \
        for (; ox + 2 * PIXELS <= width; ox += 2 * PIXELS) {                                                       \
          NAME##_pixels8(row + ox * step + block, step, shape->tap_offsets, taps, weights + block, cp, bias + block, \
                         row_sums + ox * cp + block, 2 * PIXELS);                                                  \
        }                                                                                                          \
        if (ox < width) {                                                                                          \
          NAME##_pixels8(row + ox * step + block, step, shape->tap_offsets, taps, weights + block, cp, bias + block, \
                         row_sums + ox * cp + block, width - ox);                                                  \
        }                                                                                                          \
      }                                                                                                            \
      int16_t *destination = output + oy * width * channels;                                                       \
      for (int64_t ox = 0; ox < width; ox++) {                                                                     \
        NAME##_requantize(row_sums + ox * cp, channels, scale, scales, low, high, destination + ox * channels);    \
      }                                                                                                            \
    }                                                                                                              \
  }

// Four Float pixels (4 x 16 lanes: 4 zmm, or 8 ymm on AVX2) and two Double pixels (8 ymm on AVX2) stay in registers;
// in a last block of 8 channels, eight Float and four Double pixels (8 ymm).
DEFINE_DEPTHWISE_BODY(depthwise_f32, float, f32x16, f32x8, __builtin_roundevenf, 4)
DEFINE_DEPTHWISE_BODY(depthwise_f64, double, f64x16, f64x8, __builtin_roundeven, 2)

static inline __attribute__((always_inline)) void requantize_f32_body(const float *sums, int64_t sum_stride,
                                                                      int64_t rows, const float *bias,
                                                                      int64_t count, float scale, float low,
                                                                      float high, int16_t *output,
                                                                      int64_t output_stride) {
  for (int64_t row = 0; row < rows; row++) {
    const float *rowSums = sums + row * sum_stride;
    int16_t *rowOutput = output + row * output_stride;
    int64_t i = 0;
    for (; i + 16 <= count; i += 16) {
      const f32x16 products = (LOAD_VECTOR(f32x16, rowSums + i) + LOAD_VECTOR(f32x16, bias + i)) * scale;
      STORE_VECTOR(rowOutput + i, REQUANTIZED_LANES(f32x16, i16x16, products, low, high));
    }
    if (i + 8 <= count) {
      const f32x8 products = (LOAD_VECTOR(f32x8, rowSums + i) + LOAD_VECTOR(f32x8, bias + i)) * scale;
      STORE_VECTOR(rowOutput + i, REQUANTIZED_LANES(f32x8, i16x8, products, low, high));
      i += 8;
    }
    for (; i < count; i++) {
      float v = __builtin_roundevenf((rowSums[i] + bias[i]) * scale);
      v = v < low ? low : v;
      v = v > high ? high : v;
      rowOutput[i] = (int16_t)v;
    }
  }
}

#define DEPTHWISE_PARAMETERS(T)                                                                                    \
  const precsearch_depthwise_shape *shape, const T *grid, const T *weights, const T *bias, T scale,                \
      const T *scales, T low, T high, T *row_sums, int16_t *output
#define DEPTHWISE_ARGUMENTS shape, grid, weights, bias, scale, scales, low, high, row_sums, output
#define REQUANTIZE_PARAMETERS(T, B)                                                                                \
  const T *sums, int64_t sum_stride, int64_t rows, const B *bias, int64_t count, T scale, T low, T high,           \
      int16_t *output, int64_t output_stride
#define REQUANTIZE_ARGUMENTS sums, sum_stride, rows, bias, count, scale, low, high, output, output_stride


DEFINE_ENTRY(precsearch_depthwise_f32, depthwise_f32, DEPTHWISE_PARAMETERS(float), DEPTHWISE_ARGUMENTS)
DEFINE_ENTRY(precsearch_depthwise_f64, depthwise_f64, DEPTHWISE_PARAMETERS(double), DEPTHWISE_ARGUMENTS)
DEFINE_ENTRY(precsearch_requantize_f32, requantize_f32, REQUANTIZE_PARAMETERS(float, float), REQUANTIZE_ARGUMENTS)
// precsearch_requantize_f64 (Double sums) is with the other Double-lane loops in IntegerRequantization.c.
