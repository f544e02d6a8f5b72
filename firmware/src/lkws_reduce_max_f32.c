#include "lkws/reduce.h"
#include "lkws/reduce_f32.h"

lkws_status_t lkws_reduce_max_f32(const float *input, float *output, const int32_t dims[4],
                                   const int32_t reduce[4])
{
    int32_t out_dims[4];
    lkws_reduced_dims(dims, reduce, out_dims);
    size_t in_index = 0;
    for (int32_t i0 = 0; i0 < dims[0]; ++i0) {
        for (int32_t i1 = 0; i1 < dims[1]; ++i1) {
            for (int32_t i2 = 0; i2 < dims[2]; ++i2) {
                for (int32_t i3 = 0; i3 < dims[3]; ++i3) {
                    const size_t o = lkws_reduced_offset(out_dims, reduce, i0, i1, i2, i3);
                    const int first = (!reduce[0] || i0 == 0) && (!reduce[1] || i1 == 0) &&
                                      (!reduce[2] || i2 == 0) && (!reduce[3] || i3 == 0);
                    const float v = input[in_index++];
                    if (first || v > output[o]) {
                        output[o] = v;
                    }
                }
            }
        }
    }
    return LKWS_OK;
}
