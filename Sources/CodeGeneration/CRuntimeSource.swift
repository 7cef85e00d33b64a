/// The fixed C text of the generated library: the integer helpers, each a transcription of the engine's reference
/// definition named in its comment (docs/arithmetic.md). `@P@` stands for the prefix. Only the helpers a network
/// uses are emitted (an unused static function would fail `-Wall -Werror`).
enum CRuntimeSource {
  /// Shifts, clamps, saturating addition: used by every network.
  static let core = """
    /* value / 2^shift rounded to nearest, ties to even, for shift > 0; value * 2^-shift saturated to int64 for
       shift < 0 (FixedWidthInteger.shifted(rightBy:rounding: .toNearestOrEven) on Int64). Portable C99: no right
       shift of a negative value, no left shift of a negative value. */
    static int64_t @P@_shift_round(int64_t value, int shift) {
      int64_t floor_value;
      uint64_t lost, half;
      if (shift == 0) {
        return value;
      }
      if (shift < 0) {
        const int left = -shift;
        if (value == 0) {
          return 0;
        }
        if (left >= 63) {
          return value < 0 ? INT64_MIN : INT64_MAX;
        }
        if (value > (INT64_MAX >> left)) {
          return INT64_MAX;
        }
        if (value < -(INT64_MAX >> left) - 1) {
          return INT64_MIN;
        }
        return value * ((int64_t)1 << left);
      }
      if (shift >= 64) {
        return 0; /* |value| / 2^64 <= 1/2: rounds to 0 (ties to even) */
      }
      floor_value = value >= 0 ? value >> shift : ~(~value >> shift);
      lost = (uint64_t)value & ((shift == 63) ? (uint64_t)INT64_MAX : (((uint64_t)1 << shift) - 1u));
      half = (uint64_t)1 << (shift - 1);
      if (lost > half || (lost == half && (floor_value & 1) != 0)) {
        floor_value += 1;
      }
      return floor_value;
    }

    /* value saturated to a signed bits-wide range [-2^(bits-1), 2^(bits-1) - 1] (clamped(toSignedBitWidth:)). */
    static int64_t @P@_clamp(int64_t value, int bits) {
      const int64_t high = ((int64_t)1 << (bits - 1)) - 1;
      const int64_t low = -high - 1;
      return value < low ? low : (value > high ? high : value);
    }

    /* clamp_bits(round(q / 2^shift)) for int16 codes and shift in 0...14, in int32 without branches on the data
       (MasterPrecision.derive, and the common case of deriveInput): q + 2^15 is non-negative, so its floor shift
       is a plain shift, and 2^15 is a multiple of 2^shift, so the remainder is q's. */
    static void @P@_derive_window(const int16_t *master, int32_t count, int bits, int shift, int16_t *codes) {
      const int32_t high = ((int32_t)1 << (bits - 1)) - 1;
      const int32_t low = -high - 1;
      const int32_t mask = ((int32_t)1 << shift) - 1;
      const int32_t half = shift > 0 ? (int32_t)1 << (shift - 1) : 1;
      const int32_t offset = (int32_t)32768 >> shift;
      int32_t index;
      for (index = 0; index < count; index++) {
        const int32_t biased = (int32_t)master[index] + 32768;
        const int32_t remainder = biased & mask;
        int32_t quotient = (biased >> shift) - offset;
        quotient += (remainder > half) | ((remainder == half) & quotient & 1);
        quotient = quotient < low ? low : quotient;
        quotient = quotient > high ? high : quotient;
        codes[index] = (int16_t)quotient;
      }
    }

    /* Stored input codes taken to a layer's activation bits: clamp_ba(round(q / 2^inputShift))
       (WeightedLayerKernel.deriveInput); any shift, negative ones saturating. */
    static void @P@_derive_inputs(const int16_t *stored, int32_t count, int shift, int bits, int16_t *codes) {
      int32_t index;
      if (shift >= 0 && shift <= 14) {
        @P@_derive_window(stored, count, bits, shift, codes);
        return;
      }
      for (index = 0; index < count; index++) {
        codes[index] = (int16_t)@P@_clamp(@P@_shift_round(stored[index], shift), bits);
      }
    }

    /* Bias masters at the 16-bit accumulator scale shifted to a point's accumulator scale, saturated to +-2^62
       (ResolvedConfiguration: bias_acc). */
    static void @P@_derive_bias(const int64_t *master, int32_t count, int shift, int64_t *bias) {
      const int64_t limit = (int64_t)1 << 62;
      int32_t index;
      for (index = 0; index < count; index++) {
        const int64_t value = @P@_shift_round(master[index], shift);
        bias[index] = value < -limit ? -limit : (value > limit ? limit : value);
      }
    }

    /* The exact sum of one output's receptive field, in int32 (used only when bw + ba + ceilLog2(fanIn) <= 31,
       so every partial sum is below 2^29). Padded positions contribute 0. */
    static int32_t @P@_window32(const int16_t *input, const @P@_geometry *g, const int16_t *filter,
                                int32_t output_y, int32_t output_x, int32_t channel_offset,
                                int32_t input_channels_per_group) {
      int32_t accumulator = 0;
      int32_t kernel_y, kernel_x, channel;
      for (kernel_y = 0; kernel_y < g->kernel_height; kernel_y++) {
        const int32_t input_y = output_y * g->stride_height - g->pad_top + kernel_y * g->dilation_height;
        if (input_y < 0 || input_y >= g->input_height) {
          continue;
        }
        for (kernel_x = 0; kernel_x < g->kernel_width; kernel_x++) {
          const int32_t input_x = output_x * g->stride_width - g->pad_left + kernel_x * g->dilation_width;
          const int16_t *pixel;
          const int16_t *taps;
          if (input_x < 0 || input_x >= g->input_width) {
            continue;
          }
          pixel = input + (input_y * g->input_width + input_x) * g->input_channels + channel_offset;
          taps = filter + (kernel_y * g->kernel_width + kernel_x) * input_channels_per_group;
          for (channel = 0; channel < input_channels_per_group; channel++) {
            accumulator += (int32_t)pixel[channel] * (int32_t)taps[channel];
          }
        }
      }
      return accumulator;
    }

    /* The same sum in int64, as the reference kernel (|sum| <= 2^58). */
    static int64_t @P@_window64(const int16_t *input, const @P@_geometry *g, const int16_t *filter,
                                int32_t output_y, int32_t output_x, int32_t channel_offset,
                                int32_t input_channels_per_group) {
      int64_t accumulator = 0;
      int32_t kernel_y, kernel_x, channel;
      for (kernel_y = 0; kernel_y < g->kernel_height; kernel_y++) {
        const int32_t input_y = output_y * g->stride_height - g->pad_top + kernel_y * g->dilation_height;
        if (input_y < 0 || input_y >= g->input_height) {
          continue;
        }
        for (kernel_x = 0; kernel_x < g->kernel_width; kernel_x++) {
          const int32_t input_x = output_x * g->stride_width - g->pad_left + kernel_x * g->dilation_width;
          const int16_t *pixel;
          const int16_t *taps;
          if (input_x < 0 || input_x >= g->input_width) {
            continue;
          }
          pixel = input + (input_y * g->input_width + input_x) * g->input_channels + channel_offset;
          taps = filter + (kernel_y * g->kernel_width + kernel_x) * input_channels_per_group;
          for (channel = 0; channel < input_channels_per_group; channel++) {
            accumulator += (int64_t)pixel[channel] * (int64_t)taps[channel];
          }
        }
      }
      return accumulator;
    }

    /* Conv2D (grouped and depthwise included) and Dense (a 1x1 convolution of a 1x1xN input): exact accumulation,
       plus the bias at accumulator scale, one rounding shift (ties to even), one saturation to the output bits
       (ReferenceKernels.weighted and WeightedLayerKernel.requantize). The filter of each output channel is taken
       from `weights` (the codes of the current point) or, when that is null, derived from storage into `filter`
       just before the channel runs, so that the RAM holds one filter, not the layer. */
    static void @P@_weighted(const int16_t *input, const @P@_geometry *g, int layer, const int16_t *weights,
                             int16_t *filter_buffer, const int64_t *bias, const @P@_layer_point *point,
                             int16_t *output) {
      const int32_t input_channels_per_group = g->input_channels / g->groups;
      const int32_t output_channels_per_group = g->output_channels / g->groups;
      const int32_t fan_in = g->kernel_height * g->kernel_width * input_channels_per_group;
      const int wide = point->wide, output_shift = point->output_shift, output_bits = point->output_bits;
      int32_t output_y, output_x, output_channel;
      for (output_channel = 0; output_channel < g->output_channels; output_channel++) {
        const int32_t channel_offset = (output_channel / output_channels_per_group) * input_channels_per_group;
        const int channel_output_shift = @CHANNEL_OUTPUT_SHIFT@;
        const int16_t *filter;
        if (weights != 0) {
          filter = weights + output_channel * fan_in;
        } else {
          @P@_prepare_filter(layer, output_channel, fan_in, filter_buffer);
          filter = filter_buffer;
        }
        for (output_y = 0; output_y < g->output_height; output_y++) {
          for (output_x = 0; output_x < g->output_width; output_x++) {
            const int64_t accumulator = wide
              ? @P@_window64(input, g, filter, output_y, output_x, channel_offset, input_channels_per_group)
              : (int64_t)@P@_window32(input, g, filter, output_y, output_x, channel_offset, input_channels_per_group);
            output[(output_y * g->output_width + output_x) * g->output_channels + output_channel] =
              (int16_t)@P@_clamp(@P@_shift_round(accumulator + bias[output_channel], channel_output_shift), output_bits);
          }
        }
      }
    }

    """

