/* LceBconv2d: binary 2D convolution of a bitpacked input with bitpacked filters (lkws/bitpack.h:
 * bit set = -1). Three kernels compute it bit for bit alike, each with one entry point per output:
 *   lkws_bconv2d_ref_*        (lkws_bconv2d_ref.c)       the reference: plain loops, no scratch;
 *   lkws_bconv2d_opt_*        (lkws_bconv2d_opt.c)       its optimized twin (what generated code
 *                                                        calls): each window gathered once into
 *                                                        scratch, then one contiguous xor-popcount
 *                                                        per output channel;
 *   lkws_bconv2d_dense_opt_*  (lkws_bconv2d_dense_opt.c) optimized for a densely packed first-layer
 *                                                        input; its reference twin is
 *                                                        lkws_bconv2d_ref_* on the same values
 *                                                        packed word per pixel (the tests compare
 *                                                        the two).
 * Output suffixes: _f32 float32, _s8 int8, _bitpacked thresholded signs (int32 words),
 * _signs the float result packed to signs (bit set where y < 0, as LceQuantize would: a float
 * bconv followed by LceQuantize without the float tensor).
 *
 * Layouts (word per pixel, ref and opt):
 * input  int32 [batches, in_h, in_w, LKWS_PACKED_WORDS(channels_in)]
 * filter int32 [channels_out, filter_h, filter_w, LKWS_PACKED_WORDS(channels_in)] (OHWI, packed);
 *        with dense_taps (opt only) int32 [channels_out, LKWS_BCONV2D_DENSE_WORDS(...)], below
 * output float32 or int8 [batches, out_h, out_w, channels_out], or int32
 *        [batches, out_h, out_w, LKWS_PACKED_WORDS(channels_out)] (_bitpacked, _signs; tail bits 0)
 * accum = xor-popcount over the filter window, padded positions reading bits 0 (+1); 0..K with
 * K = filter_h * filter_w * channels_in.
 *
 * Output transforms, as LCE's interpreter computes them (lkws/bconv2d_output.h):
 *  float : y = (float)clamp(2*accum, clamp_min, clamp_max) * multiplier[c] + bias[c], where
 *          multiplier = -post_multiplier and bias = post_bias + K*post_multiplier, fused at
 *          export time; with zero padding (SAME, pad_values 0) y += pad_multiplier[c] *
 *          correction, correction = sum over the window's padded taps of
 *          (channels_in - 2*popcount(filter tap)), pad_multiplier = -post_multiplier; only at
 *          output pixels whose window leaves the image.
 *  int8  : same multiplier and bias with the output scale and zero point folded in, then
 *          round half away from zero and saturate to -128..127.
 *  bitpacked: bit c set where accum > thresholds[c].
 *
 * Conventions, status and scratch: lkws/common.h. */
#ifndef LKWS_BCONV2D_H
#define LKWS_BCONV2D_H

#include "lkws/bitpack.h"
#include "lkws/common.h"

LKWS_BEGIN_DECLS

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, channels_in;
    int32_t out_h, out_w, channels_out;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t clamp_min, clamp_max; /* on 2*accum; float and int8 outputs */
    /* lkws_bconv2d_opt_* only: 1 when channels_in < 32 and the filter rows are "dense", the
     * channels_in bits of each tap back to back (tap t at bit t*channels_in of the row, rows of
     * LKWS_BCONV2D_DENSE_WORDS words): a 3x3 filter on 4 channels is 2 words per output channel
     * instead of 9. The gathered window is packed the same way. */
    int32_t dense_taps;
} lkws_bconv2d_params;

/* Words of a dense filter row (and of a dense window). */
#define LKWS_BCONV2D_DENSE_WORDS(filter_h, filter_w, channels_in) \
    (((filter_h) * (filter_w) * (channels_in) + 31) / 32)

/* ---------------------------------------------------------------- reference */

/* pad_multiplier: NULL for pad_values 1 or VALID; else zero padding is corrected. */
lkws_status_t lkws_bconv2d_ref_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                   const float *multiplier, const float *bias, const float *pad_multiplier,
                                   float *output);
lkws_status_t lkws_bconv2d_ref_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int8_t *output);
lkws_status_t lkws_bconv2d_ref_bitpacked(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                         const int32_t *thresholds, int32_t *output);

