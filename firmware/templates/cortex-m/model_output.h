/* The model's scores as the application uses them, and the lines main.c prints about them: shared
 * by both front doors (front_door.h). */
#ifndef MODEL_OUTPUT_H
#define MODEL_OUTPUT_H

#include <stdint.h>

/* Output 0 of the model in `arena` as probabilities into scores[MODEL_NUM_LABELS]: float32 as it
 * is, int8 dequantized. */
void model_output_scores(const uint8_t *arena, float *scores);

/* "inference T K NAME": T ms of audio at the window's end, K the argmax (first on ties). */
void model_output_print_inference(const float *scores, int32_t time_ms);

/* NAME then the decimal value, no newline (for the summary line). */
void model_output_print_count(const char *name, long value);

#endif
