// Quantization of a float input to codes (NetworkEngine's IntegerPlan.quantizeInput), compiled for several
// instruction sets and chosen at run time (see CPUFeatures.c).
#include "CKernels.h"

#pragma STDC FP_CONTRACT OFF

static inline __attribute__((always_inline)) void quantize_input_body(const float *input, int64_t count,
                                                                      double scale, double low, double high,
                                                                      int16_t *output) {
  for (int64_t i = 0; i < count; i++) {
    double v = __builtin_roundeven((double)input[i] * scale);  // exact: a Float times a power of two, in Double
    v = v != v ? 0 : v;                                        // NaN becomes 0
    v = v < low ? low : v;
    v = v > high ? high : v;
    output[i] = (int16_t)v;
  }
}

#define QUANTIZE_PARAMETERS const float *input, int64_t count, double scale, double low, double high, int16_t *output
#define QUANTIZE_ARGUMENTS input, count, scale, low, high, output

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,fma")))
static void quantize_input_portable(QUANTIZE_PARAMETERS) { quantize_input_body(QUANTIZE_ARGUMENTS); }
static AVX2_TARGET void quantize_input_avx2(QUANTIZE_PARAMETERS) { quantize_input_body(QUANTIZE_ARGUMENTS); }
static AVX512_TARGET void quantize_input_avx512(QUANTIZE_PARAMETERS) { quantize_input_body(QUANTIZE_ARGUMENTS); }
void precsearch_quantize_input(QUANTIZE_PARAMETERS) {
  switch (precsearch_kernel_isa_level()) {
  case PRECSEARCH_ISA_AVX512: quantize_input_avx512(QUANTIZE_ARGUMENTS); break;
  case PRECSEARCH_ISA_AVX2: quantize_input_avx2(QUANTIZE_ARGUMENTS); break;
  default: quantize_input_portable(QUANTIZE_ARGUMENTS); break;
  }
}
#else
void precsearch_quantize_input(QUANTIZE_PARAMETERS) { quantize_input_body(QUANTIZE_ARGUMENTS); }
#endif
