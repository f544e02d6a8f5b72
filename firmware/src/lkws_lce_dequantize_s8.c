/* LceDequantize, bitpacked -> int8: bit set -> one_value, clear -> zero_value. */
#include "lkws/lce_quantize.h"

#include "lkws/bitpack.h"

lkws_status_t lkws_lce_dequantize_s8(const int32_t *input, int8_t *output, int32_t rows, int32_t channels,
                                     int8_t zero_value, int8_t one_value)
{
    if (rows < 0 || channels < 1) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words = LKWS_PACKED_WORDS(channels);
    for (int32_t r = 0; r < rows; ++r) {
        const int32_t *in = input + (size_t)r * (size_t)words;
        int8_t *out = output + (size_t)r * (size_t)channels;
        for (int32_t c = 0; c < channels; ++c) {
            const uint32_t bit = ((uint32_t)in[c / 32] >> (c % 32)) & 1u;
            out[c] = bit ? one_value : zero_value;
        }
    }
    return LKWS_OK;
}
