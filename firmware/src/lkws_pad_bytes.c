/* PAD / PADV2 of any element type, as bytes. */
#include <string.h>

#include "lkws/pad.h"

lkws_status_t lkws_pad_bytes(const void *input, const int32_t in_dims[4], const int32_t pads[8], void *output,
                             const void *value, size_t elem_size)
{
    int32_t od[4];
    for (int i = 0; i < 4; ++i) {
        od[i] = pads[2 * i] + in_dims[i] + pads[2 * i + 1];
    }
    const unsigned char *in = (const unsigned char *)input;
    unsigned char *out = (unsigned char *)output;
    size_t o = 0;
    for (int32_t i0 = 0; i0 < od[0]; ++i0) {
        const int32_t j0 = i0 - pads[0];
        for (int32_t i1 = 0; i1 < od[1]; ++i1) {
            const int32_t j1 = i1 - pads[2];
            for (int32_t i2 = 0; i2 < od[2]; ++i2) {
                const int32_t j2 = i2 - pads[4];
                for (int32_t i3 = 0; i3 < od[3]; ++i3, ++o) {
                    const int32_t j3 = i3 - pads[6];
                    const int inside = j0 >= 0 && j0 < in_dims[0] && j1 >= 0 && j1 < in_dims[1] &&
                                       j2 >= 0 && j2 < in_dims[2] && j3 >= 0 && j3 < in_dims[3];
                    const void *src = value;
                    if (inside) {
                        const size_t i = (((size_t)j0 * (size_t)in_dims[1] + (size_t)j1) * (size_t)in_dims[2] + (size_t)j2) * (size_t)in_dims[3] + (size_t)j3;
                        src = in + i * elem_size;
                    }
                    memcpy(out + o * elem_size, src, elem_size);
                }
            }
        }
    }
    return LKWS_OK;
}
