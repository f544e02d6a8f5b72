/* qemu-m4 harness: runs the generated model once on mps2-an386 under QEMU.
 *
 *   qemu-system-arm -M mps2-an386 -nographic -semihosting-config enable=on,target=native \
 *       -kernel fw.elf -append "[--dump DIR] [--output FILE] [--outputs DIR] [--op-counts] INPUT..."
 *
 * The options of the host harness, plus --outputs:
 * INPUT: one raw file per model input (model_input_bytes(i) bytes, in the tensor's layout).
 * --output FILE: writes output 0's raw bytes.
 * --outputs DIR: writes DIR/output<i>.bin for every model output.
 * --dump DIR: runs the model a second time with an observer and writes every tensor it reports
 *    to DIR/t<t>.bin (t: the tensor index in the flatbuffer), for parity checks.
 * --op-counts: runs the model once more, closing and reopening the marker brackets in an observer
 *    after each op, so that the counter reports one bracket per op (each including the ~15
 *    instructions of the observer call), then one for the return.
 * --stack: prints "stack N": the stack bytes in use at the deepest point of the counted model call
 *    (main's frame and the model's; the stack reserve is STACK_BYTES in the linker script).
 * Prints "label K NAME", K the argmax of output 0 (first one on ties), like the host harness.
 * Paths are host paths, relative to QEMU's working directory, without spaces.
 *
 * The first run sits between lkws_marker_begin/end, so the instruction counter
 * (firmware/qemu_plugin) sees the model call and nothing of the file I/O.
 * Exit status: the model's status (1 + the failing op, up to 63), or a sysexits.h code for the harness:
 * 64 usage, 66 unreadable input, 73 unwritable output, 70 fault.
 */
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "model.h"
#include "model_settings.h"
#include "semihost.h"

#define EXIT_USAGE 64
#define EXIT_NO_INPUT 66
#define EXIT_CANT_CREATE 73
#define MAX_ARGS 64
#define PATH_BYTES 512

/* The arena is the only working memory of the model: static, aligned, no heap. */
static uint8_t arena[MODEL_ARENA_BYTES > 0 ? MODEL_ARENA_BYTES : 16] __attribute__((aligned(16)));
static char command_line[4096];
static char path[PATH_BYTES];

/* dir + "/" + stem + number + ".bin" into `path`; NULL when it does not fit. */
static const char *file_path(const char *dir, const char *stem, int number)
{
    char digits[12];
    const char *parts[5] = {dir, "/", stem, lkws_sh_itoa(number, digits), ".bin"};
    size_t n = 0;
    for (int p = 0; p < 5; p++) {
        for (const char *c = parts[p]; *c != '\0'; c++) {
            if (n + 1 >= PATH_BYTES) {
                return NULL;
            }
            path[n++] = *c;
        }
    }
    path[n] = '\0';
    return path;
}

static int read_exactly(const char *name, void *data, size_t bytes)
{
    int handle = lkws_sh_open(name, LKWS_SH_MODE_READ_BINARY);
    if (handle < 0) {
        return lkws_sh_fail(EXIT_NO_INPUT, "cannot open input", name);
    }
    long length = lkws_sh_flen(handle);
    int ok = length == (long)bytes && lkws_sh_read(handle, data, bytes) == 0;
    (void)lkws_sh_close(handle);
    if (!ok) {
        char digits[12];
        lkws_sh_eprint("error: input ");
        lkws_sh_eprint(name);
        lkws_sh_eprint(" must hold exactly ");
        lkws_sh_eprint(lkws_sh_itoa((long)bytes, digits));
        lkws_sh_eprint(" bytes\n");
        return EXIT_NO_INPUT;
    }
    return 0;
}

static int write_file(const char *name, const void *data, size_t bytes)
{
    if (name == NULL) {
        return lkws_sh_fail(EXIT_CANT_CREATE, "path too long for", "an output file");
    }
    int handle = lkws_sh_open(name, LKWS_SH_MODE_WRITE_BINARY);
    if (handle < 0) {
        return lkws_sh_fail(EXIT_CANT_CREATE, "cannot create", name);
    }
    int ok = lkws_sh_write(handle, data, bytes) == 0;
    (void)lkws_sh_close(handle);
    return ok ? 0 : lkws_sh_fail(EXIT_CANT_CREATE, "cannot write", name);
}

static int read_inputs(char **inputs)
{
    for (int i = 0; i < MODEL_NUM_INPUTS; i++) {
        int status = read_exactly(inputs[i], model_input(arena, i), model_input_bytes(i));
        if (status != 0) {
            return status;
        }
    }
    return 0;
}

struct dump {
    const char *dir;
    int status;
};

static void dump_tensor(void *user, int op_index, int tensor_index, const void *data, size_t bytes)
{
    struct dump *dump = user;
    (void)op_index;
    if (dump->status == 0) {
        dump->status = write_file(file_path(dump->dir, "t", tensor_index), data, bytes);
    }
}

/* Closes the bracket of the op that just ran and opens the next one, once per op (an op with
 * several outputs reports each). */
static void op_boundary(void *user, int op_index, int tensor_index, const void *data, size_t bytes)
{
    int *last_op = user;
    (void)tensor_index;
    (void)data;
    (void)bytes;
    if (op_index != *last_op) {
        *last_op = op_index;
        lkws_marker_end();
        lkws_marker_begin();
    }
}

