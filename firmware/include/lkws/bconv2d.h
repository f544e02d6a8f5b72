/* LceBconv2d, reference C: binary 2D convolution on bitpacked NHWC tensors (batch 1 per call
 * row; `batches` loops over images).
 *
 * input  int32 [batches, in_h, in_w, LKWS_PACKED_WORDS(channels_in)]
 * filter int32 [channels_out, filter_h, filter_w, LKWS_PACKED_WORDS(channels_in)] (OHWI, packed)
 * accum = xor-popcount over the filter window, padded positions reading bits 0 (+1).
 *
 * Output transforms, as LCE's interpreter computes them:
 *  float : y = (float)clamp(2*accum, clamp_min, clamp_max) * multiplier[c] + bias[c], where
 *          multiplier = -post_multiplier and bias = post_bias + K*post_multiplier (K = filter_h *
 *          filter_w * channels_in), fused at export time; with zero padding (SAME, pad_values 0)
 *          y += pad_multiplier[c] * correction, correction = sum over the window's padded taps of
 *          (channels_in - 2*popcount(filter tap)), pad_multiplier = -post_multiplier; only at
 *          output pixels whose window leaves the image.
 *  int8  : same multiplier and bias with the output scale and zero point folded in, then
 *          round half away from zero and saturate.
 *  bitpacked: bit c set where accum > thresholds[c]; tail bits 0.
 */
#ifndef LKWS_BCONV2D_H
#define LKWS_BCONV2D_H

#include "lkws/common.h"

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels_in;
    int32_t out_h, out_w, channels_out;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t clamp_min, clamp_max; /* on 2*accum; float and int8 outputs */
    /* Optimized kernels only: 1 when channels_in < 32 and the filter rows are "dense", the
     * channels_in bits of each tap back to back (tap t at bit t*channels_in of the row, rows of
     * LKWS_BCONV2D_DENSE_WORDS words): a 3x3 filter on 4 channels is 2 words per output channel
     * instead of 9. The gathered window is packed the same way. */
    int32_t dense_taps;
} lkws_bconv2d_params;

#define LKWS_BCONV2D_DENSE_WORDS(filter_h, filter_w, channels_in) \
    (((filter_h) * (filter_w) * (channels_in) + 31) / 32)

/* pad_multiplier: NULL for pad_values 1 or VALID; else zero padding is corrected. */
void lkws_bconv2d_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                      const float *multiplier, const float *bias, const float *pad_multiplier,
                      float *output);
void lkws_bconv2d_i8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                     const float *multiplier, const float *bias, int8_t *output);
void lkws_bconv2d_bitpacked(const lkws_bconv2d_params *p, const int32_t *input,
                            const int32_t *filter, const int32_t *thresholds, int32_t *output);

/* Optimized twins (bconv2d_opt.c): the same results bit for bit, faster on Cortex-M. Each output
 * pixel's window is gathered once into `scratch` (LKWS_BCONV2D_SCRATCH_WORDS(p) words, padded taps
 * 0), then every output channel is a contiguous xor-popcount over it and the filter row. */
#define LKWS_BCONV2D_SCRATCH_WORDS(filter_h, filter_w, channels_in) \
    ((filter_h) * (filter_w) * (((channels_in) + 31) / 32))
void lkws_bconv2d_f32_opt(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                          const float *multiplier, const float *bias, const float *pad_multiplier,
                          float *output, uint32_t *scratch);
/* The float result of lkws_bconv2d_f32_opt packed to signs on the fly (bit set where y < 0, as
 * LceQuantize would): a float-output bconv followed by LceQuantize without the float tensor. */
void lkws_bconv2d_f32_signs_opt(const lkws_bconv2d_params *p, const int32_t *input,
                                const int32_t *filter, const float *multiplier, const float *bias,
                                const float *pad_multiplier, int32_t *output, uint32_t *scratch);
void lkws_bconv2d_i8_opt(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                         const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch);
void lkws_bconv2d_bitpacked_opt(const lkws_bconv2d_params *p, const int32_t *input,
                                const int32_t *filter, const int32_t *thresholds, int32_t *output,
                                uint32_t *scratch);

#endif
