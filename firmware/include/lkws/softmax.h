/* SOFTMAX along the last axis, float32 and int8: rows x depth values, row-major.
 * Conventions and status: lkws/common.h. */
#ifndef LKWS_SOFTMAX_H
#define LKWS_SOFTMAX_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Float32: exp(beta * (x - max)) times the inverse of the row's sum (the interpreter's Eigen
 * order). rows >= 0, depth >= 1. */
lkws_status_t lkws_softmax_f32(const float *input, float *output, int32_t rows, int32_t depth, float beta);

/* Int8 in and out. exp_table[256] holds expf(-input_scale * beta * d) at index 255 - d
 * (lkws_softmax_s8_table, or the generator's copy of it); sums and products are float32 in order,
 * then roundf(p / output_scale) + zero point, clamped to -128..127. */
typedef struct {
    const float *exp_table;
    float output_scale;
    int32_t output_zero_point;
} lkws_softmax_s8_params;

lkws_status_t lkws_softmax_s8(const lkws_softmax_s8_params *p, int32_t rows, int32_t depth, const int8_t *input,
                              int8_t *output);

/* Fill exp_table[256] for lkws_softmax_s8 with this platform's expf. The interpreter uses glibc's
 * expf; a device's libm may differ in the last bit, so generated code carries the table computed
 * at export instead. */
void lkws_softmax_s8_table(float input_scale, float beta, float exp_table[256]);

LKWS_END_DECLS

#endif /* LKWS_SOFTMAX_H */
