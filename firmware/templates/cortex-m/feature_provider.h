/* Feature provider: samples -> VQ codes, streamed hop by hop.
 *
 * Each hop of 125 samples gives one frame of the front end (lkws/frontend.h); each new group of
 * KWS_VQ_BLOCK_T frames gives one row of KWS_CODE_COLS codes (lkws/vq_encode.h, the codebook of
 * kws_codebook.c). The last KWS_CODE_ROWS rows (1 s) are kept in a ring, KWS_CODE_BITS bits per
 * code, and written into the model's input, where plane c of a code is its bit c (bit 1 -> -1):
 * with KWS_INPUT_DENSE, as dense rows that the first binary convolution reads directly
 * (lkws/bconv2d.h, dense input: code x at bits x*KWS_CODE_BITS.., a row of 4-bit codes is the ring's
 * row itself, 2 KB for 1 s); otherwise as Larq Compute Engine packed words, one word per code.
 * No buffer of samples or features beyond one block of frames. */
#ifndef FEATURE_PROVIDER_H
#define FEATURE_PROVIDER_H

#include <stdint.h>

#include "kws_settings.h"
#include "lkws/frontend.h"

typedef struct feature_provider {
    lkws_fe_state frontend;
    float frames[KWS_VQ_BLOCK_T][LKWS_FE_BINS]; /* the block of frames being filled */
    int32_t pending;                            /* frames in `frames` */
    uint8_t ring[KWS_CODE_ROWS][KWS_CODE_ROW_BYTES];
    int32_t next_row; /* ring slot the next row goes to */
    int32_t rows;     /* rows produced since reset */
} feature_provider;

void feature_provider_reset(feature_provider *fp);

/* Front end: one hop in; returns 1 when a block of frames is complete (call _encode_row). */
int feature_provider_push_hop(feature_provider *fp, const int16_t *hop);

/* VQ: encodes the complete block of frames into the next row of codes. */
void feature_provider_encode_row(feature_provider *fp);

/* Codes of the row `age` rows before the newest (0: newest), unpacked to codes[KWS_CODE_COLS]. */
void feature_provider_row(const feature_provider *fp, int32_t age, uint8_t *codes);

/* Whether a full window (KWS_CODE_ROWS rows) has been produced. */
int feature_provider_window_ready(const feature_provider *fp);

/* The window, oldest row first, into the model's input (model_input(arena, 0)):
 * KWS_INPUT_DENSE: KWS_INPUT_ROW_WORDS int32 words per row, code x at bits x*KWS_CODE_BITS of the
 *   row's little-endian word stream, row tails 0;
 * else LCE-packed int32 words, one per code: input[row * KWS_CODE_COLS + col]. */
void feature_provider_write_input(const feature_provider *fp, int32_t *input);

#endif
