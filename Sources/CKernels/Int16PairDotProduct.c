// The wide-width GEMM of AVX2 and AVX-512 CPUs: signed 16-bit codes times signed 16-bit weights with vpmaddwd (two products
// summed exactly into an Int32 lane), accumulated in Int32 for a block of k pairs that the caller proves cannot
// leave the Int32 range, then widened into Int64. Activations wider than the block allows are split into two
// planes, x = 256 * high + low with low = x & 255 and high = x >> 8 (arithmetic), each multiplied on its own and the
// high plane's sum shifted left by 8 when widened; AccumulatorKind.swift states the bounds. The result is the exact
// Int64 sum, which the portable variant computes directly.
//
// Row r of a plane is `segment_count` runs of `segment_length` codes (an even number) at
// plane + r * row_stride + segment_offsets[s] (elements); B is [depth / 2][column_stride][2] (the 2 consecutive k of
// one output column adjacent); C is [rows][column_stride] Int64, fully written; rows a multiple of 4, column_stride
// of 16. `a_high` is NULL when there is one plane.
#include "KernelDispatch.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF

#define S16_PARAMETERS                                                                                             \
  const int16_t *a_low, const int16_t *a_high, int64_t rows, int64_t row_stride, const int64_t *segment_offsets,  \
      int64_t segment_count, int64_t segment_length, const int16_t *b, int64_t column_stride,                      \
      int64_t low_pairs_per_block, int64_t high_pairs_per_block, int64_t *c
#define S16_ARGUMENTS                                                                                              \
  a_low, a_high, rows, row_stride, segment_offsets, segment_count, segment_length, b, column_stride,               \
      low_pairs_per_block, high_pairs_per_block, c

// The definition: exact Int64 sums, any CPU.
static void gemm_s16_pairs_portable(S16_PARAMETERS) {
  (void)low_pairs_per_block; (void)high_pairs_per_block;
  for (int64_t r = 0; r < rows; r++) {
    int64_t *row = c + r * column_stride;
    memset(row, 0, (size_t)column_stride * sizeof(int64_t));
    for (int plane = 0; plane < 2; plane++) {
      const int16_t *a = plane == 0 ? a_low : a_high;
      if (a == NULL) continue;
      const int64_t scale = plane == 0 ? 1 : 256;
      int64_t pair = 0;
      for (int64_t s = 0; s < segment_count; s++) {
        const int16_t *x = a + r * row_stride + segment_offsets[s];
        for (int64_t k = 0; k < segment_length; k += 2, pair++) {
          const int16_t *w = b + pair * column_stride * 2;
          for (int64_t o = 0; o < column_stride; o++) {
            row[o] += scale * ((int64_t)x[k] * w[o * 2] + (int64_t)x[k + 1] * w[o * 2 + 1]);
          }
        }
      }
    }
  }
}

#if PRECSEARCH_X86_VARIANTS
#include <immintrin.h>

static inline AVX2_TARGET __m256i broadcast_two_codes(const int16_t *p) {
  int32_t word;
  memcpy(&word, p, 4);
  return _mm256_set1_epi32(word);
}

// Adds the 8 Int32 lanes of `lanes`, sign-extended and shifted left by `shift`, to d[0..<8] (Int64).
static inline AVX2_TARGET void widen_into(int64_t *d, __m256i lanes, int shift) {
  const __m256i low = _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(lanes)), shift);
  const __m256i high = _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(lanes, 1)), shift);
  _mm256_storeu_si256((__m256i *)d, _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)d), low));
  _mm256_storeu_si256((__m256i *)(d + 4), _mm256_add_epi64(_mm256_loadu_si256((const __m256i *)(d + 4)), high));
}

// Loops over a tile's rows are unrolled completely, so that its accumulators are registers, not an array in memory.
#if defined(__clang__)
#define UNROLL_TILE_ROWS _Pragma("clang loop unroll(full)")
#else
#define UNROLL_TILE_ROWS _Pragma("GCC unroll 6")
#endif

