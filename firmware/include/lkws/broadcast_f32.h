/* The broadcasting loop shared by the float32 ADD and MUL kernels (lkws_add_f32.c, lkws_mul_f32.c):
 * numpy-style broadcasting over 4-D shapes, a dimension of size 1 repeating. Internal to the
 * kernels; the API is lkws/elementwise.h. */
#ifndef LKWS_BROADCAST_F32_H
#define LKWS_BROADCAST_F32_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Offset of output element (i0, i1, i2, i3) in an input of dims d. */
static inline size_t lkws_broadcast_index(const int32_t d[4], int32_t i0, int32_t i1, int32_t i2, int32_t i3)
{
    const size_t j0 = d[0] == 1 ? 0 : (size_t)i0, j1 = d[1] == 1 ? 0 : (size_t)i1;
    const size_t j2 = d[2] == 1 ? 0 : (size_t)i2, j3 = d[3] == 1 ? 0 : (size_t)i3;
    return ((j0 * (size_t)d[1] + j1) * (size_t)d[2] + j2) * (size_t)d[3] + j3;
}

/* out = clamp(a op b, lo, hi) with op the product when is_mul, else the sum. LKWS_ARG_ERROR when a
 * dimension of a or b is neither the output's nor 1. */
static inline lkws_status_t lkws_broadcast_f32(const float *a, const int32_t ad[4], const float *b,
                                               const int32_t bd[4], float *out, const int32_t od[4], float lo,
                                               float hi, int is_mul)
{
    size_t o = 0;
    for (int d = 0; d < 4; ++d) {
        if ((ad[d] != od[d] && ad[d] != 1) || (bd[d] != od[d] && bd[d] != 1)) {
            return LKWS_ARG_ERROR;
        }
    }
    for (int32_t i0 = 0; i0 < od[0]; ++i0) {
        for (int32_t i1 = 0; i1 < od[1]; ++i1) {
            for (int32_t i2 = 0; i2 < od[2]; ++i2) {
                for (int32_t i3 = 0; i3 < od[3]; ++i3) {
                    const float x = a[lkws_broadcast_index(ad, i0, i1, i2, i3)];
                    const float y = b[lkws_broadcast_index(bd, i0, i1, i2, i3)];
                    const float r = is_mul ? x * y : x + y;
                    out[o++] = r < lo ? lo : (r > hi ? hi : r);
                }
            }
        }
    }
    return LKWS_OK;
}

LKWS_END_DECLS

#endif /* LKWS_BROADCAST_F32_H */
