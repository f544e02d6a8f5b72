/* ADD, int8, with broadcasting: TFLite's int8 add (both inputs rescaled to a common 2^-20 grid,
 * summed, rescaled to the output). The scalar formula uses TFLite's double rounding; the
 * interpreter's two vector formulas (lkws/elementwise.h: vector split) differ in where they
 * shift and round. */
#include "lkws/elementwise.h"
#include "lkws/fixedpoint.h"
#include "lkws/s8_shapes.h"

static int32_t add_scalar(const lkws_add_s8_params *p, int32_t v1, int32_t v2)
{
    const int32_t a =
        lkws_mul_qm_smaller_than_one(lkws_shl_wrap(v1, p->left_shift), p->input1_multiplier, p->input1_shift);
    const int32_t b =
        lkws_mul_qm_smaller_than_one(lkws_shl_wrap(v2, p->left_shift), p->input2_multiplier, p->input2_shift);
    return lkws_mul_qm_smaller_than_one(a + b, p->output_multiplier, p->output_shift) + p->output_offset;
}

/* x shifted left by s (s >= 0) or arithmetically right by -s, as NEON's vshl. */
static int32_t vshl(int32_t x, int32_t s)
{
    return s >= 0 ? lkws_shl_wrap(x, (int)s) : (x >> -s);
}

/* The vector tail: output rescale (vqrdmulh, then gemmlowp's rounding divide), narrowed to int16,
 * offset in int16, saturated to int8. */
static int32_t add_vector_tail(const lkws_add_s8_params *p, int32_t sum)
{
    const int32_t s = lkws_rounding_divide_by_pot(lkws_srdhm_half_up(sum, p->output_multiplier), (int)-p->output_shift);
    return lkws_clamp_i32(lkws_wrap_i16(lkws_wrap_i16(s) + p->output_offset), -128, 127);
}

/* AddElementwiseInt8's vector loop: the input shift merged into the left shift, then vqrdmulh. */
static int32_t add_vector_elementwise(const lkws_add_s8_params *p, int32_t v1, int32_t v2)
{
    const int32_t a = lkws_srdhm_half_up(vshl(v1, p->left_shift + p->input1_shift), p->input1_multiplier);
    const int32_t b = lkws_srdhm_half_up(vshl(v2, p->left_shift + p->input2_shift), p->input2_multiplier);
    return add_vector_tail(p, a + b);
}

/* AddScalarBroadcast's vector loop: vqrdmulh, then the input shift as a truncating right shift. */
static int32_t add_vector_broadcast(const lkws_add_s8_params *p, int32_t v1, int32_t v2)
{
    const int32_t a = vshl(lkws_srdhm_half_up(lkws_shl_wrap(v1, p->left_shift), p->input1_multiplier), p->input1_shift);
    const int32_t b = vshl(lkws_srdhm_half_up(lkws_shl_wrap(v2, p->left_shift), p->input2_multiplier), p->input2_shift);
    return add_vector_tail(p, a + b);
}

lkws_status_t lkws_add_s8(const lkws_add_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                          const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                          int8_t *output)
{
    int32_t s1[4], s2[4];
    int32_t b, y, x, c;
    int32_t i = 0;
    const int32_t block = p->vector_mode == 2 ? 8 : 16;
    const int32_t vec_len = p->vector_run > 0 ? p->vector_run / block * block : 0;

    if (lkws_s8_broadcast_strides(in1_shape, out_shape, s1) != LKWS_OK ||
        lkws_s8_broadcast_strides(in2_shape, out_shape, s2) != LKWS_OK || p->act_min > p->act_max ||
        p->left_shift < 0 || p->left_shift > 30 || p->vector_run < 0 || p->vector_mode < 0 || p->vector_mode > 2 ||
        p->input1_shift > 0 || p->input2_shift > 0 || p->output_shift > 0) {
        return LKWS_ARG_ERROR;
    }
    for (b = 0; b < out_shape->n; ++b) {
        for (y = 0; y < out_shape->h; ++y) {
            for (x = 0; x < out_shape->w; ++x) {
                for (c = 0; c < out_shape->c; ++c) {
                    const int32_t v1 = p->input1_offset + input1[b * s1[0] + y * s1[1] + x * s1[2] + c * s1[3]];
                    const int32_t v2 = p->input2_offset + input2[b * s2[0] + y * s2[1] + x * s2[2] + c * s2[3]];
                    int32_t out;
                    if (p->vector_mode != 0 && vec_len > 0 && i % p->vector_run < vec_len) {
                        out = p->vector_mode == 1 ? add_vector_elementwise(p, v1, v2) : add_vector_broadcast(p, v1, v2);
                    } else {
                        out = add_scalar(p, v1, v2);
                    }
                    *output++ = (int8_t)lkws_clamp_i32(out, p->act_min, p->act_max);
                    ++i;
                }
            }
        }
    }
    return LKWS_OK;
}
