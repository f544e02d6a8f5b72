/* FULLY_CONNECTED, int8, as the LCE interpreter computes it (ruy GEMM: exact int32 accumulation,
 * then the multiplier, halves up). */
#include "lkws/fully_connected.h"
#include "lkws/fixedpoint.h"

lkws_status_t lkws_fully_connected_s8(const lkws_fc_s8_params *p, int32_t batches, int32_t depth, int32_t out_depth,
                                      const int8_t *input, const int8_t *weights, const int32_t *bias,
                                      const int32_t *multiplier, const int32_t *shift, int8_t *output)
{
    int32_t b, o, i;

    if (batches < 0 || depth < 0 || out_depth < 0 || p->act_min > p->act_max) {
        return LKWS_ARG_ERROR;
    }
    for (b = 0; b < batches; ++b) {
        const int8_t *in = input + b * depth;
        for (o = 0; o < out_depth; ++o) {
            const int8_t *w = weights + o * depth;
            const int32_t k = p->per_channel ? o : 0;
            int32_t acc = 0;
            for (i = 0; i < depth; ++i) {
                acc += ((int32_t)in[i] + p->input_offset) * (int32_t)w[i];
            }
            if (bias != 0) {
                acc += bias[o];
            }
            acc = o < p->half_up_outputs ? lkws_mul_qm_half_up(acc, multiplier[k], shift[k])
                                                   : lkws_mul_qm_double(acc, multiplier[k], shift[k]);
            acc += p->output_offset;
            output[b * out_depth + o] = (int8_t)lkws_clamp_i32(acc, p->act_min, p->act_max);
        }
    }
    return LKWS_OK;
}
