/* Keyword spotting: the application of the cortex-m target, split as TFLite Micro's micro_speech
 * (input -> model -> command recognizer -> command responder). The input side is the project's
 * front door (front_door.h): recordings through the audio and feature providers (a VQ run,
 * front_door_audio.c), or code frames computed elsewhere (an EnCodec run, front_door_codes.c).
 * Under QEMU:
 *
 *   qemu-system-arm -M BOARD -nographic -semihosting-config enable=on,target=native \
 *       -kernel build/fw.elf -append "[--trace] [--stack] [--scores FILE] [--count STAGE] INPUT"
 *
 * INPUT: a recording (WAV) or a codes file, as the front door reads it; once the door has 1 s of
 * input, the model runs on the last 1 s at the door's hop, and the recognizer decides.
 * --trace: prints "inference T K NAME" for each inference (T: ms of audio at the window's end,
 *    K the argmax of the scores, first one on ties).
 * --scores FILE: writes the scores the recognizer gets from each inference (float32,
 *    MODEL_NUM_LABELS per inference).
 * --stack: prints "stack N", the stack bytes in use at the deepest point of the whole run.
 * --count STAGE: brackets each call of STAGE (network: one inference, the input written
 *    beforehand; or one of the door's stages) with lkws_marker_begin/end, for the instruction
 *    counter (qemu_plugin/). Nothing else is counted.
 * The door's own options (the audio door: --codes FILE) are in its file.
 * Prints "detected NAME at T ms (score S)" for each command, then the summary line (the door's
 * counts, then "inferences N detections D").
 * Exit status: 0; 64 usage, 65 unusable input, 66 unreadable input, 73 unwritable output,
 * 70 fault, 1..63 a failing model op. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "command_recognizer.h"
#include "command_responder.h"
#include "console.h"
#include "front_door.h"
#include "kws_settings.h"
#include "model.h"
#include "model_output.h"
#include "model_settings.h"
#include "semihost.h"

#define MAX_ARGS 16

/* All working memory is static, sized by the generator: no heap. */
static uint8_t arena[MODEL_ARENA_BYTES > 0 ? MODEL_ARENA_BYTES : 16] __attribute__((aligned(16)));
static command_recognizer recognizer;
static float scores[MODEL_NUM_LABELS];
static char command_line[1024];

int main(void)
{
    char *argv[MAX_ARGS];
    const char *input = NULL;
    const char *scores_path = NULL;
    int counted = FRONT_DOOR_STAGE_NONE;
    int trace = 0;
    int stack = 0;

    if (lkws_console_command_line(command_line, sizeof command_line) != 0) {
        return lkws_console_fail(EXIT_USAGE, "command line longer than", "1023 bytes");
    }
    int argc = lkws_sh_split_args(command_line, argv, MAX_ARGS);
    for (int a = 1; a < argc; a++) {
        if (front_door_option(argc, argv, &a)) {
            continue;
        }
        if (lkws_sh_streq(argv[a], "--trace")) {
            trace = 1;
        } else if (lkws_sh_streq(argv[a], "--stack")) {
            stack = 1;
        } else if (lkws_sh_streq(argv[a], "--scores") && a + 1 < argc) {
            scores_path = argv[++a];
        } else if (lkws_sh_streq(argv[a], "--count") && a + 1 < argc) {
            a++;
            counted = front_door_stage(argv[a]);
            if (counted == FRONT_DOOR_STAGE_NONE) {
                return lkws_console_fail(EXIT_USAGE, front_door_count_error, argv[a]);
            }
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            return lkws_console_fail(EXIT_USAGE, "unknown option or missing value:", argv[a]);
        } else if (input == NULL) {
            input = argv[a];
        } else {
            return lkws_console_fail(EXIT_USAGE, front_door_extra_input_error, argv[a]);
        }
    }
    if (input == NULL) {
        lkws_console_eprint(front_door_usage);
        return EXIT_USAGE;
    }

    if (stack) {
        lkws_stack_paint();
    }
    int opened = front_door_open(input);
    if (opened != 0) {
        return opened;
    }
    int scores_handle = -1;
    if (scores_path != NULL && (scores_handle = lkws_sh_open(scores_path, LKWS_SH_MODE_WRITE_BINARY)) < 0) {
        return lkws_console_fail(EXIT_CANT_CREATE, "cannot create", scores_path);
    }

    command_recognizer_reset(&recognizer);
    long inferences = 0, detections = 0;
    int step;
    while ((step = front_door_step(counted, model_input(arena, 0), inferences)) != FRONT_DOOR_END) {
        if (step < 0) {
            return -step;
        }
        if (step != FRONT_DOOR_RUN) {
            continue;
        }
        /* The door wrote the model's input just now: the plan may reuse its bytes between calls. */
        if (counted == FRONT_DOOR_STAGE_NETWORK) {
            lkws_marker_begin();
        }
        int status = model_invoke(arena, NULL, NULL);
        if (counted == FRONT_DOOR_STAGE_NETWORK) {
            lkws_marker_end();
        }
        if (status != 0) {
            return lkws_console_fail(status < EXIT_USAGE ? status : EXIT_USAGE - 1, "model_invoke failed", NULL);
        }
        inferences++;
        int32_t time_ms = front_door_time_ms();
        model_output_scores(arena, scores);
        if (trace) {
            model_output_print_inference(scores, time_ms);
        }
        if (scores_handle >= 0 && lkws_sh_write(scores_handle, scores, sizeof scores) != 0) {
            return lkws_console_fail(EXIT_CANT_CREATE, "cannot write", scores_path);
        }
        int32_t label;
        float score;
        if (command_recognizer_process(&recognizer, scores, time_ms, &label, &score)) {
            detections++;
            command_responder_respond(time_ms, label, score);
        }
    }
    front_door_close();
    if (scores_handle >= 0) {
        (void)lkws_sh_close(scores_handle);
    }
    front_door_print_summary();
    model_output_print_count(" inferences ", inferences);
    model_output_print_count(" detections ", detections);
    lkws_console_print("\n");
    if (stack) {
        model_output_print_count("stack ", (long)lkws_stack_peak());
        lkws_console_print("\n");
    }
    return 0;
}
