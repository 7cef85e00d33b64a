/* Times an exported precsearch C library: images per CPU second at each point of its table, one image at a time,
   on one thread. Built by run.sh with -DLIB_HEADER="\"NAME.h\"" -DLIB(x)=NAME_##x -DLIB_MACRO(x)=NAME_##x. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include LIB_HEADER

static int64_t scratch[(LIB_MACRO(SCRATCH_BYTES) + 7) / 8];

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void) {
  enum { IMAGES = 32 };
  static uint8_t raw[IMAGES][LIB_MACRO(INPUT_ELEMENTS)];
  static int16_t codes[IMAGES][LIB_MACRO(INPUT_ELEMENTS)];
  int32_t logits[LIB_MACRO(OUTPUT_ELEMENTS)];
  uint32_t state = 1;
  int point, image, element, round;
  long checksum = 0;
  for (image = 0; image < IMAGES; image++) {
    for (element = 0; element < LIB_MACRO(INPUT_ELEMENTS); element++) {
      state = state * 1664525u + 1013904223u; /* fixed pseudo-random bytes */
      raw[image][element] = (uint8_t)(state >> 24);
    }
  }
  for (point = 0; point < LIB(point_count)(); point++) {
    double best = 0;
    LIB(set_point)(point);
    for (image = 0; image < IMAGES; image++) LIB(quantize_raw)(raw[image], codes[image]);
    for (image = 0; image < IMAGES; image++) LIB(infer)(codes[image], logits, scratch); /* warm-up */
    for (round = 0; round < 3; round++) {
      const double start = cpu_seconds();
      long images = 0;
      double elapsed;
      do {
        for (image = 0; image < IMAGES; image++) {
          LIB(infer)(codes[image], logits, scratch);
          checksum += logits[0];
        }
        images += IMAGES;
        elapsed = cpu_seconds() - start;
      } while (elapsed < 1.0);
      if (images / elapsed > best) best = images / elapsed;
    }
    printf("point %-6s %10.1f images/s %9.3f ms/image\n", LIB(point)(point)->name, best, 1000.0 / best);
  }
  fprintf(stderr, "(checksum %ld)\n", checksum);
  return 0;
}
