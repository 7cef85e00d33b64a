#include "CKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <string.h>

int precsearch_has_int8_dot_product(void) {
  static int cached = -1;  // relaxed atomics: every thread computes the same value
  int has = __atomic_load_n(&cached, __ATOMIC_RELAXED);
  if (has < 0) {
    __builtin_cpu_init();
    has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512vnni");
    __atomic_store_n(&cached, has, __ATOMIC_RELAXED);
  }
  return has && precsearch_kernel_isa_level() >= PRECSEARCH_ISA_AVX512;
}

static inline __attribute__((target("avx512f,avx512bw,avx512vnni"))) __m512i broadcast4(const uint8_t *p) {
  int32_t word;
  memcpy(&word, p, 4);
  return _mm512_set1_epi32(word);
}

__attribute__((target("avx512f,avx512bw,avx512vnni")))
void precsearch_gemm_u8s8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                          int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                          int32_t *c) {
  const int64_t b_row = column_stride * 4;  // bytes per group of 4 k
  for (int64_t r = 0; r < rows; r += 4) {
    const uint8_t *base0 = a + r * row_stride;
    const uint8_t *base1 = base0 + row_stride, *base2 = base1 + row_stride, *base3 = base2 + row_stride;
    int64_t o = 0;
    for (; o + 32 <= column_stride; o += 32) {
      __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512();
      __m512i c10 = _mm512_setzero_si512(), c11 = _mm512_setzero_si512();
      __m512i c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512();
      __m512i c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();
      const int8_t *bp = b + o * 4;
      for (int64_t s = 0; s < segment_count; s++) {
        const int64_t off = segment_offsets[s];
        const uint8_t *r0 = base0 + off, *r1 = base1 + off, *r2 = base2 + off, *r3 = base3 + off;
        for (int64_t k = 0; k < segment_length; k += 4) {
          const __m512i w0 = _mm512_loadu_si512((const void *)bp);
          const __m512i w1 = _mm512_loadu_si512((const void *)(bp + 64));
          __m512i x = broadcast4(r0 + k);
          c00 = _mm512_dpbusd_epi32(c00, x, w0); c01 = _mm512_dpbusd_epi32(c01, x, w1);
          x = broadcast4(r1 + k);
          c10 = _mm512_dpbusd_epi32(c10, x, w0); c11 = _mm512_dpbusd_epi32(c11, x, w1);
          x = broadcast4(r2 + k);
          c20 = _mm512_dpbusd_epi32(c20, x, w0); c21 = _mm512_dpbusd_epi32(c21, x, w1);
          x = broadcast4(r3 + k);
          c30 = _mm512_dpbusd_epi32(c30, x, w0); c31 = _mm512_dpbusd_epi32(c31, x, w1);
          bp += b_row;
        }
      }
      int32_t *d = c + r * column_stride + o;
      _mm512_storeu_si512((void *)d, c00); _mm512_storeu_si512((void *)(d + 16), c01);
      d += column_stride;
      _mm512_storeu_si512((void *)d, c10); _mm512_storeu_si512((void *)(d + 16), c11);
      d += column_stride;
      _mm512_storeu_si512((void *)d, c20); _mm512_storeu_si512((void *)(d + 16), c21);
      d += column_stride;
      _mm512_storeu_si512((void *)d, c30); _mm512_storeu_si512((void *)(d + 16), c31);
    }
    for (; o < column_stride; o += 16) {
      __m512i e0 = _mm512_setzero_si512(), e1 = _mm512_setzero_si512();
      __m512i e2 = _mm512_setzero_si512(), e3 = _mm512_setzero_si512();
      __m512i f0 = _mm512_setzero_si512(), f1 = _mm512_setzero_si512();
      __m512i f2 = _mm512_setzero_si512(), f3 = _mm512_setzero_si512();
      const int8_t *bp = b + o * 4;
      for (int64_t s = 0; s < segment_count; s++) {
        const int64_t off = segment_offsets[s];
        const uint8_t *r0 = base0 + off, *r1 = base1 + off, *r2 = base2 + off, *r3 = base3 + off;
        int64_t k = 0;
        for (; k + 8 <= segment_length; k += 8) {
          const __m512i w0 = _mm512_loadu_si512((const void *)bp);
          const __m512i w1 = _mm512_loadu_si512((const void *)(bp + b_row));
          e0 = _mm512_dpbusd_epi32(e0, broadcast4(r0 + k), w0); f0 = _mm512_dpbusd_epi32(f0, broadcast4(r0 + k + 4), w1);
          e1 = _mm512_dpbusd_epi32(e1, broadcast4(r1 + k), w0); f1 = _mm512_dpbusd_epi32(f1, broadcast4(r1 + k + 4), w1);
          e2 = _mm512_dpbusd_epi32(e2, broadcast4(r2 + k), w0); f2 = _mm512_dpbusd_epi32(f2, broadcast4(r2 + k + 4), w1);
          e3 = _mm512_dpbusd_epi32(e3, broadcast4(r3 + k), w0); f3 = _mm512_dpbusd_epi32(f3, broadcast4(r3 + k + 4), w1);
          bp += 2 * b_row;
        }
        if (k < segment_length) {
          const __m512i w0 = _mm512_loadu_si512((const void *)bp);
          e0 = _mm512_dpbusd_epi32(e0, broadcast4(r0 + k), w0);
          e1 = _mm512_dpbusd_epi32(e1, broadcast4(r1 + k), w0);
          e2 = _mm512_dpbusd_epi32(e2, broadcast4(r2 + k), w0);
          e3 = _mm512_dpbusd_epi32(e3, broadcast4(r3 + k), w0);
          bp += b_row;
        }
      }
      int32_t *d = c + r * column_stride + o;
      _mm512_storeu_si512((void *)d, _mm512_add_epi32(e0, f0)); d += column_stride;
      _mm512_storeu_si512((void *)d, _mm512_add_epi32(e1, f1)); d += column_stride;
      _mm512_storeu_si512((void *)d, _mm512_add_epi32(e2, f2)); d += column_stride;
      _mm512_storeu_si512((void *)d, _mm512_add_epi32(e3, f3));
    }
  }
}

