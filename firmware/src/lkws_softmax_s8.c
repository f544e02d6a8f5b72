/* SOFTMAX, int8 in and out, as the LCE interpreter computes it on x86 and other non-aarch64
 * builds: TFLite's optimized float-table kernel (not the reference fixed-point one). */
#include <math.h>

#include "lkws/softmax.h"
#include "lkws/fixedpoint.h"

void lkws_softmax_s8_table(float input_scale, float beta, float exp_table[256])
{
    const float scale = -input_scale * beta;
    int32_t d;
    for (d = 0; d <= 255; ++d) {
        exp_table[255 - d] = expf(scale * (float)d);
    }
}

lkws_status_t lkws_softmax_s8(const lkws_softmax_s8_params *p, int32_t rows, int32_t depth, const int8_t *input,
                              int8_t *output)
{
    int32_t i, j;

    if (rows < 0 || depth < 1 || p->exp_table == 0 || !(p->output_scale > 0.0f)) {
        return LKWS_ARG_ERROR;
    }
    for (i = 0; i < rows; ++i) {
        const int8_t *in = input + i * depth;
        int8_t *out = output + i * depth;
        int32_t base;
        int32_t max_val = -128;
        float sum = 0.0f;
        float inv_sum;
        for (j = 0; j < depth; ++j) {
            max_val = in[j] > max_val ? in[j] : max_val;
        }
        /* exp_table[base + x] = exp(-input_scale * beta * (max - x)), index in 0..255. */
        base = 255 - max_val;
        for (j = 0; j < depth; ++j) {
            sum += p->exp_table[base + in[j]];
        }
        inv_sum = 1.0f / (sum * p->output_scale);
        for (j = 0; j < depth; ++j) {
            const float prob = p->exp_table[base + in[j]] * inv_sum;
            const int32_t q = (int32_t)roundf(prob) + p->output_zero_point;
            out[j] = (int8_t)lkws_clamp_i32(q, -128, 127);
        }
    }
    return LKWS_OK;
}
