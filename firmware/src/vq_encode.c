/* The VQ encoder. See lkws/vq_encode.h. Compile with -ffp-contract=off. */
#include "lkws/vq_encode.h"

int lkws_vq_encode(const float *features, int32_t frames, int32_t bins, int32_t block_t, int32_t block_f,
                   const float *codebook, int32_t k, uint8_t *codes)
{
    if (block_t < 1 || block_f < 1 || frames < 0 || bins < 0 || frames % block_t != 0 ||
        bins % block_f != 0 || k < 1 || k > LKWS_VQ_MAX_CODEWORDS) {
        return -1;
    }
    const int32_t dim = block_t * block_f;
    const int32_t rows = frames / block_t, cols = bins / block_f;
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
    return 0;
}

void lkws_vq_pack_lce(const uint8_t *codes, int32_t n, int32_t bits, int32_t *packed)
{
    const int32_t mask = bits >= 8 ? 0xff : (int32_t)((1u << bits) - 1u);
    for (int32_t i = 0; i < n; i++) {
        packed[i] = (int32_t)codes[i] & mask;
    }
}
