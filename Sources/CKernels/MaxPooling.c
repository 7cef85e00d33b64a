// Max pooling over Int16 codes (HWC), vectorized over channels, compiled for several instruction sets and chosen
// at run time (see CPUFeatures.c). Equal to NetworkEngine's IntegerPooling.pool with max: each output is the
// largest code of the window's valid elements (padding is never read), Int16.min for an empty window.
#include "KernelDispatch.h"
#include "KernelVectors.h"

static inline __attribute__((always_inline)) void max_pool_i16_body(const precsearch_pool_shape *shape,
                                                                    const int16_t *input, int16_t *output) {
  const int64_t channels = shape->channels;
  for (int64_t oy = 0; oy < shape->output_height; oy++) {
    int64_t top = oy * shape->stride_height - shape->pad_top, bottom = top + shape->kernel_height;
    top = top < 0 ? 0 : top;
    bottom = bottom > shape->input_height ? shape->input_height : bottom;
    for (int64_t ox = 0; ox < shape->output_width; ox++) {
      int64_t left = ox * shape->stride_width - shape->pad_left, right = left + shape->kernel_width;
      left = left < 0 ? 0 : left;
      right = right > shape->input_width ? shape->input_width : right;
      int16_t *target = output + (oy * shape->output_width + ox) * channels;
      int64_t ch = 0;
      // 16, then 8 channels at a time, the running maximum in a register (no store per window element).
      for (; ch + 16 <= channels; ch += 16) {
        i16x16 best = (i16x16)INT16_MIN;
        for (int64_t iy = top; iy < bottom; iy++) {
          for (int64_t ix = left; ix < right; ix++) {
            best = __builtin_elementwise_max(best, LOAD_VECTOR(i16x16, input + (iy * shape->input_width + ix) * channels + ch));
          }
        }
        memcpy(target + ch, &best, sizeof best);
      }
      if (ch + 8 <= channels) {
        i16x8 best = (i16x8)INT16_MIN;
        for (int64_t iy = top; iy < bottom; iy++) {
          for (int64_t ix = left; ix < right; ix++) {
            best = __builtin_elementwise_max(best, LOAD_VECTOR(i16x8, input + (iy * shape->input_width + ix) * channels + ch));
          }
        }
        memcpy(target + ch, &best, sizeof best);
        ch += 8;
      }
      for (; ch < channels; ch++) {
        int16_t best = INT16_MIN;
        for (int64_t iy = top; iy < bottom; iy++) {
          for (int64_t ix = left; ix < right; ix++) {
            const int16_t value = input[(iy * shape->input_width + ix) * channels + ch];
            best = value > best ? value : best;
          }
        }
        target[ch] = best;
      }
    }
  }
}

#define MAX_POOL_PARAMETERS const precsearch_pool_shape *shape, const int16_t *input, int16_t *output
#define MAX_POOL_ARGUMENTS shape, input, output
DEFINE_ENTRY(precsearch_max_pool_i16, max_pool_i16, MAX_POOL_PARAMETERS, MAX_POOL_ARGUMENTS)
