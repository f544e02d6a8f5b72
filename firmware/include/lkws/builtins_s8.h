/* int8 builtin kernels: what the LCE interpreter computes for TFLite's int8 builtin ops.
 *
 * The LCE interpreter runs TFLite's optimized builtin kernels (not the reference ones), and it is
 * the reference for every check: each kernel here gives its bits exactly, including where the
 * optimized kernels compute differently from TFLite's reference kernels (MEAN, SOFTMAX) and which
 * multiplier rounding each op uses (lkws/fixedpoint.h).
 *
 * What pins the bits down (larq-compute-engine 0.16 on x86-64; tests/test_kernels_s8.py checks
 * each point against the interpreter): CONV_2D and FULLY_CONNECTED run on ruy, whose kernels round
 * halves up; TFLite's NEON code paths are compiled in through an SSE emulation, so the vectorized
 * part of a tensor (whole blocks of 8 or 16 elements or channels) rounds, narrows or converts as
 * NEON does and the scalar remainder as TFLite's scalar code (depthwise conv, MEAN, QUANTIZE,
 * DEQUANTIZE, ADD, MUL); SOFTMAX uses a float32 exp table; MEAN has an optimized path (4-D, axes
 * {1, 2}, keep_dims) and a reference path with different rounding.
 *
 * Conventions (CMSIS-NN-like):
 * - Tensors are dense, row-major, channels last: activations [N, H, W, C]; conv filters
 *   [C_OUT, KH, KW, C_IN]; depthwise filters [1, KH, KW, C_IN * depth_multiplier]; fully connected
 *   weights [OUT, DEPTH]. Rank < 4 tensors are given as [1, 1, ..., dims].
 * - Quantized value v means scale * (v - zero_point). Offsets are passed as TFLite does:
 *   input_offset = -input_zero_point, output_offset = +output_zero_point.
 * - act_min/act_max: the fused activation's clamp range in the output's int8 domain
 *   (-128..127 for none; quantization.py: activation_range).
 * - Multipliers and shifts come from lossykws/codegen/quantization.py (TFLite's Prepare).
 * - The caller owns all memory; no kernel allocates, keeps state or touches globals.
 *   Inputs and outputs must not overlap unless a function says so.
 * - Every function returns LKWS_S8_OK or LKWS_S8_ARG_ERROR (nothing written then).
 * - C99; integer kernels are exact integer arithmetic. SOFTMAX, QUANTIZE and DEQUANTIZE use
 *   float32 as the interpreter does: compile with -ffp-contract=off so no fused multiply-add
 *   changes a rounding. */
#ifndef LKWS_BUILTINS_S8_H
#define LKWS_BUILTINS_S8_H

#include <stdint.h>

#define LKWS_S8_OK 0
#define LKWS_S8_ARG_ERROR (-1)

/* A 4-D shape [n, h, w, c]. */
typedef struct {
    int32_t n, h, w, c;
} lkws_s8_shape;

/* Rounding split: kernels that rescale with a quantized multiplier take a count of leading
 * channels (or elements) that use the halves-up rounding of the interpreter's vectorized or ruy
 * code; the rest use TFLite's scalar double rounding (lkws/fixedpoint.h). quantization.py's
 * *_half_up functions give the counts the interpreter uses. */

/* ---------------------------------------------------------------- convolutions */

/* CONV_2D and DEPTHWISE_CONV_2D parameters. pad_top/pad_left: TFLite's padding values (SAME:
 * floor of the total padding / 2, VALID: 0); padded input pixels count as input_zero_point. */
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

/* CONV_2D, int8 per-channel: input [N, H, W, C_IN], filter [C_OUT, KH, KW, C_IN] (symmetric,
 * zero point 0), bias [C_OUT] int32 or NULL, multiplier/shift [C_OUT] (per-tensor models repeat
 * the one value), output [N, OH, OW, C_OUT]. */
int lkws_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                   const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                   const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                   int8_t *output);

/* DEPTHWISE_CONV_2D, int8 per-channel: input [N, H, W, C_IN], filter [1, KH, KW, C_OUT] with
 * C_OUT = C_IN * depth_multiplier, bias [C_OUT] or NULL, multiplier/shift [C_OUT],
 * output [N, OH, OW, C_OUT]. */
int lkws_depthwise_conv2d_s8(const lkws_conv_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                             const lkws_s8_shape *filter_shape, const int8_t *filter, const int32_t *bias,
                             const int32_t *multiplier, const int32_t *shift, const lkws_s8_shape *out_shape,
                             int8_t *output);

/* FULLY_CONNECTED parameters. */
typedef struct {
    int32_t input_offset;
    int32_t output_offset;
    int32_t act_min, act_max;
    int32_t per_channel; /* 0: multiplier[0]/shift[0] for every output; 1: one per output */
    int32_t half_up_outputs; /* outputs [0, this) round halves up (the interpreter: all, ruy) */
} lkws_fc_s8_params;

/* FULLY_CONNECTED, int8: input [batches, depth], weights [out_depth, depth] (zero point 0),
 * bias [out_depth] or NULL, output [batches, out_depth]. */
int lkws_fully_connected_s8(const lkws_fc_s8_params *p, int32_t batches, int32_t depth, int32_t out_depth,
                            const int8_t *input, const int8_t *weights, const int32_t *bias,
                            const int32_t *multiplier, const int32_t *shift, int8_t *output);

