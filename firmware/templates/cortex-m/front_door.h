/* The application's front door: where the model's input comes from. main.c (the loop, the
 * recognizer, the responder, the options every firmware has) is shared; a project holds one door:
 *   front_door_audio.c  recordings -> audio provider -> front end + VQ encoder -> rows of codes
 *                       (a VQ run's firmware);
 *   front_door_codes.c  code frames computed elsewhere -> a ring of the last 1 s (an EnCodec run's
 *                       firmware: the codec's encoder does not fit a microcontroller).
 * A door keeps its state in static storage (no heap) and brackets its own --count stages with
 * lkws_marker_begin/end; main.c brackets the network. */
#ifndef FRONT_DOOR_H
#define FRONT_DOOR_H

#include <stdint.h>

#define EXIT_USAGE 64
#define EXIT_DATA 65
#define EXIT_NO_INPUT 66
#define EXIT_CANT_CREATE 73

/* --count stages: none, main's network, and the door's own (>= FRONT_DOOR_STAGE_OWN). */
#define FRONT_DOOR_STAGE_NONE 0
#define FRONT_DOOR_STAGE_NETWORK 1
#define FRONT_DOOR_STAGE_OWN 2

/* What front_door_step did (a negative value: -exit status, the error already reported). */
#define FRONT_DOOR_END 0  /* no more input */
#define FRONT_DOOR_MORE 1 /* input taken; the model does not run yet */
#define FRONT_DOOR_RUN 2  /* the model's input is written: run it now */

/* The usage line, and the error lines of an unknown --count stage and of a second input. */
extern const char front_door_usage[];
extern const char front_door_count_error[];
extern const char front_door_extra_input_error[];

/* The door's stage called `name`, FRONT_DOOR_STAGE_NETWORK for "network", or NONE. */
int front_door_stage(const char *name);

/* argv[*a] is the door's own option: take it (and its value, advancing *a) and return 1; else 0. */
int front_door_option(int argc, char **argv, int *a);

/* Open the input named on the command line; 0 or an exit status, reported. */
int front_door_open(const char *input);

/* Take the next piece of input (bracketing the door's stage `counted`); write the model's input
 * and return FRONT_DOOR_RUN when it is time to run it (`inferences` run so far). */
int front_door_step(int counted, int32_t *model_input, long inferences);

/* Milliseconds of audio at the end of the window the model last saw. */
int32_t front_door_time_ms(void);

/* Close the input. */
void front_door_close(void);

/* The summary line's first counts ("summary hops H rows R" or "summary frames F"), no newline. */
void front_door_print_summary(void);

#endif
