// The blocked GEMM of the float path and the integer kernels: C = A x B in Float, Double, Int32 or Int64 lanes,
// compiled three times (portable, AVX2 + FMA, AVX-512) and chosen at run time by precsearch_kernel_isa_level().
// Every variant runs the same operations in the same order, so all three give identical bits: Float and Double
// use fused multiply-adds everywhere (an FMA instruction or libm's fma), integers wrap (two's complement, computed
// in unsigned lanes; the callers guarantee that no sum overflows).
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

// Unaligned vector loads and stores (statement expressions, so that no function passes a wide vector by value).
#define LOAD_VECTOR(V, pointer) ({ V loaded_; memcpy(&loaded_, (pointer), sizeof(V)); loaded_; })
#define STORE_VECTOR(pointer, value) do { __typeof__(value) stored_ = (value); memcpy((pointer), &stored_, sizeof(stored_)); } while (0)

typedef float f32x16 __attribute__((ext_vector_type(16)));
typedef double f64x16 __attribute__((ext_vector_type(16)));
typedef uint32_t u32x16 __attribute__((ext_vector_type(16)));
typedef uint64_t u64x16 __attribute__((ext_vector_type(16)));

#define FUSED_MAC(acc, w, a) __builtin_elementwise_fma((w), (a), (acc))
#define WRAPPING_MAC(acc, w, a) ((acc) + (w) * (a))

