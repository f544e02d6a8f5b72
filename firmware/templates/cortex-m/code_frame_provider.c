/* Code-frame provider: a ring of code frames at their bit width (see code_frame_provider.h). */
#include "code_frame_provider.h"

#include <string.h>

#define CODE_MASK ((1u << KWS_CODE_BITS) - 1u)

/* A field of KWS_CODE_BITS (<= 16) bits at `bit` of a little-endian word stream; it may straddle
 * two words. */
static uint32_t get_field(const uint32_t *words, uint32_t bit)
{
    uint32_t value = words[bit / 32] >> (bit % 32);
    if (bit % 32 + KWS_CODE_BITS > 32) {
        value |= words[bit / 32 + 1] << (32 - bit % 32);
    }
    return value & CODE_MASK;
}

/* ORs `value` (< 2^KWS_CODE_BITS) into a field that is 0. */
static void or_field(uint32_t *words, uint32_t bit, uint32_t value)
{
    words[bit / 32] |= value << (bit % 32);
    if (bit % 32 + KWS_CODE_BITS > 32) {
        words[bit / 32 + 1] |= value >> (32 - bit % 32);
    }
}

void code_frame_provider_reset(code_frame_provider *cp)
{
    memset(cp->ring, 0, sizeof cp->ring);
    cp->next_slot = 0;
    cp->frames = 0;
}

int code_frame_provider_push(code_frame_provider *cp, const uint16_t *frame)
{
#if KWS_CODE_BITS < 16 /* 16-bit codes: every uint16 fits */
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        if (frame[b] > CODE_MASK) {
            return -1;
        }
    }
#endif
    const uint32_t bit = (uint32_t)cp->next_slot * KWS_CODE_BITS;
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        uint32_t *words = cp->ring[b];
        /* Clear the slot's old code, then write the new one. */
        words[bit / 32] &= ~(CODE_MASK << (bit % 32));
        if (bit % 32 + KWS_CODE_BITS > 32) {
            words[bit / 32 + 1] &= ~(CODE_MASK >> (32 - bit % 32));
        }
        or_field(words, bit, frame[b]);
    }
    cp->next_slot = (cp->next_slot + 1) % KWS_FRAMES;
    cp->frames++;
    return 0;
}

void code_frame_provider_frame(const code_frame_provider *cp, int32_t age, uint16_t *frame)
{
    const uint32_t slot = (uint32_t)((cp->next_slot + KWS_FRAMES - 1 - age) % KWS_FRAMES);
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        frame[b] = (uint16_t)get_field(cp->ring[b], slot * KWS_CODE_BITS);
    }
}

int code_frame_provider_window_ready(const code_frame_provider *cp)
{
    return cp->frames >= KWS_FRAMES;
}

void code_frame_provider_write_input(const code_frame_provider *cp, int32_t *input)
{
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        const uint32_t *ring = cp->ring[b];
        int32_t slot = cp->next_slot; /* the oldest frame */
#if KWS_INPUT_DENSE
        uint32_t *dst = (uint32_t *)(input + b * KWS_INPUT_ROW_WORDS);
        memset(dst, 0, KWS_INPUT_ROW_WORDS * sizeof(uint32_t));
        for (int32_t x = 0; x < KWS_FRAMES; x++) {
            or_field(dst, (uint32_t)x * KWS_CODE_BITS, get_field(ring, (uint32_t)slot * KWS_CODE_BITS));
            slot = slot + 1 == KWS_FRAMES ? 0 : slot + 1;
        }
#else
        int32_t *dst = input + b * KWS_FRAMES;
        for (int32_t x = 0; x < KWS_FRAMES; x++) {
            dst[x] = (int32_t)get_field(ring, (uint32_t)slot * KWS_CODE_BITS);
            slot = slot + 1 == KWS_FRAMES ? 0 : slot + 1;
        }
#endif
    }
}
