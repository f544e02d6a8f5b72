/* Shape and window helpers shared by the int8 kernels (firmware/src/..._s8.c): argument checks,
 * the in-bounds taps of a window and broadcast strides. Internal to the kernels; the API is
 * each op family's header. */
#ifndef LKWS_S8_SHAPES_H
#define LKWS_S8_SHAPES_H

#include "lkws/conv2d.h"
#include "lkws/pool2d.h"

LKWS_BEGIN_DECLS

/* First and one-past-last filter tap k (of k_size) with 0 <= start + k * dilation < size. */
static inline void lkws_s8_valid_taps(int32_t start, int32_t dilation, int32_t size, int32_t k_size, int32_t *k0,
                                      int32_t *k1)
{
    int32_t first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int32_t last = size - start <= 0 ? 0 : (size - start + dilation - 1) / dilation;
    *k0 = first < k_size ? first : k_size;
    *k1 = last < k_size ? last : k_size;
    if (*k1 < *k0) {
        *k1 = *k0;
    }
}

/* The checks CONV_2D and DEPTHWISE_CONV_2D share: the output has out_c channels and the input's
 * batch, strides and dilations are positive, the activation range is not empty. */
static inline int lkws_s8_conv_args_ok(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape,
                                       const lkws_s8_shape *out_shape, int32_t out_c)
{
    return out_shape->c == out_c && out_shape->n == in_shape->n && p->stride_h >= 1 && p->stride_w >= 1 &&
           p->dilation_h >= 1 && p->dilation_w >= 1 && p->act_min <= p->act_max;
}

/* The checks MAX_POOL_2D and AVERAGE_POOL_2D share (all of them). */
static inline int lkws_s8_pool_args_ok(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape,
                                       const lkws_s8_shape *out_shape)
{
    return out_shape->n == in_shape->n && out_shape->c == in_shape->c && p->stride_h >= 1 && p->stride_w >= 1 &&
           p->filter_h >= 1 && p->filter_w >= 1 && p->act_min <= p->act_max;
}

/* Element strides of a broadcast input: 0 on dimensions of size 1 that the output expands.
 * LKWS_ARG_ERROR where a dimension is neither the output's nor 1. */
static inline lkws_status_t lkws_s8_broadcast_strides(const lkws_s8_shape *in, const lkws_s8_shape *out, int32_t st[4])
{
    const int32_t d_in[4] = {in->n, in->h, in->w, in->c};
    const int32_t d_out[4] = {out->n, out->h, out->w, out->c};
    int32_t stride = 1;
    int d;
    for (d = 3; d >= 0; --d) {
        if (d_in[d] != d_out[d] && d_in[d] != 1) {
            return LKWS_ARG_ERROR;
        }
        st[d] = d_in[d] == 1 ? 0 : stride;
        stride *= d_in[d];
    }
    return LKWS_OK;
}

LKWS_END_DECLS

#endif /* LKWS_S8_SHAPES_H */
