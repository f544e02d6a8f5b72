/* Keyword spotting on EnCodec code frames: the application of the cortex-m target for an EnCodec
 * run, split as TFLite Micro's micro_speech with the audio and feature providers replaced by a
 * code source and a code-frame provider (the codec's encoder does not fit a microcontroller; it
 * runs elsewhere and its codes arrive here frame by frame). Under QEMU:
 *
 *   qemu-system-arm -M BOARD -nographic -semihosting-config enable=on,target=native \
 *       -kernel build/fw.elf -append "[--trace] [--stack] [--scores FILE] [--count STAGE] CODES"
 *
 * CODES: little-endian uint16 codes [frames, KWS_CODEBOOKS], any number of frames, read frame by
 * frame (KWS_FRAME_RATE_HZ frames per second of audio). Once KWS_FRAMES frames (1 s) have
 * arrived, the model runs on the last 1 s every KWS_INFERENCE_HOP_FRAMES frames, and the
 * recognizer decides. On a board without a host the frames come from code_frames_push()
 * (code_source.h) and CODES names nothing.
 * --trace: prints "inference T K NAME" for each inference (T: ms of audio at the window's end,
 *    K the argmax of the scores, first one on ties).
 * --scores FILE: writes the scores the recognizer gets from each inference (float32,
 *    MODEL_NUM_LABELS per inference).
 * --stack: prints "stack N", the stack bytes in use at the deepest point of the whole run.
 * --count STAGE: brackets each call of STAGE (frame: storing one frame in the ring; input: writing
 *    the window into the model's input; network: one inference, the input written beforehand)
 *    with lkws_marker_begin/end, for the instruction counter (qemu_plugin/). Nothing else is
 *    counted; the codec's encoder is not here, so no count includes it.
 * Prints "detected NAME at T ms (score S)" for each command, then
 * "summary frames F inferences N detections D".
 * Exit status: 0; 64 usage, 65 not a usable codes file, 66 unreadable input, 73 unwritable output,
 * 1..63 a failing model op. */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "code_frame_provider.h"
#include "code_source.h"
#include "command_recognizer.h"
#include "command_responder.h"
#include "console.h"
#include "kws_settings.h"
#include "model.h"
#include "model_output.h"
#include "model_settings.h"
#include "semihost.h"

#define EXIT_USAGE 64
#define EXIT_DATA 65
#define EXIT_NO_INPUT 66
#define EXIT_CANT_CREATE 73
#define MAX_ARGS 16

enum stage { STAGE_NONE, STAGE_FRAME, STAGE_INPUT, STAGE_NETWORK };

/* All working memory is static, sized by the generator: no heap. */
static uint8_t arena[MODEL_ARENA_BYTES > 0 ? MODEL_ARENA_BYTES : 16] __attribute__((aligned(16)));
static code_frame_provider frames;
static command_recognizer recognizer;
static code_source source;
static uint16_t frame[KWS_CODEBOOKS];
static float scores[MODEL_NUM_LABELS];
static char command_line[1024];

