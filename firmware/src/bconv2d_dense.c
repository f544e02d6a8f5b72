/* LceBconv2d on a densely packed input (lkws/bconv2d_dense.h). Its reference twin is the
 * word-per-pixel path: LCE packing + bconv2d_ref.c, which the tests compare with it bit for bit
 * over random shapes, strides, paddings and bit widths.
 *
 * Each output pixel's window is filter_h bit fields of filter_w*channels_in bits, one per input
 * row, appended into `scratch` in the filter's dense order; every output channel is then an
 * xor-popcount over LKWS_BCONV2D_DENSE_WORDS words (2 for a 4x4 filter on 4-bit codes, where the
 * word-per-pixel input costs 16). */
#include "lkws/bconv2d_dense.h"
#include "lkws/bconv2d_output.h"
#include "lkws/bitpack.h"

/* Bits [start, start + len) of a row of row_bits bits (len <= 32), LSB first; bits outside the
 * row read 0, i.e. +1, LCE's pad_values 1. */
static uint32_t row_field(const int32_t *row, int32_t row_bits, int32_t start, int32_t len)
{
    const int32_t lo = start < 0 ? 0 : start;
    const int32_t hi = start + len > row_bits ? row_bits : start + len;
    if (hi <= lo) {
        return 0;
    }
    const int32_t n = hi - lo;
    const int32_t shift = lo & 31;
    const uint32_t *w = (const uint32_t *)row + (lo >> 5);
    uint32_t v = w[0] >> shift;
    if (shift + n > 32) {
        v |= w[1] << (32 - shift);
    }
    if (n < 32) {
        v &= ((uint32_t)1 << n) - 1u;
    }
    return v << (lo - start);
}

/* The window of output pixel (oy, ox) of one image into col (the filter's dense order). */
static void gather(const lkws_bconv2d_params *p, const int32_t *image, int32_t row_words, int32_t oy, int32_t ox,
                   uint32_t *col)
{
    const int32_t len = p->filter_w * p->channels_in;
    const int32_t row_bits = p->in_w * p->channels_in;
    const int32_t start = (ox * p->stride_w - p->pad_left) * p->channels_in;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    uint64_t pending = 0;
    int32_t bits = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        const uint32_t v = (iy >= 0 && iy < p->in_h)
                               ? row_field(image + (size_t)iy * (size_t)row_words, row_bits, start, len)
                               : 0u;
        pending |= (uint64_t)v << bits;
        bits += len;
        if (bits >= 32) {
            *col++ = (uint32_t)pending;
            pending >>= 32;
            bits -= 32;
        }
    }
    if (bits > 0) {
        *col = (uint32_t)pending;
    }
}

/* Sum of popcount(col[k] ^ w[k]) over n words, two words per SWAR reduction: after the 2-bit
 * stage of both, a nibble holds <= 8, a byte <= 16 and the four-byte sum <= 64. */
static int32_t xor_popcount_words(const uint32_t *col, const int32_t *w, int32_t n)
{
    int32_t acc = 0;
    int32_t k = 0;
    for (; k + 2 <= n; k += 2) {
        uint32_t a = col[k] ^ (uint32_t)w[k];
        uint32_t b = col[k + 1] ^ (uint32_t)w[k + 1];
        a = a - ((a >> 1) & 0x55555555u);
        b = b - ((b >> 1) & 0x55555555u);
        a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u) + (b & 0x33333333u) + ((b >> 2) & 0x33333333u);
        a = (a & 0x0F0F0F0Fu) + ((a >> 4) & 0x0F0F0F0Fu);
        acc += (int32_t)((a * 0x01010101u) >> 24);
    }
    if (k < n) {
        acc += lkws_popcount32(col[k] ^ (uint32_t)w[k]);
    }
    return acc;
}

/* Runs `body` once per output pixel (b, oy, ox) with its window gathered into scratch; `pixel`
 * is the pixel's flat index in [batches, out_h, out_w]. */
#define DENSE_PIXEL_LOOP(body)                                                                       \
    const int32_t row_words = LKWS_BCONV2D_DENSE_ROW_WORDS(p->in_w, p->channels_in);                 \
    const int32_t k_words = LKWS_BCONV2D_DENSE_WORDS(p->filter_h, p->filter_w, p->channels_in);      \
    size_t pixel = 0;                                                                                \
    for (int32_t b = 0; b < p->batches; ++b) {                                                       \
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)row_words;              \
        for (int32_t oy = 0; oy < p->out_h; ++oy) {                                                  \
            for (int32_t ox = 0; ox < p->out_w; ++ox, ++pixel) {                                     \
                gather(p, image, row_words, oy, ox, scratch);                                        \
                body                                                                                 \
            }                                                                                        \
        }                                                                                            \
    }

void lkws_bconv2d_dense_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                            const float *multiplier, const float *bias, float *output, uint32_t *scratch)
{
    DENSE_PIXEL_LOOP({
        float *out = output + pixel * (size_t)p->channels_out;
        const int32_t *w = filter;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            out[oc] = lkws_bconv2d_scale(p, xor_popcount_words(scratch, w, k_words), multiplier[oc], bias[oc]);
        }
    })
}

void lkws_bconv2d_dense_f32_signs(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int32_t *output, uint32_t *scratch)
{
    const int32_t words_out = LKWS_PACKED_WORDS(p->channels_out);
    DENSE_PIXEL_LOOP({
        int32_t *out = output + pixel * (size_t)words_out;
        const int32_t *w = filter;
        uint32_t bits = 0;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            const float y = lkws_bconv2d_scale(p, xor_popcount_words(scratch, w, k_words), multiplier[oc], bias[oc]);
            if (y < 0.0f) {
                bits |= (uint32_t)1 << (oc & 31);
            }
            if ((oc & 31) == 31 || oc == p->channels_out - 1) {
                out[oc >> 5] = (int32_t)bits;
                bits = 0;
            }
        }
    })
}

void lkws_bconv2d_dense_i8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                           const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch)
{
    DENSE_PIXEL_LOOP({
        int8_t *out = output + pixel * (size_t)p->channels_out;
        const int32_t *w = filter;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            const float y = lkws_bconv2d_scale(p, xor_popcount_words(scratch, w, k_words), multiplier[oc], bias[oc]);
            out[oc] = lkws_bconv2d_round_i8(y);
        }
    })
}

void lkws_bconv2d_dense_bitpacked(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const int32_t *thresholds, int32_t *output, uint32_t *scratch)
{
    const int32_t words_out = LKWS_PACKED_WORDS(p->channels_out);
    DENSE_PIXEL_LOOP({
        int32_t *out = output + pixel * (size_t)words_out;
        const int32_t *w = filter;
        uint32_t bits = 0;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            if (xor_popcount_words(scratch, w, k_words) > thresholds[oc]) {
                bits |= (uint32_t)1 << (oc & 31);
            }
            if ((oc & 31) == 31 || oc == p->channels_out - 1) {
                out[oc >> 5] = (int32_t)bits;
                bits = 0;
            }
        }
    })
}
