/* Code source: where the frames of codes come from, one frame (KWS_CODEBOOKS uint16 codes) at a
 * time.
 *
 * Each board kind gives code_source.c. On the semihosting boards (QEMU) it reads a host file of
 * little-endian uint16 codes [frames, KWS_CODEBOOKS] (frame-major, as numpy's
 * codes.T.astype("<u2") of an EnCodec [codebooks, frames] array writes them), frame by frame,
 * without a buffer of the whole file. On a board without a host (nano33ble) the application
 * delivers frames itself, from wherever its encoder runs (a radio, a UART, another core), by
 * calling code_frames_push(); the source waits for them and never ends. */
#ifndef CODE_SOURCE_H
#define CODE_SOURCE_H

#include <stdint.h>

#include "kws_settings.h"

typedef struct code_source {
    int handle;      /* file: semihosting handle; pushed frames: 0; -1 when closed */
    uint32_t frames; /* frames delivered since open */
    uint32_t left;   /* file: frames not read yet */
    uint32_t dropped; /* pushed frames: frames lost because the application fell behind */
} code_source;

/* Opens the source: a codes file (its size must be a multiple of KWS_CODEBOOKS * 2 bytes), or on
 * a board without a host any name (the frames come from code_frames_push). Returns 0; -1 when it
 * cannot be opened, -2 when it is not such a file; *why then holds a one-line reason. */
int code_source_open(code_source *cs, const char *path, const char **why);

/* Reads the next frame into frame[KWS_CODEBOOKS] (pushed frames: waits for one); returns 1, or 0
 * at the end of the file, -1 when the file cannot be read. */
int code_source_read_frame(code_source *cs, uint16_t *frame);

void code_source_close(code_source *cs);

/* Boards without a host: hands one frame (KWS_CODEBOOKS codes) to the firmware; safe to call
 * from an interrupt handler. Frames wait in a small queue (KWS_PUSH_QUEUE_FRAMES); when it is full
 * the frame is dropped (counted in `dropped`) and 0 is returned, else 1. */
int code_frames_push(const uint16_t *frame);

#endif
