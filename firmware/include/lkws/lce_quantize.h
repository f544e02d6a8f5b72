/* LceQuantize and LceDequantize: between float32/int8 tensors and bitpacked int32 tensors
 * (lkws/bitpack.h). Layout: `rows` = product of all dimensions but the last, `channels` = the last
 * dimension; the packed tensor has LKWS_PACKED_WORDS(channels) words per row, tail bits 0.
 * Conventions and status: lkws/common.h. */
#ifndef LKWS_LCE_QUANTIZE_H
#define LKWS_LCE_QUANTIZE_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* Bit set where x < 0 (so 0.0, -0.0 and NaN give +1). */
lkws_status_t lkws_lce_quantize_f32(const float *input, int32_t *output, int32_t rows, int32_t channels);
/* Bit set where x < zero_point. */
lkws_status_t lkws_lce_quantize_s8(const int8_t *input, int32_t *output, int32_t rows, int32_t channels,
                                   int32_t zero_point);
/* Bit set -> -1.0f, clear -> +1.0f. */
lkws_status_t lkws_lce_dequantize_f32(const int32_t *input, float *output, int32_t rows, int32_t channels);
/* Bit set -> one_value, clear -> zero_value (the int8 codes of -1 and +1). */
lkws_status_t lkws_lce_dequantize_s8(const int32_t *input, int8_t *output, int32_t rows, int32_t channels,
                                     int8_t zero_value, int8_t one_value);

LKWS_END_DECLS

#endif /* LKWS_LCE_QUANTIZE_H */
