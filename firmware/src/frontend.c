/* The time-frequency front end. Its definition is in lkws/frontend.h. Compile with -ffp-contract=off. */
#include <string.h>

#include "lkws/fft.h"
#include "lkws/frontend.h"
#include "lkws/frontend_tables.h"

/* ln 2 split so that e * LN2_HI is exact for |e| < 2^11 (LN2_HI has 12 significant bits). */
#define LN2_HI 0x1.62ep-1f
#define LN2_LO 0x1.0bfbe8p-15f

float lkws_fe_ln(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    int32_t e = (int32_t)((u >> 23) & 0xffu) - 127;
    uint32_t mantissa = u & 0x7fffffu;
    /* x = 2^e * m with m in [sqrt(2)/2, sqrt(2)): 0x3504f3 is the mantissa of sqrt(2). */
    if (mantissa > 0x3504f3u) {
        e += 1;
        u = mantissa | (126u << 23);
    } else {
        u = mantissa | (127u << 23);
    }
    float m;
    memcpy(&m, &u, sizeof m);
    /* ln m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1), |s| <= 0.1716;
     * terms through s^9 leave an error below 2^-27. */
    float s = (m - 1.0f) / (m + 1.0f);
    float s2 = s * s;
    float tail = s2 * ((1.0f / 3.0f) + s2 * ((1.0f / 5.0f) + s2 * ((1.0f / 7.0f) + s2 * (1.0f / 9.0f))));
    float ln_m = 2.0f * s + 2.0f * s * tail;
    float ef = (float)e;
    return ef * LN2_HI + (ef * LN2_LO + ln_m);
}

void lkws_fe_reset(lkws_fe_state *st)
{
    for (int i = 0; i < LKWS_FE_HISTORY; i++) {
        st->history[i] = 0.0f;
    }
}

/* st->work holds the raw frame (history, then the new hop): keep its newest 131 samples as the
 * history, remove the frame's mean, window, FFT, power, log, normalise. */
static void finish_frame(lkws_fe_state *st, float *frame_out)
{
    float *work = st->work;
    for (int i = 0; i < LKWS_FE_HISTORY; i++) {
        st->history[i] = work[LKWS_FE_HOP + i];
    }
    float sum = 0.0f;
    for (int n = 0; n < LKWS_FE_N_FFT; n++) {
        sum = sum + work[n];
    }
    const float mean = sum * (1.0f / (float)LKWS_FE_N_FFT); /* a power of two: exact scaling */
    for (int n = 0; n < LKWS_FE_N_FFT; n++) {
        work[n] = (work[n] - mean) * lkws_fe_hann256[n];
    }
    float *power = frame_out; /* the power spectrum is computed in place of the features */
    lkws_rfft256_power(work, power);
    for (int k = 0; k < LKWS_FE_BINS; k++) {
        float l = lkws_fe_ln(power[k] + LKWS_FE_POWER_FLOOR);
        frame_out[k] = (l - LKWS_FE_LOG_OFFSET) * LKWS_FE_LOG_SCALE;
    }
}

void lkws_fe_push_hop(lkws_fe_state *st, const float *hop, float *frame_out)
{
    for (int n = 0; n < LKWS_FE_HISTORY; n++) {
        st->work[n] = st->history[n];
    }
    for (int n = 0; n < LKWS_FE_HOP; n++) {
        st->work[LKWS_FE_HISTORY + n] = hop[n];
    }
    finish_frame(st, frame_out);
}

void lkws_fe_push_hop_s16(lkws_fe_state *st, const int16_t *hop, float *frame_out)
{
    for (int n = 0; n < LKWS_FE_HISTORY; n++) {
        st->work[n] = st->history[n];
    }
    for (int n = 0; n < LKWS_FE_HOP; n++) {
        st->work[LKWS_FE_HISTORY + n] = (float)hop[n] * (1.0f / 32768.0f); /* exact */
    }
    finish_frame(st, frame_out);
}

void lkws_fe_clip(lkws_fe_state *st, const float *clip, float *features)
{
    lkws_fe_reset(st);
    for (int t = 0; t < LKWS_FE_FRAMES; t++) {
        lkws_fe_push_hop(st, clip + t * LKWS_FE_HOP, features + t * LKWS_FE_BINS);
    }
}

void lkws_fe_clips(lkws_fe_state *st, int32_t n, const float *clips, float *features)
{
    for (int32_t i = 0; i < n; i++) {
        lkws_fe_clip(st, clips + (long)i * LKWS_FE_CLIP_SAMPLES,
                     features + (long)i * LKWS_FE_FRAMES * LKWS_FE_BINS);
    }
}
