// The two GEMMs of float training (NetworkTraining's TrainingGEMM), compiled for several instruction sets and
// chosen at run time (see CPUFeatures.c). Fused multiply-adds in a fixed order, so every level gives the same bits.
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

typedef float f32x16 __attribute__((ext_vector_type(16)));

#define LOAD(pointer) ({ f32x16 loaded_; memcpy(&loaded_, (pointer), sizeof(f32x16)); loaded_; })
#define STORE(pointer, value) do { f32x16 stored_ = (value); memcpy((pointer), &stored_, sizeof(f32x16)); } while (0)
#define MAC(acc, w, a) ((acc) = __builtin_elementwise_fma((w), (f32x16)(a), (acc)))

// 8 rows x 16 columns tile of accumulate_transposed (column_stride not a multiple of 32).
static inline __attribute__((always_inline)) void accumulate_transposed_eight_rows(
    const float *a, int64_t a_stride, int64_t depth, const float *b, int64_t column_stride, float *c) {
  for (int64_t o = 0; o < column_stride; o += 16) {
    float *cp = c + o;
    f32x16 x0 = LOAD(cp), x1 = LOAD(cp + column_stride), x2 = LOAD(cp + 2 * column_stride);
    f32x16 x3 = LOAD(cp + 3 * column_stride), x4 = LOAD(cp + 4 * column_stride);
    f32x16 x5 = LOAD(cp + 5 * column_stride), x6 = LOAD(cp + 6 * column_stride);
    f32x16 x7 = LOAD(cp + 7 * column_stride);
    const float *ap = a, *bp = b + o;
    for (int64_t k = 0; k < depth; k++) {
      const f32x16 w = LOAD(bp);
      MAC(x0, w, ap[0]); MAC(x1, w, ap[1]); MAC(x2, w, ap[2]); MAC(x3, w, ap[3]);
      MAC(x4, w, ap[4]); MAC(x5, w, ap[5]); MAC(x6, w, ap[6]); MAC(x7, w, ap[7]);
      ap += a_stride;
      bp += column_stride;
    }
    STORE(cp, x0); STORE(cp + column_stride, x1); STORE(cp + 2 * column_stride, x2);
    STORE(cp + 3 * column_stride, x3); STORE(cp + 4 * column_stride, x4); STORE(cp + 5 * column_stride, x5);
    STORE(cp + 6 * column_stride, x6); STORE(cp + 7 * column_stride, x7);
  }
}

