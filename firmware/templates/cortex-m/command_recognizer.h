/* Command recognizer: turns the scores of successive inferences over a sliding 1 s window into
 * commands, as TFLite Micro's micro_speech RecognizeCommands does: scores are averaged over the
 * last KWS_AVERAGE_WINDOW_MS, the best label must reach KWS_DETECTION_THRESHOLD with at least
 * KWS_MINIMUM_COUNT results in the window, labels starting with '_' (silence, unknown) are never
 * commands, and no command follows another within KWS_SUPPRESSION_MS. */
#ifndef COMMAND_RECOGNIZER_H
#define COMMAND_RECOGNIZER_H

#include <stdint.h>

#include "kws_settings.h"
#include "model_settings.h"

typedef struct recognizer_result {
    int32_t time_ms;
    float scores[MODEL_NUM_LABELS];
} recognizer_result;

typedef struct command_recognizer {
    recognizer_result queue[KWS_AVERAGE_CAPACITY];
    int32_t first; /* oldest result in the queue */
    int32_t count;
    int32_t last_command_ms; /* time of the last command, or a time long before the stream */
} command_recognizer;

void command_recognizer_reset(command_recognizer *cr);

/* Adds the scores (probabilities, MODEL_NUM_LABELS of them) of an inference whose window ends at
 * time_ms. Returns 1 when they complete a new command (*label, *score: its averaged score). */
int command_recognizer_process(command_recognizer *cr, const float *scores, int32_t time_ms, int32_t *label,
                               float *score);

#endif
