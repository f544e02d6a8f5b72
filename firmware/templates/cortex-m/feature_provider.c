/* Feature provider: front end + VQ encoder, streamed (see feature_provider.h). */
#include "feature_provider.h"

#include <string.h>

#include "kws_codebook.h"
#include "lkws/vq_encode.h"

void feature_provider_reset(feature_provider *fp)
{
    lkws_fe_reset(&fp->frontend);
    fp->pending = 0;
    fp->next_row = 0;
    fp->rows = 0;
}

int feature_provider_push_hop(feature_provider *fp, const int16_t *hop)
{
    lkws_fe_push_hop_s16(&fp->frontend, hop, fp->frames[fp->pending]);
    fp->pending++;
    return fp->pending == KWS_VQ_BLOCK_T;
}

void feature_provider_encode_row(feature_provider *fp)
{
    uint8_t codes[KWS_CODE_COLS];
    (void)lkws_vq_encode(&fp->frames[0][0], KWS_VQ_BLOCK_T, LKWS_FE_BINS, KWS_VQ_BLOCK_T, KWS_VQ_BLOCK_F,
                         kws_codebook, KWS_VQ_K, codes);
    uint8_t *row = fp->ring[fp->next_row];
#if KWS_CODES_PER_BYTE == 2
    for (int32_t c = 0; c < KWS_CODE_COLS; c += 2) {
        row[c / 2] = (uint8_t)(codes[c] | codes[c + 1] << 4);
    }
#else
    for (int32_t c = 0; c < KWS_CODE_COLS; c++) {
        row[c] = codes[c];
    }
#endif
    fp->next_row = (fp->next_row + 1) % KWS_CODE_ROWS;
    fp->rows++;
    fp->pending = 0;
}

void feature_provider_row(const feature_provider *fp, int32_t age, uint8_t *codes)
{
    const uint8_t *row = fp->ring[(fp->next_row + KWS_CODE_ROWS - 1 - age) % KWS_CODE_ROWS];
#if KWS_CODES_PER_BYTE == 2
    for (int32_t c = 0; c < KWS_CODE_COLS; c += 2) {
        codes[c] = row[c / 2] & 0x0Fu;
        codes[c + 1] = row[c / 2] >> 4;
    }
#else
    for (int32_t c = 0; c < KWS_CODE_COLS; c++) {
        codes[c] = row[c];
    }
#endif
}

int feature_provider_window_ready(const feature_provider *fp)
{
    return fp->rows >= KWS_CODE_ROWS;
}

#if KWS_INPUT_DENSE && KWS_CODE_BITS * KWS_CODES_PER_BYTE == 8
/* A ring row is already the dense row (little-endian cores: byte b of the word stream is byte
 * b % 4 of word b / 4): one copy per row, its tail zeroed. */
void feature_provider_write_input(const feature_provider *fp, int32_t *input)
{
    for (int32_t r = 0; r < KWS_CODE_ROWS; r++) {
        const uint8_t *row = fp->ring[(fp->next_row + r) % KWS_CODE_ROWS];
        uint8_t *dst = (uint8_t *)(input + r * KWS_INPUT_ROW_WORDS);
        memcpy(dst, row, KWS_CODE_ROW_BYTES);
#if KWS_INPUT_ROW_WORDS * 4 > KWS_CODE_ROW_BYTES
        memset(dst + KWS_CODE_ROW_BYTES, 0, KWS_INPUT_ROW_WORDS * 4 - KWS_CODE_ROW_BYTES);
#endif
    }
}
#elif KWS_INPUT_DENSE
/* Codes of other widths: packed bit by bit field, KWS_CODE_BITS per code. */
void feature_provider_write_input(const feature_provider *fp, int32_t *input)
{
    uint8_t codes[KWS_CODE_COLS];
    for (int32_t r = 0; r < KWS_CODE_ROWS; r++) {
        uint32_t *dst = (uint32_t *)(input + r * KWS_INPUT_ROW_WORDS);
        memset(dst, 0, KWS_INPUT_ROW_WORDS * 4);
        feature_provider_row(fp, KWS_CODE_ROWS - 1 - r, codes);
        for (int32_t c = 0; c < KWS_CODE_COLS; c++) {
            const uint32_t bit = (uint32_t)c * KWS_CODE_BITS;
            const uint32_t code = codes[c] & ((1u << KWS_CODE_BITS) - 1u);
            dst[bit / 32] |= code << (bit % 32);
            if (bit % 32 + KWS_CODE_BITS > 32) {
                dst[bit / 32 + 1] |= code >> (32 - bit % 32);
            }
        }
    }
}
#else
void feature_provider_write_input(const feature_provider *fp, int32_t *input)
{
    uint8_t codes[KWS_CODE_COLS];
    for (int32_t r = 0; r < KWS_CODE_ROWS; r++) {
        feature_provider_row(fp, KWS_CODE_ROWS - 1 - r, codes);
        lkws_vq_pack_lce(codes, KWS_CODE_COLS, KWS_CODE_BITS, input + r * KWS_CODE_COLS);
    }
}
#endif
