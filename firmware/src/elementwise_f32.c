#include "lkws/ops_f32.h"

/* Broadcast index: a dimension of size 1 repeats. */
static size_t bindex(const int32_t d[4], int32_t i0, int32_t i1, int32_t i2, int32_t i3)
{
    const size_t j0 = d[0] == 1 ? 0 : (size_t)i0, j1 = d[1] == 1 ? 0 : (size_t)i1;
    const size_t j2 = d[2] == 1 ? 0 : (size_t)i2, j3 = d[3] == 1 ? 0 : (size_t)i3;
    return ((j0 * (size_t)d[1] + j1) * (size_t)d[2] + j2) * (size_t)d[3] + j3;
}

static void binary(const float *a, const int32_t ad[4], const float *b, const int32_t bd[4],
                   float *out, const int32_t od[4], float lo, float hi, int is_mul)
{
    size_t o = 0;
    for (int32_t i0 = 0; i0 < od[0]; ++i0) {
        for (int32_t i1 = 0; i1 < od[1]; ++i1) {
            for (int32_t i2 = 0; i2 < od[2]; ++i2) {
                for (int32_t i3 = 0; i3 < od[3]; ++i3) {
                    const float x = a[bindex(ad, i0, i1, i2, i3)];
                    const float y = b[bindex(bd, i0, i1, i2, i3)];
                    const float r = is_mul ? x * y : x + y;
                    out[o++] = r < lo ? lo : (r > hi ? hi : r);
                }
            }
        }
    }
}

void lkws_add_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                  float *output, const int32_t out_dims[4], float act_min, float act_max)
{
    binary(a, a_dims, b, b_dims, output, out_dims, act_min, act_max, 0);
}

void lkws_mul_f32(const float *a, const int32_t a_dims[4], const float *b, const int32_t b_dims[4],
                  float *output, const int32_t out_dims[4], float act_min, float act_max)
{
    binary(a, a_dims, b, b_dims, output, out_dims, act_min, act_max, 1);
}

void lkws_clamp_f32(const float *input, float *output, size_t count, float lo, float hi)
{
    for (size_t i = 0; i < count; ++i) {
        const float x = input[i];
        output[i] = x < lo ? lo : (x > hi ? hi : x);
    }
}
