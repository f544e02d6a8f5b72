/* LceQuantize, int8 -> bitpacked: bit set where x < zero_point. */
#include "lkws/lce_quantize.h"

#include "lkws/bitpack.h"

lkws_status_t lkws_lce_quantize_s8(const int8_t *input, int32_t *output, int32_t rows, int32_t channels,
                                   int32_t zero_point)
{
    if (rows < 0 || channels < 1) {
        return LKWS_ARG_ERROR;
    }
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
    return LKWS_OK;
}
