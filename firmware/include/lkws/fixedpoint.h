/* Fixed-point helpers of the int8 kernels, and what pins their bits down.
 *
 * The LCE interpreter runs TFLite's optimized builtin kernels (not the reference ones), and it is
 * the reference for every check: each int8 kernel gives its bits exactly, including where the
 * optimized kernels compute differently from TFLite's reference kernels (MEAN, SOFTMAX) and which
 * multiplier rounding each op uses (below). On larq-compute-engine 0.16 on x86-64
 * (tests/test_kernels_s8.py checks each point against the interpreter): CONV_2D and
 * FULLY_CONNECTED run on ruy, whose kernels round halves up; TFLite's NEON code paths are compiled
 * in through an SSE emulation, so the vectorized part of a tensor (whole blocks of 8 or 16
 * elements or channels) rounds, narrows or converts as NEON does and the scalar remainder as
 * TFLite's scalar code (depthwise conv, MEAN, QUANTIZE, DEQUANTIZE, ADD, MUL); SOFTMAX uses a
 * float32 exp table; MEAN has an optimized path (4-D, axes {1, 2}, keep_dims) and a reference path
 * with different rounding. Kernels that rescale take the split as a count of leading channels (or
 * elements) that round halves up; quantization.py's *_half_up functions give the interpreter's.
 *
 * A real multiplier M > 0 is stored as (multiplier, shift) with M = multiplier * 2^(shift - 31),
 * multiplier in [2^30, 2^31) (lossykws/codegen/quantization.py: quantize_multiplier, TFLite's
 * QuantizeMultiplier). The interpreter applies it in two ways, depending on the op:
 *
 * - double rounding (TFLite's MultiplyByQuantizedMultiplier in internal/common.h, gemmlowp
 *   fixed point): a saturating rounding doubling high multiply, then a rounding right shift that
 *   rounds halves away from zero. Used by the interpreter's depthwise conv, ADD, MUL, QUANTIZE.
 * - halves up: the same two steps, both rounding halves toward +infinity. This is what ruy's
 *   kernels do (the GEMM behind CONV_2D and FULLY_CONNECTED; ruy's portable reference code rounds
 *   once, its kernels do not) and what TFLite's NEON code paths do (SQRDMULH + rounding shift).
 *   The interpreter on x86 is built with TFLite's NEON paths emulated over SSE, so its optimized
 *   kernels apply this rounding to the vectorized part of a tensor (e.g. whole blocks of 8 or 16
 *   channels) and the double rounding above to the scalar remainder; the kernels here take
 *   that split as a parameter.
 *
 * Both are exact integer arithmetic: the same bits on x86 and on Cortex-M. Shifts of negative
 * numbers are arithmetic (C99 leaves it implementation-defined; gcc and clang define it so). */
#ifndef LKWS_FIXEDPOINT_H
#define LKWS_FIXEDPOINT_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

/* gemmlowp's SaturatingRoundingDoublingHighMul: round(a * b / 2^31), saturating the single
 * overflow case a = b = INT32_MIN. Its nudge (1 - 2^30 for negative products) with a truncating
 * division rounds halves up, as NEON's vqrdmulh does (tests/test_kernels_s8.py checks both
 * against an integer model). */
static inline int32_t lkws_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C division truncates toward zero, as gemmlowp's does. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded to nearest, halves away from zero. */
static inline int32_t lkws_rounding_divide_by_pot(int32_t x, int exponent)
{
    const int32_t mask = (int32_t)(((int64_t)1 << exponent) - 1);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/* x * 2^left_shift wrapping like the interpreter's int32 multiply (no UB in C). */
static inline int32_t lkws_shl_wrap(int32_t x, int left_shift)
{
    return (int32_t)((uint32_t)x << left_shift);
}

/* TFLite's MultiplyByQuantizedMultiplier (double rounding), shift in [-31, 30]. */
static inline int32_t lkws_mul_qm_double(int32_t x, int32_t multiplier, int32_t shift)
{
    const int left_shift = shift > 0 ? (int)shift : 0;
    const int right_shift = shift > 0 ? 0 : (int)-shift;
    return lkws_rounding_divide_by_pot(lkws_srdhm(lkws_shl_wrap(x, left_shift), multiplier), right_shift);
}

/* TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp: shift <= 0, no left shift. */
static inline int32_t lkws_mul_qm_smaller_than_one(int32_t x, int32_t multiplier, int32_t shift)
{
    return lkws_rounding_divide_by_pot(lkws_srdhm(x, multiplier), (int)-shift);
}

/* Halves-up multiplier (ruy's kernels, NEON vqrdmulh + vrshl), shift in [-31, 30]:
 * x * 2^left_shift (wrapping), high product rounded half up, then a right shift rounded half up
 * (computed in 64 bits, which gives what ruy's int32 overflow guard gives: 2^(31 - right_shift)). */
static inline int32_t lkws_mul_qm_half_up(int32_t x, int32_t multiplier, int32_t shift)
{
    const int left_shift = shift > 0 ? (int)shift : 0;
    const int right_shift = shift > 0 ? 0 : (int)-shift;
    const int64_t prod = (int64_t)lkws_shl_wrap(x, left_shift) * (int64_t)multiplier;
    const int64_t high = (prod + ((int64_t)1 << 30)) >> 31;
    if (right_shift == 0) {
        return (int32_t)high;
    }
    return (int32_t)((high + ((int64_t)1 << (right_shift - 1))) >> right_shift);
}

/* NEON's vqrdmulh: round(a * b / 2^31) with halves up, saturating a = b = INT32_MIN. */
static inline int32_t lkws_srdhm_half_up(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* The low 16 bits of x as int16 (NEON's vmovn), computed without implementation-defined casts. */
static inline int32_t lkws_wrap_i16(int32_t x)
{
    const uint32_t u = (uint32_t)x & 0xFFFFu;
    return u >= 0x8000u ? (int32_t)u - 0x10000 : (int32_t)u;
}

static inline int32_t lkws_clamp_i32(int32_t x, int32_t lo, int32_t hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

LKWS_END_DECLS

#endif /* LKWS_FIXEDPOINT_H */
