// Depthwise convolution and requantization in exact floating-point lanes, compiled for several instruction sets
// and chosen at run time (see CPUFeatures.c). All variants compute the same operations in the same order.
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// Unaligned vector loads and stores (statement expressions, so that no function passes a wide vector by value).
#define LOAD_VECTOR(V, pointer) ({ V loaded_; memcpy(&loaded_, (pointer), sizeof(V)); loaded_; })
#define STORE_VECTOR(pointer, value) do { __typeof__(value) stored_ = (value); memcpy((pointer), &stored_, sizeof(stored_)); } while (0)

typedef float f32x16 __attribute__((ext_vector_type(16)));
typedef double f64x16 __attribute__((ext_vector_type(16)));

#define DEFINE_DEPTHWISE_BODY(NAME, T, V, ROUNDEVEN)                                                               \
  static inline __attribute__((always_inline)) void NAME##_requantize(const T *sums, int64_t count, T scale,       \
                                                                      const T *scales, T low, T high,              \
                                                                      int16_t *output) {                           \
    if (scales != 0) { /* per-channel weight formats: channel i's scale */                                         \
      for (int64_t i = 0; i < count; i++) {                                                                        \
        T v = ROUNDEVEN(sums[i] * scales[i]);                                                                      \
        v = v < low ? low : v;                                                                                     \
        v = v > high ? high : v;                                                                                   \
        output[i] = (int16_t)v;                                                                                    \
      }                                                                                                            \
      return;                                                                                                      \
    }                                                                                                              \
    for (int64_t i = 0; i < count; i++) {                                                                          \
      T v = ROUNDEVEN(sums[i] * scale);                                                                            \
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
    for (int64_t oy = 0; oy < shape->output_height; oy++) {                                                        \
      const T *pixel = grid + oy * shape->row_step;                                                                \
      for (int64_t ox = 0; ox < shape->output_width; ox++) {                                                       \
        T *target = row_sums + ox * cp;                                                                            \
        for (int64_t block = 0; block < cp; block += 16) {                                                         \
          V acc = LOAD_VECTOR(V, bias + block);                                                                       \
          const T *weight = weights + block;                                                                       \
          for (int64_t t = 0; t < taps; t++) {                                                                     \
            acc = __builtin_elementwise_fma(LOAD_VECTOR(V, pixel + shape->tap_offsets[t] + block),                   \
                                            LOAD_VECTOR(V, weight), acc);                                             \
            weight += cp;                                                                                          \
          }                                                                                                        \
          memcpy(target + block, &acc, sizeof(V));                                                                 \
        }                                                                                                          \
        pixel += shape->pixel_step;                                                                                \
      }                                                                                                            \
      int16_t *destination = output + oy * shape->output_width * channels;                                         \
      for (int64_t ox = 0; ox < shape->output_width; ox++) {                                                       \
        NAME##_requantize(row_sums + ox * cp, channels, scale, scales, low, high, destination + ox * channels);    \
      }                                                                                                            \
    }                                                                                                              \
  }

DEFINE_DEPTHWISE_BODY(depthwise_f32, float, f32x16, __builtin_roundevenf)
DEFINE_DEPTHWISE_BODY(depthwise_f64, double, f64x16, __builtin_roundeven)

static inline __attribute__((always_inline)) void requantize_f32_body(const float *sums, int64_t sum_stride,
                                                                      int64_t rows, const float *bias,
                                                                      int64_t count, float scale, float low,
                                                                      float high, int16_t *output,
                                                                      int64_t output_stride) {
  for (int64_t row = 0; row < rows; row++) {
    const float *rowSums = sums + row * sum_stride;
    int16_t *rowOutput = output + row * output_stride;
    for (int64_t i = 0; i < count; i++) {
      float v = __builtin_roundevenf((rowSums[i] + bias[i]) * scale);
      v = v < low ? low : v;
      v = v > high ? high : v;
      rowOutput[i] = (int16_t)v;
    }
  }
}

#define DEPTHWISE_PARAMETERS(T)                                                                                    \
  const precsearch_depthwise_shape *shape, const T *grid, const T *weights, const T *bias, T scale,               \
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
