#include <math.h>

#include "lkws/softmax.h"

/* As the interpreter (Eigen): exp(beta * (x - max)), then a multiply by the inverse of the sum
 * (not a division), which gives its bits for small class counts; exp itself is libm's here and
 * Eigen's vectorized one there, so larger rows may differ in the last bit (within the parity
 * tolerance). */

lkws_status_t lkws_softmax_f32(const float *input, float *output, int32_t rows, int32_t depth, float beta)
{
    if (rows < 0 || depth < 1) {
        return LKWS_ARG_ERROR;
    }
    for (int32_t r = 0; r < rows; ++r) {
        const float *in = input + (size_t)r * (size_t)depth;
        float *out = output + (size_t)r * (size_t)depth;
        float max = in[0];
        for (int32_t i = 1; i < depth; ++i) {
            max = in[i] > max ? in[i] : max;
        }
        float sum = 0.0f;
        for (int32_t i = 0; i < depth; ++i) {
            out[i] = expf((in[i] - max) * beta);
            sum = sum + out[i];
        }
        const float inverse = 1.0f / sum;
        for (int32_t i = 0; i < depth; ++i) {
            out[i] = out[i] * inverse;
        }
    }
    return LKWS_OK;
}
