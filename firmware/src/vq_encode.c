/* The VQ encoder. See lkws/vq_encode.h. Compile with -ffp-contract=off. */
#include "lkws/vq_encode.h"

/* Nearest of k codewords of 4 values: the 2x2 case, unrolled. The same sums in the same order as
 * the general loop below, so the same codes. */
static int32_t nearest4(float v0, float v1, float v2, float v3, const float *codebook, int32_t k)
{
    int32_t best = 0;
    float best_d = 0.0f;
    for (int32_t c = 0; c < k; c++) {
        const float *w = codebook + 4 * c;
        float e0 = v0 - w[0], e1 = v1 - w[1], e2 = v2 - w[2], e3 = v3 - w[3];
        float d = 0.0f;
        d = d + e0 * e0;
        d = d + e1 * e1;
        d = d + e2 * e2;
        d = d + e3 * e3;
        if (c == 0 || d < best_d) { /* strict: ties keep the lower index */
            best = c;
            best_d = d;
        }
    }
    return best;
}

lkws_status_t lkws_vq_encode(const float *features, int32_t frames, int32_t bins, int32_t block_t,
                             int32_t block_f, const float *codebook, int32_t k, uint8_t *codes)
{
    if (block_t < 1 || block_f < 1 || frames < 0 || bins < 0 || frames % block_t != 0 ||
        bins % block_f != 0 || k < 1 || k > LKWS_VQ_MAX_CODEWORDS) {
        return LKWS_ARG_ERROR;
    }
    const int32_t dim = block_t * block_f;
    const int32_t rows = frames / block_t, cols = bins / block_f;
    if (block_t == 2 && block_f == 2) {
        for (int32_t i = 0; i < rows; i++) {
            const float *top = features + (long)i * 2 * bins, *bottom = top + bins;
            for (int32_t j = 0; j < cols; j++) {
                codes[(long)i * cols + j] =
                    (uint8_t)nearest4(top[2 * j], top[2 * j + 1], bottom[2 * j], bottom[2 * j + 1], codebook, k);
            }
        }
        return LKWS_OK;
    }
    for (int32_t i = 0; i < rows; i++) {
        for (int32_t j = 0; j < cols; j++) {
            const float *tile = features + (long)i * block_t * bins + (long)j * block_f;
            int32_t best = 0;
            float best_d = 0.0f;
            for (int32_t c = 0; c < k; c++) {
                const float *word = codebook + (long)c * dim;
                float d = 0.0f;
                for (int32_t dt = 0; dt < block_t; dt++) {
                    for (int32_t df = 0; df < block_f; df++) {
                        float diff = tile[(long)dt * bins + df] - word[dt * block_f + df];
                        d = d + diff * diff;
                    }
                }
                if (c == 0 || d < best_d) { /* strict: ties keep the lower index */
                    best = c;
                    best_d = d;
                }
            }
            codes[(long)i * cols + j] = (uint8_t)best;
        }
    }
    return LKWS_OK;
}

void lkws_vq_pack_lce(const uint8_t *codes, int32_t n, int32_t bits, int32_t *packed)
{
    const int32_t mask = bits >= 8 ? 0xff : (int32_t)((1u << bits) - 1u);
    for (int32_t i = 0; i < n; i++) {
        packed[i] = (int32_t)codes[i] & mask;
    }
}
