/* The output transform of LceBconv2d (see lkws/bconv2d.h), shared by the reference kernel
 * (lkws_bconv2d_ref.c) and its optimized twins (lkws_bconv2d_opt.c, lkws_bconv2d_dense_opt.c):
 * the twins differ in how they accumulate, never in how an accumulator becomes an output, as in
 * LCE's output_transform.h.
 * Internal to the kernels. */
#ifndef LKWS_BCONV2D_OUTPUT_H
#define LKWS_BCONV2D_OUTPUT_H

#include <math.h>

#include "lkws/bconv2d.h"

LKWS_BEGIN_DECLS

/* The parameters every bconv2d kernel checks: positive sizes, strides and dilations, a clamp range
 * that is not empty. */
static inline int lkws_bconv2d_params_ok(const lkws_bconv2d_params *p)
{
    return p->batches >= 0 && p->channels_in >= 1 && p->channels_out >= 1 && p->filter_h >= 1 && p->filter_w >= 1 &&
           p->stride_h >= 1 && p->stride_w >= 1 && p->dilation_h >= 1 && p->dilation_w >= 1 &&
           p->clamp_min <= p->clamp_max;
}

/* 2*accum clamped to [clamp_min, clamp_max]. */
static inline int32_t lkws_bconv2d_clamp2(const lkws_bconv2d_params *p, int32_t accum)
{
    int32_t x = accum * 2;
    x = x < p->clamp_min ? p->clamp_min : x;
    return x > p->clamp_max ? p->clamp_max : x;
}

/* The float (and pre-rounding int8) output before any padding correction: two roundings, the
 * product then the sum, as the interpreter computes them. */
static inline float lkws_bconv2d_scale(const lkws_bconv2d_params *p, int32_t accum, float multiplier, float bias)
{
    float y = (float)lkws_bconv2d_clamp2(p, accum) * multiplier;
    y = y + bias;
    return y;
}

/* Round half away from zero (like TfLiteRound) and saturate to int8. */
static inline int8_t lkws_bconv2d_round_s8(float y)
{
    const float r = roundf(y);
    if (r >= 127.0f) {
        return 127;
    }
    if (r <= -128.0f) {
        return -128;
    }
    return (int8_t)(int32_t)r;
}

LKWS_END_DECLS

#endif /* LKWS_BCONV2D_OUTPUT_H */
