/* LceBconv2d, reference (lkws/bconv2d.h): plain loops over output pixel, channel and tap. */
#include "lkws/bconv2d.h"
#include "lkws/bconv2d_output.h"
#include "lkws/bitpack.h"

/* XOR-popcount of one output pixel and channel. *correction receives the zero-padding
 * correction (sum of channels_in - 2*popcount over padded taps) and the return of *padded says
 * whether the window left the image. */
static int32_t accumulate(const lkws_bconv2d_params *p, const int32_t *image, const int32_t *filt,
                          int32_t oy, int32_t ox, int32_t *correction, int32_t *padded)
{
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const int32_t y0 = oy * p->stride_h - p->pad_top;
    const int32_t x0 = ox * p->stride_w - p->pad_left;
    int32_t accum = 0;
    int32_t corr = 0;
    int32_t any = 0;
    for (int32_t fy = 0; fy < p->filter_h; ++fy) {
        const int32_t iy = y0 + fy * p->dilation_h;
        for (int32_t fx = 0; fx < p->filter_w; ++fx) {
            const int32_t ix = x0 + fx * p->dilation_w;
            const int32_t *w = filt + ((size_t)fy * (size_t)p->filter_w + (size_t)fx) * (size_t)words;
            if (iy < 0 || iy >= p->in_h || ix < 0 || ix >= p->in_w) {
                int32_t ones = 0;
                for (int32_t c = 0; c < words; ++c) {
                    ones += lkws_popcount32((uint32_t)w[c]);
                }
                accum += ones; /* padding bits are 0 (+1) */
                corr += p->channels_in - 2 * ones;
                any = 1;
                continue;
            }
            const int32_t *a = image + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)words;
            for (int32_t c = 0; c < words; ++c) {
                accum += lkws_xor_popcount(a[c], w[c]);
            }
        }
    }
    *correction = corr;
    *padded = any;
    return accum;
}

lkws_status_t lkws_bconv2d_ref_f32(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                   const float *multiplier, const float *bias, const float *pad_multiplier,
                                   float *output)
{
    if (!lkws_bconv2d_params_ok(p)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const size_t filter_stride = (size_t)p->filter_h * (size_t)p->filter_w * (size_t)words;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)words;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                float *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                                          (size_t)p->channels_out;
                for (int32_t oc = 0; oc < p->channels_out; ++oc) {
                    int32_t corr, padded;
                    const int32_t accum = accumulate(p, image, filter + (size_t)oc * filter_stride, oy, ox, &corr, &padded);
                    float y = lkws_bconv2d_scale(p, accum, multiplier[oc], bias[oc]);
                    if (pad_multiplier != NULL && padded) {
                        const float c = pad_multiplier[oc] * (float)corr;
                        y = y + c;
                    }
                    out[oc] = y;
                }
            }
        }
    }
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_ref_s8(const lkws_bconv2d_params *p, const int32_t *input, const int32_t *filter,
                                  const float *multiplier, const float *bias, int8_t *output)
{
    if (!lkws_bconv2d_params_ok(p)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const size_t filter_stride = (size_t)p->filter_h * (size_t)p->filter_w * (size_t)words;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)words;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int8_t *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                                           (size_t)p->channels_out;
                for (int32_t oc = 0; oc < p->channels_out; ++oc) {
                    int32_t corr, padded;
                    const int32_t accum = accumulate(p, image, filter + (size_t)oc * filter_stride, oy, ox, &corr, &padded);
                    float y = lkws_bconv2d_scale(p, accum, multiplier[oc], bias[oc]);
                    out[oc] = lkws_bconv2d_round_s8(y);
                }
            }
        }
    }
    return LKWS_OK;
}

lkws_status_t lkws_bconv2d_ref_bitpacked(const lkws_bconv2d_params *p, const int32_t *input,
                                         const int32_t *filter, const int32_t *thresholds, int32_t *output)
{
    if (!lkws_bconv2d_params_ok(p)) {
        return LKWS_ARG_ERROR;
    }
    const int32_t words = LKWS_PACKED_WORDS(p->channels_in);
    const int32_t out_words = LKWS_PACKED_WORDS(p->channels_out);
    const size_t filter_stride = (size_t)p->filter_h * (size_t)p->filter_w * (size_t)words;
    for (int32_t b = 0; b < p->batches; ++b) {
        const int32_t *image = input + (size_t)b * (size_t)p->in_h * (size_t)p->in_w * (size_t)words;
        for (int32_t oy = 0; oy < p->out_h; ++oy) {
            for (int32_t ox = 0; ox < p->out_w; ++ox) {
                int32_t *out = output + (((size_t)b * (size_t)p->out_h + (size_t)oy) * (size_t)p->out_w + (size_t)ox) *
                                            (size_t)out_words;
                uint32_t bits = 0;
                for (int32_t oc = 0; oc < p->channels_out; ++oc) {
                    int32_t corr, padded;
                    const int32_t accum = accumulate(p, image, filter + (size_t)oc * filter_stride, oy, ox, &corr, &padded);
                    if (accum > thresholds[oc]) {
                        bits |= (uint32_t)1 << (oc % 32);
                    }
                    if (oc % 32 == 31 || oc == p->channels_out - 1) {
                        out[oc / 32] = (int32_t)bits;
                        bits = 0;
                    }
                }
            }
        }
    }
    return LKWS_OK;
}