// The register tiles (the same as the Swift kernel they replace), for vectors V of LANES scalars: 4 rows x 2 * LANES
// columns when column_stride is a multiple of 32 (8 accumulators, k in order), else 4 rows x LANES columns with even
// and odd k accumulated apart and added at the end. Instantiated with 16 lanes (AVX-512 and portable) and with one
// 256-bit register (AVX2, whose 16 vector registers the 16-lane tiles overflow); the operations per output element
// and their order are the same either way. Row r of A is `segment_count` runs of `segment_length` scalars at
// a + r * row_stride + segment_offsets[s]; B is [depth][column_stride]; C is [rows][column_stride]; rows is a
// multiple of 4 and column_stride of 16.
#define DEFINE_GEMM_TILES(FUNCTION, T, V, LANES, LANE, MAC)                                                        \
  static inline __attribute__((always_inline)) void FUNCTION(                                                       \
      const T *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets, int64_t segment_count,         \
      int64_t segment_length, const T *b, int64_t column_stride, T *c) {                                           \
    for (int64_t r = 0; r < rows; r += 4) {                                                                        \
      const T *base0 = a + r * row_stride, *base1 = base0 + row_stride;                                            \
      const T *base2 = base1 + row_stride, *base3 = base2 + row_stride;                                            \
      T *d = c + r * column_stride;                                                                                \
      if (column_stride % 32 == 0) {                                                                               \
        for (int64_t o = 0; o < column_stride; o += 2 * LANES) {                                                          \
          V c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0, c31 = 0;                                \
          const T *bp = b + o;                                                                                     \
          for (int64_t s = 0; s < segment_count; s++) {                                                            \
            const int64_t offset = segment_offsets[s];                                                             \
            const T *r0 = base0 + offset, *r1 = base1 + offset, *r2 = base2 + offset, *r3 = base3 + offset;        \
            for (int64_t k = 0; k < segment_length; k++) {                                                         \
              const V w0 = LOAD_VECTOR(V, bp), w1 = LOAD_VECTOR(V, bp + LANES);                                             \
              const V a0 = (V)(LANE)r0[k], a1 = (V)(LANE)r1[k], a2 = (V)(LANE)r2[k], a3 = (V)(LANE)r3[k];          \
              c00 = MAC(c00, w0, a0); c01 = MAC(c01, w1, a0);                                                      \
              c10 = MAC(c10, w0, a1); c11 = MAC(c11, w1, a1);                                                      \
              c20 = MAC(c20, w0, a2); c21 = MAC(c21, w1, a2);                                                      \
              c30 = MAC(c30, w0, a3); c31 = MAC(c31, w1, a3);                                                      \
              bp += column_stride;                                                                                 \
            }                                                                                                      \
          }                                                                                                        \
          STORE_VECTOR(d + o, c00); STORE_VECTOR(d + o + LANES, c01);                                                 \
          STORE_VECTOR(d + column_stride + o, c10); STORE_VECTOR(d + column_stride + o + LANES, c11);                 \
          STORE_VECTOR(d + 2 * column_stride + o, c20); STORE_VECTOR(d + 2 * column_stride + o + LANES, c21);         \
          STORE_VECTOR(d + 3 * column_stride + o, c30); STORE_VECTOR(d + 3 * column_stride + o + LANES, c31);         \
        }                                                                                                          \
      } else {                                                                                                     \
        for (int64_t o = 0; o < column_stride; o += LANES) {                                                          \
          V e0 = 0, e1 = 0, e2 = 0, e3 = 0, f0 = 0, f1 = 0, f2 = 0, f3 = 0;                                        \
          const T *bp = b + o;                                                                                     \
          for (int64_t s = 0; s < segment_count; s++) {                                                            \
            const int64_t offset = segment_offsets[s];                                                             \
            const T *r0 = base0 + offset, *r1 = base1 + offset, *r2 = base2 + offset, *r3 = base3 + offset;        \
            int64_t k = 0;                                                                                         \
            for (; k + 1 < segment_length; k += 2) {                                                               \
              const V w0 = LOAD_VECTOR(V, bp), w1 = LOAD_VECTOR(V, bp + column_stride);                                  \
              e0 = MAC(e0, w0, (V)(LANE)r0[k]); f0 = MAC(f0, w1, (V)(LANE)r0[k + 1]);                              \
              e1 = MAC(e1, w0, (V)(LANE)r1[k]); f1 = MAC(f1, w1, (V)(LANE)r1[k + 1]);                              \
              e2 = MAC(e2, w0, (V)(LANE)r2[k]); f2 = MAC(f2, w1, (V)(LANE)r2[k + 1]);                              \
              e3 = MAC(e3, w0, (V)(LANE)r3[k]); f3 = MAC(f3, w1, (V)(LANE)r3[k + 1]);                              \
              bp += 2 * column_stride;                                                                             \
            }                                                                                                      \
            if (k < segment_length) {                                                                              \
              const V w0 = LOAD_VECTOR(V, bp);                                                                        \
              e0 = MAC(e0, w0, (V)(LANE)r0[k]); e1 = MAC(e1, w0, (V)(LANE)r1[k]);                                  \
              e2 = MAC(e2, w0, (V)(LANE)r2[k]); e3 = MAC(e3, w0, (V)(LANE)r3[k]);                                  \
              bp += column_stride;                                                                                 \
            }                                                                                                      \
          }                                                                                                        \
          STORE_VECTOR(d + o, e0 + f0);                                                                            \
          STORE_VECTOR(d + column_stride + o, e1 + f1);                                                            \
          STORE_VECTOR(d + 2 * column_stride + o, e2 + f2);                                                        \
          STORE_VECTOR(d + 3 * column_stride + o, e3 + f3);                                                        \
        }                                                                                                          \
      }                                                                                                            \
    }                                                                                                              \
  }

DEFINE_GEMM_TILES(gemm_f32_body, float, f32x16, 16, float, FUSED_MAC)
DEFINE_GEMM_TILES(gemm_f64_body, double, f64x16, 16, double, FUSED_MAC)
DEFINE_GEMM_TILES(gemm_i32_body, uint32_t, u32x16, 16, uint32_t, WRAPPING_MAC)
DEFINE_GEMM_TILES(gemm_i64_body, uint64_t, u64x16, 16, uint64_t, WRAPPING_MAC)

#define GEMM_PARAMETERS(T)                                                                                         \
  const T *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets, int64_t segment_count,             \
      int64_t segment_length, const T *b, int64_t column_stride, T *c
#define GEMM_ARGUMENTS a, rows, row_stride, segment_offsets, segment_count, segment_length, b, column_stride, c

