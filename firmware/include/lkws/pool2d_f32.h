/* The window loop shared by the float32 pooling kernels (lkws_max_pool2d_f32.c,
 * lkws_avg_pool2d_f32.c): taps outside the image are skipped; the average divides the in-order sum
 * by the taps inside. Internal to the kernels; the API is lkws/pool2d.h. */
#ifndef LKWS_POOL2D_F32_H
#define LKWS_POOL2D_F32_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

static inline lkws_status_t lkws_pool2d_f32(const lkws_window_params *p, const float *input, float *output,
                                            int average)
{
    if (!lkws_window_ok(p) || p->in_c != p->out_c) {
        return LKWS_ARG_ERROR;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t ys = LKWS_MAX(0, y0), ye = LKWS_MIN(p->in_h, y0 + p->filter_h);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t xs = LKWS_MAX(0, x0), xe = LKWS_MIN(p->in_w, x0 + p->filter_w);
                for (int32_t c = 0; c < p->in_c; ++c) {
                    float acc = average ? 0.0f : -3.402823466e+38f;
                    int32_t count = 0;
                    for (int32_t y = ys; y < ye; ++y) {
                        for (int32_t x = xs; x < xe; ++x) {
                            const float v = input[(((size_t)b * (size_t)p->in_h + (size_t)y) * (size_t)p->in_w + (size_t)x) * (size_t)p->in_c + (size_t)c];
                            if (average) {
                                acc = acc + v;
                            } else if (v > acc) {
                                acc = v;
                            }
                            ++count;
                        }
                    }
                    if (average) {
                        acc = acc / (float)count;
                    }
                    acc = acc < p->act_min ? p->act_min : (acc > p->act_max ? p->act_max : acc);
                    output[(((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) * (size_t)p->in_c + (size_t)c] = acc;
                }
            }
        }
    }
    return LKWS_OK;
}

LKWS_END_DECLS

#endif /* LKWS_POOL2D_F32_H */
