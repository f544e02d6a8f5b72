#include <math.h>

#include "lkws/fully_connected.h"

/* Float sums in the interpreter's order (so that long rows, e.g. a flatten head of thousands of
 * inputs, give the same bits, not only close ones). TFLite's FULLY_CONNECTED calls its GEMM
 * backend, which takes one of two paths:
 *  - one input row (batches == 1), units >= 4 and depth >= 4: the custom GEMV kernel
 *    (lkws_dot_gemv4_f32.c).
 *  - otherwise ruy: start at the bias, fused multiply-add over the depth in order. */
lkws_status_t lkws_fully_connected_f32(const float *input, const float *weights, const float *bias,
                                        float *output, int32_t batches, int32_t depth, int32_t units,
                                        float act_min, float act_max)
{
    if (batches < 0 || depth < 1 || units < 0 || act_min > act_max) {
        return LKWS_ARG_ERROR;
    }
    const int gemv = batches == 1 && units >= 4 && depth >= 4;
    for (int32_t b = 0; b < batches; ++b) {
        const float *in = input + (size_t)b * (size_t)depth;
        for (int32_t u = 0; u < units; ++u) {
            const float *w = weights + (size_t)u * (size_t)depth;
            float total;
            if (gemv) {
                total = lkws_dot_gemv4_f32(in, w, depth, bias != NULL ? bias[u] : 0.0f, bias != NULL);
            } else {
                total = bias != NULL ? bias[u] : 0.0f;
                for (int32_t d = 0; d < depth; ++d) {
                    total = fmaf(in[d], w[d], total);
                }
            }
            output[(size_t)b * (size_t)units + (size_t)u] = total < act_min ? act_min : (total > act_max ? act_max : total);
        }
    }
    return LKWS_OK;
}
