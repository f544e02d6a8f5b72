/* Audio provider: 16 kHz mono 16-bit PCM in hops of LKWS_FE_HOP samples.
 *
 * Each board gives audio_provider.c. On the semihosting boards (QEMU) it reads a WAV file, or raw
 * PCM (a name ending in .pcm or .raw: 16 kHz mono 16-bit little-endian, no header), of any
 * length from the host, one hop at a time (no buffer of the whole recording); a final partial hop
 * is dropped. On a board with a microphone (nano33ble: target's audio_provider_pdm.c) the
 * recording is the microphone, named "mic", and it never ends. */
#ifndef AUDIO_PROVIDER_H
#define AUDIO_PROVIDER_H

#include <stdint.h>

#include "lkws/frontend.h"

typedef struct audio_provider {
    int handle;            /* WAV: semihosting handle; microphone: 0; -1 when closed */
    uint32_t data_left;    /* WAV: bytes of the data chunk not read yet */
    uint32_t samples;      /* samples since open (delivered, and dropped ones) */
    uint32_t dropped_hops; /* microphone: hops lost because the application fell behind */
} audio_provider;

/* Opens the recording: a RIFF/WAVE file (PCM, 1 channel, 16000 Hz, 16 bits), raw PCM of that
 * format (*.pcm, *.raw), or "mic" on a microphone board. Returns 0; -1 when it cannot be opened,
 * -2 when it is not such a recording;
 * *why then holds a one-line reason. */
int audio_provider_open(audio_provider *ap, const char *path, const char **why);

/* Reads the next hop into hop[LKWS_FE_HOP] (a microphone waits for it); returns 1, or 0 at the
 * end of the recording. */
int audio_provider_read_hop(audio_provider *ap, int16_t *hop);

void audio_provider_close(audio_provider *ap);

#endif
