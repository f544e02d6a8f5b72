/* MAX_POOL_2D, float32. */
#include "lkws/pool2d.h"
#include "lkws/pool2d_f32.h"

lkws_status_t lkws_max_pool2d_f32(const lkws_window_params *p, const float *input, float *output)
{
    return lkws_pool2d_f32(p, input, output, 0);
}
