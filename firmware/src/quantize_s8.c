/* QUANTIZE, float32 -> int8 and int8 -> int8, as the LCE interpreter computes them. */
#include <math.h>

#include "lkws/builtins_s8.h"
#include "lkws/fixedpoint.h"

/* Clamp in float before converting so that huge values and infinities saturate instead of
 * overflowing the int conversion (the interpreter's behaviour there is x86's, not worth mirroring). */
static int8_t saturate_s8(float q, int32_t zero_point)
{
    q = q < 256.0f ? q : 256.0f;
    q = q > -256.0f ? q : -256.0f;
    return (int8_t)lkws_clamp_i32((int32_t)q + zero_point, -128, 127);
}

int lkws_quantize_f32_s8(int32_t n, const float *input, float scale, int32_t zero_point, int32_t vector_count,
                         int8_t *output)
{
    const float reciprocal = 1.0f / scale;
    int32_t i;
    if (n < 0 || !(scale > 0.0f) || vector_count < 0 || vector_count > n) {
        return LKWS_S8_ARG_ERROR;
    }
    for (i = 0; i < vector_count; ++i) {
        /* rintf: the default rounding mode, nearest with ties to even (the vector conversion's). */
        output[i] = saturate_s8(rintf(input[i] * reciprocal), zero_point);
    }
    for (; i < n; ++i) {
        /* roundf: halves away from zero, as TfLiteRound. */
        output[i] = saturate_s8(roundf(input[i] / scale), zero_point);
    }
    return LKWS_S8_OK;
}

int lkws_requantize_s8(int32_t n, const int8_t *input, int32_t input_zero_point, int32_t multiplier,
                       int32_t shift, int32_t output_zero_point, int32_t half_up_count, int8_t *output)
{
    int32_t i;
    if (n < 0) {
        return LKWS_S8_ARG_ERROR;
    }
    for (i = 0; i < n; ++i) {
        const int32_t x = (int32_t)input[i] - input_zero_point;
        const int32_t v = i < half_up_count ? lkws_mul_qm_half_up(x, multiplier, shift)
                                            : lkws_mul_qm_double(x, multiplier, shift);
        output[i] = (int8_t)lkws_clamp_i32(v + output_zero_point, -128, 127);
    }
    return LKWS_S8_OK;
}