static inline __attribute__((always_inline)) void accumulate_transposed_body(
    const float *a, int64_t a_stride, int64_t rows, int64_t depth, const float *b, int64_t column_stride,
    float *c) {
  int64_t r = 0;
  while (r < rows) {
    if (column_stride % 32 != 0 && r + 8 <= rows) {
      accumulate_transposed_eight_rows(a + r, a_stride, depth, b, column_stride, c + r * column_stride);
      r += 8;
      continue;
    }
    float *c0 = c + r * column_stride, *c1 = c0 + column_stride, *c2 = c1 + column_stride, *c3 = c2 + column_stride;
    if (column_stride % 32 == 0) {
      for (int64_t o = 0; o < column_stride; o += 32) {
        f32x16 x00 = LOAD(c0 + o), x01 = LOAD(c0 + o + 16), x10 = LOAD(c1 + o), x11 = LOAD(c1 + o + 16);
        f32x16 x20 = LOAD(c2 + o), x21 = LOAD(c2 + o + 16), x30 = LOAD(c3 + o), x31 = LOAD(c3 + o + 16);
        const float *ap = a + r, *bp = b + o;
        for (int64_t k = 0; k < depth; k++) {
          const f32x16 w0 = LOAD(bp), w1 = LOAD(bp + 16);
          MAC(x00, w0, ap[0]); MAC(x01, w1, ap[0]);
          MAC(x10, w0, ap[1]); MAC(x11, w1, ap[1]);
          MAC(x20, w0, ap[2]); MAC(x21, w1, ap[2]);
          MAC(x30, w0, ap[3]); MAC(x31, w1, ap[3]);
          ap += a_stride;
          bp += column_stride;
        }
        STORE(c0 + o, x00); STORE(c0 + o + 16, x01); STORE(c1 + o, x10); STORE(c1 + o + 16, x11);
        STORE(c2 + o, x20); STORE(c2 + o + 16, x21); STORE(c3 + o, x30); STORE(c3 + o + 16, x31);
      }
    } else {
      for (int64_t o = 0; o < column_stride; o += 16) {
        f32x16 e0 = LOAD(c0 + o), e1 = LOAD(c1 + o), e2 = LOAD(c2 + o), e3 = LOAD(c3 + o);
        f32x16 f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        const float *ap = a + r, *bp = b + o;
        int64_t k = 0;
        for (; k + 1 < depth; k += 2) {
          const f32x16 w0 = LOAD(bp), w1 = LOAD(bp + column_stride);
          const float *aq = ap + a_stride;
          MAC(e0, w0, ap[0]); MAC(f0, w1, aq[0]);
          MAC(e1, w0, ap[1]); MAC(f1, w1, aq[1]);
          MAC(e2, w0, ap[2]); MAC(f2, w1, aq[2]);
          MAC(e3, w0, ap[3]); MAC(f3, w1, aq[3]);
          ap += 2 * a_stride;
          bp += 2 * column_stride;
        }
        if (k < depth) {
          const f32x16 w0 = LOAD(bp);
          MAC(e0, w0, ap[0]); MAC(e1, w0, ap[1]); MAC(e2, w0, ap[2]); MAC(e3, w0, ap[3]);
        }
        STORE(c0 + o, e0 + f0); STORE(c1 + o, e1 + f1); STORE(c2 + o, e2 + f2); STORE(c3 + o, e3 + f3);
      }
    }
    r += 4;
  }
}

// 8 rows x 16 columns tile of multiply_segmented (column_stride not a multiple of 32).
static inline __attribute__((always_inline)) void multiply_segmented_eight_rows(
    const float *a, int64_t a_stride, int64_t segments, int64_t segment_offset, int64_t segment_depth,
    const float *b, int64_t column_stride, float *c) {
  for (int64_t o = 0; o < column_stride; o += 16) {
    f32x16 x0 = 0, x1 = 0, x2 = 0, x3 = 0, x4 = 0, x5 = 0, x6 = 0, x7 = 0;
    for (int64_t s = 0; s < segments; s++) {
      const float *r0 = a + s * segment_offset;
      const float *bp = b + s * segment_depth * column_stride + o;
      for (int64_t k = 0; k < segment_depth; k++) {
        const f32x16 w = LOAD(bp);
        const float *p = r0 + k;
        MAC(x0, w, p[0]); MAC(x1, w, p[a_stride]); MAC(x2, w, p[2 * a_stride]); MAC(x3, w, p[3 * a_stride]);
        MAC(x4, w, p[4 * a_stride]); MAC(x5, w, p[5 * a_stride]); MAC(x6, w, p[6 * a_stride]);
        MAC(x7, w, p[7 * a_stride]);
        bp += column_stride;
      }
    }
    float *cp = c + o;
    STORE(cp, x0); STORE(cp + column_stride, x1); STORE(cp + 2 * column_stride, x2);
    STORE(cp + 3 * column_stride, x3); STORE(cp + 4 * column_stride, x4); STORE(cp + 5 * column_stride, x5);
    STORE(cp + 6 * column_stride, x6); STORE(cp + 7 * column_stride, x7);
  }
}