// One plane into the Int64 tile of `tile_rows` rows (2, 4 or 6, a constant at each call site, so the loops over it
// unroll and the 2 x tile_rows Int32 accumulators of 8 lanes stay in registers: 6 rows use 12 of AVX2's 16) by 16
// columns. Each pair step loads the 16 columns' weights once and multiplies them by every row's broadcast pair.
static inline AVX2_TARGET __attribute__((always_inline)) void s16_plane_tile(
    const int tile_rows, const int16_t *a, int64_t row_stride, const int64_t *segment_offsets, int64_t segment_count,
    int64_t segment_length, const int16_t *b, int64_t column_stride, int64_t pairs_per_block, int shift, int64_t *d) {
  const int64_t pair_elements = column_stride * 2;
  __m256i sums[6][2];
  UNROLL_TILE_ROWS
  for (int j = 0; j < tile_rows; j++) sums[j][0] = sums[j][1] = _mm256_setzero_si256();
  int64_t pending = 0;
  const int16_t *bp = b;
  for (int64_t s = 0; s < segment_count; s++) {
    const int16_t *rows = a + segment_offsets[s];
    for (int64_t k = 0; k < segment_length; k += 2) {
      const __m256i w0 = _mm256_loadu_si256((const __m256i *)bp);
      const __m256i w1 = _mm256_loadu_si256((const __m256i *)(bp + 16));
      UNROLL_TILE_ROWS
      for (int j = 0; j < tile_rows; j++) {
        const __m256i x = broadcast_two_codes(rows + j * row_stride + k);
        sums[j][0] = _mm256_add_epi32(sums[j][0], _mm256_madd_epi16(x, w0));
        sums[j][1] = _mm256_add_epi32(sums[j][1], _mm256_madd_epi16(x, w1));
      }
      bp += pair_elements;
      if (++pending == pairs_per_block) {
        UNROLL_TILE_ROWS
        for (int j = 0; j < tile_rows; j++) {
          widen_into(d + j * column_stride, sums[j][0], shift);
          widen_into(d + j * column_stride + 8, sums[j][1], shift);
          sums[j][0] = sums[j][1] = _mm256_setzero_si256();
        }
        pending = 0;
      }
    }
  }
  if (pending > 0) {
    UNROLL_TILE_ROWS
    for (int j = 0; j < tile_rows; j++) {
      widen_into(d + j * column_stride, sums[j][0], shift);
      widen_into(d + j * column_stride + 8, sums[j][1], shift);
    }
  }
}

// Both planes into the tile of `tile_rows` rows at row r, columns o..o+15.
static inline AVX2_TARGET __attribute__((always_inline)) void s16_tile(const int tile_rows, int64_t r, int64_t o,
                                                                      S16_PARAMETERS) {
  int64_t *d = c + r * column_stride + o;
  for (int j = 0; j < tile_rows; j++) memset(d + j * column_stride, 0, 16 * sizeof(int64_t));
  s16_plane_tile(tile_rows, a_low + r * row_stride, row_stride, segment_offsets, segment_count, segment_length,
                 b + o * 2, column_stride, low_pairs_per_block, 0, d);
  if (a_high != NULL) {
    s16_plane_tile(tile_rows, a_high + r * row_stride, row_stride, segment_offsets, segment_count, segment_length,
                   b + o * 2, column_stride, high_pairs_per_block, 8, d);
  }
}

// Tiles of 6 rows, then one of 4 or 2 for the rest (rows is a multiple of 4, hence even).
static AVX2_TARGET void gemm_s16_pairs_avx2(S16_PARAMETERS) {
  int64_t r = 0;
  for (; r + 6 <= rows; r += 6) {
    for (int64_t o = 0; o < column_stride; o += 16) s16_tile(6, r, o, S16_ARGUMENTS);
  }
  const int64_t rest = rows - r;
  for (int64_t o = 0; o < column_stride && rest > 0; o += 16) {
    if (rest == 4) s16_tile(4, r, o, S16_ARGUMENTS);
    else s16_tile(2, r, o, S16_ARGUMENTS);
  }
}

// The AVX-512 variant: the same Int32 lane sums (one lane per output column, the same pairs per block), 16 columns
// in one register (vpmaddwd on 32 codes), in tiles of up to 12 rows (12 of AVX-512's 32 registers).
static inline AVX512_TARGET __m512i broadcast_two_codes_512(const int16_t *p) {
  int32_t word;
  memcpy(&word, p, 4);
  return _mm512_set1_epi32(word);
}