// One exported function per scalar type (integer lanes computed in unsigned types, so that they wrap).
#define DEFINE_TYPED_BODY(NAME, T, ST)                                                                             \
  static inline __attribute__((always_inline)) void NAME##_typed_body(GEMM_PARAMETERS(ST)) {                      \
    NAME##_body((const T *)a, rows, row_stride, segment_offsets, segment_count, segment_length, (const T *)b,       \
                column_stride, (T *)c);                                                                            \
  }

DEFINE_TYPED_BODY(gemm_f32, float, float)
DEFINE_TYPED_BODY(gemm_f64, double, double)
DEFINE_TYPED_BODY(gemm_i32, uint32_t, int32_t)
DEFINE_TYPED_BODY(gemm_i64, uint64_t, int64_t)

#if PRECSEARCH_X86_VARIANTS
// The AVX2 tiles: one 256-bit register per vector (the 16-lane tiles need 16 accumulators of two registers each
// there, and spill).

typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef double f64x4 __attribute__((ext_vector_type(4)));
typedef uint32_t u32x8 __attribute__((ext_vector_type(8)));
typedef uint64_t u64x4 __attribute__((ext_vector_type(4)));

DEFINE_GEMM_TILES(gemm_f32_avx2_body, float, f32x8, 8, float, FUSED_MAC)
DEFINE_GEMM_TILES(gemm_f64_avx2_body, double, f64x4, 4, double, FUSED_MAC)
DEFINE_GEMM_TILES(gemm_i32_avx2_body, uint32_t, u32x8, 8, uint32_t, WRAPPING_MAC)
DEFINE_GEMM_TILES(gemm_i64_avx2_body, uint64_t, u64x4, 4, uint64_t, WRAPPING_MAC)

// Entries as DEFINE_ENTRY (KernelDispatch.h), with the AVX2 level running the AVX2 tiles.
#define DEFINE_GEMM_ENTRY(EXPORTED, NAME, T, ST)                                                                   \
  static void NAME##_portable(GEMM_PARAMETERS(ST)) { NAME##_typed_body(GEMM_ARGUMENTS); }                         \
  static AVX2_TARGET void NAME##_avx2(GEMM_PARAMETERS(ST)) {                                                       \
    NAME##_avx2_body((const T *)a, rows, row_stride, segment_offsets, segment_count, segment_length, (const T *)b, \
                     column_stride, (T *)c);                                                                       \
  }                                                                                                                \
  static AVX512_TARGET void NAME##_avx512(GEMM_PARAMETERS(ST)) { NAME##_typed_body(GEMM_ARGUMENTS); }             \
  void EXPORTED(GEMM_PARAMETERS(ST)) {                                                                             \
    switch (precsearch_kernel_isa_level()) {                                                                       \
    case PRECSEARCH_ISA_AVX512: NAME##_avx512(GEMM_ARGUMENTS); break;                                              \
    case PRECSEARCH_ISA_AVX2: NAME##_avx2(GEMM_ARGUMENTS); break;                                                  \
    default: NAME##_portable(GEMM_ARGUMENTS); break;                                                               \
    }                                                                                                              \
  }

DEFINE_GEMM_ENTRY(precsearch_gemm_f32, gemm_f32, float, float)
DEFINE_GEMM_ENTRY(precsearch_gemm_f64, gemm_f64, double, double)
DEFINE_GEMM_ENTRY(precsearch_gemm_i32, gemm_i32, uint32_t, int32_t)
DEFINE_GEMM_ENTRY(precsearch_gemm_i64, gemm_i64, uint64_t, int64_t)
#else
DEFINE_ENTRY(precsearch_gemm_f32, gemm_f32_typed, GEMM_PARAMETERS(float), GEMM_ARGUMENTS)
DEFINE_ENTRY(precsearch_gemm_f64, gemm_f64_typed, GEMM_PARAMETERS(double), GEMM_ARGUMENTS)
DEFINE_ENTRY(precsearch_gemm_i32, gemm_i32_typed, GEMM_PARAMETERS(int32_t), GEMM_ARGUMENTS)
DEFINE_ENTRY(precsearch_gemm_i64, gemm_i64_typed, GEMM_PARAMETERS(int64_t), GEMM_ARGUMENTS)
#endif
