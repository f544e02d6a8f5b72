/* MAX_POOL_2D, int8: the maximum over the window's in-bounds pixels, clamped to the activation. */
#include "lkws/pool2d.h"
#include "lkws/fixedpoint.h"
#include "lkws/s8_shapes.h"

lkws_status_t lkws_max_pool2d_s8(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                                 const lkws_s8_shape *out_shape, int8_t *output)
{
    int32_t b, oy, ox, c, fy, fx;

    if (!lkws_s8_pool_args_ok(p, in_shape, out_shape)) {
        return LKWS_ARG_ERROR;
    }
    for (b = 0; b < in_shape->n; ++b) {
        for (oy = 0; oy < out_shape->h; ++oy) {
            const int32_t iy0 = oy * p->stride_h - p->pad_top;
            const int32_t fy0 = iy0 < 0 ? -iy0 : 0;
            const int32_t fy1 = p->filter_h < in_shape->h - iy0 ? p->filter_h : in_shape->h - iy0;
            for (ox = 0; ox < out_shape->w; ++ox) {
                const int32_t ix0 = ox * p->stride_w - p->pad_left;
                const int32_t fx0 = ix0 < 0 ? -ix0 : 0;
                const int32_t fx1 = p->filter_w < in_shape->w - ix0 ? p->filter_w : in_shape->w - ix0;
                int8_t *out = output + ((b * out_shape->h + oy) * out_shape->w + ox) * in_shape->c;
                for (c = 0; c < in_shape->c; ++c) {
                    /* The interpreter starts from act_min, which is <= every clamped result. */
                    int32_t m = p->act_min;
                    for (fy = fy0; fy < fy1; ++fy) {
                        for (fx = fx0; fx < fx1; ++fx) {
                            const int32_t v =
                                input[((b * in_shape->h + iy0 + fy) * in_shape->w + ix0 + fx) * in_shape->c + c];
                            m = v > m ? v : m;
                        }
                    }
                    out[c] = (int8_t)lkws_clamp_i32(m, p->act_min, p->act_max);
                }
            }
        }
    }
    return LKWS_OK;
}