  /// n / d rounded to nearest, ties to even, for d > 0 (NetworkEngine's roundedQuotient; C99 division truncates
  /// toward zero and % has the sign of n, as in Swift).
  static let roundedQuotient = """
    static int64_t @P@_rounded_quotient(int64_t n, int64_t d) {
      int64_t quotient = n / d;
      int64_t remainder = n % d;
      int64_t twice;
      if (remainder < 0) {
        quotient -= 1;
        remainder += d;
      }
      twice = 2 * remainder;
      if (twice > d || (twice == d && (quotient & 1) != 0)) {
        quotient += 1;
      }
      return quotient;
    }

    """

  /// Max and average pooling over the valid (unpadded) window elements (IntegerPooling.pool).
  static let pool = """
    static void @P@_pool(const int16_t *input, const @P@_geometry *g, int is_max, int16_t *output) {
      const int32_t channels = g->output_channels;
      int32_t output_y, output_x, channel, kernel_y, kernel_x;
      for (output_y = 0; output_y < g->output_height; output_y++) {
        for (output_x = 0; output_x < g->output_width; output_x++) {
          for (channel = 0; channel < channels; channel++) {
            int16_t best = INT16_MIN;
            int64_t sum = 0;
            int64_t count = 0;
            for (kernel_y = 0; kernel_y < g->kernel_height; kernel_y++) {
              const int32_t input_y = output_y * g->stride_height - g->pad_top + kernel_y;
              if (input_y < 0 || input_y >= g->input_height) {
                continue;
              }
              for (kernel_x = 0; kernel_x < g->kernel_width; kernel_x++) {
                const int32_t input_x = output_x * g->stride_width - g->pad_left + kernel_x;
                int16_t value;
                if (input_x < 0 || input_x >= g->input_width) {
                  continue;
                }
                value = input[(input_y * g->input_width + input_x) * channels + channel];
                best = value > best ? value : best;
                sum += value;
                count += 1;
              }
            }
            output[(output_y * g->output_width + output_x) * channels + channel] =
              is_max ? best : (int16_t)@P@_rounded_quotient(sum, count);
          }
        }
      }
    }

    """

