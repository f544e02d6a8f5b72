/* CONV_2D and DEPTHWISE_CONV_2D, float32 and int8, as the LCE interpreter computes them.
 *
 * Layouts: input [N, H, W, C_IN]; conv filter [C_OUT, KH, KW, C_IN]; depthwise filter
 * [1, KH, KW, C_OUT] with C_OUT = C_IN * depth_multiplier (output channel ic * mult + m); bias
 * [C_OUT] or NULL; output [N, OH, OW, C_OUT]. Padded input pixels read 0 (float) or the input
 * zero point (int8). Conventions, status and scratch: lkws/common.h. */
#ifndef LKWS_CONV2D_H
#define LKWS_CONV2D_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* ---------------------------------------------------------------- float32 (lkws_window_params) */

/* Scratch bytes lkws_conv2d_f32 needs: the im2col row of one output pixel, used when the output
 * is a single pixel (the interpreter's GEMV path); other shapes take scratch NULL. */
#define LKWS_CONV2D_F32_SCRATCH_BYTES(filter_h, filter_w, in_c) (4 * (filter_h) * (filter_w) * (in_c))

/* The interpreter's float CONV_2D: per output, start at the bias and fused multiply-add over
 * (filter_y, filter_x, in_channel); a single output pixel with >= 4 output channels and >= 4 taps
 * uses its GEMV order instead (lkws_dot_gemv4_f32 over the im2col row in scratch). */
lkws_status_t lkws_conv2d_f32(const lkws_window_params *p, const float *input, const float *filter,
                              const float *bias, float *output, float *scratch);

/* The interpreter's optimized float DEPTHWISE_CONV_2D: bias, then the rounded products added tap by
 * tap in (filter_y, filter_x) order (no fused multiply-add). */
lkws_status_t lkws_depthwise_conv2d_f32(const lkws_window_params *p, const float *input, const float *filter,
                                        const float *bias, float *output);

/* ---------------------------------------------------------------- int8 (lkws/fixedpoint.h) */

/* CONV_2D and DEPTHWISE_CONV_2D int8 parameters. Quantized value v means scale * (v - zero_point).
 * act_min/act_max: the fused activation's clamp range in the output's int8 domain (-128..127 for
 * none). Multipliers and shifts [C_OUT] are TFLite's (lossykws/codegen/quantization.py); per-tensor
 * models repeat the one value. */
typedef struct {
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t depth_multiplier; /* depthwise only: output channel = input channel * mult + m */
    int32_t input_offset;     /* -input zero point, -127..128 */
    int32_t output_offset;    /* output zero point */
    int32_t act_min, act_max;
    int32_t half_up_channels; /* output channels [0, this) round halves up (conv: all of them;
                                 depthwise: whole blocks of 8), the others as TFLite's scalar code */
} lkws_conv_s8_params;

/* CONV_2D, int8 per-channel: filter symmetric (zero point 0), bias int32 [C_OUT] or NULL. */
lkws_status_t lkws_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                             const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                             int8_t *output);

/* DEPTHWISE_CONV_2D, int8 per-channel. */
lkws_status_t lkws_depthwise_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape,
                                       const int8_t *input, const lkws_s8_shape *filter_shape, const int8_t *filter,
                                       const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                                       const lkws_s8_shape *out_shape, int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_CONV2D_H */
