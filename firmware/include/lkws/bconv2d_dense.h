/* LceBconv2d on a densely packed input: a first binary convolution that reads few-bit codes
 * (VQ codes of 4 bits: 64x64 codes in 2 KB) without LCE's one int32 word per pixel (16 KB).
 *
 * input  int32 [batches, in_h, LKWS_BCONV2D_DENSE_ROW_WORDS(in_w, channels_in)]: +-1 values of
 *        [batches, in_h, in_w, channels_in] (channels_in <= 32, bit set = -1 as LCE packs signs)
 *        with pixel x's channel c at bit x*channels_in + c of its row's little-endian 32-bit word
 *        stream; each row starts on a word and its tail bits are ignored. With channels_in 4 a
 *        row of codes packed two per byte (code x in the low nibble of byte x/2 when x is even)
 *        is this layout, byte for byte, on a little-endian core.
 * filter int32 [channels_out, LKWS_BCONV2D_DENSE_WORDS(filter_h, filter_w, channels_in)]: each
 *        output channel's taps back to back, tap (fy, fx) channel c at bit (fy*filter_w + fx) *
 *        channels_in + c (the optimized kernel's dense_taps rows, lkws/bconv2d.h); tail bits 0.
 *
 * Every field of lkws_bconv2d_params keeps its meaning (in_w and channels_in are the unpacked
 * image's); dense_taps is ignored. Supported: filter_w * channels_in <= 32 (a filter row is one
 * bit field of an input row), dilation_w 1, any stride, dilation_h, pad_top and pad_left with
 * padded pixels +1 (VALID, or SAME with LCE's pad_values 1). Zero padding (pad_values 0) needs a
 * per-tap correction and is not offered: the generator keeps the word-per-pixel input then.
 *
 * Outputs: exactly lkws_bconv2d_f32 / _i8 / _bitpacked's (bconv2d_ref.c, pad_multiplier NULL) on
 * the same values packed word per pixel; the same accumulator, the same output transform
 * (lkws/bconv2d_output.h). _f32_signs packs the float result to signs (bit set where y < 0), as
 * the fused float bconv + LceQuantize does. scratch: LKWS_BCONV2D_DENSE_WORDS(...) words, caller
 * owned (one pixel's window). */
#ifndef LKWS_BCONV2D_DENSE_H
#define LKWS_BCONV2D_DENSE_H

#include "lkws/bconv2d.h"

#define LKWS_BCONV2D_DENSE_ROW_WORDS(in_w, channels_in) (((in_w) * (channels_in) + 31) / 32)

void lkws_bconv2d_dense_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                            const float *multiplier, const float *bias, float *output, uint32_t *scratch);
void lkws_bconv2d_dense_f32_signs(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int32_t *output, uint32_t *scratch);
void lkws_bconv2d_dense_i8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                           const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch);
void lkws_bconv2d_dense_bitpacked(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const int32_t *thresholds, int32_t *output, uint32_t *scratch);

#endif
