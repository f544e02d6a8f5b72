/* QUANTIZE, float32 -> int8 and int8 -> int8, as the LCE interpreter computes them. */
#include <math.h>

#include "lkws/builtins_s8.h"
#include "lkws/fixedpoint.h"

int lkws_quantize_f32_s8(int32_t n, const float *input, float scale, int32_t zero_point, int8_t *output)
{
    int32_t i;
    if (n < 0 || !(scale > 0.0f)) {
        return LKWS_S8_ARG_ERROR;
    }
    for (i = 0; i < n; ++i) {
        /* roundf: halves away from zero, as TfLiteRound; clamp in float first so that huge values
         * and infinities saturate instead of overflowing the int conversion. */
        float q = roundf(input[i] / scale);
        int32_t v;
        q = q < 256.0f ? q : 256.0f;
        q = q > -256.0f ? q : -256.0f;
        v = (int32_t)q + zero_point;
        output[i] = (int8_t)lkws_clamp_i32(v, -128, 127);
    }
    return LKWS_S8_OK;
}

int lkws_requantize_s8(int32_t n, const int8_t *input, int32_t input_zero_point, int32_t multiplier,
                       int32_t shift, int32_t output_zero_point, int8_t *output)
{
    int32_t i;
    if (n < 0) {
        return LKWS_S8_ARG_ERROR;
    }
    for (i = 0; i < n; ++i) {
        const int32_t v = lkws_mul_qm_double((int32_t)input[i] - input_zero_point, multiplier, shift);
        output[i] = (int8_t)lkws_clamp_i32(v + output_zero_point, -128, 127);
    }
    return LKWS_S8_OK;
}
