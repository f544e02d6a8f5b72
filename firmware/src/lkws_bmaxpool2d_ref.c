/* LceBMaxPool2d, reference (lkws/bmaxpool2d.h: why there is no optimized twin). */
#include "lkws/bmaxpool2d.h"

lkws_status_t lkws_bmaxpool2d_ref_bitpacked(const lkws_bmaxpool2d_params *p, const int32_t *input, int32_t *output)
{
    if (p->filter_h < 1 || p->filter_w < 1 || p->stride_h < 1 || p->stride_w < 1 || p->words < 1) {
        return LKWS_ARG_ERROR;
    }
    for (int32_t b = 0; b < p->batches; ++b) {
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            const int32_t y0 = oy * p->stride_h - p->pad_top;
            const int32_t ys = LKWS_MAX(0, y0), ye = LKWS_MIN(p->in_h, y0 + p->filter_h);
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                const int32_t x0 = ox * p->stride_w - p->pad_left;
                const int32_t xs = LKWS_MAX(0, x0), xe = LKWS_MIN(p->in_w, x0 + p->filter_w);
                int32_t *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) * (size_t)p->words;
                for (int32_t c = 0; c < p->words; ++c) {
                    uint32_t acc = ~(uint32_t)0;
                    for (int32_t y = ys; y < ye; ++y) {
                        for (int32_t x = xs; x < xe; ++x) {
                            acc &= (uint32_t)input[(((size_t)b * (size_t)p->in_h + (size_t)y) * (size_t)p->in_w + (size_t)x) * (size_t)p->words + (size_t)c];
                        }
                    }
                    out[c] = (int32_t)acc;
                }
            }
        }
    }
    return LKWS_OK;
}
