/* Keyword spotting on a recording: the application of the cortex-m target, split as TFLite
 * Micro's micro_speech (audio provider -> feature provider -> model -> command recognizer ->
 * command responder). Under QEMU:
 *
 *   qemu-system-arm -M BOARD -nographic -semihosting-config enable=on,target=native \
 *       -kernel build/fw.elf \
 *       -append "[--trace] [--stack] [--codes FILE] [--scores FILE] [--count STAGE] WAV"
 *
 * WAV: 16 kHz mono 16-bit PCM, any length (or headerless raw PCM named *.pcm or *.raw), read hop
 *    by hop (125 samples, 7.8125 ms).
 * Every KWS_VQ_BLOCK_T hops give a row of codes; once KWS_CODE_ROWS rows (1 s) have arrived, the
 * model runs on the last 1 s every KWS_INFERENCE_HOP_ROWS rows, and the recognizer decides.
 * --trace: prints "inference T K NAME" for each inference (T: ms of audio at the window's end,
 *    K the argmax of the scores, first one on ties).
 * --codes FILE: writes every row of codes as it is produced (uint8, KWS_CODE_COLS per row).
 * --scores FILE: writes the scores the recognizer gets from each inference (float32,
 *    MODEL_NUM_LABELS per inference).
 * --stack: prints "stack N", the stack bytes in use at the deepest point of the whole run.
 * --count STAGE: brackets each call of STAGE (frontend: one hop of the front end; vq: one row of
 *    the VQ encoder; network: one inference, the input written beforehand) with
 *    lkws_marker_begin/end, for the instruction counter (qemu_plugin/). Nothing else is counted.
 * Prints "detected NAME at T ms (score S)" for each command, then
 * "summary hops H rows R inferences N detections D".
 * Exit status: 0; 64 usage, 65 not a usable WAV, 66 unreadable input, 73 unwritable output,
 * 70 fault, 1..63 a failing model op. */
#include <stddef.h>
#include <stdint.h>

#include "audio_provider.h"
#include "board.h"
#include "command_recognizer.h"
#include "command_responder.h"
#include "console.h"
#include "feature_provider.h"
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

enum stage { STAGE_NONE, STAGE_FRONTEND, STAGE_VQ, STAGE_NETWORK };

/* All working memory is static, sized by the generator: no heap. */
static uint8_t arena[MODEL_ARENA_BYTES > 0 ? MODEL_ARENA_BYTES : 16] __attribute__((aligned(16)));
static feature_provider features;
static command_recognizer recognizer;
static audio_provider audio;
static int16_t hop[LKWS_FE_HOP];
static float scores[MODEL_NUM_LABELS];
static char command_line[1024];

int main(void)
{
    char *argv[MAX_ARGS];
    const char *wav = NULL;
    const char *codes_path = NULL;
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
        } else if (lkws_sh_streq(argv[a], "--codes") && a + 1 < argc) {
            codes_path = argv[++a];
        } else if (lkws_sh_streq(argv[a], "--scores") && a + 1 < argc) {
            scores_path = argv[++a];
        } else if (lkws_sh_streq(argv[a], "--count") && a + 1 < argc) {
            a++;
            counted = lkws_sh_streq(argv[a], "frontend")  ? STAGE_FRONTEND
                      : lkws_sh_streq(argv[a], "vq")      ? STAGE_VQ
                      : lkws_sh_streq(argv[a], "network") ? STAGE_NETWORK
                                                          : STAGE_NONE;
            if (counted == STAGE_NONE) {
                return lkws_console_fail(EXIT_USAGE, "--count takes frontend, vq or network, not", argv[a]);
            }
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            return lkws_console_fail(EXIT_USAGE, "unknown option or missing value:", argv[a]);
        } else if (wav == NULL) {
            wav = argv[a];
        } else {
            return lkws_console_fail(EXIT_USAGE, "one recording only; also got", argv[a]);
        }
    }
    if (wav == NULL) {
        lkws_console_eprint("usage: fw.elf [--trace] [--stack] [--codes FILE] [--scores FILE] "
                       "[--count frontend|vq|network] WAV\n");
        return EXIT_USAGE;
    }

    if (stack) {
        lkws_stack_paint();
    }
    const char *why = NULL;
    int opened = audio_provider_open(&audio, wav, &why);
    if (opened != 0) {
        return lkws_console_fail(opened == -1 ? EXIT_NO_INPUT : EXIT_DATA, why, wav);
    }
    int codes_handle = -1, scores_handle = -1;
    if (codes_path != NULL && (codes_handle = lkws_sh_open(codes_path, LKWS_SH_MODE_WRITE_BINARY)) < 0) {
        return lkws_console_fail(EXIT_CANT_CREATE, "cannot create", codes_path);
    }
    if (scores_path != NULL && (scores_handle = lkws_sh_open(scores_path, LKWS_SH_MODE_WRITE_BINARY)) < 0) {
        return lkws_console_fail(EXIT_CANT_CREATE, "cannot create", scores_path);
    }

    feature_provider_reset(&features);
    command_recognizer_reset(&recognizer);
    long hops = 0, inferences = 0, detections = 0;
    int32_t rows_since_inference = 0;
    while (audio_provider_read_hop(&audio, hop)) {
        hops++;
        if (counted == STAGE_FRONTEND) {
            lkws_marker_begin();
        }
        int block_complete = feature_provider_push_hop(&features, hop);
        if (counted == STAGE_FRONTEND) {
            lkws_marker_end();
        }
        if (!block_complete) {
            continue;
        }
        if (counted == STAGE_VQ) {
            lkws_marker_begin();
        }
        feature_provider_encode_row(&features);
        if (counted == STAGE_VQ) {
            lkws_marker_end();
        }
        if (codes_handle >= 0) {
            uint8_t row[KWS_CODE_COLS];
            feature_provider_row(&features, 0, row);
            if (lkws_sh_write(codes_handle, row, sizeof row) != 0) {
                return lkws_console_fail(EXIT_CANT_CREATE, "cannot write", codes_path);
            }
        }
        rows_since_inference++;
        if (!feature_provider_window_ready(&features) ||
            (inferences > 0 && rows_since_inference < KWS_INFERENCE_HOP_ROWS)) {
            continue;
        }
        rows_since_inference = 0;
        /* The plan may reuse the input's bytes: write it before every call. */
        feature_provider_write_input(&features, model_input(arena, 0));
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
        int32_t time_ms = (int32_t)((int64_t)audio.samples * 1000 / LKWS_FE_SAMPLE_RATE);
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
    audio_provider_close(&audio);
    if (codes_handle >= 0) {
        (void)lkws_sh_close(codes_handle);
    }
    if (scores_handle >= 0) {
        (void)lkws_sh_close(scores_handle);
    }
    model_output_print_count("summary hops ", hops);
    model_output_print_count(" rows ", (long)features.rows);
    model_output_print_count(" inferences ", inferences);
    model_output_print_count(" detections ", detections);
    lkws_console_print("\n");
    if (stack) {
        model_output_print_count("stack ", (long)lkws_stack_peak());
        lkws_console_print("\n");
    }
    return 0;
}
