/* MUL, int8, with broadcasting: (x1 - zp1) * (x2 - zp2) rescaled by s1 * s2 / s_out. The
 * interpreter's scalar and vector formulas round alike (gemmlowp's high multiply and NEON's
 * vqrdmulh agree) and differ in how they narrow to int8 (lkws/elementwise.h: vector split):
 * its 16-wide vector loop saturates to int16, adds the output offset in int16 (wrapping: a huge
 * negative product can come out as 127) and saturates to int8; the rest (observed: also an 8-wide
 * remainder loop) clamps the offset result to int8. */
#include "lkws/elementwise.h"
#include "lkws/fixedpoint.h"
#include "lkws/s8_shapes.h"

lkws_status_t lkws_mul_s8(const lkws_mul_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                          const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                          int8_t *output)
{
    int32_t s1[4], s2[4];
    int32_t b, y, x, c;
    int32_t i = 0;
    const int32_t len16 = p->vector_run > 0 ? p->vector_run / 16 * 16 : 0;
    const int left_shift = p->output_shift > 0 ? (int)p->output_shift : 0;
    const int right_shift = p->output_shift > 0 ? 0 : (int)-p->output_shift;

    if (lkws_s8_broadcast_strides(in1_shape, out_shape, s1) != LKWS_OK ||
        lkws_s8_broadcast_strides(in2_shape, out_shape, s2) != LKWS_OK || p->act_min > p->act_max ||
        p->vector_run < 0 || p->vector_mode < 0 || p->vector_mode > 2) {
        return LKWS_ARG_ERROR;
    }
    for (b = 0; b < out_shape->n; ++b) {
        for (y = 0; y < out_shape->h; ++y) {
            for (x = 0; x < out_shape->w; ++x) {
                for (c = 0; c < out_shape->c; ++c) {
                    const int32_t v1 = p->input1_offset + input1[b * s1[0] + y * s1[1] + x * s1[2] + c * s1[3]];
                    const int32_t v2 = p->input2_offset + input2[b * s2[0] + y * s2[1] + x * s2[2] + c * s2[3]];
                    int32_t out;
                    const int32_t j = p->vector_mode != 0 && p->vector_run > 0 ? i % p->vector_run : INT32_MAX;
                    if (j < len16) {
                        const int32_t m = lkws_srdhm_half_up(lkws_shl_wrap(v1 * v2, left_shift), p->output_multiplier);
                        const int32_t r = lkws_clamp_i32(lkws_rounding_divide_by_pot(m, right_shift), -32768, 32767);
                        out = lkws_clamp_i32(lkws_wrap_i16(r + p->output_offset), -128, 127);
                    } else {
                        out = lkws_mul_qm_double(v1 * v2, p->output_multiplier, p->output_shift) + p->output_offset;
                    }
                    *output++ = (int8_t)lkws_clamp_i32(out, p->act_min, p->act_max);
                    ++i;
                }
            }
        }
    }
    return LKWS_OK;
}