// Adds the 16 Int32 lanes of `lanes`, sign-extended and shifted left by `shift`, to d[0..<16] (Int64).
static inline AVX512_TARGET void widen_into_512(int64_t *d, __m512i lanes, int shift) {
  const __m512i low = _mm512_slli_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(lanes)), (unsigned)shift);
  const __m512i high = _mm512_slli_epi64(_mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(lanes, 1)), (unsigned)shift);
  _mm512_storeu_si512((void *)d, _mm512_add_epi64(_mm512_loadu_si512((const void *)d), low));
  _mm512_storeu_si512((void *)(d + 8), _mm512_add_epi64(_mm512_loadu_si512((const void *)(d + 8)), high));
}

// One plane into the Int64 tile of `tile_rows` rows (4, 8 or 12, a constant at each call site) by 16 columns, as
// s16_plane_tile.
static inline AVX512_TARGET __attribute__((always_inline)) void s16_plane_tile_512(
    const int tile_rows, const int16_t *a, int64_t row_stride, const int64_t *segment_offsets, int64_t segment_count,
    int64_t segment_length, const int16_t *b, int64_t column_stride, int64_t pairs_per_block, int shift, int64_t *d) {
  const int64_t pair_elements = column_stride * 2;
  __m512i sums[12];
  UNROLL_TILE_ROWS
  for (int j = 0; j < tile_rows; j++) sums[j] = _mm512_setzero_si512();
  int64_t pending = 0;
  const int16_t *bp = b;
  for (int64_t s = 0; s < segment_count; s++) {
    const int16_t *rows = a + segment_offsets[s];
    for (int64_t k = 0; k < segment_length; k += 2) {
      const __m512i w = _mm512_loadu_si512((const void *)bp);
      UNROLL_TILE_ROWS
      for (int j = 0; j < tile_rows; j++) {
        sums[j] = _mm512_add_epi32(sums[j], _mm512_madd_epi16(broadcast_two_codes_512(rows + j * row_stride + k), w));
      }
      bp += pair_elements;
      if (++pending == pairs_per_block) {
        UNROLL_TILE_ROWS
        for (int j = 0; j < tile_rows; j++) {
          widen_into_512(d + j * column_stride, sums[j], shift);
          sums[j] = _mm512_setzero_si512();
        }
        pending = 0;
      }
    }
  }
  if (pending > 0) {
    UNROLL_TILE_ROWS
    for (int j = 0; j < tile_rows; j++) widen_into_512(d + j * column_stride, sums[j], shift);
  }
}

static inline AVX512_TARGET __attribute__((always_inline)) void s16_tile_512(const int tile_rows, int64_t r,
                                                                            int64_t o, S16_PARAMETERS) {
  int64_t *d = c + r * column_stride + o;
  for (int j = 0; j < tile_rows; j++) memset(d + j * column_stride, 0, 16 * sizeof(int64_t));
  s16_plane_tile_512(tile_rows, a_low + r * row_stride, row_stride, segment_offsets, segment_count, segment_length,
                     b + o * 2, column_stride, low_pairs_per_block, 0, d);
  if (a_high != NULL) {
    s16_plane_tile_512(tile_rows, a_high + r * row_stride, row_stride, segment_offsets, segment_count,
                       segment_length, b + o * 2, column_stride, high_pairs_per_block, 8, d);
  }
}

// Tiles of 12 rows, then one of 8 or 4 for the rest (rows is a multiple of 4).
static AVX512_TARGET void gemm_s16_pairs_avx512(S16_PARAMETERS) {
  int64_t r = 0;
  for (; r + 12 <= rows; r += 12) {
    for (int64_t o = 0; o < column_stride; o += 16) s16_tile_512(12, r, o, S16_ARGUMENTS);
  }
  const int64_t rest = rows - r;
  for (int64_t o = 0; o < column_stride && rest > 0; o += 16) {
    if (rest == 8) s16_tile_512(8, r, o, S16_ARGUMENTS);
    else s16_tile_512(4, r, o, S16_ARGUMENTS);
  }
}
#endif

void precsearch_gemm_s16_pairs(S16_PARAMETERS) {
#if PRECSEARCH_X86_VARIANTS
  const int level = precsearch_kernel_isa_level();
  if (level >= PRECSEARCH_ISA_AVX512) {
    gemm_s16_pairs_avx512(S16_ARGUMENTS);
    return;
  }
  if (level >= PRECSEARCH_ISA_AVX2) {
    gemm_s16_pairs_avx2(S16_ARGUMENTS);
    return;
  }
#endif
  gemm_s16_pairs_portable(S16_ARGUMENTS);
}