/* ---------------------------------------------------------------- pooling */

/* MAX_POOL_2D and AVERAGE_POOL_2D parameters (input and output share scale and zero point). */
typedef struct {
    int32_t stride_h, stride_w;
    int32_t filter_h, filter_w;
    int32_t pad_top, pad_left;
    int32_t act_min, act_max;
} lkws_pool_s8_params;

/* MAX_POOL_2D: input [N, H, W, C], output [N, OH, OW, C]; padding is ignored (not -128). */
int lkws_max_pool2d_s8(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                       const lkws_s8_shape *out_shape, int8_t *output);

/* AVERAGE_POOL_2D: the sum over the window's in-bounds pixels divided by their count, rounded to
 * nearest with halves away from zero. Padded pixels are not counted. */
int lkws_avg_pool2d_s8(const lkws_pool_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                       const lkws_s8_shape *out_shape, int8_t *output);

/* ---------------------------------------------------------------- reductions */

/* MEAN parameters (quantization.py: mean_params derives them as the interpreter does):
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
    int32_t axis_mask;  /* bit d set: reduce dimension d of [N, H, W, C] */
    int32_t multiplier, shift;
    int32_t sum_offset;
    int32_t output_offset;
    int32_t half_up_channels; /* channels [0, this) round halves up (optimized path: blocks of 16) */
} lkws_mean_s8_params;

/* MEAN over the dimensions of axis_mask of input [N, H, W, C]. The output holds the kept
 * dimensions in order (keep_dims or not is only a matter of the output's shape). */
int lkws_mean_s8(const lkws_mean_s8_params *p, const lkws_s8_shape *in_shape, const int8_t *input,
                 int8_t *output);

/* ---------------------------------------------------------------- softmax */

/* SOFTMAX, int8 in and out, over the last dimension: rows x depth values. exp_table[256] holds
 * expf(-input_scale * beta * d) at index 255 - d (lkws_softmax_s8_table, or the generator's copy
 * of it); sums and products are float32 in order, then roundf(p / output_scale) + zero point,
 * clamped. */
typedef struct {
    const float *exp_table;
    float output_scale;
    int32_t output_zero_point;
} lkws_softmax_s8_params;

int lkws_softmax_s8(const lkws_softmax_s8_params *p, int32_t rows, int32_t depth, const int8_t *input,
                    int8_t *output);

/* Fill exp_table[256] for lkws_softmax_s8 with this platform's expf. The interpreter uses glibc's
 * expf; a device's libm may differ in the last bit, so generated code carries the table computed
 * at export instead. */
void lkws_softmax_s8_table(float input_scale, float beta, float exp_table[256]);

/* ---------------------------------------------------------------- elementwise */

/* Broadcasting shapes: each input shape is [N, H, W, C] with every dimension either equal to the
 * output's or 1 (broadcast).
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

int lkws_add_s8(const lkws_add_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
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

int lkws_mul_s8(const lkws_mul_s8_params *p, const lkws_s8_shape *in1_shape, const int8_t *input1,
                const lkws_s8_shape *in2_shape, const int8_t *input2, const lkws_s8_shape *out_shape,
                int8_t *output);

/* ---------------------------------------------------------------- data movement */

/* PAD / PADV2, int8: input [N, H, W, C] padded by before[d] / after[d] elements on dimension d,
 * with pad_value (PAD: the zero point; PADV2: the quantized constant). */
int lkws_pad_s8(const lkws_s8_shape *in_shape, const int8_t *input, const int32_t before[4],
                const int32_t after[4], int8_t pad_value, int8_t *output);

/* ---------------------------------------------------------------- (de)quantization */

/* QUANTIZE float32 -> int8. Elements [0, vector_count) as the interpreter's vectorized loop:
 * x * (1 / scale) rounded to nearest even; the rest as its scalar loop: x / scale rounded with
 * halves away from zero; then + zero_point, clamped. The interpreter's vector_count is n rounded
 * down to a multiple of 8 (quantization.py: quantize_vector_count). */
int lkws_quantize_f32_s8(int32_t n, const float *input, float scale, int32_t zero_point, int32_t vector_count,
                         int8_t *output);

/* QUANTIZE int8 -> int8 (requantize): clamp(mul_qm(x - in_zp) + out_zp); multiplier and shift for
 * input_scale / output_scale; elements [0, half_up_count) round halves up (the interpreter: n
 * rounded down to a multiple of 16). input may equal output (in place). */
int lkws_requantize_s8(int32_t n, const int8_t *input, int32_t input_zero_point, int32_t multiplier,
                       int32_t shift, int32_t output_zero_point, int32_t half_up_count, int8_t *output);

/* DEQUANTIZE int8 -> float32. Elements [0, vector_count) as the interpreter's vector loop:
 * x * scale + (-zero_point * scale) in float32 (two roundings; no fused multiply-add); the rest as
 * its scalar loop: scale * (x - zero_point), one rounding. The interpreter's vector_count is n
 * rounded down to a multiple of 8 (quantization.py: dequantize_vector_count). */
int lkws_dequantize_s8_f32(int32_t n, const int8_t *input, float scale, int32_t zero_point, int32_t vector_count,
                           float *output);

#endif
