/* QEMU TCG plugin: counts the guest instructions executed between two marker addresses.
 *
 *   qemu-system-arm ... -plugin insn_count.so,begin=0xADDR,end=0xADDR[,out=FILE]
 *       [,functions=FILE,profile=FILE]
 *
 * Every executed instruction adds 1 to a counter (an inline op, no helper call). When the first
 * instruction at `begin` executes, the counter is snapshotted; when the one at `end` executes,
 * the difference is written as one decimal line to FILE (or to QEMU's log, stderr by default).
 * Each begin/end pair gives one line. The count is exact and the same run to run: it does not
 * depend on timing, only on the guest's instruction stream (one vCPU; the inline add is not
 * atomic). Addresses may carry the Thumb bit; it is ignored.
 *
 * Profile: `functions` lists the guest's functions, one "START SIZE NAME" line each (hex, as
 * `arm-none-eabi-nm -S` prints them). Each instruction then also adds 1 to the counter of the
 * function that contains it, and for every bracket `profile` receives one "BRACKET COUNT NAME"
 * line per function that ran in it (self counts: a callee's instructions are the callee's).
 * Instructions outside every listed function go to the name "?".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t executed;
static uint64_t begin_address = UINT64_MAX;
static uint64_t end_address = UINT64_MAX;
static uint64_t executed_at_begin;
static int inside;
static int brackets;
static FILE *out;

struct function {
    uint64_t start;
    uint64_t end;
    char name[64];
};
static struct function *functions;
static size_t num_functions;
static uint64_t *function_executed;       /* num_functions + 1 counters, the last one for "?" */
static uint64_t *function_executed_at_begin;
static FILE *profile;

static void report(const char *line)
{
    if (out != NULL) {
        fputs(line, out);
        fflush(out);
    } else {
        qemu_plugin_outs(line);
    }
}

static void on_begin(unsigned int vcpu_index, void *userdata)
{
    (void)vcpu_index;
    (void)userdata;
    executed_at_begin = executed;
    if (function_executed != NULL) {
        memcpy(function_executed_at_begin, function_executed,
               (num_functions + 1) * sizeof *function_executed);
    }
    inside = 1;
}

static void on_end(unsigned int vcpu_index, void *userdata)
{
    char line[32];
    (void)vcpu_index;
    (void)userdata;
    if (inside) {
        snprintf(line, sizeof line, "%" PRIu64 "\n", executed - executed_at_begin);
        report(line);
        if (profile != NULL) {
            for (size_t f = 0; f <= num_functions; f++) {
                uint64_t n = function_executed[f] - function_executed_at_begin[f];
                if (n != 0) {
                    fprintf(profile, "%d %" PRIu64 " %s\n", brackets, n,
                            f < num_functions ? functions[f].name : "?");
                }
            }
            fflush(profile);
        }
        inside = 0;
        brackets++;
    }
}

/* The counter of the function holding `address`: binary search over the sorted ranges. */
static uint64_t *function_counter(uint64_t address)
{
    size_t lo = 0, hi = num_functions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (address < functions[mid].start) {
            hi = mid;
        } else if (address >= functions[mid].end) {
            lo = mid + 1;
        } else {
            return &function_executed[mid];
        }
    }
    return &function_executed[num_functions];
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t address = qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
        if (function_executed != NULL) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64,
                                                       function_counter(address), 1);
        }
        if (address == begin_address) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
        } else if (address == end_address) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void report_at_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    if (brackets == 0) {
        report(inside ? "unfinished\n" : "none\n");
    }
    if (out != NULL) {
        fclose(out);
        out = NULL;
    }
    if (profile != NULL) {
        fclose(profile);
        profile = NULL;
    }
}

static int by_start(const void *a, const void *b)
{
    const struct function *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Reads "START SIZE NAME" lines; zero-sized symbols are skipped. */
static int read_functions(const char *path)
{
    FILE *file = fopen(path, "r");
    size_t capacity = 256;
    char line[512];
    if (file == NULL) {
        return -1;
    }
    functions = malloc(capacity * sizeof *functions);
    while (functions != NULL && fgets(line, sizeof line, file) != NULL) {
        unsigned long long start, size;
        char name[sizeof functions->name];
        if (sscanf(line, "%llx %llx %63s", &start, &size, name) != 3 || size == 0) {
            continue;
        }
        if (num_functions == capacity) {
            struct function *grown = realloc(functions, 2 * capacity * sizeof *functions);
            if (grown == NULL) {
                break;
            }
            functions = grown;
            capacity *= 2;
        }
        struct function *f = &functions[num_functions++];
        f->start = (uint64_t)start & ~(uint64_t)1;
        f->end = f->start + (uint64_t)size;
        memcpy(f->name, name, sizeof f->name);
    }
    fclose(file);
    if (functions == NULL) {
        return -1;
    }
    qsort(functions, num_functions, sizeof *functions, by_start);
    function_executed = calloc(num_functions + 1, sizeof *function_executed);
    function_executed_at_begin = calloc(num_functions + 1, sizeof *function_executed);
    return function_executed != NULL && function_executed_at_begin != NULL ? 0 : -1;
}

static int parse_address(const char *text, uint64_t *address)
{
    char *rest;
    unsigned long long value = strtoull(text, &rest, 0);
    if (*text == '\0' || *rest != '\0') {
        return -1;
    }
    *address = (uint64_t)value & ~(uint64_t)1; /* Thumb bit */
    return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int ok;
        if (strncmp(arg, "begin=", 6) == 0) {
            ok = parse_address(arg + 6, &begin_address) == 0;
        } else if (strncmp(arg, "end=", 4) == 0) {
            ok = parse_address(arg + 4, &end_address) == 0;
        } else if (strncmp(arg, "out=", 4) == 0) {
            out = fopen(arg + 4, "w");
            ok = out != NULL;
        } else if (strncmp(arg, "functions=", 10) == 0) {
            ok = read_functions(arg + 10) == 0;
        } else if (strncmp(arg, "profile=", 8) == 0) {
            profile = fopen(arg + 8, "w");
            ok = profile != NULL;
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "insn_count: bad or unusable argument '%s'\n", arg);
            return -1;
        }
    }
    if (begin_address == UINT64_MAX || end_address == UINT64_MAX) {
        fprintf(stderr, "insn_count: needs begin=ADDRESS,end=ADDRESS\n");
        return -1;
    }
    if ((profile == NULL) != (function_executed == NULL)) {
        fprintf(stderr, "insn_count: functions= and profile= go together\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, report_at_exit, NULL);
    return 0;
}
