/* The audio front door (front_door.h) of a VQ run's firmware: a recording, hop by hop, through
 * the audio provider, the front end and the VQ encoder (feature provider) into rows of codes.
 *
 * INPUT (WAV): 16 kHz mono 16-bit PCM, any length (or headerless raw PCM named *.pcm or *.raw),
 * read hop by hop (125 samples, 7.8125 ms). Every KWS_VQ_BLOCK_T hops give a row of codes; once
 * KWS_CODE_ROWS rows (1 s) have arrived, the model runs on the last 1 s every
 * KWS_INFERENCE_HOP_ROWS rows.
 * --codes FILE: writes every row of codes as it is produced (uint8, KWS_CODE_COLS per row).
 * --count frontend: one hop of the front end; --count vq: one row of the VQ encoder. */
#include <stddef.h>
#include <stdint.h>

#include "audio_provider.h"
#include "board.h"
#include "console.h"
#include "feature_provider.h"
#include "front_door.h"
#include "kws_settings.h"
#include "model_output.h"
#include "semihost.h"

#define STAGE_FRONTEND FRONT_DOOR_STAGE_OWN
#define STAGE_VQ (FRONT_DOOR_STAGE_OWN + 1)

const char front_door_usage[] =
    "usage: fw.elf [--trace] [--stack] [--codes FILE] [--scores FILE] [--count frontend|vq|network] WAV\n";
const char front_door_count_error[] = "--count takes frontend, vq or network, not";
const char front_door_extra_input_error[] = "one recording only; also got";

static audio_provider audio;
static feature_provider features;
static int16_t hop[LKWS_FE_HOP];
static const char *codes_path = NULL;
static int codes_handle = -1;
static long hops = 0;
static int32_t rows_since_inference = 0;

int front_door_stage(const char *name)
{
    return lkws_sh_streq(name, "frontend")  ? STAGE_FRONTEND
           : lkws_sh_streq(name, "vq")      ? STAGE_VQ
           : lkws_sh_streq(name, "network") ? FRONT_DOOR_STAGE_NETWORK
                                            : FRONT_DOOR_STAGE_NONE;
}

int front_door_option(int argc, char **argv, int *a)
{
    if (lkws_sh_streq(argv[*a], "--codes") && *a + 1 < argc) {
        codes_path = argv[++*a];
        return 1;
    }
    return 0;
}

int front_door_open(const char *input)
{
    const char *why = NULL;
    int opened = audio_provider_open(&audio, input, &why);
    if (opened != 0) {
        return lkws_console_fail(opened == -1 ? EXIT_NO_INPUT : EXIT_DATA, why, input);
    }
    if (codes_path != NULL && (codes_handle = lkws_sh_open(codes_path, LKWS_SH_MODE_WRITE_BINARY)) < 0) {
        return lkws_console_fail(EXIT_CANT_CREATE, "cannot create", codes_path);
    }
    feature_provider_reset(&features);
    return 0;
}

int front_door_step(int counted, int32_t *model_input, long inferences)
{
    if (!audio_provider_read_hop(&audio, hop)) {
        return FRONT_DOOR_END;
    }
    hops++;
    if (counted == STAGE_FRONTEND) {
        lkws_marker_begin();
    }
    int block_complete = feature_provider_push_hop(&features, hop);
    if (counted == STAGE_FRONTEND) {
        lkws_marker_end();
    }
    if (!block_complete) {
        return FRONT_DOOR_MORE;
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
            return -lkws_console_fail(EXIT_CANT_CREATE, "cannot write", codes_path);
        }
    }
    rows_since_inference++;
    if (!feature_provider_window_ready(&features) ||
        (inferences > 0 && rows_since_inference < KWS_INFERENCE_HOP_ROWS)) {
        return FRONT_DOOR_MORE;
    }
    rows_since_inference = 0;
    feature_provider_write_input(&features, model_input);
    return FRONT_DOOR_RUN;
}

int32_t front_door_time_ms(void)
{
    return (int32_t)((int64_t)audio.samples * 1000 / LKWS_FE_SAMPLE_RATE);
}

void front_door_close(void)
{
    audio_provider_close(&audio);
    if (codes_handle >= 0) {
        (void)lkws_sh_close(codes_handle);
    }
}

void front_door_print_summary(void)
{
    model_output_print_count("summary hops ", hops);
    model_output_print_count(" rows ", (long)features.rows);
}
