/* LceBMaxPool2d: max pooling of +-1 values on bitpacked tensors (lkws/bitpack.h), which is the
 * AND of the words in the window (a bit stays set, -1, only if every value is -1). Taps outside
 * the image are skipped (SAME padding never wins the max).
 * input int32 [batches, in_h, in_w, words], output int32 [batches, out_h, out_w, words],
 * words = LKWS_PACKED_WORDS(channels).
 *
 * Only a reference kernel exists (lkws_bmaxpool2d_ref.c): it is one AND per input word, already
 * what an optimized twin would do. Conventions and status: lkws/common.h. */
#ifndef LKWS_BMAXPOOL2D_H
#define LKWS_BMAXPOOL2D_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

typedef struct {
    int32_t batches;
    int32_t in_h, in_w, words;
    int32_t out_h, out_w;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t pad_top, pad_left;
} lkws_bmaxpool2d_params;

lkws_status_t lkws_bmaxpool2d_ref_bitpacked(const lkws_bmaxpool2d_params *p, const int32_t *input, int32_t *output);

LKWS_END_DECLS

#endif /* LKWS_BMAXPOOL2D_H */
