#include <math.h>

#include "lkws/conv2d.h"
#include "lkws/fully_connected.h"

/* The interpreter's float CONV_2D is im2col + its GEMM backend. For several output pixels that
 * is ruy: each output starts at its bias and accumulates with fused multiply-adds in (filter_y,
 * filter_x, in_channel) order; fmaf gives the same bits (one vfma.f32 on Cortex-M4F, correctly
 * rounded libm fmaf on a host without FMA). For a single output pixel with >= 4 output channels
 * and >= 4 taps it is the custom GEMV (lkws_dot_gemv4_f32) over the im2col row, padded taps 0. */

/* The im2col row of output pixel (oy, ox) of image b into `row` (filter_h*filter_w*in_c). */
static void im2col_row(const lkws_window_params *p, const float *input, int32_t b, int32_t oy,
                       int32_t ox, float *row)
{
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t iy = y0 + fy * p->dilation_h, ix = x0 + fx * p->dilation_w;
            const int inside = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w;
            const float *in = input + (((size_t)b * (size_t)p->in_h + (size_t)(inside ? iy : 0)) * (size_t)p->in_w + (size_t)(inside ? ix : 0)) * (size_t)p->in_c;
            for (int32_t ic = 0; ic < p->in_c; ++ic) {
                *row++ = inside ? in[ic] : 0.0f;
            }
        }
    }
}

static float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

lkws_status_t lkws_conv2d_f32(const lkws_window_params *p, const float *input, const float *filter,
                               const float *bias, float *output, float *scratch)
{
    const int32_t taps = p->filter_h * p->filter_w * p->in_c;
    const int gemv = p->batches * p->out_h * p->out_w == 1 && p->out_c >= 4 && taps >= 4;
    if (!lkws_window_ok(p) || p->in_c < 1 || (gemv && scratch == NULL)) {
        return LKWS_ARG_ERROR;
    }
    if (gemv) {
        im2col_row(p, input, 0, 0, 0, scratch);
        for (int32_t oc = 0; oc < p->out_c; ++oc) {
            const float total = lkws_dot_gemv4_f32(scratch, filter + (size_t)oc * (size_t)taps, taps,
                                                   bias != NULL ? bias[oc] : 0.0f, bias != NULL);
            output[oc] = total < p->act_min ? p->act_min : (total > p->act_max ? p->act_max : total);
        }
        return LKWS_OK;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    float total = bias != NULL ? bias[oc] : 0.0f;
                    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
                        const int32_t iy = y0 + fy * p->dilation_h;
                        if (iy < 0 || iy >= p->in_h) {
                            continue;
                        }
                        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
                            const int32_t ix = x0 + fx * p->dilation_w;
                            if (ix < 0 || ix >= p->in_w) {
                                continue;
                            }
                            const float *in = input + (((size_t)b * (size_t)p->in_h + (size_t)iy) * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c;
                            const float *w = filter + (((size_t)oc * (size_t)p->filter_h + (size_t)fy) * (size_t)p->filter_w + (size_t)fx) * (size_t)p->in_c;
                            for (int32_t ic = 0; ic < p->in_c; ++ic) {
                                total = fmaf(in[ic], w[ic], total);
                            }
                        }
                    }
                    output[(((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) * (size_t)p->out_c + (size_t)oc] =
                        clampf(total, p->act_min, p->act_max);
                }
            }
        }
    }
    return LKWS_OK;
}