  /// Per-channel rounded mean over all pixels (IntegerPooling.globalAverage).
  static let globalAverage = """
    static void @P@_global_average(const int16_t *input, int32_t pixels, int32_t channels, int16_t *output) {
      int32_t channel, pixel;
      for (channel = 0; channel < channels; channel++) {
        int64_t sum = 0;
        for (pixel = 0; pixel < pixels; pixel++) {
          sum += input[pixel * channels + channel];
        }
        output[channel] = (int16_t)@P@_rounded_quotient(sum, pixels);
      }
    }

    """

  /// Residual addition (AddParameters.reference): operands aligned by saturating left shifts, summed with
  /// saturation, one rounding shift, one saturation.
  static let add = """
    static void @P@_add(const int16_t *left, const int16_t *right, int32_t count, const @P@_add_point *p,
                        int16_t *output) {
      int32_t index;
      for (index = 0; index < count; index++) {
        const int64_t a = @P@_shift_round(left[index], -p->left_shift0);
        const int64_t b = @P@_shift_round(right[index], -p->left_shift1);
        int64_t sum;
        if (b > 0 && a > INT64_MAX - b) {
          sum = INT64_MAX;
        } else if (b < 0 && a < INT64_MIN - b) {
          sum = INT64_MIN;
        } else {
          sum = a + b;
        }
        output[index] = (int16_t)@P@_clamp(@P@_shift_round(sum, p->output_shift), p->output_bits);
      }
    }

    """

