/* Raw Arm semihosting (see semihost.h). Operation numbers from the Arm semihosting spec v2. */
#include "semihost.h"

#include <stdint.h>

enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_FLEN = 0x0C,
    SYS_GET_CMDLINE = 0x15,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20,
};

#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* r0 = operation, r1 = parameter block; the host answers in r0. "memory": the host reads and
 * writes the blocks the arguments point to. */
static uintptr_t semihost_call(uintptr_t operation, const void *parameters)
{
    register uintptr_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = parameters;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static size_t string_length(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') {
        n++;
    }
    return n;
}

int lkws_sh_open(const char *path, int mode)
{
    uintptr_t block[3] = {(uintptr_t)path, (uintptr_t)mode, (uintptr_t)string_length(path)};
    return (int)semihost_call(SYS_OPEN, block);
}

int lkws_sh_close(int handle)
{
    uintptr_t block[1] = {(uintptr_t)handle};
    return (int)semihost_call(SYS_CLOSE, block);
}

size_t lkws_sh_write(int handle, const void *data, size_t bytes)
{
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)data, (uintptr_t)bytes};
    return (size_t)semihost_call(SYS_WRITE, block);
}

size_t lkws_sh_read(int handle, void *data, size_t bytes)
{
    uintptr_t block[3] = {(uintptr_t)handle, (uintptr_t)data, (uintptr_t)bytes};
    return (size_t)semihost_call(SYS_READ, block);
}

long lkws_sh_flen(int handle)
{
    uintptr_t block[1] = {(uintptr_t)handle};
    return (long)(intptr_t)semihost_call(SYS_FLEN, block);
}

int lkws_sh_get_cmdline(char *buffer, size_t capacity)
{
    uintptr_t block[2] = {(uintptr_t)buffer, (uintptr_t)capacity};
    return (int)semihost_call(SYS_GET_CMDLINE, block) == 0 ? 0 : -1;
}

static void print_to(int *handle, int mode, const char *text)
{
    if (*handle < 0) {
        *handle = lkws_sh_open(":tt", mode);
    }
    if (*handle >= 0) {
        (void)lkws_sh_write(*handle, text, string_length(text));
    }
}

/* The two console handles: state of this I/O layer, outside any model code. */
static int stdout_handle = -1;
static int stderr_handle = -1;

void lkws_sh_print(const char *text)
{
    print_to(&stdout_handle, LKWS_SH_MODE_WRITE_TEXT, text);
}

void lkws_sh_eprint(const char *text)
{
    print_to(&stderr_handle, LKWS_SH_MODE_APPEND_TEXT, text);
}

char *lkws_sh_itoa(long value, char *buffer)
{
    char digits[12];
    int n = 0;
    unsigned long magnitude = value < 0 ? 0ul - (unsigned long)value : (unsigned long)value;
    char *p = buffer;
    do {
        digits[n++] = (char)('0' + magnitude % 10u);
        magnitude /= 10u;
    } while (magnitude != 0u);
    if (value < 0) {
        *p++ = '-';
    }
    while (n > 0) {
        *p++ = digits[--n];
    }
    *p = '\0';
    return buffer;
}

int lkws_sh_fail(int status, const char *what, const char *name)
{
    lkws_sh_eprint("error: ");
    lkws_sh_eprint(what);
    if (name != NULL) {
        lkws_sh_eprint(" ");
        lkws_sh_eprint(name);
    }
    lkws_sh_eprint("\n");
    return status;
}

int lkws_sh_streq(const char *a, const char *b)
{
    while (*b != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

int lkws_sh_split_args(char *line, char **argv, int max_args)
{
    int argc = 0;
    while (*line != '\0' && argc < max_args) {
        while (*line == ' ') {
            *line++ = '\0';
        }
        if (*line == '\0') {
            break;
        }
        argv[argc++] = line;
        while (*line != '\0' && *line != ' ') {
            line++;
        }
    }
    return argc;
}

void lkws_sh_exit(int status)
{
    /* SYS_EXIT on AArch32 carries no status; the extended call does (QEMU supports it). */
    uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)(unsigned)status};
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    /* A host without SYS_EXIT_EXTENDED: plain exit (status lost), then stop here. */
    (void)semihost_call(SYS_EXIT, (const void *)(uintptr_t)ADP_STOPPED_APPLICATION_EXIT);
    for (;;) {
    }
}
