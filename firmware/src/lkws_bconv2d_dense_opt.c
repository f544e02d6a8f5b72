/* LceBconv2d on a densely packed input, optimized (lkws/bconv2d.h). Its reference twin is the
 * word-per-pixel path: LCE packing + lkws_bconv2d_ref.c, which the tests compare with it bit for bit
 * over random shapes, strides, paddings and bit widths.
 *
 * Each output pixel's window is filter_h bit fields of filter_w*channels_in bits, one per input
 * row, appended into `scratch` in the filter's dense order; every output channel is then an
 * xor-popcount over LKWS_BCONV2D_DENSE_WORDS words (2 for a 4x4 filter on 4-bit codes, where the
 * word-per-pixel input costs 16). Windows of one or two words are held in registers across the
 * output channels (the per-pixel functions are specialised for them). */
#include "lkws/bconv2d.h"
#include "lkws/bconv2d_output.h"
#include "lkws/bitpack.h"

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* The window of output pixel (oy, ox) of one image into col (the filter's dense order). Every
 * row gives the same bit field [start, start + len) (len <= 32); bits outside the row, and rows
 * outside the image, read 0, i.e. +1, LCE's pad_values 1. */
static void gather(const lkws_bconv2d_params *p, const int32_t *image, int32_t row_words, int32_t oy, int32_t ox,
                   uint32_t *col)
{
    const int32_t len = p->filter_w * p->channels_in;
    const int32_t row_bits = p->in_w * p->channels_in;
    const int32_t start = (ox * p->stride_w - p->pad_left) * p->channels_in;
    const int32_t lo = start < 0 ? 0 : start;
    const int32_t hi = start + len > row_bits ? row_bits : start + len;
    const int32_t n = hi > lo ? hi - lo : 0; /* bits of the field inside the row */
    const int32_t shift = lo & 31;
    const int32_t two = shift + n > 32; /* the field straddles two words */
    const uint32_t mask = n >= 32 ? 0xFFFFFFFFu : ((uint32_t)1 << n) - 1u;
    const uint32_t *first = (const uint32_t *)image + (n > 0 ? lo >> 5 : 0); /* in the row when read */
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    uint64_t pending = 0;
    int32_t bits = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        uint32_t v = 0;
        if (n > 0 && iy >= 0 && iy < p->in_h) {
            const uint32_t *w = first + (size_t)iy * (size_t)row_words;
            v = w[0] >> shift;
            if (two) {
                v |= w[1] << (32 - shift);
            }
            v = (v & mask) << (lo - start);
        }
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

/* popcount(a) + popcount(b) in one SWAR reduction: after the 2-bit stage of both, a nibble holds
 * <= 8, a byte <= 16 and the four-byte sum <= 64. */
static ALWAYS_INLINE int32_t popcount_pair(uint32_t a, uint32_t b)
{
    a = a - ((a >> 1) & 0x55555555u);
    b = b - ((b >> 1) & 0x55555555u);
    a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u) + (b & 0x33333333u) + ((b >> 2) & 0x33333333u);
    a = (a & 0x0F0F0F0Fu) + ((a >> 4) & 0x0F0F0F0Fu);
    return (int32_t)((a * 0x01010101u) >> 24);
}

/* xor-popcount of the window (col, its first two words also in c0, c1) and a filter row of
 * k_words words; with k_words a constant 1 or 2 after inlining, the window stays in registers. */
static ALWAYS_INLINE int32_t accumulate(const uint32_t *col, uint32_t c0, uint32_t c1, const int32_t *w,
                                        int32_t k_words)
{
    if (k_words == 1) {
        return lkws_popcount32(c0 ^ (uint32_t)w[0]);
    }
    if (k_words == 2) {
        return popcount_pair(c0 ^ (uint32_t)w[0], c1 ^ (uint32_t)w[1]);
    }
    int32_t acc = 0;
    int32_t k = 0;
    for (; k + 2 <= k_words; k += 2) {
        acc += popcount_pair(col[k] ^ (uint32_t)w[k], col[k + 1] ^ (uint32_t)w[k + 1]);
    }
    if (k < k_words) {
        acc += lkws_popcount32(col[k] ^ (uint32_t)w[k]);
    }
    return acc;
}

/* One output pixel of each output kind: every output channel of the gathered window. */
typedef enum { OUT_F32, OUT_SIGNS, OUT_S8, OUT_BITS } out_kind;

static ALWAYS_INLINE void pixel(const lkws_bconv2d_params *p, const uint32_t *col, const int32_t *filter,
                                int32_t k_words, out_kind kind, const float *multiplier, const float *bias,
                                const int32_t *thresholds, void *out)
{
    const int32_t cout = p->channels_out;
    const uint32_t c0 = col[0];
    const uint32_t c1 = k_words > 1 ? col[1] : 0u;
    const int32_t *w = filter;
    if (kind == OUT_F32 || kind == OUT_S8) {
        for (int32_t oc = 0; oc < cout; ++oc, w += k_words) {
            const float y = lkws_bconv2d_scale(p, accumulate(col, c0, c1, w, k_words), multiplier[oc], bias[oc]);
            if (kind == OUT_F32) {
                ((float *)out)[oc] = y;
            } else {
                ((int8_t *)out)[oc] = lkws_bconv2d_round_s8(y);
            }
        }
        return;
    }
    for (int32_t base = 0; base < cout; base += 32) {
        const int32_t group = cout - base < 32 ? cout - base : 32;
        uint32_t word = 0;
        for (int32_t j = 0; j < group; ++j, w += k_words) {
            const int32_t acc = accumulate(col, c0, c1, w, k_words);
            int32_t set;
            if (kind == OUT_BITS) {
                set = acc > thresholds[base + j];
            } else {
                set = lkws_bconv2d_scale(p, acc, multiplier[base + j], bias[base + j]) < 0.0f;
            }
            word |= (uint32_t)set << j;
        }
        ((int32_t *)out)[base >> 5] = (int32_t)word;
    }
}

/* What the dense kernels support (lkws/bconv2d.h). */
static int dense_ok(const lkws_bconv2d_params *p, const uint32_t *scratch)
{
    return lkws_bconv2d_params_ok(p) && scratch != NULL && p->channels_in <= 32 &&
           p->filter_w * p->channels_in <= 32 && p->dilation_w == 1;
}

/* Every output pixel, the window gathered into scratch; the pixel loop is specialised for
 * windows of one and two words. */
static ALWAYS_INLINE lkws_status_t run(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                       out_kind kind, const float *multiplier, const float *bias,
                                       const int32_t *thresholds, void *output, uint32_t *scratch)
{
    if (!dense_ok(p, scratch)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t row_words = LKWS_BCONV2D_DENSE_ROW_WORDS(p->in_w, p->channels_in);
    const int32_t k_words = LKWS_BCONV2D_DENSE_WORDS(p->filter_h, p->filter_w, p->channels_in);
    const size_t out_stride = kind == OUT_F32   ? (size_t)p->channels_out * sizeof(float)
                              : kind == OUT_S8 ? (size_t)p->channels_out
                                               : (size_t)LKWS_PACKED_WORDS(p->channels_out) * sizeof(int32_t);
    uint8_t *out = (uint8_t *)output;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)row_words;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox, out += out_stride) {
                gather(p, image, row_words, oy, ox, scratch);
                if (k_words == 2) {
                    pixel(p, scratch, filter, 2, kind, multiplier, bias, thresholds, out);
                } else if (k_words == 1) {
                    pixel(p, scratch, filter, 1, kind, multiplier, bias, thresholds, out);
                } else {
                    pixel(p, scratch, filter, k_words, kind, multiplier, bias, thresholds, out);
                }
            }
        }
    }
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_dense_opt_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                         const float *multiplier, const float *bias, float *output, uint32_t *scratch)
{
    return run(p, input, filter, OUT_F32, multiplier, bias, NULL, output, scratch);
}

lkws_status_t lkws_bconv2d_dense_opt_signs(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                           const float *multiplier, const float *bias, int32_t *output, uint32_t *scratch)
{
    return run(p, input, filter, OUT_SIGNS, multiplier, bias, NULL, output, scratch);
}

lkws_status_t lkws_bconv2d_dense_opt_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                        const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch)
{
    return run(p, input, filter, OUT_S8, multiplier, bias, NULL, output, scratch);
}

lkws_status_t lkws_bconv2d_dense_opt_bitpacked(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                               const int32_t *thresholds, int32_t *output, uint32_t *scratch)
{
    return run(p, input, filter, OUT_BITS, NULL, NULL, thresholds, output, scratch);
}
