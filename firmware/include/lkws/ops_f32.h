/* Float32 builtin kernels, reference C, NHWC. Each mirrors TFLite's definition of the op; float
 * sums run in a fixed order (the interpreter's optimized kernels may sum in another, which the
 * parity tolerance |a-b| <= 1e-5*max(1,|b|) absorbs). Build with -ffp-contract=off. */
#ifndef LKWS_OPS_F32_H
#define LKWS_OPS_F32_H

#include "lkws/common.h"

/* Geometry shared by convolutions and pooling. */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t depth_multiplier; /* depthwise only */
    float act_min, act_max;   /* fused activation as a clamp */
} lkws_window_params;

/* filter [out_c, filter_h, filter_w, in_c]; bias [out_c] or NULL; scratch: filter_h*filter_w*in_c
 * floats (used for a single output pixel only, see conv2d_f32.c). */
void lkws_conv2d_f32(const lkws_window_params *p, const float *input, const float *filter,
                     const float *bias, float *output, float *scratch);
/* filter [1, filter_h, filter_w, out_c], out_c = in_c * depth_multiplier; bias or NULL. */
void lkws_depthwise_conv2d_f32(const lkws_window_params *p, const float *input,
                               const float *filter, const float *bias, float *output);
/* Taps outside the image are skipped; the average divides by the taps inside. */
void lkws_max_pool2d_f32(const lkws_window_params *p, const float *input, float *output);
void lkws_average_pool2d_f32(const lkws_window_params *p, const float *input, float *output);

/* input [batches, depth], weights [units, depth], bias [units] or NULL. Sums in the order of the
 * interpreter's GEMM paths (see fully_connected_f32.c). */
void lkws_fully_connected_f32(const float *input, const float *weights, const float *bias,
                              float *output, int32_t batches, int32_t depth, int32_t units,
                              float act_min, float act_max);

/* One dot product as TFLite's custom float GEMV computes it (four lanes, then bias). */
float lkws_dot_gemv4_f32(const float *x, const float *w, int32_t depth, float bias, int has_bias);

/* Mean over the axes flagged in reduce[4] of a 4D tensor dims[4] (shorter ranks padded with
 * leading 1s); output in row-major order of the kept axes. */
void lkws_mean_f32(const float *input, float *output, const int32_t dims[4],
                   const int32_t reduce[4]);

/* Max over the axes flagged in reduce[4] (REDUCE_MAX; GlobalMaxPooling2D), layout as lkws_mean_f32. */
void lkws_reduce_max_f32(const float *input, float *output, const int32_t dims[4],
                         const int32_t reduce[4]);

/* LOGISTIC (sigmoid): 1 / (1 + exp(-x)). */
void lkws_logistic_f32(const float *input, float *output, size_t count);

/* CONCATENATION for any element type: `count` inputs, each `outer` blocks of inner_bytes[i]
 * bytes, interleaved block by block into output. */
void lkws_concat(const void *const *inputs, const int32_t *inner_bytes, int32_t count,
                 int32_t outer, void *output);

/* Softmax along the last axis: exp(beta*(x - max)) / sum. */
void lkws_softmax_f32(const float *input, float *output, int32_t rows, int32_t depth, float beta);

/* Elementwise with numpy-style broadcasting over 4D shapes (a_dims, b_dims -> out_dims). */
void lkws_add_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                  float *output, const int32_t out_dims[4], float act_min, float act_max);
void lkws_mul_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                  float *output, const int32_t out_dims[4], float act_min, float act_max);

/* RELU, RELU6, RELU_N1_TO_1 as standalone ops: a clamp (NaN passes through). */
void lkws_clamp_f32(const float *input, float *output, size_t count, float lo, float hi);

/* PAD/PADV2 for any element size: in_dims[4], pads[4][2] (before, after), value: one element. */
void lkws_pad(const void *input, const int32_t in_dims[4], const int32_t pads[8], void *output,
              const void *value, size_t elem_size);

#endif
