/* FULLY_CONNECTED, float32 and int8: input [batches, depth] (a higher-rank input flattened),
 * weights [units, depth], bias [units] or NULL, output [batches, units].
 * Conventions and status: lkws/common.h. */
#ifndef LKWS_FULLY_CONNECTED_H
#define LKWS_FULLY_CONNECTED_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Float sums in the interpreter's order: its GEMV (one input row, units >= 4, depth >= 4) or ruy
 * (bias, then fused multiply-add over the depth). Fused activation as the clamp [act_min, act_max]. */
lkws_status_t lkws_fully_connected_f32(const float *input, const float *weights, const float *bias, float *output,
                                       int32_t batches, int32_t depth, int32_t units, float act_min, float act_max);

/* One dot product as TFLite's custom float GEMV computes it (four lanes, then bias); shared by
 * lkws_fully_connected_f32 and lkws_conv2d_f32. depth >= 1. */
float lkws_dot_gemv4_f32(const float *x, const float *w, int32_t depth, float bias, int has_bias);

/* FULLY_CONNECTED int8 parameters (offsets as TFLite passes them: input_offset = -input zero point,
 * output_offset = +output zero point; act_min/act_max in the output's int8 domain). */
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel;     /* 0: multiplier[0]/shift[0] for every output; 1: one per output */
    int32_t half_up_outputs; /* outputs [0, this) round halves up (the interpreter: all, ruy) */
} lkws_fc_s8_params;

/* FULLY_CONNECTED, int8: weights zero point 0, bias int32 [out_depth] or NULL. */
lkws_status_t lkws_fully_connected_s8(const lkws_fc_s8_params *p, int32_t batches, int32_t depth, int32_t out_depth,
                                      const int8_t *input, const int8_t *weights, const int32_t *bias,
                                      const int32_t *multiplier, const int32_t *shift, int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_FULLY_CONNECTED_H */
