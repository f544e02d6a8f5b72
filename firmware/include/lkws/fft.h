/* The front end's FFT: radix-2, float32, twiddles from a committed const table (no libm).
 *
 * Written for bit-identical results on every IEEE-754 single-precision target: compile with
 * -ffp-contract=off and never -ffast-math, so each product and sum is rounded exactly as written. */
#ifndef LKWS_FFT_H
#define LKWS_FFT_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

#define LKWS_FFT_N 256  /* real input length */

/* In-place forward complex FFT of 128 points (X[k] = sum z[n] e^{-2 pi i n k / 128}).
 * z: [128][2] interleaved (re, im); radix-2 decimation in time after a bit-reversal permutation. */
void lkws_fft128_complex(float *z);

/* Power spectrum of a real 256-point frame: power[k - 1] = |X[k]|^2 for bins k = 1..128
 * (DC is not returned; bin 128 is Nyquist). The frame is packed as 128 complex values
 * z[n] = x[2n] + i x[2n+1], transformed by lkws_fft128_complex and split into the spectrum of x.
 * x: [256], overwritten (it holds the 128-point complex FFT on return). power: [128]. */
void lkws_rfft256_power(float *x, float *power);

LKWS_END_DECLS

#endif /* LKWS_FFT_H */