/* ---------------------------------------------------------------- optimized twin */

/* Scratch bytes of lkws_bconv2d_opt_*: one output pixel's window, word per tap (a dense_taps
 * window, LKWS_BCONV2D_DENSE_WORDS words, is never larger). Caller owned, 4-byte aligned. */
#define LKWS_BCONV2D_OPT_SCRATCH_BYTES(filter_h, filter_w, channels_in) \
    (4 * (filter_h) * (filter_w) * (((channels_in) + 31) / 32))

lkws_status_t lkws_bconv2d_opt_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                   const float *multiplier, const float *bias, const float *pad_multiplier,
                                   float *output, uint32_t *scratch);
lkws_status_t lkws_bconv2d_opt_signs(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                     const float *multiplier, const float *bias, const float *pad_multiplier,
                                     int32_t *output, uint32_t *scratch);
lkws_status_t lkws_bconv2d_opt_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch);
lkws_status_t lkws_bconv2d_opt_bitpacked(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                         const int32_t *thresholds, int32_t *output, uint32_t *scratch);

/* ---------------------------------------------------------------- dense input, optimized
 *
 * A first binary convolution that reads few-bit codes (VQ codes of 4 bits: 64x64 codes in 2 KB)
 * without LCE's one int32 word per pixel (16 KB).
 *
 * input  int32 [batches, in_h, LKWS_BCONV2D_DENSE_ROW_WORDS(in_w, channels_in)]: +-1 values of
 *        [batches, in_h, in_w, channels_in] (channels_in <= 32, bit set = -1 as LCE packs signs)
 *        with pixel x's channel c at bit x*channels_in + c of its row's little-endian 32-bit word
 *        stream; each row starts on a word and its tail bits are ignored. With channels_in 4 a
 *        row of codes packed two per byte (code x in the low nibble of byte x/2 when x is even)
 *        is this layout, byte for byte, on a little-endian core.
 * filter int32 [channels_out, LKWS_BCONV2D_DENSE_WORDS(filter_h, filter_w, channels_in)]: each
 *        output channel's taps back to back, tap (fy, fx) channel c at bit (fy*filter_w + fx) *
 *        channels_in + c (the dense_taps rows above); tail bits 0.
 *
 * Every field of lkws_bconv2d_params keeps its meaning (in_w and channels_in are the unpacked
 * image's); dense_taps is ignored. Supported: filter_w * channels_in <= 32 (a filter row is one
 * bit field of an input row), dilation_w 1, any stride, dilation_h, pad_top and pad_left with
 * padded pixels +1 (VALID, or SAME with LCE's pad_values 1). Zero padding (pad_values 0) needs a
 * per-tap correction and is not offered: the generator keeps the word-per-pixel input then.
 * Outputs: exactly lkws_bconv2d_ref_*'s (pad_multiplier NULL) on the same values packed word per
 * pixel. */

#define LKWS_BCONV2D_DENSE_ROW_WORDS(in_w, channels_in) (((in_w) * (channels_in) + 31) / 32)

/* Scratch bytes of lkws_bconv2d_dense_opt_*: one pixel's window. Caller owned, 4-byte aligned. */
#define LKWS_BCONV2D_DENSE_OPT_SCRATCH_BYTES(filter_h, filter_w, channels_in) \
    (4 * (((filter_h) * (filter_w) * (channels_in) + 31) / 32))

lkws_status_t lkws_bconv2d_dense_opt_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                         const float *multiplier, const float *bias, float *output,
                                         uint32_t *scratch);
lkws_status_t lkws_bconv2d_dense_opt_signs(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                           const float *multiplier, const float *bias, int32_t *output,
                                           uint32_t *scratch);
lkws_status_t lkws_bconv2d_dense_opt_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                        const float *multiplier, const float *bias, int8_t *output,
                                        uint32_t *scratch);
lkws_status_t lkws_bconv2d_dense_opt_bitpacked(const lkws_bconv2d_params *p, const int32_t *input,
                                               const int32_t *filter, const int32_t *thresholds, int32_t *output,
                                               uint32_t *scratch);

LKWS_END_DECLS

#endif /* LKWS_BCONV2D_H */
