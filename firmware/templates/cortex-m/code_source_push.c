/* Code source of the boards without a host: frames the application pushes (see code_source.h).
 *
 * A single-producer, single-consumer queue: code_frames_push (the producer, possibly an
 * interrupt handler) writes `head`, code_source_read_frame (the main loop) writes `tail`; each
 * index is written by one side only, so no lock is needed on a single core. */
#include "code_source.h"

#include <stddef.h>

#ifndef KWS_PUSH_QUEUE_FRAMES
#define KWS_PUSH_QUEUE_FRAMES 8
#endif

static uint16_t queue[KWS_PUSH_QUEUE_FRAMES][KWS_CODEBOOKS];
static volatile uint32_t head; /* frames pushed */
static volatile uint32_t tail; /* frames taken */
static volatile uint32_t dropped;

int code_frames_push(const uint16_t *frame)
{
    uint32_t h = head;
    if (h - tail >= KWS_PUSH_QUEUE_FRAMES) {
        dropped++;
        return 0;
    }
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        queue[h % KWS_PUSH_QUEUE_FRAMES][b] = frame[b];
    }
    __asm volatile("dmb" ::: "memory"); /* the codes before the index that publishes them */
    head = h + 1;
    return 1;
}

/* The board's vector table (target/startup.c) names the PDM microphone's handler, which the audio
 * firmware defines; this firmware never enables that interrupt. */
void PDM_IRQHandler(void);
void PDM_IRQHandler(void)
{
}

int code_source_open(code_source *cs, const char *path, const char **why)
{
    (void)path;
    (void)why;
    cs->handle = 0;
    cs->frames = 0;
    cs->left = 0;
    cs->dropped = 0;
    tail = head;
    return 0;
}

int code_source_read_frame(code_source *cs, uint16_t *frame)
{
    while (head == tail) {
        __asm volatile("wfi"); /* the producer's interrupt wakes the core */
    }
    uint32_t t = tail;
    for (int32_t b = 0; b < KWS_CODEBOOKS; b++) {
        frame[b] = queue[t % KWS_PUSH_QUEUE_FRAMES][b];
    }
    __asm volatile("dmb" ::: "memory");
    tail = t + 1;
    cs->frames++;
    cs->dropped = dropped;
    return 1;
}

void code_source_close(code_source *cs)
{
    cs->handle = -1;
}
