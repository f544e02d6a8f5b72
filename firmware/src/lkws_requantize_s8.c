/* QUANTIZE, int8 -> int8 (requantize), as the LCE interpreter computes it. */
#include "lkws/fixedpoint.h"
#include "lkws/quantize.h"

lkws_status_t lkws_requantize_s8(int32_t n, const int8_t *input, int32_t input_zero_point, int32_t multiplier,
                                 int32_t shift, int32_t output_zero_point, int32_t half_up_count, int8_t *output)
{
    int32_t i;
    if (n < 0) {
        return LKWS_ARG_ERROR;
    }
    for (i = 0; i < n; ++i) {
        const int32_t x = (int32_t)input[i] - input_zero_point;
        const int32_t v = i < half_up_count ? lkws_mul_qm_half_up(x, multiplier, shift)
                                            : lkws_mul_qm_double(x, multiplier, shift);
        output[i] = (int8_t)lkws_clamp_i32(v + output_zero_point, -128, 127);
    }
    return LKWS_OK;
}
