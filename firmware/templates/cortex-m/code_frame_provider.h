/* Code-frame provider: EnCodec code frames -> the model's input, streamed frame by frame.
 *
 * The codec's encoder does not run here (the README of the project says why): each frame holds
 * one code per codebook (KWS_CODEBOOKS codes of KWS_CODE_BITS bits, produced elsewhere at
 * KWS_FRAME_RATE_HZ). The last KWS_FRAMES frames (1 s) are kept in a ring at their bit width:
 * codebook b's code of ring slot s is bits s*KWS_CODE_BITS.. of ring[b], 768 bytes for 8 x 75
 * codes of 10 bits. The model's input is [codebooks, frames, bits] with bit j of a code in
 * channel j (set bit -> -1), which LCE packs into one word per code equal to the code itself:
 * with KWS_INPUT_DENSE the first binary convolution reads each codebook's codes as one dense bit
 * row (lkws/bconv2d.h, dense input: frame x at bits x*KWS_CODE_BITS of the row's words), otherwise one
 * LCE-packed word per code. */
#ifndef CODE_FRAME_PROVIDER_H
#define CODE_FRAME_PROVIDER_H

#include <stdint.h>

#include "kws_settings.h"

typedef struct code_frame_provider {
    uint32_t ring[KWS_CODEBOOKS][KWS_RING_WORDS];
    int32_t next_slot; /* ring slot the next frame goes to */
    int32_t frames;    /* frames pushed since reset */
} code_frame_provider;

void code_frame_provider_reset(code_frame_provider *cp);

/* Stores frame[KWS_CODEBOOKS] as the newest frame. Returns 0, or -1 (nothing stored) when a code
 * does not fit in KWS_CODE_BITS bits. */
int code_frame_provider_push(code_frame_provider *cp, const uint16_t *frame);

/* Codes of the frame `age` frames before the newest (0: newest) into frame[KWS_CODEBOOKS]. */
void code_frame_provider_frame(const code_frame_provider *cp, int32_t age, uint16_t *frame);

/* Whether a full window (KWS_FRAMES frames) has been pushed. */
int code_frame_provider_window_ready(const code_frame_provider *cp);

/* The window, oldest frame first, into the model's input (model_input(arena, 0)):
 * KWS_INPUT_DENSE: KWS_INPUT_ROW_WORDS int32 words per codebook, frame x's code at bits
 *   x*KWS_CODE_BITS of the row's little-endian word stream, row tails 0;
 * else one LCE-packed int32 word per code (the code itself): input[b * KWS_FRAMES + x]. */
void code_frame_provider_write_input(const code_frame_provider *cp, int32_t *input);

#endif
