/* DEQUANTIZE, int8 -> float32. The interpreter multiplies in double and rounds once to float; the
 * product of a float32 scale and an integer of 9 bits is exact in double, so one float32 multiply
 * gives the same bits (and stays in single precision on a Cortex-M4F). */
#include "lkws/builtins_s8.h"

int lkws_dequantize_s8_f32(int32_t n, const int8_t *input, float scale, int32_t zero_point, float *output)
{
    int32_t i;
    if (n < 0) {
        return LKWS_S8_ARG_ERROR;
    }
    for (i = 0; i < n; ++i) {
        output[i] = scale * (float)((int32_t)input[i] - zero_point);
    }
    return LKWS_S8_OK;
}
