/* One dot product as TFLite's custom float GEMV kernel computes it: four lanes, lane j summing
 * elements j, j+4, ... with rounded products; a depth % 4 tail goes through one more 4-wide step
 * over the last four elements with the first lanes' inputs zeroed; then (l0 + l1) + (l2 + l3),
 * then + bias. Shared by lkws_fully_connected_f32 and lkws_conv2d_f32 (a helper, not a kernel). */
#include "lkws/fully_connected.h"

float lkws_dot_gemv4_f32(const float *x, const float *w, int32_t depth, float bias, int has_bias)
{
    float l[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int32_t d = 0;
    for (; d + 4 <= depth; d += 4) {
        for (int j = 0; j < 4; ++j) {
            const float prod = x[d + j] * w[d + j];
            l[j] = l[j] + prod;
        }
    }
    if (d < depth) {
        const int32_t back = d + 4 - depth;
        for (int32_t j = 0; j < 4; ++j) {
            const int32_t e = depth - 4 + j;
            const float v = j < back ? 0.0f : x[e];
            const float prod = v * w[e];
            l[j] = l[j] + prod;
        }
    }
    const float lo = l[0] + l[1];
    const float hi = l[2] + l[3];
    float total = lo + hi;
    if (has_bias) {
        total = total + bias;
    }
    return total;
}