int main(void)
{
    char *argv[MAX_ARGS];
    const char *codes = NULL;
    const char *scores_path = NULL;
    enum stage counted = STAGE_NONE;
    int trace = 0;
    int stack = 0;

    if (lkws_console_command_line(command_line, sizeof command_line) != 0) {
        return lkws_console_fail(EXIT_USAGE, "command line longer than", "1023 bytes");
    }
    int argc = lkws_sh_split_args(command_line, argv, MAX_ARGS);
    for (int a = 1; a < argc; a++) {
        if (lkws_sh_streq(argv[a], "--trace")) {
            trace = 1;
        } else if (lkws_sh_streq(argv[a], "--stack")) {
            stack = 1;
        } else if (lkws_sh_streq(argv[a], "--scores") && a + 1 < argc) {
            scores_path = argv[++a];
        } else if (lkws_sh_streq(argv[a], "--count") && a + 1 < argc) {
            a++;
            counted = lkws_sh_streq(argv[a], "frame")     ? STAGE_FRAME
                      : lkws_sh_streq(argv[a], "input")   ? STAGE_INPUT
                      : lkws_sh_streq(argv[a], "network") ? STAGE_NETWORK
                                                          : STAGE_NONE;
            if (counted == STAGE_NONE) {
                return lkws_console_fail(EXIT_USAGE,
                                         "--count takes frame, input or network (the codec's encoder does not "
                                         "run here), not",
                                         argv[a]);
            }
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            return lkws_console_fail(EXIT_USAGE, "unknown option or missing value:", argv[a]);
        } else if (codes == NULL) {
            codes = argv[a];
        } else {
            return lkws_console_fail(EXIT_USAGE, "one codes file only; also got", argv[a]);
        }
    }
    if (codes == NULL) {
        lkws_console_eprint("usage: fw.elf [--trace] [--stack] [--scores FILE] [--count frame|input|network] "
                            "CODES\n");
        return EXIT_USAGE;
    }

    if (stack) {
        lkws_stack_paint();
    }
    const char *why = NULL;
    int opened = code_source_open(&source, codes, &why);
    if (opened != 0) {
        return lkws_console_fail(opened == -1 ? EXIT_NO_INPUT : EXIT_DATA, why, codes);
    }
    int scores_handle = -1;
    if (scores_path != NULL && (scores_handle = lkws_sh_open(scores_path, LKWS_SH_MODE_WRITE_BINARY)) < 0) {
        return lkws_console_fail(EXIT_CANT_CREATE, "cannot create", scores_path);
    }

    code_frame_provider_reset(&frames);
    command_recognizer_reset(&recognizer);
    long inferences = 0, detections = 0;
    int32_t frames_since_inference = 0;
    int got;
    while ((got = code_source_read_frame(&source, frame)) == 1) {
        if (counted == STAGE_FRAME) {
            lkws_marker_begin();
        }
        int pushed = code_frame_provider_push(&frames, frame);
        if (counted == STAGE_FRAME) {
            lkws_marker_end();
        }
        if (pushed != 0) {
            return lkws_console_fail(EXIT_DATA, "codes file: a code does not fit in " KWS_CODE_BITS_TEXT " bits:",
                                     codes);
        }
        frames_since_inference++;
        if (!code_frame_provider_window_ready(&frames) ||
            (inferences > 0 && frames_since_inference < KWS_INFERENCE_HOP_FRAMES)) {
            continue;
        }
        frames_since_inference = 0;
        /* The plan may reuse the input's bytes: write it before every call. */
        if (counted == STAGE_INPUT) {
            lkws_marker_begin();
        }
        code_frame_provider_write_input(&frames, model_input(arena, 0));
        if (counted == STAGE_INPUT) {
            lkws_marker_end();
        }
        if (counted == STAGE_NETWORK) {
            lkws_marker_begin();
        }
        int status = model_invoke(arena, NULL, NULL);
        if (counted == STAGE_NETWORK) {
            lkws_marker_end();
        }
        if (status != 0) {
            return lkws_console_fail(status < EXIT_USAGE ? status : EXIT_USAGE - 1, "model_invoke failed", NULL);
        }
        inferences++;
        int32_t time_ms = (int32_t)((int64_t)frames.frames * 1000 / KWS_FRAME_RATE_HZ);
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
    code_source_close(&source);
    if (got < 0) {
        return lkws_console_fail(EXIT_NO_INPUT, "cannot read", codes);
    }
    if (scores_handle >= 0) {
        (void)lkws_sh_close(scores_handle);
    }
    model_output_print_count("summary frames ", (long)frames.frames);
    model_output_print_count(" inferences ", inferences);
    model_output_print_count(" detections ", detections);
    lkws_console_print("\n");
    if (stack) {
        model_output_print_count("stack ", (long)lkws_stack_peak());
        lkws_console_print("\n");
    }
    return 0;
}
