/* Radix-2 FFT for the front end. See lkws/fft.h. Compile with -ffp-contract=off. */
#include <stdint.h>

#include "lkws/fft.h"
#include "lkws/frontend_tables.h"

/* The bit-reversal permutation of 128 points as its 56 swaps (i, reverse7(i)) with i < reverse7(i). */
static const uint8_t bit_reverse_swaps[56][2] = {
    {1, 64}, {2, 32}, {3, 96}, {4, 16}, {5, 80}, {6, 48}, {7, 112}, {9, 72},
    {10, 40}, {11, 104}, {12, 24}, {13, 88}, {14, 56}, {15, 120}, {17, 68}, {18, 36},
    {19, 100}, {21, 84}, {22, 52}, {23, 116}, {25, 76}, {26, 44}, {27, 108}, {29, 92},
    {30, 60}, {31, 124}, {33, 66}, {35, 98}, {37, 82}, {38, 50}, {39, 114}, {41, 74},
    {43, 106}, {45, 90}, {46, 58}, {47, 122}, {49, 70}, {51, 102}, {53, 86}, {55, 118},
    {57, 78}, {59, 110}, {61, 94}, {63, 126}, {67, 97}, {69, 81}, {71, 113}, {75, 105},
    {77, 89}, {79, 121}, {83, 101}, {87, 117}, {91, 109}, {95, 125}, {103, 115}, {111, 123},
};

void lkws_fft128_complex(float *z)
{
    for (unsigned s = 0; s < sizeof bit_reverse_swaps / sizeof bit_reverse_swaps[0]; s++) {
        float *a = z + 2 * bit_reverse_swaps[s][0];
        float *b = z + 2 * bit_reverse_swaps[s][1];
        float re = a[0], im = a[1];
        a[0] = b[0];
        a[1] = b[1];
        b[0] = re;
        b[1] = im;
    }
    /* A stage of span `size` uses W_size^k = W_256^(k * 256 / size) = cos - i sin; the twiddle is
     * loaded once per k and applied to every group (the butterflies of a stage are independent, so
     * the order does not change any result). */
    for (unsigned size = 2; size <= 128; size *= 2) {
        const unsigned half = size / 2, stride = 256 / size;
        for (unsigned k = 0; k < half; k++) {
            const float wr = lkws_fft_cos256[k * stride];
            const float wi = -lkws_fft_sin256[k * stride];
            for (float *a = z + 2 * k; a < z + 256; a += 2 * size) {
                float *b = a + 2 * half;
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
