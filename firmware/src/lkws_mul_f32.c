/* MUL, float32, with broadcasting and a fused activation clamp. */
#include "lkws/broadcast_f32.h"
#include "lkws/elementwise.h"

lkws_status_t lkws_mul_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                           float *output, const int32_t out_dims[4], float act_min, float act_max)
{
    return lkws_broadcast_f32(a, a_dims, b, b_dims, output, out_dims, act_min, act_max, 1);
}
