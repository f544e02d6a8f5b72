#include "lkws/ops_f32.h"

static float clampf(float x, float lo, float hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

void lkws_conv2d_f32(const lkws_window_params *p, const float *input, const float *filter,
                     const float *bias, float *output)
{
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t y0 = oy * p->stride_h - p->pad_top;
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                for (int32_t oc = 0; oc < p->out_c; ++oc) {
                    float total = 0.0f;
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
                                const float prod = in[ic] * w[ic];
                                total = total + prod;
                            }
                        }
                    }
                    if (bias != NULL) {
                        total = total + bias[oc];
                    }
                    output[(((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) * (size_t)p->out_c + (size_t)oc] =
                        clampf(total, p->act_min, p->act_max);
                }
            }
        }
    }
}
