// Quantization of a float input to codes (NetworkEngine's IntegerPlan.quantizeInput), compiled for several
// instruction sets and chosen at run time (see CPUFeatures.c).
#include "KernelDispatch.h"

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

DEFINE_ENTRY(precsearch_quantize_input, quantize_input, QUANTIZE_PARAMETERS, QUANTIZE_ARGUMENTS)
