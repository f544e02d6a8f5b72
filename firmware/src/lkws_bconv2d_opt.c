/* LceBconv2d, optimized twin of lkws_bconv2d_ref.c: same arithmetic, same results bit for bit (tests compare the
 * two over a matrix of shapes), restructured for a Cortex-M without a popcount instruction:
 * the window of each output pixel is gathered once (im2col of one pixel, into caller scratch),
 * then each output channel is one contiguous xor-popcount over K = filter_h*filter_w*words words,
 * four words per SWAR reduction. */
#include "lkws/bconv2d.h"
#include "lkws/bconv2d_output.h"
#include "lkws/bitpack.h"

/* Gather the window of (oy, ox); padded taps read 0 (+1). Returns 1 if any tap was padded. */
static int gather(const lkws_bconv2d_params *p, const int32_t *image, int32_t oy, int32_t ox, uint32_t *col)
{
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    int padded = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + fx * p->dilation_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                for (int32_t c = 0; c < words; ++c) {
                    *col++ = 0;
                }
                padded = 1;
            } else {
                const int32_t *a = image + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)words;
                for (int32_t c = 0; c < words; ++c) {
                    *col++ = (uint32_t)a[c];
                }
            }
        }
    }
    return padded;
}

/* The window of (oy, ox) with each tap's channels_in (< 32) bits back to back; padded taps 0. */
static int gather_dense(const lkws_bconv2d_params *p, const int32_t *image, int32_t oy, int32_t ox, uint32_t *col)
{
    const int32_t cin = p->channels_in;
    const uint32_t mask = ((uint32_t)1 << cin) - 1u;
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    uint64_t pending = 0;
    int32_t bits = 0;
    int padded = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + fx * p->dilation_w;
            uint32_t v = 0;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                padded = 1;
            } else {
                v = (uint32_t)image[(size_t)iy * (size_t)p->in_w + (size_t)ix] & mask;
            }
            pending |= (uint64_t)v << bits;
            bits += cin;
            if (bits >= 32) {
                *col++ = (uint32_t)pending;
                pending >>= 32;
                bits -= 32;
            }
        }
    }
    if (bits > 0) {
        *col = (uint32_t)pending;
    }
    return padded;
}

/* Sum of popcount(col[k] ^ w[k]) over n words. Four words share one byte-sum stage: after two
 * SWAR stages a nibble holds at most 4, two words add to <= 8 per nibble, the byte fold of two
 * pairs to <= 32 per byte, so the final multiply-add of four bytes (<= 128) cannot overflow. */
static int32_t xor_popcount_n(const uint32_t *col, const int32_t *w, int32_t n)
{
    int32_t acc = 0;
    int32_t k = 0;
    for (; k + 4 <= n; k += 4) {
        uint32_t a = col[k] ^ (uint32_t)w[k];
        uint32_t b = col[k + 1] ^ (uint32_t)w[k + 1];
        uint32_t c = col[k + 2] ^ (uint32_t)w[k + 2];
        uint32_t d = col[k + 3] ^ (uint32_t)w[k + 3];
        a = a - ((a >> 1) & 0x55555555u);
        b = b - ((b >> 1) & 0x55555555u);
        c = c - ((c >> 1) & 0x55555555u);
        d = d - ((d >> 1) & 0x55555555u);
        a = (a & 0x33333333u) + ((a >> 2) & 0x33333333u) + (b & 0x33333333u) + ((b >> 2) & 0x33333333u);
        c = (c & 0x33333333u) + ((c >> 2) & 0x33333333u) + (d & 0x33333333u) + ((d >> 2) & 0x33333333u);
        a = (a & 0x0F0F0F0Fu) + ((a >> 4) & 0x0F0F0F0Fu) + (c & 0x0F0F0F0Fu) + ((c >> 4) & 0x0F0F0F0Fu);
        acc += (int32_t)((a * 0x01010101u) >> 24);
    }
    for (; k < n; ++k) {
        acc += lkws_popcount32(col[k] ^ (uint32_t)w[k]);
    }
    return acc;
}

/* Bits [start, start + len) of a dense filter row, len < 32. */
static uint32_t dense_bits(const int32_t *row, int32_t start, int32_t len)
{
    const int32_t word = start / 32, shift = start % 32;
    uint64_t v = (uint32_t)row[word];
    if (shift + len > 32) {
        v |= (uint64_t)(uint32_t)row[word + 1] << 32;
    }
    return (uint32_t)(v >> shift) & (((uint32_t)1 << len) - 1u);
}

/* Zero-padding correction of one output channel at a border pixel (see lkws/bconv2d.h). */
static int32_t zero_pad_correction(const lkws_bconv2d_params *p, const int32_t *filt, int32_t oy, int32_t ox)
{
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    int32_t corr = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + fx * p->dilation_w;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                const int32_t tap = fy * p->filter_w + fx;
                int32_t ones = 0;
                if (p->dense_taps) {
                    ones = lkws_popcount32(dense_bits(filt, tap * p->channels_in, p->channels_in));
                } else {
                    const int32_t *w = filt + (size_t)tap * (size_t)words;
                    for (int32_t c = 0; c < words; ++c) {
                        ones += lkws_popcount32((uint32_t)w[c]);
                    }
                }
                corr += p->channels_in - 2 * ones;
            }
        }
    }
    return corr;
}

