#include "lkws/reduce.h"
#include "lkws/reduce_f32.h"

lkws_status_t lkws_mean_f32(const float *input, float *output, const int32_t dims[4],
                             const int32_t reduce[4])
{
    int32_t out_dims[4];
    int32_t count = 1;
    size_t out_size = 1;
    lkws_reduced_dims(dims, reduce, out_dims);
    for (int i = 0; i < 4; ++i) {
        if (reduce[i]) {
            count *= dims[i];
        }
        out_size *= (size_t)out_dims[i];
    }
    for (size_t i = 0; i < out_size; ++i) {
        output[i] = 0.0f;
    }
    size_t in_index = 0;
    for (int32_t i0 = 0; i0 < dims[0]; ++i0) {
        for (int32_t i1 = 0; i1 < dims[1]; ++i1) {
            for (int32_t i2 = 0; i2 < dims[2]; ++i2) {
                for (int32_t i3 = 0; i3 < dims[3]; ++i3) {
                    const size_t o = lkws_reduced_offset(out_dims, reduce, i0, i1, i2, i3);
                    output[o] = output[o] + input[in_index++];
                }
            }
        }
    }
    for (size_t i = 0; i < out_size; ++i) {
        output[i] = output[i] / (float)count;
    }
    return LKWS_OK;
}
