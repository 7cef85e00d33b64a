// Which instruction-set level the kernels of this target run at: chosen once from the CPU running the process
// (never from compile flags), optionally capped for tests and benchmarks.
#include "CKernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
static int detect(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma")) {
    return PRECSEARCH_ISA_AVX512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PRECSEARCH_ISA_AVX2;
  return PRECSEARCH_ISA_PORTABLE;
}
#else
static int detect(void) { return PRECSEARCH_ISA_PORTABLE; }
#endif

// -1 until first use. Relaxed atomics: every thread computes the same value, so a race only repeats the detection.
static int detected_level = -1;
static int level_cap = PRECSEARCH_ISA_AVX512;

int precsearch_cpu_isa_level(void) {
  int level = __atomic_load_n(&detected_level, __ATOMIC_RELAXED);
  if (level < 0) {
    level = detect();
    __atomic_store_n(&detected_level, level, __ATOMIC_RELAXED);
  }
  return level;
}

int precsearch_kernel_isa_level(void) {
  int level = precsearch_cpu_isa_level();
  int cap = __atomic_load_n(&level_cap, __ATOMIC_RELAXED);
  return level < cap ? level : cap;
}

void precsearch_set_kernel_isa_cap(int cap) {
  if (cap < PRECSEARCH_ISA_PORTABLE) cap = PRECSEARCH_ISA_PORTABLE;
  if (cap > PRECSEARCH_ISA_AVX512) cap = PRECSEARCH_ISA_AVX512;
  __atomic_store_n(&level_cap, cap, __ATOMIC_RELAXED);
}