/* What the optimized kernels support: the reference's parameters, scratch, dense_taps only below
 * 32 input channels. */
static int opt_ok(const lkws_bconv2d_params *p, const uint32_t *scratch)
{
    return lkws_bconv2d_params_ok(p) && scratch != NULL && (!p->dense_taps || p->channels_in < 32);
}

#define PIXEL_LOOP(body)                                                                                   \
    const int32_t words_in = LKWS_PACKED_WORDS(p->channels_in);                                            \
    const int32_t k_words = p->dense_taps ? LKWS_BCONV2D_DENSE_WORDS(p->filter_h, p->filter_w, p->channels_in) \
                                          : p->filter_h * p->filter_w * words_in;                          \
    for (int32_t b = 0; b < p->batches; ++b) {                                                             \
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)words_in;   \
        for (int32_t oy = 0; oy < p->out_h; ++oy) {                                                        \
            for (int32_t ox = 0; ox < p->out_w; ++ox) {                                                    \
                const size_t pixel = ((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox; \
                const int padded = p->dense_taps ? gather_dense(p, image, oy, ox, scratch)                 \
                                                 : gather(p, image, oy, ox, scratch);                      \
                (void)padded;                                                                              \
                body                                                                                       \
            }                                                                                              \
        }                                                                                                  \
    }

lkws_status_t lkws_bconv2d_opt_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                   const float *multiplier, const float *bias, const float *pad_multiplier,
                                   float *output, uint32_t *scratch)
{
    if (!opt_ok(p, scratch)) {
        return LKWS_ARG_ERROR;
    }
    PIXEL_LOOP({
        float *out = output + pixel * (size_t)p->channels_out;
        const int32_t *w = filter;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            const int32_t accum = xor_popcount_n(scratch, w, k_words);
            float y = lkws_bconv2d_scale(p, accum, multiplier[oc], bias[oc]);
            if (pad_multiplier != NULL && padded) {
                const float c = pad_multiplier[oc] * (float)zero_pad_correction(p, w, oy, ox);
                y = y + c;
            }
            out[oc] = y;
        }
    })
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_opt_signs(const lkws_bconv2d_params *p, const int32_t *input,
                                     const int32_t *filter, const float *multiplier, const float *bias,
                                     const float *pad_multiplier, int32_t *output, uint32_t *scratch)
{
    if (!opt_ok(p, scratch)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words_out = LKWS_PACKED_WORDS(p->channels_out);
    PIXEL_LOOP({
        int32_t *out = output + pixel * (size_t)words_out;
        const int32_t *w = filter;
        uint32_t bits = 0;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            const int32_t accum = xor_popcount_n(scratch, w, k_words);
            float y = lkws_bconv2d_scale(p, accum, multiplier[oc], bias[oc]);
            if (pad_multiplier != NULL && padded) {
                const float c = pad_multiplier[oc] * (float)zero_pad_correction(p, w, oy, ox);
                y = y + c;
            }
            if (y < 0.0f) {
                bits |= (uint32_t)1 << (oc & 31);
            }
            if ((oc & 31) == 31 || oc == p->channels_out - 1) {
                out[oc >> 5] = (int32_t)bits;
                bits = 0;
            }
        }
    })
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_opt_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int8_t *output, uint32_t *scratch)
{
    if (!opt_ok(p, scratch)) {
        return LKWS_ARG_ERROR;
    }
    PIXEL_LOOP({
        int8_t *out = output + pixel * (size_t)p->channels_out;
        const int32_t *w = filter;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            const int32_t accum = xor_popcount_n(scratch, w, k_words);
            float y = lkws_bconv2d_scale(p, accum, multiplier[oc], bias[oc]);
            out[oc] = lkws_bconv2d_round_s8(y);
        }
    })
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_opt_bitpacked(const lkws_bconv2d_params *p, const int32_t *input,
                                         const int32_t *filter, const int32_t *thresholds, int32_t *output,
                                         uint32_t *scratch)
{
    if (!opt_ok(p, scratch)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words_out = LKWS_PACKED_WORDS(p->channels_out);
    PIXEL_LOOP({
        int32_t *out = output + pixel * (size_t)words_out;
        const int32_t *w = filter;
        uint32_t bits = 0;
        for (int32_t oc = 0; oc < p->channels_out; ++oc, w += k_words) {
            if (xor_popcount_n(scratch, w, k_words) > thresholds[oc]) {
                bits |= (uint32_t)1 << (oc & 31);
            }
            if ((oc & 31) == 31 || oc == p->channels_out - 1) {
                out[oc >> 5] = (int32_t)bits;
                bits = 0;
            }
        }
    })
    return LKWS_OK;
}
