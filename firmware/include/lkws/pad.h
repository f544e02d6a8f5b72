/* PAD and PADV2: the input [N, H, W, C] copied into the middle of a larger output, the rest filled
 * with one value. Conventions and status: lkws/common.h. */
#ifndef LKWS_PAD_H
#define LKWS_PAD_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Any element type of elem_size bytes: in_dims[4], pads[8] = (before, after) per dimension,
 * value: one element. */
lkws_status_t lkws_pad_bytes(const void *input, const int32_t in_dims[4], const int32_t pads[8], void *output,
                             const void *value, size_t elem_size);

/* Int8: padded by before[d] / after[d] elements on dimension d with pad_value (PAD: the zero point;
 * PADV2: the quantized constant). */
lkws_status_t lkws_pad_s8(const lkws_s8_shape *in_shape, const int8_t *input, const int32_t before[4],
                          const int32_t after[4], int8_t pad_value, int8_t *output);

LKWS_END_DECLS

#endif /* LKWS_PAD_H */
