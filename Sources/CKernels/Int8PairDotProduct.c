// The 8-bit GEMM of CPUs without AVX-512 VNNI: unsigned activation bytes times signed weight bytes with AVX2's
// vpmaddubsw (two products summed into one saturating Int16 lane) and vpmaddwd (adjacent Int16 lanes summed into
// Int32). The caller proves from the operand bounds that no Int16 lane ever saturates (AccumulatorKind.swift states
// the bounds), so the result is the exact integer sum, as the portable variant computes it.
//
// Layout as precsearch_gemm_u8s8 (Int8DotProduct.c): row r of A is `segment_count` runs of `segment_length` bytes
// (a multiple of 4) at a + r * row_stride + segment_offsets[s]; B is [depth / 4][column_stride][4]; C is
// [rows][column_stride] Int32, fully written; rows a multiple of 4, column_stride of 16.
//
// `groups_per_flush` (>= 1) is how many groups of 4 consecutive k the Int16 lanes may accumulate (vpaddw) before
// they are widened into Int32: the caller's bound is groups_per_flush * (largest |u1 w1 + u2 w2|) <= 32767.
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define U8S8_PARAMETERS                                                                                            \
  const uint8_t *a, int64_t rows, int64_t row_stride, const int64_t *segment_offsets, int64_t segment_count,       \
      int64_t segment_length, const int8_t *b, int64_t column_stride, int64_t groups_per_flush, int32_t *c
#define U8S8_ARGUMENTS                                                                                             \
  a, rows, row_stride, segment_offsets, segment_count, segment_length, b, column_stride, groups_per_flush, c

// The definition: exact Int32 sums (the caller guarantees they fit), any CPU.
static void gemm_u8s8_pairs_portable(U8S8_PARAMETERS) {
  (void)groups_per_flush;
  for (int64_t r = 0; r < rows; r++) {
    int32_t *row = c + r * column_stride;
    memset(row, 0, (size_t)column_stride * sizeof(int32_t));
    int64_t group = 0;
    for (int64_t s = 0; s < segment_count; s++) {
      const uint8_t *x = a + r * row_stride + segment_offsets[s];
      for (int64_t k = 0; k < segment_length; k += 4, group++) {
        const int8_t *w = b + group * column_stride * 4;
        for (int64_t o = 0; o < column_stride; o++) {
          int32_t sum = 0;
          for (int64_t j = 0; j < 4; j++) sum += (int32_t)x[k + j] * (int32_t)w[o * 4 + j];
          row[o] += sum;
        }
      }
    }
  }
}

#if PRECSEARCH_X86_VARIANTS
#include <immintrin.h>

static inline AVX2_TARGET __m256i broadcast_four_bytes(const uint8_t *p) {
  int32_t word;
  memcpy(&word, p, 4);
  return _mm256_set1_epi32(word);
}

// groups_per_flush == 1: every vpmaddubsw result is widened at once (4 rows x 16 columns of Int32 in registers).
static AVX2_TARGET void gemm_u8s8_pairs_widen_each(U8S8_PARAMETERS) {
  (void)groups_per_flush;
  const __m256i ones = _mm256_set1_epi16(1);
  const int64_t group_bytes = column_stride * 4;
  for (int64_t r = 0; r < rows; r += 4) {
    const uint8_t *base0 = a + r * row_stride;
    const uint8_t *base1 = base0 + row_stride, *base2 = base1 + row_stride, *base3 = base2 + row_stride;
    for (int64_t o = 0; o < column_stride; o += 16) {
      __m256i c00 = _mm256_setzero_si256(), c01 = _mm256_setzero_si256();
      __m256i c10 = _mm256_setzero_si256(), c11 = _mm256_setzero_si256();
      __m256i c20 = _mm256_setzero_si256(), c21 = _mm256_setzero_si256();
      __m256i c30 = _mm256_setzero_si256(), c31 = _mm256_setzero_si256();
      const int8_t *bp = b + o * 4;
      for (int64_t s = 0; s < segment_count; s++) {
        const int64_t offset = segment_offsets[s];
        const uint8_t *r0 = base0 + offset, *r1 = base1 + offset, *r2 = base2 + offset, *r3 = base3 + offset;
        for (int64_t k = 0; k < segment_length; k += 4) {
          const __m256i w0 = _mm256_loadu_si256((const __m256i *)bp);
          const __m256i w1 = _mm256_loadu_si256((const __m256i *)(bp + 32));
          __m256i x = broadcast_four_bytes(r0 + k);
          c00 = _mm256_add_epi32(c00, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones));
          c01 = _mm256_add_epi32(c01, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
          x = broadcast_four_bytes(r1 + k);
          c10 = _mm256_add_epi32(c10, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones));
          c11 = _mm256_add_epi32(c11, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
          x = broadcast_four_bytes(r2 + k);
          c20 = _mm256_add_epi32(c20, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones));
          c21 = _mm256_add_epi32(c21, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
          x = broadcast_four_bytes(r3 + k);
          c30 = _mm256_add_epi32(c30, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w0), ones));
          c31 = _mm256_add_epi32(c31, _mm256_madd_epi16(_mm256_maddubs_epi16(x, w1), ones));
          bp += group_bytes;
        }
      }
      int32_t *d = c + r * column_stride + o;
      _mm256_storeu_si256((__m256i *)d, c00); _mm256_storeu_si256((__m256i *)(d + 8), c01);
      d += column_stride;
      _mm256_storeu_si256((__m256i *)d, c10); _mm256_storeu_si256((__m256i *)(d + 8), c11);
      d += column_stride;
      _mm256_storeu_si256((__m256i *)d, c20); _mm256_storeu_si256((__m256i *)(d + 8), c21);
      d += column_stride;
      _mm256_storeu_si256((__m256i *)d, c30); _mm256_storeu_si256((__m256i *)(d + 8), c31);
    }
  }
}