static inline __attribute__((always_inline)) void multiply_segmented_body(
    const float *a, int64_t a_stride, int64_t rows, int64_t segments, int64_t segment_offset,
    int64_t segment_depth, const float *b, int64_t column_stride, float *c) {
  int64_t r = 0;
  while (r < rows) {
    if (column_stride % 32 != 0 && r + 8 <= rows) {
      multiply_segmented_eight_rows(a + r * a_stride, a_stride, segments, segment_offset, segment_depth, b,
                                    column_stride, c + r * column_stride);
      r += 8;
      continue;
    }
    float *c0 = c + r * column_stride, *c1 = c0 + column_stride, *c2 = c1 + column_stride, *c3 = c2 + column_stride;
    if (column_stride % 32 == 0) {
      for (int64_t o = 0; o < column_stride; o += 32) {
        f32x16 x00 = 0, x01 = 0, x10 = 0, x11 = 0, x20 = 0, x21 = 0, x30 = 0, x31 = 0;
        for (int64_t s = 0; s < segments; s++) {
          const float *r0 = a + r * a_stride + s * segment_offset, *r1 = r0 + a_stride, *r2 = r1 + a_stride;
          const float *r3 = r2 + a_stride;
          const float *bp = b + s * segment_depth * column_stride + o;
          for (int64_t k = 0; k < segment_depth; k++) {
            const f32x16 w0 = LOAD(bp), w1 = LOAD(bp + 16);
            MAC(x00, w0, r0[k]); MAC(x01, w1, r0[k]);
            MAC(x10, w0, r1[k]); MAC(x11, w1, r1[k]);
            MAC(x20, w0, r2[k]); MAC(x21, w1, r2[k]);
            MAC(x30, w0, r3[k]); MAC(x31, w1, r3[k]);
            bp += column_stride;
          }
        }
        STORE(c0 + o, x00); STORE(c0 + o + 16, x01); STORE(c1 + o, x10); STORE(c1 + o + 16, x11);
        STORE(c2 + o, x20); STORE(c2 + o + 16, x21); STORE(c3 + o, x30); STORE(c3 + o + 16, x31);
      }
    } else {
      for (int64_t o = 0; o < column_stride; o += 16) {
        f32x16 e0 = 0, e1 = 0, e2 = 0, e3 = 0, f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        for (int64_t s = 0; s < segments; s++) {
          const float *r0 = a + r * a_stride + s * segment_offset, *r1 = r0 + a_stride, *r2 = r1 + a_stride;
          const float *r3 = r2 + a_stride;
          const float *bp = b + s * segment_depth * column_stride + o;
          int64_t k = 0;
          for (; k + 1 < segment_depth; k += 2) {
            const f32x16 w0 = LOAD(bp), w1 = LOAD(bp + column_stride);
            MAC(e0, w0, r0[k]); MAC(f0, w1, r0[k + 1]);
            MAC(e1, w0, r1[k]); MAC(f1, w1, r1[k + 1]);
            MAC(e2, w0, r2[k]); MAC(f2, w1, r2[k + 1]);
            MAC(e3, w0, r3[k]); MAC(f3, w1, r3[k + 1]);
            bp += 2 * column_stride;
          }
          if (k < segment_depth) {
            const f32x16 w0 = LOAD(bp);
            MAC(e0, w0, r0[k]); MAC(e1, w0, r1[k]); MAC(e2, w0, r2[k]); MAC(e3, w0, r3[k]);
          }
        }
        STORE(c0 + o, e0 + f0); STORE(c1 + o, e1 + f1); STORE(c2 + o, e2 + f2); STORE(c3 + o, e3 + f3);
      }
    }
    r += 4;
  }
}

#define ACCUMULATE_PARAMETERS                                                                                      \
  const float *a, int64_t a_stride, int64_t rows, int64_t depth, const float *b, int64_t column_stride, float *c
#define ACCUMULATE_ARGUMENTS a, a_stride, rows, depth, b, column_stride, c
#define SEGMENTED_PARAMETERS                                                                                       \
  const float *a, int64_t a_stride, int64_t rows, int64_t segments, int64_t segment_offset, int64_t segment_depth, \
      const float *b, int64_t column_stride, float *c
#define SEGMENTED_ARGUMENTS a, a_stride, rows, segments, segment_offset, segment_depth, b, column_stride, c


DEFINE_ENTRY(precsearch_training_accumulate_transposed, accumulate_transposed, ACCUMULATE_PARAMETERS,
             ACCUMULATE_ARGUMENTS)
DEFINE_ENTRY(precsearch_training_multiply_segmented, multiply_segmented, SEGMENTED_PARAMETERS, SEGMENTED_ARGUMENTS)
