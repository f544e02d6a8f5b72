/* Radix-2 FFT for the front end. See lkws/fft.h. Compile with -ffp-contract=off. */
#include "lkws/fft.h"
#include "lkws/frontend_tables.h"

/* 7-bit reversal of i (0..127). */
static unsigned reverse7(unsigned i)
{
    unsigned r = 0;
    for (int b = 0; b < 7; b++) {
        r = (r << 1) | (i & 1u);
        i >>= 1;
    }
    return r;
}

void lkws_fft128_complex(float *z)
{
    for (unsigned i = 0; i < 128; i++) {
        unsigned j = reverse7(i);
        if (j > i) {
            float re = z[2 * i], im = z[2 * i + 1];
            z[2 * i] = z[2 * j];
            z[2 * i + 1] = z[2 * j + 1];
            z[2 * j] = re;
            z[2 * j + 1] = im;
        }
    }
    /* A stage of span `size` uses W_size^k = W_256^(k * 256 / size) = cos - i sin. */
    for (unsigned size = 2; size <= 128; size *= 2) {
        unsigned half = size / 2, stride = 256 / size;
        for (unsigned start = 0; start < 128; start += size) {
            for (unsigned k = 0; k < half; k++) {
                float wr = lkws_fft_cos256[k * stride];
                float wi = -lkws_fft_sin256[k * stride];
                float *a = z + 2 * (start + k);
                float *b = z + 2 * (start + k + half);
                float tr = b[0] * wr - b[1] * wi;
                float ti = b[0] * wi + b[1] * wr;
                b[0] = a[0] - tr;
                b[1] = a[1] - ti;
                a[0] = a[0] + tr;
                a[1] = a[1] + ti;
            }
        }
    }
}

void lkws_rfft256_power(float *x, float *power)
{
    lkws_fft128_complex(x);
    /* Z = FFT128(x[2n] + i x[2n+1]); with Y[k] = conj(Z[128 - k]):
     * E[k] = (Z[k] + Y[k]) / 2 (even samples), O[k] = (Z[k] - Y[k]) / 2i (odd samples),
     * X[k] = E[k] + W_256^k O[k]. */
    for (unsigned k = 1; k < 128; k++) {
        float zr = x[2 * k], zi = x[2 * k + 1];
        float yr = x[2 * (128 - k)], yi = x[2 * (128 - k) + 1];
        float er = 0.5f * (zr + yr);
        float ei = 0.5f * (zi - yi);
        float or_ = 0.5f * (zi + yi);
        float oi = 0.5f * (yr - zr);
        float wr = lkws_fft_cos256[k];
        float wi = -lkws_fft_sin256[k];
        float xr = er + (wr * or_ - wi * oi);
        float xi = ei + (wr * oi + wi * or_);
        power[k - 1] = xr * xr + xi * xi;
    }
    /* Nyquist: X[128] = Re Z[0] - Im Z[0] (real). */
    float nyquist = x[0] - x[1];
    power[127] = nyquist * nyquist;
}
