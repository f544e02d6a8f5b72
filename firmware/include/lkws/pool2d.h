/* MAX_POOL_2D and AVERAGE_POOL_2D, float32 and int8: input [N, H, W, C] -> output [N, OH, OW, C].
 * Taps outside the image are skipped: max ignores them, the average divides by the taps inside.
 * Conventions and status: lkws/common.h. */
#ifndef LKWS_POOL2D_H
#define LKWS_POOL2D_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Float32: geometry in lkws_window_params (in_c = out_c, dilation 1). */
lkws_status_t lkws_max_pool2d_f32(const lkws_window_params *p, const float *input, float *output);
lkws_status_t lkws_avg_pool2d_f32(const lkws_window_params *p, const float *input, float *output);

/* Int8 parameters (input and output share scale and zero point; act_min/act_max in int8). */
typedef struct {
    int32_t stride_h, stride_w;
    int32_t filter_h, filter_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} lkws_pool_s8_params;

/* MAX_POOL_2D, int8: padding is ignored (not -128). */
lkws_status_t lkws_max_pool2d_s8(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                                 const lkws_s8_shape *out_shape, int8_t *output);

/* AVERAGE_POOL_2D, int8: the sum over the window's in-bounds pixels divided by their count, rounded
 * to nearest with halves away from zero. */
lkws_status_t lkws_avg_pool2d_s8(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                                 const lkws_s8_shape *out_shape, int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_POOL2D_H */
