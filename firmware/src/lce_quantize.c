#include "lkws/lce_quantize.h"

#include "lkws/bitpack.h"

void lkws_lce_quantize_f32(const float *input, int32_t *output, int32_t rows, int32_t channels)
{
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const float *in = input + (size_t)r * (size_t)channels;
        int32_t *out = output + (size_t)r * (size_t)words;
        for (int32_t w = 0; w < words; ++w) {
            uint32_t bits = 0;
            const int32_t end = LKWS_MIN(32, channels - 32 * w);
            for (int32_t i = 0; i < end; ++i) {
                if (in[32 * w + i] < 0.0f) {
                    bits |= (uint32_t)1 << i;
                }
            }
            out[w] = (int32_t)bits;
        }
    }
}

void lkws_lce_quantize_i8(const int8_t *input, int32_t *output, int32_t rows, int32_t channels,
                          int32_t zero_point)
{
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const int8_t *in = input + (size_t)r * (size_t)channels;
        int32_t *out = output + (size_t)r * (size_t)words;
        for (int32_t w = 0; w < words; ++w) {
            uint32_t bits = 0;
            const int32_t end = LKWS_MIN(32, channels - 32 * w);
            for (int32_t i = 0; i < end; ++i) {
                if ((int32_t)in[32 * w + i] < zero_point) {
                    bits |= (uint32_t)1 << i;
                }
            }
            out[w] = (int32_t)bits;
        }
    }
}

void lkws_lce_dequantize_f32(const int32_t *input, float *output, int32_t rows, int32_t channels)
{
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t *in = input + (size_t)r * (size_t)words;
        float *out = output + (size_t)r * (size_t)channels;
        for (int32_t c = 0; c < channels; ++c) {
            const uint32_t bit = ((uint32_t)in[c / 32] >> (c % 32)) & 1u;
            out[c] = bit ? -1.0f : 1.0f;
        }
    }
}

void lkws_lce_dequantize_i8(const int32_t *input, int8_t *output, int32_t rows, int32_t channels,
                            int8_t zero_value, int8_t one_value)
{
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t *in = input + (size_t)r * (size_t)words;
        int8_t *out = output + (size_t)r * (size_t)channels;
        for (int32_t c = 0; c < channels; ++c) {
            const uint32_t bit = ((uint32_t)in[c / 32] >> (c % 32)) & 1u;
            out[c] = bit ? one_value : zero_value;
        }
    }
}
