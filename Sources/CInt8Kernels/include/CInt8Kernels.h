// CInt8Kernels: the 8-bit dot-product GEMM of precsearch's optimized integer kernels (AVX-512 VNNI), with a
// run-time CPU check. Called only from NetworkEngine; bit-exact with the engine's Int64 reference kernels.
#ifndef CINT8KERNELS_H
#define CINT8KERNELS_H

#include <stdint.h>

/// 1 when the CPU running this process has AVX-512 F, BW and VNNI (checked once), else 0.
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

#endif
