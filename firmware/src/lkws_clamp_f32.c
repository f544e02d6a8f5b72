/* RELU, RELU6 and RELU_N1_TO_1 as standalone float32 ops: a clamp (NaN passes through). */
#include "lkws/elementwise.h"

lkws_status_t lkws_clamp_f32(const float *input, float *output, size_t count, float lo, float hi)
{
    if (lo > hi) {
        return LKWS_ARG_ERROR;
    }
    for (size_t i = 0; i < count; ++i) {
        const float x = input[i];
        output[i] = x < lo ? lo : (x > hi ? hi : x);
    }
    return LKWS_OK;
}
