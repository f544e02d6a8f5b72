/* CONV_2D, int8 per-channel, as the LCE interpreter computes it (im2col + ruy GEMM: exact int32
 * accumulation, then the per-channel multiplier, halves up as ruy's kernels round). */
#include "lkws/builtins_s8.h"
#include "lkws/fixedpoint.h"

int lkws_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                   const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                   const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                   int8_t *output)
{
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t k_h = filter_shape->h, k_w = filter_shape->w, out_c = filter_shape->n;
    int32_t b, oy, ox, oc, ky, kx, ic;

    if (filter_shape->c != in_c || out_shape->c != out_c || out_shape->n != in_shape->n || p->stride_h < 1 ||
        p->stride_w < 1 || p->dilation_h < 1 || p->dilation_w < 1 || p->act_min > p->act_max) {
        return LKWS_S8_ARG_ERROR;
    }
    for (b = 0; b < in_shape->n; ++b) {
        for (oy = 0; oy < out_shape->h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            for (ox = 0; ox < out_shape->w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + ((b * out_shape->h + oy) * out_shape->w + ox) * out_c;
                for (oc = 0; oc < out_c; ++oc) {
                    int32_t acc = 0;
                    for (ky = 0; ky < k_h; ++ky) {
                        const int32_t iy = iy0 + ky * p->dilation_h;
                        if (iy < 0 || iy >= in_h) {
                            continue; /* padding is the input zero point: contributes 0 */
                        }
                        for (kx = 0; kx < k_w; ++kx) {
                            const int32_t ix = ix0 + kx * p->dilation_w;
                            const int8_t *in_px;
                            const int8_t *f_px;
                            if (ix < 0 || ix >= in_w) {
                                continue;
                            }
                            in_px = input + ((b * in_h + iy) * in_w + ix) * in_c;
                            f_px = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += ((int32_t)in_px[ic] + p->input_offset) * (int32_t)f_px[ic];
                            }
                        }
                    }
                    if (bias != 0) {
                        acc += bias[oc];
                    }
                    acc = oc < p->half_up_channels ? lkws_mul_qm_half_up(acc, multiplier[oc], shift[oc])
                                                           : lkws_mul_qm_double(acc, multiplier[oc], shift[oc]);
                    acc += p->output_offset;
                    out[oc] = (int8_t)lkws_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return LKWS_S8_OK;
}