  /// ReLU: max(q, 0).
  static let relu = """
    static void @P@_relu(const int16_t *input, int32_t count, int16_t *output) {
      int32_t index;
      for (index = 0; index < count; index++) {
        output[index] = input[index] > 0 ? input[index] : 0;
      }
    }

    """

  /// ReLU6: min(max(q, 0), six).
  static let relu6 = """
    static void @P@_relu6(const int16_t *input, int32_t count, int16_t six, int16_t *output) {
      int32_t index;
      for (index = 0; index < count; index++) {
        const int16_t positive = input[index] > 0 ? input[index] : 0;
        output[index] = positive < six ? positive : six;
      }
    }

    """

  /// Bias correction (docs/arithmetic.md, "Bias correction"): the corrections subtracted from a point's bias.
  static let correctBias = """
    /* bias - correction saturated to +-2^62, for both within +-2^62 (BiasCorrection.corrected). */
    static void @P@_correct_bias(const int64_t *correction, int32_t count, int64_t *bias) {
      const int64_t limit = (int64_t)1 << 62;
      int32_t index;
      for (index = 0; index < count; index++) {
        const int64_t c = correction[index];
        const int64_t value = (c < 0 && bias[index] > limit + c) ? limit : bias[index] - c;
        bias[index] = value < -limit ? -limit : value;
      }
    }

    """

  /// Flatten (and a Softmax output's codes): a copy.
  static let copy = """
    static void @P@_copy(const int16_t *input, int32_t count, int16_t *output) {
      int32_t index;
      for (index = 0; index < count; index++) {
        output[index] = input[index];
      }
    }

    """

  /// Packed b-bit codes (two's complement, least significant bit first, each layer's run starting on a byte)
  /// back to int16, from any bit offset (one filter of a layer).
  static let unpack = """
    static void @P@_unpack_codes(const uint8_t *packed, uint32_t bit_offset, int32_t count, int bits, int16_t *codes) {
      const uint32_t mask = ((uint32_t)1 << bits) - 1u;
      const uint32_t sign = (uint32_t)1 << (bits - 1);
      const uint8_t *next = packed + (bit_offset >> 3);
      const int skip = (int)(bit_offset & 7u);
      uint32_t buffer = (uint32_t)(*next++) >> skip;
      int available = 8 - skip;
      int32_t index;
      for (index = 0; index < count; index++) {
        uint32_t raw;
        while (available < bits) {
          buffer |= (uint32_t)(*next++) << available;
          available += 8;
        }
        raw = buffer & mask;
        buffer >>= bits;
        available -= bits;
        codes[index] = (int16_t)((int32_t)(raw ^ sign) - (int32_t)sign);
      }
    }

    """

  /// Float to code at the current point's input format: round(x * 2^f) ties to even, saturated, NaN to 0
  /// (IntegerPlan.quantizeInput, which computes in Double). In float the product is the same value: scaling by a
  /// power of two is exact unless it overflows (then both saturate) or falls below 2^-126 (then both round to 0).
  /// So single-precision hardware suffices; the rounding uses no libm.
  static let quantize = """
    static int16_t @P@_quantize_value(float x, const @P@_input_point *p) {
      const float high = (float)(((int32_t)1 << (p->bits - 1)) - 1);
      const float low = -high - 1.0f;
      float value = x * p->scale;
      float fraction;
      int32_t code;
      if (value != value) {
        return 0;
      }
      value = value < low ? low : (value > high ? high : value);
      code = (int32_t)value;               /* toward zero, exact: |value| <= 2^15 */
      fraction = value - (float)code;      /* exact */
      if (fraction > 0.5f || (fraction == 0.5f && (code & 1) != 0)) {
        code += 1;
      } else if (fraction < -0.5f || (fraction == -0.5f && (code & 1) != 0)) {
        code -= 1;
      }
      return (int16_t)code;
    }

    """
}

extension CRuntimeSource {
  /// b-bit codes from 16-bit masters: clamp_b(round(q / 2^shift)), shift = 16 - b - windowShift in 0...14
  /// (MasterPrecision.derive). Emitted for `master16` storage only.
  static let deriveCodes = """
    static void @P@_derive_codes(const int16_t *master, int32_t count, int bits, int shift, int16_t *codes) {
      @P@_derive_window(master, count, bits, shift, codes);
    }

    """
}
