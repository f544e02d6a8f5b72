/* The time-frequency front end: 1 s of 16 kHz audio -> 128 frames x 128 bins of normalised log
 * magnitude. This is the single definition used for training (lossykws/frontend.py calls this C
 * through ctypes) and on the device, so training features and device features are the same bits.
 *
 * Definition (every constant below is part of it):
 *   framing   n_fft = 256 samples (16 ms), hop = 125 samples (7.8125 ms), 128 hops = 16000 samples.
 *             Causal: frame t (0..127) is the 256 samples that end with hop t, i.e. samples
 *             [125 t - 131, 125 t + 125) of the clip, with zeros before sample 0 (131 = n_fft - hop
 *             samples of left padding, none on the right). A frame is ready as soon as its hop has
 *             arrived, so a device streams with no look-ahead. Why these: 16 ms is a usual speech
 *             analysis window (pitch periods of 2.5-10 ms fit); 256 is the power of two whose real
 *             FFT has 128 bins above DC; 125 = 16000 / 128 gives exactly 128 frames, no right pad.
 *   DC        the frame's mean (sum of its 256 samples in order, times 1/256) is subtracted
 *             from each sample before windowing.
 *   window    periodic Hann of 256 points, w[n] = 0.5 - 0.5 cos(2 pi n / 256), from a const table.
 *   spectrum  256-point real FFT (lkws/fft.h); P[k] = |X[k]|^2 for bins k = 1..128, i.e.
 *             62.5 Hz .. 8000 Hz (Nyquist) in steps of 62.5 Hz. Bin 0 (DC) is dropped: it carries
 *             a recording's DC offset, not speech. The Hann window leaks a constant into bins 0
 *             and 1 only (its DFT is 128, -64 at k = 0, +-1), and subtracting the frame mean
 *             cancels exactly that term, changing bin 1 alone: the features do not depend on a
 *             recording's DC offset (some shared clips have offsets up to 0.18 of full scale,
 *             which would otherwise put 62.5 Hz near the loudest speech).
 *   log       L = ln(P + LKWS_FE_POWER_FLOOR) by lkws_fe_ln (exponent bits + an odd polynomial in
 *             s = (m - 1) / (m + 1), never libm). L / 2 is the log magnitude ln|X|.
 *   normalise feature = (L - LKWS_FE_LOG_OFFSET) * LKWS_FE_LOG_SCALE, fixed constants chosen once so
 *             that features of real speech are roughly zero-mean, unit-variance (see below).
 *   layout    features[t * 128 + (k - 1)], row-major [frame][bin]: time first, frequency second.
 *
 * Bit-exactness: float32 only, compiled with -ffp-contract=off (no fused multiply-add), never
 * -ffast-math, no libm, no x87 (x86-64 SSE is fine). Then the host build and Cortex-M4F and M7 builds
 * give the same bits (tests/test_frontend.py checks this under qemu-system-arm), and so do -O0 and
 * -O3 -march=native host builds.
 *
 * Memory: the caller owns a lkws_fe_state (1548 bytes); nothing is allocated, no hidden buffers. */
#ifndef LKWS_FRONTEND_H
#define LKWS_FRONTEND_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

#define LKWS_FE_SAMPLE_RATE 16000
#define LKWS_FE_CLIP_SAMPLES 16000
#define LKWS_FE_N_FFT 256
#define LKWS_FE_HOP 125
#define LKWS_FE_HISTORY (LKWS_FE_N_FFT - LKWS_FE_HOP) /* 131 samples kept between hops */
#define LKWS_FE_FRAMES 128
#define LKWS_FE_BINS 128

/* Power floor, added before the log. A full-scale sine has a peak power of about 4096 (the Hann
 * window's gain is 128, halved by the two-sided spectrum, squared); 1e-6 is ~96 dB below that and
 * just above the power of 16-bit quantisation noise in one bin (~7e-9), so digital silence and
 * 16-bit hiss land near the same floor. */
#define LKWS_FE_POWER_FLOOR 1e-6f
/* Normalisation: feature = (ln(P + floor) - OFFSET) * SCALE. Measured once on the kws12 training
 * split of the shared Speech Commands clips (2,789 clips): ln(P + floor) over all clips, frames and
 * bins has mean -9.48 and standard deviation 4.33; rounded to -9.5 and 1/4 (a power of two, exact)
 * and frozen: changing them changes every feature and every codebook. Features then run from
 * -1.08 (the floor) to about +4. */
#define LKWS_FE_LOG_OFFSET (-9.5f)
#define LKWS_FE_LOG_SCALE 0.25f

typedef struct lkws_fe_state {
    float history[LKWS_FE_HISTORY]; /* the last 131 samples received, oldest first */
    float work[LKWS_FE_N_FFT];      /* scratch: the windowed frame and its FFT */
} lkws_fe_state;

/* Start a new stream: the history becomes zeros (the left padding). */
void lkws_fe_reset(lkws_fe_state *st);

/* Feed one hop of 125 samples (float, nominally in [-1, 1], finite); write the 128 features of the
 * frame that ends with it to frame_out. */
void lkws_fe_push_hop(lkws_fe_state *st, const float *hop, float *frame_out);

/* The same for 16-bit PCM; each sample becomes s / 32768 exactly, as lossykws/audio.py reads WAVs. */
void lkws_fe_push_hop_s16(lkws_fe_state *st, const int16_t *hop, float *frame_out);

/* A whole clip: reset, then 128 hops. clip: [16000]; features: [128 * 128]. */
void lkws_fe_clip(lkws_fe_state *st, const float *clip, float *features);

/* n clips one after another (the host's batch entry point). clips: [n][16000]; features: [n][128*128]. */
void lkws_fe_clips(lkws_fe_state *st, int32_t n, const float *clips, float *features);

/* Natural log of a positive, finite, normal float, within ~2 ulp; same bits on every IEEE-754
 * float32 target. Precondition not checked: zero, subnormal, negative, inf or NaN give garbage. */
float lkws_fe_ln(float x);

LKWS_END_DECLS

#endif /* LKWS_FRONTEND_H */
