/* ADD, int8, with broadcasting: TFLite's int8 add (both inputs rescaled to a common 2^-20 grid,
 * summed, rescaled to the output), double-rounding multipliers. */
#include "lkws/builtins_s8.h"
#include "lkws/fixedpoint.h"

/* Element strides of a broadcast input: 0 on dimensions of size 1 that the output expands. */
static int broadcast_strides(const lkws_s8_shape *in, const lkws_s8_shape *out, int32_t st[4])
{
    const int32_t d_in[4] = {in->n, in->h, in->w, in->c};
    const int32_t d_out[4] = {out->n, out->h, out->w, out->c};
    int32_t stride = 1;
    int d;
    for (d = 3; d >= 0; --d) {
        if (d_in[d] != d_out[d] && d_in[d] != 1) {
            return LKWS_S8_ARG_ERROR;
        }
        st[d] = d_in[d] == 1 ? 0 : stride;
        stride *= d_in[d];
    }
    return LKWS_S8_OK;
}

int lkws_add_s8(const lkws_add_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                int8_t *output)
{
    int32_t s1[4], s2[4];
    int32_t b, y, x, c;

    if (broadcast_strides(in1_shape, out_shape, s1) != LKWS_S8_OK ||
        broadcast_strides(in2_shape, out_shape, s2) != LKWS_S8_OK || p->act_min > p->act_max ||
        p->left_shift < 0 || p->left_shift > 30) {
        return LKWS_S8_ARG_ERROR;
    }
    for (b = 0; b < out_shape->n; ++b) {
        for (y = 0; y < out_shape->h; ++y) {
            for (x = 0; x < out_shape->w; ++x) {
                for (c = 0; c < out_shape->c; ++c) {
                    const int32_t v1 = p->input1_offset + input1[b * s1[0] + y * s1[1] + x * s1[2] + c * s1[3]];
                    const int32_t v2 = p->input2_offset + input2[b * s2[0] + y * s2[1] + x * s2[2] + c * s2[3]];
                    const int32_t scaled1 = lkws_mul_qm_smaller_than_one(lkws_shl_wrap(v1, p->left_shift),
                                                                         p->input1_multiplier, p->input1_shift);
                    const int32_t scaled2 = lkws_mul_qm_smaller_than_one(lkws_shl_wrap(v2, p->left_shift),
                                                                         p->input2_multiplier, p->input2_shift);
                    const int32_t sum = scaled1 + scaled2;
                    const int32_t out = lkws_mul_qm_smaller_than_one(sum, p->output_multiplier, p->output_shift) +
                                        p->output_offset;
                    *output++ = (int8_t)lkws_clamp_i32(out, p->act_min, p->act_max);
                }
            }
        }
    }
    return LKWS_S8_OK;
}
