#include "lkws/conv2d.h"

/* As the interpreter's optimized float DEPTHWISE_CONV_2D: start at the bias, then add the rounded
 * products tap by tap in (filter_y, filter_x) order (no fused multiply-add). */
lkws_status_t lkws_depthwise_conv2d_f32(const lkws_window_params *p, const float *input,
                                         const float *filter, const float *bias, float *output)
{
    if (!lkws_window_ok(p) || p->depth_multiplier < 1 || p->out_c != p->in_c * p->depth_multiplier) {
        return LKWS_ARG_ERROR;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t ic = 0; ic < p->in_c; ++ic) {
                    for (int32_t m = 0; m < p->depth_multiplier; ++m) {
                        const int32_t oc = ic * p->depth_multiplier + m;
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
                                const float v = input[(((size_t)b * (size_t)p->in_h + (size_t)iy) * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c + (size_t)ic];
                                const float w = filter[((size_t)fy * (size_t)p->filter_w + (size_t)fx) * (size_t)p->out_c + (size_t)oc];
                                const float prod = v * w;
                                total = total + prod;
                            }
                        }
                        total = total < p->act_min ? p->act_min : (total > p->act_max ? p->act_max : total);
                        output[(((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) * (size_t)p->out_c + (size_t)oc] = total;
                    }
                }
            }
        }
    }
    return LKWS_OK;
}
