/* The VQ encoder: blocks of the front end's features -> index of the nearest codeword.
 *
 * Blocks: the [frames][bins] features (row-major, lkws/frontend.h) are cut into non-overlapping
 * block_t x block_f tiles; tile (i, j) covers frames block_t*i .. +block_t-1 and bins
 * block_f*j .. +block_f-1, and its vector is read row by row: v[dt * block_f + df] =
 * features[(block_t*i + dt) * bins + block_f*j + df]. Codes are row-major [frames/block_t][bins/block_f]
 * (64 x 64 for 2 x 2 tiles of 128 x 128).
 *
 * Nearest: squared Euclidean distance, accumulated in float32 over the vector in order
 * (d = d + (v - c)^2, no fused multiply-add: compile with -ffp-contract=off); the smallest
 * distance wins and ties go to the lowest index. The host and the device give the same codes.
 *
 * Streaming: tiles only depend on their own block_t frames, so a device calls lkws_vq_encode with
 * frames = block_t on each new group of frames and gets one row of codes. */
#ifndef LKWS_VQ_ENCODE_H
#define LKWS_VQ_ENCODE_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

#define LKWS_VQ_MAX_CODEWORDS 256 /* codes are uint8 */

/* Encode features [frames][bins] with codebook [k][block_t * block_f] into
 * codes [frames / block_t][bins / block_f]. Returns LKWS_OK, or LKWS_ARG_ERROR when frames or bins
 * is not a multiple of the block, or k is not in 1..256 (nothing is written then). */
lkws_status_t lkws_vq_encode(const float *features, int32_t frames, int32_t bins, int32_t block_t,
                             int32_t block_f, const float *codebook, int32_t k, uint8_t *codes);

/* Pack codes for a binarized network's input as Larq Compute Engine bitpacks it: one int32 word per
 * pixel, channel c in bit c, bit set for -1. With channel c = bit c of the code (lossykws/codecs/vq.py's
 * bit planes: bit 1 -> -1), the packed word is the code itself, masked to `bits` (1..8) bits. */
void lkws_vq_pack_lce(const uint8_t *codes, int32_t n, int32_t bits, int32_t *packed);

LKWS_END_DECLS

#endif /* LKWS_VQ_ENCODE_H */
