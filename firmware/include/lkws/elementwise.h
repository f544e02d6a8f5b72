/* Elementwise ops, float32 and int8: ADD and MUL with broadcasting, the clamp of RELU / RELU6 /
 * RELU_N1_TO_1, LOGISTIC. Conventions and status: lkws/common.h.
 *
 * Broadcasting: each input shape is 4-D ([N, H, W, C], shorter ranks padded with leading 1s) with
 * every dimension either equal to the output's or 1 (repeated). */
#ifndef LKWS_ELEMENTWISE_H
#define LKWS_ELEMENTWISE_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* ---------------------------------------------------------------- float32 */

/* a (a_dims) + or * b (b_dims) -> output (out_dims), clamped to [act_min, act_max]. */
lkws_status_t lkws_add_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                           float *output, const int32_t out_dims[4], float act_min, float act_max);
lkws_status_t lkws_mul_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                           float *output, const int32_t out_dims[4], float act_min, float act_max);

/* RELU, RELU6, RELU_N1_TO_1 as standalone ops: a clamp to [lo, hi] (NaN passes through). */
lkws_status_t lkws_clamp_f32(const float *input, float *output, size_t count, float lo, float hi);

/* LOGISTIC (sigmoid): 1 / (1 + expf(-x)). */
lkws_status_t lkws_logistic_f32(const float *input, float *output, size_t count);

/* ---------------------------------------------------------------- int8 (lkws/fixedpoint.h)
 *
 * Vector split: the interpreter walks the output in contiguous runs of vector_run elements and
 * vectorizes whole blocks within each run (NEON code emulated over SSE, which rounds differently
 * from its scalar code); the element at flat output index i takes the vector formula when
 * i % vector_run < vector_run rounded down to the block size. vector_run 0: all scalar.
 * quantization.py: broadcast_vector_run derives run and mode from the shapes as TFLite's
 * ProcessBroadcastShapes does. */

/* ADD parameters (TFLite's Prepare for int8: left_shift 20, inputs scaled to twice the larger
 * input scale; quantization.py: add_params). */
typedef struct {
    int32_t input1_offset, input2_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t vector_run;
    int32_t vector_mode; /* 1: elementwise add, blocks of 16; 2: one input broadcast, blocks of 8 */
} lkws_add_s8_params;

lkws_status_t lkws_add_s8(const lkws_add_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                          const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                          int8_t *output);

/* MUL parameters: output multiplier for input1_scale * input2_scale / output_scale. */
typedef struct {
    int32_t input1_offset, input2_offset;
    int32_t output_multiplier, output_shift;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t vector_run;
    int32_t vector_mode; /* 0: all scalar; 1 or 2 (as for ADD): blocks of 16 */
} lkws_mul_s8_params;

lkws_status_t lkws_mul_s8(const lkws_mul_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                          const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                          int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_ELEMENTWISE_H */
