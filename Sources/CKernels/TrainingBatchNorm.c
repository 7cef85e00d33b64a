// The 16-channel BatchNorm loops of float training (NetworkTraining's TrainingKernels, channels a multiple of 16),
// compiled for several instruction sets and chosen at run time (see CPUFeatures.c). Each operation is the one the
// Swift code states (fused multiply-adds only where it says addProduct; no contraction otherwise), in the same order.
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

typedef float f32x16 __attribute__((ext_vector_type(16)));

#define LOAD(pointer) ({ f32x16 loaded_; memcpy(&loaded_, (pointer), sizeof(f32x16)); loaded_; })
#define STORE(pointer, value) do { f32x16 stored_ = (value); memcpy((pointer), &stored_, sizeof(f32x16)); } while (0)
#define FMA(acc, a, b) ((acc) = __builtin_elementwise_fma((a), (b), (acc)))

static inline __attribute__((always_inline)) void image_moments_body(const float *x, int64_t pixels,
                                                                     int64_t channels, float inverse, float *sum,
                                                                     float *squared_deviation) {
  const int64_t stride = channels;
  for (int64_t block = 0; block < channels; block += 16) {
    const float *column = x + block;
    f32x16 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t r = 0;
    for (; r + 4 <= pixels; r += 4) {
      const float *p = column + r * stride;
      s0 += LOAD(p); s1 += LOAD(p + stride); s2 += LOAD(p + 2 * stride); s3 += LOAD(p + 3 * stride);
    }
    for (; r < pixels; r++) s0 += LOAD(column + r * stride);
    const f32x16 mean = ((s0 + s1) + (s2 + s3)) * inverse;
    STORE(sum + block, mean);
    f32x16 q0 = 0, q1 = 0, q2 = 0, q3 = 0;
    r = 0;
    for (; r + 4 <= pixels; r += 4) {
      const float *p = column + r * stride;
      const f32x16 d0 = LOAD(p) - mean, d1 = LOAD(p + stride) - mean;
      const f32x16 d2 = LOAD(p + 2 * stride) - mean, d3 = LOAD(p + 3 * stride) - mean;
      FMA(q0, d0, d0); FMA(q1, d1, d1); FMA(q2, d2, d2); FMA(q3, d3, d3);
    }
    for (; r < pixels; r++) {
      const f32x16 d = LOAD(column + r * stride) - mean;
      FMA(q0, d, d);
    }
    STORE(squared_deviation + block, (q0 + q1) + (q2 + q3));
  }
}

static inline __attribute__((always_inline)) void gradient_sums_body(const float *x, const float *dy,
                                                                     int64_t pixels, int64_t channels,
                                                                     const float *mean, float *sum_gradient,
                                                                     float *sum_gradient_centered) {
  for (int64_t k = 0; k < channels; k += 16) {
    const f32x16 m = LOAD(mean + k);
    f32x16 g0 = 0, g1 = 0, h0 = 0, h1 = 0;
    int64_t p = 0;
    for (; p + 2 <= pixels; p += 2) {
      const int64_t o0 = p * channels + k, o1 = o0 + channels;
      const f32x16 d0 = LOAD(dy + o0), d1 = LOAD(dy + o1);
      g0 += d0; g1 += d1;
      FMA(h0, d0, LOAD(x + o0) - m); FMA(h1, d1, LOAD(x + o1) - m);
    }
    if (p < pixels) {
      const int64_t o0 = p * channels + k;
      const f32x16 d0 = LOAD(dy + o0);
      g0 += d0;
      FMA(h0, d0, LOAD(x + o0) - m);
    }
    STORE(sum_gradient + k, g0 + g1);
    STORE(sum_gradient_centered + k, h0 + h1);
  }
}

static inline __attribute__((always_inline)) void input_gradient_body(const float *x, const float *dy, float *dx,
                                                                      int32_t overwrite, int64_t rows,
                                                                      int64_t channels, const float *mean,
                                                                      const float *k1, const float *k2,
                                                                      const float *k3) {
  for (int64_t k = 0; k < channels; k += 16) {
    const f32x16 m = LOAD(mean + k), a = LOAD(k1 + k), b = LOAD(k2 + k), d = LOAD(k3 + k);
    for (int64_t r = 0; r < rows; r++) {
      const int64_t o = r * channels + k;
      f32x16 v = a * LOAD(dy + o) + d;  // a product and a sum, not fused (contraction is off)
      FMA(v, b, LOAD(x + o) - m);
      if (overwrite) {
        STORE(dx + o, v);
      } else {
        STORE(dx + o, v + LOAD(dx + o));
      }
    }
  }
}

#define MOMENTS_PARAMETERS                                                                                         \
  const float *x, int64_t pixels, int64_t channels, float inverse, float *sum, float *squared_deviation
#define MOMENTS_ARGUMENTS x, pixels, channels, inverse, sum, squared_deviation
#define SUMS_PARAMETERS                                                                                            \
  const float *x, const float *dy, int64_t pixels, int64_t channels, const float *mean, float *sum_gradient,       \
      float *sum_gradient_centered
#define SUMS_ARGUMENTS x, dy, pixels, channels, mean, sum_gradient, sum_gradient_centered
#define INPUT_PARAMETERS                                                                                           \
  const float *x, const float *dy, float *dx, int32_t overwrite, int64_t rows, int64_t channels,                   \
      const float *mean, const float *k1, const float *k2, const float *k3
#define INPUT_ARGUMENTS x, dy, dx, overwrite, rows, channels, mean, k1, k2, k3


DEFINE_ENTRY(precsearch_training_batch_norm_image_moments, image_moments, MOMENTS_PARAMETERS, MOMENTS_ARGUMENTS)
DEFINE_ENTRY(precsearch_training_batch_norm_gradient_sums, gradient_sums, SUMS_PARAMETERS, SUMS_ARGUMENTS)
DEFINE_ENTRY(precsearch_training_batch_norm_input_gradient, input_gradient, INPUT_PARAMETERS, INPUT_ARGUMENTS)
