/* Output indexing shared by the float32 reductions (mean_f32.c, reduce_max_f32.c): the
 * dimensions flagged in reduce[4] collapse to 1 and the others are kept in order. Internal to the
 * kernels; the API is lkws/reduce.h. */
#ifndef LKWS_REDUCE_F32_H
#define LKWS_REDUCE_F32_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* out_dims[d]: 1 where reduce[d], else dims[d]. */
static inline void lkws_reduced_dims(const int32_t dims[4], const int32_t reduce[4], int32_t out_dims[4])
{
    for (int i = 0; i < 4; ++i) {
        out_dims[i] = reduce[i] ? 1 : dims[i];
    }
}

/* The output offset that input element (i0, i1, i2, i3) reduces into. */
static inline size_t lkws_reduced_offset(const int32_t out_dims[4], const int32_t reduce[4], int32_t i0, int32_t i1,
                                         int32_t i2, int32_t i3)
{
    const size_t o0 = reduce[0] ? 0 : (size_t)i0, o1 = reduce[1] ? 0 : (size_t)i1;
    const size_t o2 = reduce[2] ? 0 : (size_t)i2, o3 = reduce[3] ? 0 : (size_t)i3;
    return ((o0 * (size_t)out_dims[1] + o1) * (size_t)out_dims[2] + o2) * (size_t)out_dims[3] + o3;
}

LKWS_END_DECLS

#endif /* LKWS_REDUCE_F32_H */
