/* DEPTHWISE_CONV_2D, int8 per-channel, as the LCE interpreter computes it (TFLite's generic
 * optimized depthwise kernel: exact int32 accumulation, then the per-channel multiplier, vectorized
 * over whole blocks of 8 channels (halves up) and scalar for the rest (TFLite's rounding)).
 * Padding is the input zero point, which contributes 0, so only in-bounds taps are visited. */
#include "lkws/conv2d.h"
#include "lkws/fixedpoint.h"
#include "lkws/s8_shapes.h"

lkws_status_t lkws_depthwise_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                                       const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                                       const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                                       int8_t *output)
{
    const int32_t in_h = in_shape->h, in_w = in_shape->w, in_c = in_shape->c;
    const int32_t k_h = filter_shape->h, k_w = filter_shape->w, out_c = filter_shape->c;
    const int32_t mult = p->depth_multiplier;
    const int32_t in_offset = p->input_offset;
    const int32_t dil_h = p->dilation_h, x_step = p->dilation_w * in_shape->c;
    int32_t b, oy, ox, ic, m, ky, kx;

    if (mult < 1 || out_c != in_c * mult || !lkws_s8_conv_args_ok(p, in_shape, out_shape, out_c)) {
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
                for (ic = 0; ic < in_c; ++ic) {
                    for (m = 0; m < mult; ++m) {
                        const int32_t oc = ic * mult + m;
                        int32_t acc = bias != 0 ? bias[oc] : 0;
                        for (ky = ky0; ky < ky1; ++ky) {
                            const int32_t iy = iy0 + ky * dil_h;
                            const int8_t *in_row = input + ((b * in_h + iy) * in_w + ix0) * in_c + ic;
                            const int8_t *f_row = filter + ky * k_w * out_c + oc;
                            for (kx = kx0; kx < kx1; ++kx) {
                                const int32_t x = (int32_t)in_row[kx * x_step] + in_offset;
                                acc += x * (int32_t)f_row[kx * out_c];
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
    }
    return LKWS_OK;
}
