/* DEQUANTIZE, int8 -> float32, as the LCE interpreter computes it. Its vector loop (NEON over
 * SSE) computes x * scale + (-zero_point * scale), two float32 roundings; its scalar loop
 * multiplies in double and rounds once to float, which one float32 multiply reproduces (the
 * product of a float32 scale and a 9-bit integer is exact in double) and which stays in single
 * precision on a Cortex-M4F. */
#include "lkws/quantize.h"

lkws_status_t lkws_dequantize_s8_f32(int32_t n, const int8_t *input, float scale, int32_t zero_point,
                                     int32_t vector_count, float *output)
{
    const float zero_term = (float)-zero_point * scale;
    int32_t i;
    if (n < 0 || vector_count < 0 || vector_count > n) {
        return LKWS_ARG_ERROR;
    }
    for (i = 0; i < vector_count; ++i) {
        output[i] = (float)input[i] * scale + zero_term;
    }
    for (; i < n; ++i) {
        output[i] = scale * (float)((int32_t)input[i] - zero_point);
    }
    return LKWS_OK;
}
