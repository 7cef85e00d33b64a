// Private to CKernels: how each kernel is compiled for several instruction sets and chosen at run time.
//
// A kernel is written once as `static inline __attribute__((always_inline)) void NAME_body(PARAMETERS)`; then
// DEFINE_ENTRY(EXPORTED, NAME, PARAMETERS, ARGUMENTS) defines NAME_portable, NAME_avx2 and NAME_avx512 (the same
// body compiled with target attributes) and the exported EXPORTED, which calls the variant of
// precsearch_kernel_isa_level(). Elsewhere than x86-64 there is one variant, the portable one.
#ifndef PRECSEARCH_KERNEL_DISPATCH_H
#define PRECSEARCH_KERNEL_DISPATCH_H

#include "CKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define PRECSEARCH_X86_VARIANTS 1
#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
#define DEFINE_ENTRY(EXPORTED, NAME, PARAMETERS, ARGUMENTS)                                                        \
  static void NAME##_portable(PARAMETERS) { NAME##_body(ARGUMENTS); }                                               \
  static AVX2_TARGET void NAME##_avx2(PARAMETERS) { NAME##_body(ARGUMENTS); }                                       \
  static AVX512_TARGET void NAME##_avx512(PARAMETERS) { NAME##_body(ARGUMENTS); }                                   \
  void EXPORTED(PARAMETERS) {                                                                                      \
    switch (precsearch_kernel_isa_level()) {                                                                       \
    case PRECSEARCH_ISA_AVX512: NAME##_avx512(ARGUMENTS); break;                                                   \
    case PRECSEARCH_ISA_AVX2: NAME##_avx2(ARGUMENTS); break;                                                       \
    default: NAME##_portable(ARGUMENTS); break;                                                                    \
    }                                                                                                              \
  }
#else
#define PRECSEARCH_X86_VARIANTS 0
#define DEFINE_ENTRY(EXPORTED, NAME, PARAMETERS, ARGUMENTS)                                                        \
  void EXPORTED(PARAMETERS) { NAME##_body(ARGUMENTS); }
#endif

#endif
