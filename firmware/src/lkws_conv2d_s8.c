/* CONV_2D, int8 per-channel, as the LCE interpreter computes it (im2col + ruy GEMM: exact int32
 * accumulation, then the per-channel multiplier, halves up as ruy's kernels round). Padding is
 * the input zero point, which contributes 0, so only the in-bounds filter taps are visited. */
#include "lkws/conv2d.h"
#include "lkws/fixedpoint.h"
#include "lkws/s8_shapes.h"

lkws_status_t lkws_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                             const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                             int8_t *output)
{
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t k_h = filter_shape->h, k_w = filter_shape->w, out_c = filter_shape->n;
    const int32_t in_offset = p->input_offset;
    const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
    int32_t b, oy, ox, oc, ky, kx, ic;

    if (filter_shape->c != in_c || !lkws_s8_conv_args_ok(p, in_shape, out_shape, out_c)) {
        return LKWS_ARG_ERROR;
    }
    for (b = 0; b < in_shape->n; ++b) {
        for (oy = 0; oy < out_shape->h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            int32_t ky0, ky1;
            lkws_s8_valid_taps(iy0, p->dilation_h, in_h, k_h, &ky0, &ky1);
            for (ox = 0; ox < out_shape->w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                int8_t *out = output + ((b * out_shape->h + oy) * out_shape->w + ox) * out_c;
                int32_t kx0, kx1;
                lkws_s8_valid_taps(ix0, p->dilation_w, in_w, k_w, &kx0, &kx1);
                for (oc = 0; oc < out_c; ++oc) {
                    int32_t acc = bias != 0 ? bias[oc] : 0;
                    for (ky = ky0; ky < ky1; ++ky) {
                        const int32_t iy = iy0 + ky * dil_h;
                        for (kx = kx0; kx < kx1; ++kx) {
                            const int8_t *in_px = input + ((b * in_h + iy) * in_w + ix0 + kx * dil_w) * in_c;
                            const int8_t *f_px = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
                            for (ic = 0; ic < in_c; ++ic) {
                                acc += ((int32_t)in_px[ic] + in_offset) * (int32_t)f_px[ic];
                            }
                        }
                    }
                    acc = oc < p->half_up_channels ? lkws_mul_qm_half_up(acc, multiplier[oc], shift[oc])
                                                   : lkws_mul_qm_double(acc, multiplier[oc], shift[oc]);
                    acc += p->output_offset;
                    out[oc] = (int8_t)lkws_clamp_i32(acc, p->act_min, p->act_max);
                }
            }
        }
    }
    return LKWS_OK;
}
