/* Code source of the semihosting boards: a codes file from the host (see code_source.h). */
#include "code_source.h"

#include <stddef.h>

#include "semihost.h"

#define FRAME_BYTES (KWS_CODEBOOKS * 2)

int code_source_open(code_source *cs, const char *path, const char **why)
{
    cs->frames = 0;
    cs->left = 0;
    cs->dropped = 0;
    cs->handle = lkws_sh_open(path, LKWS_SH_MODE_READ_BINARY);
    if (cs->handle < 0) {
        *why = "cannot open the codes file";
        return -1;
    }
    long length = lkws_sh_flen(cs->handle);
    if (length < 0 || length % FRAME_BYTES != 0) {
        code_source_close(cs);
        *why = "codes file: its size is not a whole number of frames (uint16 x " KWS_CODEBOOKS_TEXT
               " codebooks = " KWS_FRAME_BYTES_TEXT " bytes each)";
        return -2;
    }
    cs->left = (uint32_t)(length / FRAME_BYTES);
    return 0;
}

int code_source_read_frame(code_source *cs, uint16_t *frame)
{
    uint8_t bytes[FRAME_BYTES];
    if (cs->handle < 0 || cs->left == 0) {
        return 0;
    }
    if (lkws_sh_read(cs->handle, bytes, sizeof bytes) != 0) {
        return -1;
    }
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        frame[b] = (uint16_t)(bytes[2 * b] | bytes[2 * b + 1] << 8);
    }
    cs->left--;
    cs->frames++;
    return 1;
}

void code_source_close(code_source *cs)
{
    if (cs->handle >= 0) {
        (void)lkws_sh_close(cs->handle);
    }
    cs->handle = -1;
}

int code_frames_push(const uint16_t *frame)
{
    (void)frame; /* frames come from the host's file here */
    return 0;
}
