/* LOGISTIC (sigmoid), float32. */
#include <math.h>

#include "lkws/elementwise.h"

lkws_status_t lkws_logistic_f32(const float *input, float *output, size_t count)
{
    for (size_t i = 0; i < count; ++i) {
        const float e = expf(-input[i]);
        output[i] = 1.0f / (1.0f + e);
    }
    return LKWS_OK;
}
