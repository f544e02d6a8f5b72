/* Audio provider of the semihosting boards: a WAV file from the host (see audio_provider.h). */
#include "audio_provider.h"

#include <stddef.h>

#include "semihost.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static int same4(const uint8_t *p, const char *tag)
{
    return p[0] == (uint8_t)tag[0] && p[1] == (uint8_t)tag[1] && p[2] == (uint8_t)tag[2] &&
           p[3] == (uint8_t)tag[3];
}

/* Semihosting has no portable seek here: skipped bytes are read into a small buffer. */
static int skip(int handle, uint32_t bytes)
{
    uint8_t scratch[64];
    while (bytes > 0) {
        uint32_t n = bytes < sizeof scratch ? bytes : (uint32_t)sizeof scratch;
        if (lkws_sh_read(handle, scratch, n) != 0) {
            return -1;
        }
        bytes -= n;
    }
    return 0;
}

/* A name ending in ".pcm" or ".raw": headerless 16 kHz mono 16-bit little-endian samples. */
static int is_raw_pcm(const char *path)
{
    size_t n = 0;
    while (path[n] != '\0') {
        n++;
    }
    if (n < 4 || path[n - 4] != '.') {
        return 0;
    }
    const char *ext = path + n - 3;
    return (ext[0] == 'p' && ext[1] == 'c' && ext[2] == 'm') || (ext[0] == 'r' && ext[1] == 'a' && ext[2] == 'w');
}

static int refuse(audio_provider *ap, const char **why, const char *reason)
{
    audio_provider_close(ap);
    *why = reason;
    return -2;
}

int audio_provider_open(audio_provider *ap, const char *path, const char **why)
{
    uint8_t header[16];
    int have_format = 0;
    ap->data_left = 0;
    ap->samples = 0;
    ap->dropped_hops = 0;
    ap->handle = lkws_sh_open(path, LKWS_SH_MODE_READ_BINARY);
    if (ap->handle < 0) {
        *why = "cannot open the recording";
        return -1;
    }
    long length = lkws_sh_flen(ap->handle);
    if (is_raw_pcm(path)) {
        if (length < 0 || (length & 1L) != 0) {
            return refuse(ap, why, "a raw PCM recording must hold whole 16-bit samples");
        }
        ap->data_left = (uint32_t)length;
        return 0;
    }
    if (lkws_sh_read(ap->handle, header, 12) != 0 || !same4(header, "RIFF") || !same4(header + 8, "WAVE")) {
        return refuse(ap, why, "not a RIFF/WAVE file");
    }
    uint32_t position = 12;
    for (;;) {
        if (lkws_sh_read(ap->handle, header, 8) != 0) {
            return refuse(ap, why, "no data chunk in the WAV file");
        }
        uint32_t size = le32(header + 4);
        position += 8;
        if (same4(header, "fmt ")) {
            if (size < 16 || lkws_sh_read(ap->handle, header, 16) != 0) {
                return refuse(ap, why, "damaged fmt chunk");
            }
            if (le16(header) != 1 || le16(header + 2) != 1 || le32(header + 4) != LKWS_FE_SAMPLE_RATE ||
                le16(header + 14) != 16) {
                return refuse(ap, why, "the WAV file is not 16 kHz mono 16-bit PCM");
            }
            have_format = 1;
            if (skip(ap->handle, size - 16 + (size & 1u)) != 0) {
                return refuse(ap, why, "damaged fmt chunk");
            }
            position += size + (size & 1u);
        } else if (same4(header, "data")) {
            if (!have_format) {
                return refuse(ap, why, "data chunk before the fmt chunk");
            }
            /* Streaming writers leave the size at 0 or 0xFFFFFFFF: trust the file length then. */
            uint32_t available = length > (long)position ? (uint32_t)(length - (long)position) : 0u;
            ap->data_left = size < available ? size : available;
            return 0;
        } else {
            if (skip(ap->handle, size + (size & 1u)) != 0) {
                return refuse(ap, why, "no data chunk in the WAV file");
            }
            position += size + (size & 1u);
        }
    }
}

int audio_provider_read_hop(audio_provider *ap, int16_t *hop)
{
    const uint32_t bytes = LKWS_FE_HOP * sizeof(int16_t);
    if (ap->handle < 0 || ap->data_left < bytes) {
        return 0;
    }
    /* Little-endian samples land as int16 directly: Cortex-M runs little-endian. */
    if (lkws_sh_read(ap->handle, hop, bytes) != 0) {
        ap->data_left = 0;
        return 0;
    }
    ap->data_left -= bytes;
    ap->samples += LKWS_FE_HOP;
    return 1;
}

void audio_provider_close(audio_provider *ap)
{
    if (ap->handle >= 0) {
        (void)lkws_sh_close(ap->handle);
    }
    ap->handle = -1;
    ap->data_left = 0;
}
