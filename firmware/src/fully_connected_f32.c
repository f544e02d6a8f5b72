#include <math.h>

#include "lkws/ops_f32.h"

/* Float sums in the interpreter's order (so that long rows, e.g. a flatten head of thousands of
 * inputs, give the same bits, not only close ones). TFLite's FULLY_CONNECTED calls its GEMM
 * backend, which takes one of two paths:
 *  - one input row (batches == 1), units >= 4 and depth >= 4: the custom GEMV kernel. Four lanes,
 *    lane j sums elements j, j+4, ... with rounded products; a depth % 4 tail goes through one
 *    more 4-wide step over the last four elements with the first lanes' inputs zeroed; then
 *    (l0 + l1) + (l2 + l3), then + bias.
 *  - otherwise ruy: start at the bias, fused multiply-add over the depth in order. */
float lkws_dot_gemv4_f32(const float *x, const float *w, int32_t depth, float bias, int has_bias)
{
    float l[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int32_t d = 0;
    for (; d + 4 <= depth; d += 4) {
        for (int j = 0; j < 4; ++j) {
            const float prod = x[d + j] * w[d + j];
            l[j] = l[j] + prod;
        }
    }
    if (d < depth) {
        const int32_t back = d + 4 - depth;
        for (int32_t j = 0; j < 4; ++j) {
            const int32_t e = depth - 4 + j;
            const float v = j < back ? 0.0f : x[e];
            const float prod = v * w[e];
            l[j] = l[j] + prod;
        }
    }
    const float lo = l[0] + l[1];
    const float hi = l[2] + l[3];
    float total = lo + hi;
    if (has_bias) {
        total = total + bias;
    }
    return total;
}

void lkws_fully_connected_f32(const float *input, const float *weights, const float *bias,
                              float *output, int32_t batches, int32_t depth, int32_t units,
                              float act_min, float act_max)
{
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
}