// groups_per_flush > 1 (narrow widths): Int16 lanes accumulate with vpaddw for up to groups_per_flush groups
// (4 rows x 16 columns in registers), then are widened by vpmaddwd and added into the Int32 tile in C.
static AVX2_TARGET void gemm_u8s8_pairs_short_lanes(U8S8_PARAMETERS) {
  const __m256i ones = _mm256_set1_epi16(1);
  const int64_t group_bytes = column_stride * 4;
  for (int64_t r = 0; r < rows; r += 4) {
    const uint8_t *base0 = a + r * row_stride;
    const uint8_t *base1 = base0 + row_stride, *base2 = base1 + row_stride, *base3 = base2 + row_stride;
    for (int64_t o = 0; o < column_stride; o += 16) {
      int32_t *d0 = c + r * column_stride + o, *d1 = d0 + column_stride, *d2 = d1 + column_stride;
      int32_t *d3 = d2 + column_stride;
      memset(d0, 0, 16 * sizeof(int32_t)); memset(d1, 0, 16 * sizeof(int32_t));
      memset(d2, 0, 16 * sizeof(int32_t)); memset(d3, 0, 16 * sizeof(int32_t));
      __m256i s00 = _mm256_setzero_si256(), s01 = _mm256_setzero_si256();
      __m256i s10 = _mm256_setzero_si256(), s11 = _mm256_setzero_si256();
      __m256i s20 = _mm256_setzero_si256(), s21 = _mm256_setzero_si256();
      __m256i s30 = _mm256_setzero_si256(), s31 = _mm256_setzero_si256();
      int64_t pending = 0;
// The Int32 tile lives in C (16 Int16 accumulators, 2 weight vectors, the broadcast and the ones fill the registers).
#define WIDEN_INTO(d, lanes0, lanes1)                                                                              \
  do {                                                                                                             \
    _mm256_storeu_si256((__m256i *)(d), _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)(d)),                 \
                                                         _mm256_madd_epi16(lanes0, ones)));                        \
    _mm256_storeu_si256((__m256i *)((d) + 8), _mm256_add_epi32(_mm256_loadu_si256((const __m256i *)((d) + 8)),     \
                                                               _mm256_madd_epi16(lanes1, ones)));                  \
  } while (0)
#define WIDEN_SHORT_LANES()                                                                                        \
  do {                                                                                                             \
    WIDEN_INTO(d0, s00, s01); WIDEN_INTO(d1, s10, s11); WIDEN_INTO(d2, s20, s21); WIDEN_INTO(d3, s30, s31);         \
    s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = _mm256_setzero_si256();                                         \
    pending = 0;                                                                                                   \
  } while (0)
      const int8_t *bp = b + o * 4;
      for (int64_t s = 0; s < segment_count; s++) {
        const int64_t offset = segment_offsets[s];
        const uint8_t *r0 = base0 + offset, *r1 = base1 + offset, *r2 = base2 + offset, *r3 = base3 + offset;
        for (int64_t k = 0; k < segment_length; k += 4) {
          const __m256i w0 = _mm256_loadu_si256((const __m256i *)bp);
          const __m256i w1 = _mm256_loadu_si256((const __m256i *)(bp + 32));
          __m256i x = broadcast_four_bytes(r0 + k);
          s00 = _mm256_add_epi16(s00, _mm256_maddubs_epi16(x, w0));
          s01 = _mm256_add_epi16(s01, _mm256_maddubs_epi16(x, w1));
          x = broadcast_four_bytes(r1 + k);
          s10 = _mm256_add_epi16(s10, _mm256_maddubs_epi16(x, w0));
          s11 = _mm256_add_epi16(s11, _mm256_maddubs_epi16(x, w1));
          x = broadcast_four_bytes(r2 + k);
          s20 = _mm256_add_epi16(s20, _mm256_maddubs_epi16(x, w0));
          s21 = _mm256_add_epi16(s21, _mm256_maddubs_epi16(x, w1));
          x = broadcast_four_bytes(r3 + k);
          s30 = _mm256_add_epi16(s30, _mm256_maddubs_epi16(x, w0));
          s31 = _mm256_add_epi16(s31, _mm256_maddubs_epi16(x, w1));
          bp += group_bytes;
          if (++pending == groups_per_flush) WIDEN_SHORT_LANES();
        }
      }
      if (pending > 0) WIDEN_SHORT_LANES();
#undef WIDEN_SHORT_LANES
#undef WIDEN_INTO
    }
  }
}
#endif

void precsearch_gemm_u8s8_pairs(U8S8_PARAMETERS) {
#if PRECSEARCH_X86_VARIANTS
  if (precsearch_kernel_isa_level() >= PRECSEARCH_ISA_AVX2) {
    if (groups_per_flush < 4) {
      gemm_u8s8_pairs_widen_each(U8S8_ARGUMENTS);
    } else {
      gemm_u8s8_pairs_short_lanes(U8S8_ARGUMENTS);
    }
    return;
  }
#endif
  gemm_u8s8_pairs_portable(U8S8_ARGUMENTS);
}
