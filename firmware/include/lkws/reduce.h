/* MEAN and REDUCE_MAX (GlobalAveragePooling2D, GlobalMaxPooling2D), float32 and int8.
 * Conventions and status: lkws/common.h. */
#ifndef LKWS_REDUCE_H
#define LKWS_REDUCE_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Float32: input of dims[4] (shorter ranks padded with leading 1s), reduced over the axes flagged in
 * reduce[4]; the output holds the kept axes in row-major order. The mean sums in input order, then
 * divides by the count. */
lkws_status_t lkws_mean_f32(const float *input, float *output, const int32_t dims[4], const int32_t reduce[4]);
lkws_status_t lkws_reduce_max_f32(const float *input, float *output, const int32_t dims[4],
                                  const int32_t reduce[4]);

/* MEAN int8 parameters (quantization.py: mean_params derives them as the interpreter does):
 * out = clamp(mul_qm_tflite(sum + sum_offset, multiplier, shift) + output_offset), sum over the
 * reduced elements. The interpreter has two int8 paths:
 * - TFLite's optimized kernel (4-D input, axes exactly {1, 2}, keep_dims): multiplier for
 *   input_scale / (count * output_scale) computed in float32, sum_offset 0, output_offset =
 *   output_zp - the input zero point rescaled in float32 and rounded (its own rounding, which
 *   differs from the reference kernel's on some elements);
 * - the reference kernel (everything else): sum_offset = -input_zp * count, multiplier for
 *   input_scale / output_scale with 1/count folded in by integer division, output_offset =
 *   output_zp. */
typedef struct {
    int32_t axis_mask; /* bit d set: reduce dimension d of [N, H, W, C] */
    int32_t multiplier, shift;
    int32_t sum_offset;
    int32_t output_offset;
    int32_t half_up_channels; /* channels [0, this) round halves up (optimized path: blocks of 16) */
} lkws_mean_s8_params;

/* MEAN over the dimensions of axis_mask of input [N, H, W, C]. The output holds the kept
 * dimensions in order (keep_dims or not is only a matter of the output's shape). */
lkws_status_t lkws_mean_s8(const lkws_mean_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                           int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_REDUCE_H */
