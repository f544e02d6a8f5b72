/* QUANTIZE, float32 -> int8, as the LCE interpreter computes it. */
#include <math.h>

#include "lkws/quantize.h"
#include "lkws/fixedpoint.h"

/* The interpreter converts with x86's float-to-int conversion, which gives INT32_MIN for values
 * out of the int32 range and for NaN, then adds the zero point in int32 (wrapping) and clamps: so
 * +inf and huge positive values quantize to -128 (or 127 when the zero point makes the sum wrap).
 * Mirrored here in portable C so that a device gives the same bits. */
static int8_t saturate_s8(float q, int32_t zero_point)
{
    const int32_t v = (q >= -2147483648.0f && q < 2147483648.0f) ? (int32_t)q : INT32_MIN;
    const int32_t sum = (int32_t)((uint32_t)v + (uint32_t)zero_point);
    return (int8_t)lkws_clamp_i32(sum, -128, 127);
}

lkws_status_t lkws_quantize_f32_s8(int32_t n, const float *input, float scale, int32_t zero_point, int32_t vector_count,
                                   int8_t *output)
{
    const float reciprocal = 1.0f / scale;
    int32_t i;
    if (n < 0 || !(scale > 0.0f) || vector_count < 0 || vector_count > n) {
        return LKWS_ARG_ERROR;
    }
    for (i = 0; i < vector_count; ++i) {
        /* rintf: the default rounding mode, nearest with ties to even (the vector conversion's). */
        output[i] = saturate_s8(rintf(input[i] * reciprocal), zero_point);
    }
    for (; i < n; ++i) {
        /* roundf: halves away from zero, as TfLiteRound. */
        output[i] = saturate_s8(roundf(input[i] / scale), zero_point);
    }
    return LKWS_OK;
}
