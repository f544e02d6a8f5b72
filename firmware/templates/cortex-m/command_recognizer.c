/* Command recognizer (see command_recognizer.h). */
#include "command_recognizer.h"

static const char *const labels[MODEL_NUM_LABELS] = MODEL_LABELS;

void command_recognizer_reset(command_recognizer *cr)
{
    cr->first = 0;
    cr->count = 0;
    cr->last_command_ms = -(KWS_SUPPRESSION_MS + 1);
}

int command_recognizer_process(command_recognizer *cr, const float *scores, int32_t time_ms, int32_t *label,
                               float *score)
{
    if (cr->count == KWS_AVERAGE_CAPACITY) {
        cr->first = (cr->first + 1) % KWS_AVERAGE_CAPACITY;
        cr->count--;
    }
    recognizer_result *slot = &cr->queue[(cr->first + cr->count) % KWS_AVERAGE_CAPACITY];
    slot->time_ms = time_ms;
    for (int32_t k = 0; k < MODEL_NUM_LABELS; k++) {
        slot->scores[k] = scores[k];
    }
    cr->count++;
    while (cr->count > 0 && cr->queue[cr->first].time_ms <= time_ms - KWS_AVERAGE_WINDOW_MS) {
        cr->first = (cr->first + 1) % KWS_AVERAGE_CAPACITY;
        cr->count--;
    }
    if (cr->count < KWS_MINIMUM_COUNT) {
        return 0;
    }
    int32_t best = 0;
    float best_average = 0.0f;
    for (int32_t k = 0; k < MODEL_NUM_LABELS; k++) {
        float sum = 0.0f;
        for (int32_t i = 0; i < cr->count; i++) {
            sum += cr->queue[(cr->first + i) % KWS_AVERAGE_CAPACITY].scores[k];
        }
        float average = sum / (float)cr->count;
        if (k == 0 || average > best_average) {
            best = k;
            best_average = average;
        }
    }
    if (best_average < KWS_DETECTION_THRESHOLD || labels[best][0] == '_' ||
        time_ms - cr->last_command_ms <= KWS_SUPPRESSION_MS) {
        return 0;
    }
    cr->last_command_ms = time_ms;
    *label = best;
    *score = best_average;
    return 1;
}
