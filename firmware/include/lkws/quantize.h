/* QUANTIZE and DEQUANTIZE between float32 and int8, and int8 requantization: n elements, any
 * shape. Quantized value v means scale * (v - zero_point). Conventions and status: lkws/common.h;
 * which rounding each path uses: lkws/fixedpoint.h. Compile with -ffp-contract=off. */
#ifndef LKWS_QUANTIZE_H
#define LKWS_QUANTIZE_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* QUANTIZE float32 -> int8. Elements [0, vector_count) as the interpreter's vectorized loop:
 * x * (1 / scale) rounded to nearest even; the rest as its scalar loop: x / scale rounded with
 * halves away from zero; then + zero_point, clamped to -128..127. The interpreter's vector_count
 * is n rounded down to a multiple of 8 (quantization.py: quantize_vector_count). scale > 0. */
lkws_status_t lkws_quantize_f32_s8(int32_t n, const float *input, float scale, int32_t zero_point,
                                   int32_t vector_count, int8_t *output);

/* QUANTIZE int8 -> int8 (requantize): clamp(mul_qm(x - in_zp) + out_zp); multiplier and shift for
 * input_scale / output_scale; elements [0, half_up_count) round halves up (the interpreter: n
 * rounded down to a multiple of 16). input may equal output (in place). */
lkws_status_t lkws_requantize_s8(int32_t n, const int8_t *input, int32_t input_zero_point, int32_t multiplier,
                                 int32_t shift, int32_t output_zero_point, int32_t half_up_count, int8_t *output);

/* DEQUANTIZE int8 -> float32. Elements [0, vector_count) as the interpreter's vector loop:
 * x * scale + (-zero_point * scale) in float32 (two roundings; no fused multiply-add); the rest as
 * its scalar loop: scale * (x - zero_point), one rounding. The interpreter's vector_count is n
 * rounded down to a multiple of 8 (quantization.py: dequantize_vector_count). */
lkws_status_t lkws_dequantize_s8_f32(int32_t n, const int8_t *input, float scale, int32_t zero_point,
                                     int32_t vector_count, float *output);

LKWS_END_DECLS

#endif /* LKWS_QUANTIZE_H */