static inline __attribute__((target("avx512f,avx512bw,avx512vnni,avx512vl"))) __m256i broadcast4_256(const uint8_t *p) {
  int32_t word;
  memcpy(&word, p, 4);
  return _mm256_set1_epi32(word);
}

// Columns 0..<8 only, in 256-bit vectors: the first 32 bytes of every 64-byte group row of B (column_stride 16), so
// a layer of at most 8 output channels does not compute 8 zero columns. Two accumulators per row (k and k + 4), as
// in the general kernel's last column block.
__attribute__((target("avx512f,avx512bw,avx512vnni,avx512vl")))
void precsearch_gemm_u8s8_8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                            int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                            int32_t *c) {
  const int64_t b_row = column_stride * 4;  // bytes per group of 4 k
  for (int64_t r = 0; r < rows; r += 4) {
    const uint8_t *base0 = a + r * row_stride;
    const uint8_t *base1 = base0 + row_stride, *base2 = base1 + row_stride, *base3 = base2 + row_stride;
    __m256i e0 = _mm256_setzero_si256(), e1 = _mm256_setzero_si256();
    __m256i e2 = _mm256_setzero_si256(), e3 = _mm256_setzero_si256();
    __m256i f0 = _mm256_setzero_si256(), f1 = _mm256_setzero_si256();
    __m256i f2 = _mm256_setzero_si256(), f3 = _mm256_setzero_si256();
    const int8_t *bp = b;
    for (int64_t s = 0; s < segment_count; s++) {
      const int64_t off = segment_offsets[s];
      const uint8_t *r0 = base0 + off, *r1 = base1 + off, *r2 = base2 + off, *r3 = base3 + off;
      int64_t k = 0;
      for (; k + 8 <= segment_length; k += 8) {
        const __m256i w0 = _mm256_loadu_si256((const void *)bp);
        const __m256i w1 = _mm256_loadu_si256((const void *)(bp + b_row));
        e0 = _mm256_dpbusd_epi32(e0, broadcast4_256(r0 + k), w0); f0 = _mm256_dpbusd_epi32(f0, broadcast4_256(r0 + k + 4), w1);
        e1 = _mm256_dpbusd_epi32(e1, broadcast4_256(r1 + k), w0); f1 = _mm256_dpbusd_epi32(f1, broadcast4_256(r1 + k + 4), w1);
        e2 = _mm256_dpbusd_epi32(e2, broadcast4_256(r2 + k), w0); f2 = _mm256_dpbusd_epi32(f2, broadcast4_256(r2 + k + 4), w1);
        e3 = _mm256_dpbusd_epi32(e3, broadcast4_256(r3 + k), w0); f3 = _mm256_dpbusd_epi32(f3, broadcast4_256(r3 + k + 4), w1);
        bp += 2 * b_row;
      }
      if (k < segment_length) {
        const __m256i w0 = _mm256_loadu_si256((const void *)bp);
        e0 = _mm256_dpbusd_epi32(e0, broadcast4_256(r0 + k), w0);
        e1 = _mm256_dpbusd_epi32(e1, broadcast4_256(r1 + k), w0);
        e2 = _mm256_dpbusd_epi32(e2, broadcast4_256(r2 + k), w0);
        e3 = _mm256_dpbusd_epi32(e3, broadcast4_256(r3 + k), w0);
        bp += b_row;
      }
    }
    int32_t *d = c + r * column_stride;
    _mm256_storeu_si256((void *)d, _mm256_add_epi32(e0, f0)); d += column_stride;
    _mm256_storeu_si256((void *)d, _mm256_add_epi32(e1, f1)); d += column_stride;
    _mm256_storeu_si256((void *)d, _mm256_add_epi32(e2, f2)); d += column_stride;
    _mm256_storeu_si256((void *)d, _mm256_add_epi32(e3, f3));
  }
}

#else

int precsearch_has_int8_dot_product(void) { return 0; }

void precsearch_gemm_u8s8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                          int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                          int32_t *c) {
  (void)a; (void)rows; (void)row_stride; (void)segment_offsets; (void)segment_count; (void)segment_length;
  (void)b; (void)column_stride; (void)c;
}

void precsearch_gemm_u8s8_8(const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,
                            int64_t segment_count, int64_t segment_length, const int8_t *b, int64_t column_stride,
                            int32_t *c) {
  (void)a; (void)rows; (void)row_stride; (void)segment_offsets; (void)segment_count; (void)segment_length;
  (void)b; (void)column_stride; (void)c;
}

#endif
