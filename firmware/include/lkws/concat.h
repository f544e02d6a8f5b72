/* CONCATENATION for any element type. Conventions and status: lkws/common.h. */
#ifndef LKWS_CONCAT_H
#define LKWS_CONCAT_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* `count` inputs, each `outer` blocks of inner_bytes[i] bytes (the elements from the concatenation
 * axis inward), interleaved block by block into output. */
lkws_status_t lkws_concat_bytes(const void *const *inputs, const int32_t *inner_bytes, int32_t count, int32_t outer,
                                void *output);

LKWS_END_DECLS

#endif /* LKWS_CONCAT_H */
