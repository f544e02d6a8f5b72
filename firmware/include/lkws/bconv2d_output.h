/* The output transform of LceBconv2d (see lkws/bconv2d.h), shared by the reference kernels
 * (bconv2d_ref.c) and their optimized twins (bconv2d_opt.c): the twins differ in how they
 * accumulate, never in how an accumulator becomes an output, as in LCE's output_transform.h. */
#ifndef LKWS_BCONV2D_OUTPUT_H
#define LKWS_BCONV2D_OUTPUT_H

#include <math.h>

#include "lkws/bconv2d.h"

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
static inline int8_t lkws_bconv2d_round_i8(float y)
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

#endif
