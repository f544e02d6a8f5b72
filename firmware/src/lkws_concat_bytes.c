/* CONCATENATION of any element type, as bytes. */
#include <string.h>

#include "lkws/concat.h"

lkws_status_t lkws_concat_bytes(const void *const *inputs, const int32_t *inner_bytes, int32_t count, int32_t outer,
                                void *output)
{
    if (count < 0 || outer < 0) {
        return LKWS_ARG_ERROR;
    }
    unsigned char *out = (unsigned char *)output;
    for (int32_t o = 0; o < outer; ++o) {
        for (int32_t i = 0; i < count; ++i) {
            const unsigned char *in = (const unsigned char *)inputs[i] + (size_t)o * (size_t)inner_bytes[i];
            memcpy(out, in, (size_t)inner_bytes[i]);
            out += inner_bytes[i];
        }
    }
    return LKWS_OK;
}
