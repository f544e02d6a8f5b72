/* The code-frame front door (front_door.h) of an EnCodec run's firmware: code frames computed
 * elsewhere (the codec's encoder does not fit a microcontroller) through the code source into the
 * code-frame provider's ring.
 *
 * INPUT (CODES): little-endian uint16 codes [frames, KWS_CODEBOOKS], any number of frames, read
 * frame by frame (KWS_FRAME_RATE_HZ frames per second of audio). Once KWS_FRAMES frames (1 s) have
 * arrived, the model runs on the last 1 s every KWS_INFERENCE_HOP_FRAMES frames. On a board
 * without a host the frames come from code_frames_push() (code_source.h) and CODES names nothing.
 * --count frame: storing one frame in the ring; --count input: writing the window into the
 * model's input. The codec's encoder is not here, so no count includes it. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "code_frame_provider.h"
#include "code_source.h"
#include "console.h"
#include "front_door.h"
#include "kws_settings.h"
#include "model_output.h"
#include "semihost.h"

#define STAGE_FRAME FRONT_DOOR_STAGE_OWN
#define STAGE_INPUT (FRONT_DOOR_STAGE_OWN + 1)

const char front_door_usage[] =
    "usage: fw.elf [--trace] [--stack] [--scores FILE] [--count frame|input|network] CODES\n";
const char front_door_count_error[] =
    "--count takes frame, input or network (the codec's encoder does not run here), not";
const char front_door_extra_input_error[] = "one codes file only; also got";

static code_source source;
static code_frame_provider frames;
static uint16_t frame[KWS_CODEBOOKS];
static const char *codes = NULL;
static int32_t frames_since_inference = 0;

int front_door_stage(const char *name)
{
    return lkws_sh_streq(name, "frame")     ? STAGE_FRAME
           : lkws_sh_streq(name, "input")   ? STAGE_INPUT
           : lkws_sh_streq(name, "network") ? FRONT_DOOR_STAGE_NETWORK
                                            : FRONT_DOOR_STAGE_NONE;
}

int front_door_option(int argc, char **argv, int *a)
{
    (void)argc;
    (void)argv;
    (void)a;
    return 0;
}

int front_door_open(const char *input)
{
    const char *why = NULL;
    int opened = code_source_open(&source, input, &why);
    if (opened != 0) {
        return lkws_console_fail(opened == -1 ? EXIT_NO_INPUT : EXIT_DATA, why, input);
    }
    codes = input;
    code_frame_provider_reset(&frames);
    return 0;
}

int front_door_step(int counted, int32_t *model_input, long inferences)
{
    int got = code_source_read_frame(&source, frame);
    if (got < 0) {
        code_source_close(&source);
        return -lkws_console_fail(EXIT_NO_INPUT, "cannot read", codes);
    }
    if (got != 1) {
        return FRONT_DOOR_END;
    }
    if (counted == STAGE_FRAME) {
        lkws_marker_begin();
    }
    int pushed = code_frame_provider_push(&frames, frame);
    if (counted == STAGE_FRAME) {
        lkws_marker_end();
    }
    if (pushed != 0) {
        return -lkws_console_fail(EXIT_DATA, "codes file: a code does not fit in " KWS_CODE_BITS_TEXT " bits:",
                                  codes);
    }
    frames_since_inference++;
    if (!code_frame_provider_window_ready(&frames) ||
        (inferences > 0 && frames_since_inference < KWS_INFERENCE_HOP_FRAMES)) {
        return FRONT_DOOR_MORE;
    }
    frames_since_inference = 0;
    if (counted == STAGE_INPUT) {
        lkws_marker_begin();
    }
    code_frame_provider_write_input(&frames, model_input);
    if (counted == STAGE_INPUT) {
        lkws_marker_end();
    }
    return FRONT_DOOR_RUN;
}

int32_t front_door_time_ms(void)
{
    return (int32_t)((int64_t)frames.frames * 1000 / KWS_FRAME_RATE_HZ);
}

void front_door_close(void)
{
    code_source_close(&source);
}

void front_door_print_summary(void)
{
    model_output_print_count("summary frames ", (long)frames.frames);
}
