/* Bitpacking as LCE defines it: int32 words along the last (channel) axis, bit i (from the LSB) of
 * word w holds channel 32*w+i, set when the value is negative (-1); unused tail bits are 0. */
#ifndef LKWS_BITPACK_H
#define LKWS_BITPACK_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Words needed for `channels` packed channels. */
#define LKWS_PACKED_WORDS(channels) (((channels) + 31) / 32)

/* Portable SWAR popcount: ARMv7-M has no popcount instruction and __builtin_popcount becomes a
 * slow libgcc call there. */
static inline int32_t lkws_popcount32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int32_t)((x * 0x01010101u) >> 24);
}

/* Number of positions where a and b differ: the XNOR-popcount dot product's building block. */
static inline int32_t lkws_xor_popcount(int32_t a, int32_t b)
{
    return lkws_popcount32((uint32_t)a ^ (uint32_t)b);
}

LKWS_END_DECLS

#endif /* LKWS_BITPACK_H */
