/* Host harness of a lossykws project: the desktop emulator of the firmware's model.
 *
 * usage: ./model [--dump DIR] [--output FILE] INPUT0.bin [INPUT1.bin ...]
 *   Each INPUTi.bin holds input i's raw little-endian bytes (model_input_bytes(i) of them, the
 *   element type and shape in model_settings.h). Prints output 0's scores and the label (argmax).
 *   --dump DIR writes every op's output tensor as DIR/t<tensor index>.bin (raw bytes); DIR is
 *   created if missing (its parent must exist).
 *   --output FILE writes output 0's raw bytes.
 *   --repeat N runs the model N times and prints "time_per_inference_us X" (CPU time).
 * Exit status: 0 ok, 1 bad usage or input, 2 model error. */
#if defined(__unix__) || defined(__APPLE__)
#define _POSIX_C_SOURCE 200809L
#include <sys/stat.h>
#include <sys/types.h>
#define LKWS_HAVE_MKDIR 1
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "model_settings.h"

typedef struct {
    const char *dir;
    int failed;
} dump_state;

static void dump_tensor(void *user, int op_index, int tensor_index, const void *data, size_t bytes)
{
    dump_state *st = (dump_state *)user;
    char path[4096];
    (void)op_index;
    snprintf(path, sizeof path, "%s/t%d.bin", st->dir, tensor_index);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, bytes, f) != bytes) {
        st->failed = 1;
    }
    if (f != NULL) {
        fclose(f);
    }
}

static int read_input(const char *path, void *dst, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return 1;
    }
    size_t got = fread(dst, 1, bytes, f);
    int extra = fgetc(f);
    fclose(f);
    if (got != bytes || extra != EOF) {
        fprintf(stderr, "%s: expected exactly %lu bytes\n", path, (unsigned long)bytes);
        return 1;
    }
    return 0;
}

static double output_score(const uint8_t *arena, int k)
{
#if defined(MODEL_OUTPUT_0_TYPE_FLOAT32)
    return ((const float *)model_output(arena, 0))[k];
#elif defined(MODEL_OUTPUT_0_TYPE_INT8) && defined(MODEL_OUTPUT_0_SCALE)
    const int8_t q = ((const int8_t *)model_output(arena, 0))[k];
    return ((double)q - MODEL_OUTPUT_0_ZERO_POINT) * MODEL_OUTPUT_0_SCALE;
#elif defined(MODEL_OUTPUT_0_TYPE_INT8)
    return ((const int8_t *)model_output(arena, 0))[k];
#elif defined(MODEL_OUTPUT_0_TYPE_INT32)
    return ((const int32_t *)model_output(arena, 0))[k];
#else
    (void)arena;
    (void)k;
    return 0.0;
#endif
}

int main(int argc, char **argv)
{
    const char *dump_dir = NULL;
    const char *output_path = NULL;
    long repeat = 0;
    int first = 1;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--dump") == 0 && first + 1 < argc) {
            dump_dir = argv[first + 1];
            first += 2;
        } else if (strcmp(argv[first], "--repeat") == 0 && first + 1 < argc) {
            repeat = strtol(argv[first + 1], NULL, 10);
            first += 2;
        } else if (strcmp(argv[first], "--output") == 0 && first + 1 < argc) {
            output_path = argv[first + 1];
            first += 2;
        } else {
            fprintf(stderr, "usage: %s [--dump DIR] [--output FILE] [--repeat N] INPUT0.bin ...\n", argv[0]);
            return 1;
        }
    }
    if (argc - first != MODEL_NUM_INPUTS) {
        fprintf(stderr, "usage: %s [--dump DIR] [--output FILE] INPUT0.bin ... (%d inputs)\n", argv[0], MODEL_NUM_INPUTS);
        return 1;
    }
    /* The harness allocates the arena so that AddressSanitizer sees its exact bounds; the model
     * itself never allocates. */
    uint8_t *arena = (uint8_t *)malloc(MODEL_ARENA_BYTES);
    if (arena == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(arena, 0, MODEL_ARENA_BYTES);
    for (int i = 0; i < MODEL_NUM_INPUTS; ++i) {
        if (read_input(argv[first + i], model_input(arena, i), model_input_bytes(i)) != 0) {
            free(arena);
            return 1;
        }
    }
#ifdef LKWS_HAVE_MKDIR
    if (dump_dir != NULL) {
        (void)mkdir(dump_dir, 0777); /* an existing folder is fine; a failure shows at the first write */
    }
#endif
    dump_state st = {dump_dir, 0};
    int rc = model_invoke(arena, dump_dir != NULL ? dump_tensor : NULL, &st);
    if (rc != 0) {
        fprintf(stderr, "model_invoke failed at op %d\n", rc - 1);
        free(arena);
        return 2;
    }
    if (st.failed) {
        fprintf(stderr, "%s: cannot write tensors\n", dump_dir);
        free(arena);
        return 1;
    }
    if (repeat > 0) {
        /* The arena plan reuses an input's bytes after its last reader, so every run writes the
         * inputs again (a copy of a few KiB, small against an inference). */
        size_t total = 0;
        for (int i = 0; i < MODEL_NUM_INPUTS; ++i) {
            total += model_input_bytes(i);
        }
        uint8_t *saved = (uint8_t *)malloc(total > 0 ? total : 1);
        if (saved == NULL) {
            free(arena);
            return 1;
        }
        for (int i = 0, at = 0; i < MODEL_NUM_INPUTS; at += (int)model_input_bytes(i), ++i) {
            if (read_input(argv[first + i], saved + at, model_input_bytes(i)) != 0) {
                free(saved);
                free(arena);
                return 1;
            }
        }
        const clock_t start = clock();
        for (long r = 0; r < repeat && rc == 0; ++r) {
            for (int i = 0, at = 0; i < MODEL_NUM_INPUTS; at += (int)model_input_bytes(i), ++i) {
                memcpy(model_input(arena, i), saved + at, model_input_bytes(i));
            }
            rc = model_invoke(arena, NULL, NULL);
        }
        free(saved);
        const double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
        printf("time_per_inference_us %.3f\n", 1e6 * seconds / (double)repeat);
    }
    if (rc != 0) {
        fprintf(stderr, "model_invoke failed at op %d\n", rc - 1);
        free(arena);
        return 2;
    }
    if (output_path != NULL) {
        FILE *f = fopen(output_path, "wb");
        if (f == NULL || fwrite(model_output(arena, 0), 1, model_output_bytes(0), f) != model_output_bytes(0)) {
            fprintf(stderr, "%s: cannot write\n", output_path);
            if (f != NULL) {
                fclose(f);
            }
            free(arena);
            return 1;
        }
        fclose(f);
    }
    static const char *const labels[MODEL_NUM_LABELS] = MODEL_LABELS;
    int best = 0;
    for (int k = 0; k < MODEL_NUM_LABELS; ++k) {
        const double s = output_score(arena, k);
        printf("score %d %s %.9g\n", k, labels[k], s);
        if (s > output_score(arena, best)) {
            best = k;
        }
    }
    printf("label %d %s\n", best, labels[best]);
    free(arena);
    return 0;
}
