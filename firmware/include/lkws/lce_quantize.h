/* LceQuantize and LceDequantize: between float/int8 tensors and bitpacked int32 tensors.
 * Layout: `rows` = product of all dimensions but the last, `channels` = the last dimension; the
 * packed tensor has LKWS_PACKED_WORDS(channels) words per row. */
#ifndef LKWS_LCE_QUANTIZE_H
#define LKWS_LCE_QUANTIZE_H

#include "lkws/common.h"

/* Bit set where x < 0 (so 0.0, -0.0 and NaN give +1). */
void lkws_lce_quantize_f32(const float *input, int32_t *output, int32_t rows, int32_t channels);
/* Bit set where x < zero_point. */
void lkws_lce_quantize_i8(const int8_t *input, int32_t *output, int32_t rows, int32_t channels,
                          int32_t zero_point);
/* Bit set -> -1.0f, clear -> +1.0f. */
void lkws_lce_dequantize_f32(const int32_t *input, float *output, int32_t rows, int32_t channels);
/* Bit set -> one_value, clear -> zero_value (the int8 codes of -1 and +1). */
void lkws_lce_dequantize_i8(const int32_t *input, int8_t *output, int32_t rows, int32_t channels,
                            int8_t zero_value, int8_t one_value);

#endif
