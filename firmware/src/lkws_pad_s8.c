/* PAD / PADV2, int8: copy the input into the middle of the output, fill the rest. */
#include <string.h>

#include "lkws/pad.h"

lkws_status_t lkws_pad_s8(const lkws_s8_shape *in_shape, const int8_t *input, const int32_t before[4],
                          const int32_t after[4], int8_t pad_value, int8_t *output)
{
    const int32_t in_d[4] = {in_shape->n, in_shape->h, in_shape->w, in_shape->c};
    int32_t out_d[4];
    int32_t b, y, x;
    int d;

    for (d = 0; d < 4; ++d) {
        if (before[d] < 0 || after[d] < 0 || in_d[d] < 0) {
            return LKWS_ARG_ERROR;
        }
        out_d[d] = in_d[d] + before[d] + after[d];
    }
    memset(output, pad_value, (size_t)out_d[0] * (size_t)out_d[1] * (size_t)out_d[2] * (size_t)out_d[3]);
    for (b = 0; b < in_d[0]; ++b) {
        for (y = 0; y < in_d[1]; ++y) {
            for (x = 0; x < in_d[2]; ++x) {
                const int8_t *src = input + ((b * in_d[1] + y) * in_d[2] + x) * in_d[3];
                const int32_t row = ((b + before[0]) * out_d[1] + y + before[1]) * out_d[2] + x + before[2];
                int8_t *dst = output + row * out_d[3] + before[3];
                memcpy(dst, src, (size_t)in_d[3]);
            }
        }
    }
    return LKWS_OK;
}
