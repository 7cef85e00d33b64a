// Private to CKernels: the vector types, unaligned loads and stores, and the vector form of the rounding shift that
// the pass kernels (requantization, derivation, pooling, depthwise) share. Clang's extended vectors: each body is
// compiled once per instruction set (KernelDispatch.h), so one vector of 16 lanes becomes one zmm register under
// AVX-512, two ymm under AVX2 and four xmm in the portable variant; the arithmetic is the same everywhere.
#ifndef PRECSEARCH_KERNEL_VECTORS_H
#define PRECSEARCH_KERNEL_VECTORS_H

#include <stdint.h>
#include <string.h>

typedef int16_t i16x8 __attribute__((ext_vector_type(8)));
typedef int16_t i16x16 __attribute__((ext_vector_type(16)));
typedef int16_t i16x32 __attribute__((ext_vector_type(32)));
typedef int32_t i32x8 __attribute__((ext_vector_type(8)));
typedef int32_t i32x16 __attribute__((ext_vector_type(16)));
typedef uint32_t u32x8 __attribute__((ext_vector_type(8)));
typedef uint32_t u32x16 __attribute__((ext_vector_type(16)));
typedef uint8_t u8x8 __attribute__((ext_vector_type(8)));
typedef uint8_t u8x16 __attribute__((ext_vector_type(16)));
typedef uint8_t u8x32 __attribute__((ext_vector_type(32)));
typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef float f32x16 __attribute__((ext_vector_type(16)));
typedef double f64x8 __attribute__((ext_vector_type(8)));
typedef double f64x16 __attribute__((ext_vector_type(16)));

// Unaligned vector loads and stores (statement expressions, so that no function passes a wide vector by value).
#define LOAD_VECTOR(V, pointer) ({ V loaded_; memcpy(&loaded_, (pointer), sizeof(V)); loaded_; })
#define STORE_VECTOR(pointer, value) do { __typeof__(value) stored_ = (value); memcpy((pointer), &stored_, sizeof(stored_)); } while (0)

// The rounding right shift of every lane of the signed integer vector `value` (type V): floor(value / 2^shift), plus
// one when the remainder is above half, or equal to half and the quotient is odd (to nearest, ties to even), then
// clamped to [low, high]; `mask` = 2^shift - 1 and `half` = 2^(shift - 1), or 1 for a shift of 0 (ROUNDING_CONSTANTS in
// IntegerRequantization.c). Lane for lane the scalar rounding_shift, provided V's lanes hold value, mask, half, low
// and high (Int16 lanes for Int16 codes and shifts <= 15, Int32 lanes for Int32 sums).
#define VECTOR_ROUNDING_SHIFT(V, value, shift, mask, half, low, high)                                              \
  ({                                                                                                               \
    const V value_ = (value);                                                                                      \
    V quotient_ = value_ >> (V)(shift);                                                                            \
    const V remainder_ = value_ & (V)(mask);                                                                       \
    /* comparisons give -1 (true) or 0 per lane */                                                                 \
    quotient_ += ((V)(remainder_ > (V)(half)) | ((V)(remainder_ == (V)(half)) & quotient_)) & (V)(1);              \
    quotient_ = __builtin_elementwise_max(quotient_, (V)(low));                                                    \
    __builtin_elementwise_min(quotient_, (V)(high));                                                               \
  })

#endif
