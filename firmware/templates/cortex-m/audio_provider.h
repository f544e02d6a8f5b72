/* Audio provider: 16 kHz mono 16-bit PCM in hops of LKWS_FE_HOP samples.
 *
 * Under QEMU it reads a WAV file of any length from the host through raw semihosting, one hop at
 * a time (no buffer of the whole recording); on a board with a microphone this is the file to
 * replace. A final partial hop is dropped. */
#ifndef AUDIO_PROVIDER_H
#define AUDIO_PROVIDER_H

#include <stdint.h>

#include "lkws/frontend.h"

typedef struct audio_provider {
    int handle;          /* semihosting handle, -1 when closed */
    uint32_t data_left;  /* bytes of the data chunk not read yet */
    uint32_t samples;    /* samples delivered since open */
} audio_provider;

/* Opens a RIFF/WAVE file: PCM, 1 channel, 16000 Hz, 16 bits. Returns 0; -1 when the file cannot
 * be opened, -2 when it is not such a WAV file; *why then holds a one-line reason. */
int audio_provider_open(audio_provider *ap, const char *path, const char **why);

/* Reads the next hop into hop[LKWS_FE_HOP]; returns 1, or 0 at the end of the recording. */
int audio_provider_read_hop(audio_provider *ap, int16_t *hop);

void audio_provider_close(audio_provider *ap);

#endif
