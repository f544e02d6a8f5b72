/* MEAN, int8, in the three ways the LCE interpreter computes it (lkws/builtins_s8.h: LKWS_MEAN_*).
 * TFLite's optimized kernel (4-D, axes {1, 2}, keep_dims) works in float32 and neither saturates
 * nor rounds like the reference kernels; the other shapes go to the reference kernels. */
#include <math.h>

#include "lkws/builtins_s8.h"
#include "lkws/fixedpoint.h"

/* The low 8 bits of x as int8, as the interpreter's int -> int8_t conversions give them. */
static int8_t wrap_s8(int32_t x)
{
    const uint8_t u = (uint8_t)((uint32_t)x & 0xFFu);
    return (int8_t)(u >= 128u ? (int32_t)u - 256 : (int32_t)u);
}

int lkws_mean_s8(const lkws_mean_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                 int8_t *output)
{
    const int32_t dims[4] = {in_shape->n, in_shape->h, in_shape->w, in_shape->c};
    int32_t out_dims[4];
    int32_t count = 1;
    int32_t o[4], r[4], lo[4], hi[4];
    int d;
    int8_t *out = output;

    if (p->axis_mask <= 0 || p->axis_mask > 0xF || (p->mode == LKWS_MEAN_OPTIMIZED && p->axis_mask != 0x6) ||
        p->mode < LKWS_MEAN_OPTIMIZED || p->mode > LKWS_MEAN_REQUANT) {
        return LKWS_S8_ARG_ERROR;
    }
    for (d = 0; d < 4; ++d) {
        const int reduced = (p->axis_mask >> d) & 1;
        out_dims[d] = reduced ? 1 : dims[d];
        if (reduced) {
            count *= dims[d];
        }
    }
    if (count <= 0) {
        return LKWS_S8_ARG_ERROR;
    }
    for (o[0] = 0; o[0] < out_dims[0]; ++o[0]) {
        for (o[1] = 0; o[1] < out_dims[1]; ++o[1]) {
            for (o[2] = 0; o[2] < out_dims[2]; ++o[2]) {
                for (o[3] = 0; o[3] < out_dims[3]; ++o[3]) {
                    int32_t isum = 0;
                    float fsum = 0.0f;
                    for (d = 0; d < 4; ++d) {
                        const int reduced = (p->axis_mask >> d) & 1;
                        lo[d] = reduced ? 0 : o[d];
                        hi[d] = reduced ? dims[d] : o[d] + 1;
                    }
                    /* Row-major order over the reduced dimensions: the order the interpreter's
                     * float sum takes (h outer, w inner). */
                    for (r[0] = lo[0]; r[0] < hi[0]; ++r[0]) {
                        for (r[1] = lo[1]; r[1] < hi[1]; ++r[1]) {
                            for (r[2] = lo[2]; r[2] < hi[2]; ++r[2]) {
                                for (r[3] = lo[3]; r[3] < hi[3]; ++r[3]) {
                                    const int32_t v = input[((r[0] * dims[1] + r[1]) * dims[2] + r[2]) * dims[3] + r[3]];
                                    isum += v;
                                    fsum += (float)v;
                                }
                            }
                        }
                    }
                    if (p->mode == LKWS_MEAN_OPTIMIZED) {
                        const float mean = fsum / (float)count;
                        const float v = mean * p->scale + p->bias;
                        *out++ = wrap_s8((int32_t)roundf(v) + p->output_zero_point);
                    } else if (p->mode == LKWS_MEAN_INT_DIV) {
                        *out++ = (int8_t)(isum / count);
                    } else {
                        const float mean = (float)isum / (float)count;
                        float v = roundf(mean * p->scale + p->bias) + (float)p->output_zero_point;
                        v = v < 127.0f ? v : 127.0f;
                        v = v > -128.0f ? v : -128.0f;
                        *out++ = (int8_t)v;
                    }
                }
            }
        }
    }
    return LKWS_S8_OK;
}
