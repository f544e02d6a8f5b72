#include <math.h>

#include "lkws/ops_f32.h"

void lkws_softmax_f32(const float *input, float *output, int32_t rows, int32_t depth, float beta)
{
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
        for (int32_t i = 0; i < depth; ++i) {
            out[i] = out[i] / sum;
        }
    }
}
