/* LceDequantize, bitpacked -> float32: bit set -> -1.0f, clear -> +1.0f. */
#include "lkws/lce_quantize.h"

#include "lkws/bitpack.h"

lkws_status_t lkws_lce_dequantize_f32(const int32_t *input, float *output, int32_t rows, int32_t channels)
{
    if (rows < 0 || channels < 1) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t *in = input + (size_t)r * (size_t)words;
        float *out = output + (size_t)r * (size_t)channels;
        for (int32_t c = 0; c < channels; ++c) {
            const uint32_t bit = ((uint32_t)in[c / 32] >> (c % 32)) & 1u;
            out[c] = bit ? -1.0f : 1.0f;
        }
    }
    return LKWS_OK;
}
