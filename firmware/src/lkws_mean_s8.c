/* MEAN, int8, as the LCE interpreter computes it. Both of its paths reduce to one integer form
 * (lkws/reduce.h, lkws_mean_s8_params): TFLite's optimized kernel (4-D, axes {1, 2},
 * keep_dims) rescales the raw sum and adds a float-derived bias; the reference kernel (every other
 * case) subtracts the input zero point from the sum and folds 1/count into the multiplier.
 * The optimized path's vector loop (whole blocks of 16 channels) rounds halves up. */
#include "lkws/reduce.h"
#include "lkws/fixedpoint.h"

lkws_status_t lkws_mean_s8(const lkws_mean_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                           int8_t *output)
{
    const int32_t dims[4] = {in_shape->n, in_shape->h, in_shape->w, in_shape->c};
    int32_t out_dims[4];
    int32_t o[4], r[4], lo[4], hi[4];
    int d;
    int8_t *out = output;

    if (p->axis_mask <= 0 || p->axis_mask > 0xF) {
        return LKWS_ARG_ERROR;
    }
    for (d = 0; d < 4; ++d) {
        out_dims[d] = ((p->axis_mask >> d) & 1) ? 1 : dims[d];
    }
    for (o[0] = 0; o[0] < out_dims[0]; ++o[0]) {
        for (o[1] = 0; o[1] < out_dims[1]; ++o[1]) {
            for (o[2] = 0; o[2] < out_dims[2]; ++o[2]) {
                for (o[3] = 0; o[3] < out_dims[3]; ++o[3]) {
                    int32_t sum = 0;
                    int32_t v;
                    for (d = 0; d < 4; ++d) {
                        const int reduced = (p->axis_mask >> d) & 1;
                        lo[d] = reduced ? 0 : o[d];
                        hi[d] = reduced ? dims[d] : o[d] + 1;
                    }
                    for (r[0] = lo[0]; r[0] < hi[0]; ++r[0]) {
                        for (r[1] = lo[1]; r[1] < hi[1]; ++r[1]) {
                            for (r[2] = lo[2]; r[2] < hi[2]; ++r[2]) {
                                for (r[3] = lo[3]; r[3] < hi[3]; ++r[3]) {
                                    sum += input[((r[0] * dims[1] + r[1]) * dims[2] + r[2]) * dims[3] + r[3]];
                                }
                            }
                        }
                    }
                    v = o[3] < p->half_up_channels ? lkws_mul_qm_half_up(sum + p->sum_offset, p->multiplier, p->shift)
                                                    : lkws_mul_qm_double(sum + p->sum_offset, p->multiplier, p->shift);
                    v += p->output_offset;
                    *out++ = (int8_t)lkws_clamp_i32(v, -128, 127);
                }
            }
        }
    }
    return LKWS_OK;
}