/* Whether score k of output 0 beats score best; int8 scores compare as their dequantized values
 * do (the scale is positive). */
static int beats(const void *scores, int k, int best)
{
#if defined(MODEL_OUTPUT_0_TYPE_FLOAT32)
    return ((const float *)scores)[k] > ((const float *)scores)[best];
#elif defined(MODEL_OUTPUT_0_TYPE_INT8)
    return ((const int8_t *)scores)[k] > ((const int8_t *)scores)[best];
#elif defined(MODEL_OUTPUT_0_TYPE_INT32)
    return ((const int32_t *)scores)[k] > ((const int32_t *)scores)[best];
#else
    (void)scores;
    (void)k;
    (void)best;
    return 0;
#endif
}

static void print_label(void)
{
    static const char *const labels[MODEL_NUM_LABELS] = MODEL_LABELS;
    char digits[12];
    int best = 0;
    for (int k = 1; k < MODEL_NUM_LABELS; k++) {
        if (beats(model_output(arena, 0), k, best)) {
            best = k;
        }
    }
    lkws_sh_print("label ");
    lkws_sh_print(lkws_sh_itoa(best, digits));
    lkws_sh_print(" ");
    lkws_sh_print(labels[best]);
    lkws_sh_print("\n");
}

/* A failed model status in 1..63, apart from the harness's own codes. */
static int model_exit_status(int status)
{
    return status == 0 ? 0 : (status > 0 && status < EXIT_USAGE) ? status : EXIT_USAGE - 1;
}

int main(void)
{
    char *argv[MAX_ARGS];
    char *inputs[MAX_ARGS];
    const char *outputs_dir = NULL;
    const char *output_file = NULL;
    const char *dump_dir = NULL;
    int op_counts = 0;
    int stack = 0;
    int num_inputs = 0;

    if (lkws_sh_get_cmdline(command_line, sizeof command_line) != 0) {
        return lkws_sh_fail(EXIT_USAGE, "command line longer than", "4095 bytes");
    }
    int argc = lkws_sh_split_args(command_line, argv, MAX_ARGS);
    for (int a = 1; a < argc; a++) {
        const char **option = lkws_sh_streq(argv[a], "--dump")      ? &dump_dir
                              : lkws_sh_streq(argv[a], "--output")  ? &output_file
                              : lkws_sh_streq(argv[a], "--outputs") ? &outputs_dir
                                                         : NULL;
        if (option != NULL) {
            if (a + 1 == argc) {
                return lkws_sh_fail(EXIT_USAGE, "missing path after", argv[a]);
            }
            *option = argv[++a];
        } else if (lkws_sh_streq(argv[a], "--op-counts")) {
            op_counts = 1;
        } else if (lkws_sh_streq(argv[a], "--stack")) {
            stack = 1;
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            return lkws_sh_fail(EXIT_USAGE, "unknown option", argv[a]);
        } else {
            inputs[num_inputs++] = argv[a];
        }
    }
    if (num_inputs != MODEL_NUM_INPUTS) {
        char digits[12];
        lkws_sh_eprint("usage: fw.elf [--dump DIR] [--output FILE] [--outputs DIR] [--op-counts] "
                       "[--stack] INPUT... (");
        lkws_sh_eprint(lkws_sh_itoa(MODEL_NUM_INPUTS, digits));
        lkws_sh_eprint(" input files)\n");
        return EXIT_USAGE;
    }

    int status = read_inputs(inputs);
    if (status != 0) {
        return status;
    }
    lkws_stack_paint();
    lkws_marker_begin();
    int model_status = model_invoke(arena, NULL, NULL);
    lkws_marker_end();
    unsigned long stack_bytes = lkws_stack_peak();
    if (model_status != 0) {
        return lkws_sh_fail(model_exit_status(model_status), "model_invoke failed", NULL);
    }

    if (output_file != NULL) {
        status = write_file(output_file, model_output(arena, 0), model_output_bytes(0));
        if (status != 0) {
            return status;
        }
    }
    if (outputs_dir != NULL) {
        for (int i = 0; i < MODEL_NUM_OUTPUTS; i++) {
            status = write_file(file_path(outputs_dir, "output", i), model_output(arena, i),
                                model_output_bytes(i));
            if (status != 0) {
                return status;
            }
        }
    }
    print_label();
    if (stack) {
        char digits[12];
        lkws_sh_print("stack ");
        lkws_sh_print(lkws_sh_itoa((long)stack_bytes, digits));
        lkws_sh_print("\n");
    }

    if (dump_dir != NULL) {
        /* The arena may reuse the inputs' space, so read them again. */
        struct dump dump = {dump_dir, 0};
        status = read_inputs(inputs);
        if (status != 0) {
            return status;
        }
        model_status = model_invoke(arena, dump_tensor, &dump);
        if (dump.status != 0) {
            return dump.status;
        }
        if (model_status != 0) {
            return lkws_sh_fail(model_exit_status(model_status), "model_invoke failed", NULL);
        }
    }

    if (op_counts) {
        int last_op = -1;
        status = read_inputs(inputs);
        if (status != 0) {
            return status;
        }
        lkws_marker_begin();
        model_status = model_invoke(arena, op_boundary, &last_op);
        lkws_marker_end();
        if (model_status != 0) {
            return lkws_sh_fail(model_exit_status(model_status), "model_invoke failed", NULL);
        }
    }
    return 0;
}
