#include "lkws/ops_f32.h"

void lkws_fully_connected_f32(const float *input, const float *weights, const float *bias,
                              float *output, int32_t batches, int32_t depth, int32_t units,
                              float act_min, float act_max)
{
    for (int32_t b = 0; b < batches; ++b) {
        const float *in = input + (size_t)b * (size_t)depth;
        for (int32_t u = 0; u < units; ++u) {
            const float *w = weights + (size_t)u * (size_t)depth;
            float total = 0.0f;
            for (int32_t d = 0; d < depth; ++d) {
                const float prod = in[d] * w[d];
                total = total + prod;
            }
            if (bias != NULL) {
                total = total + bias[u];
            }
            output[(size_t)b * (size_t)units + (size_t)u] = total < act_min ? act_min : (total > act_max ? act_max : total);
        }
    }
}
