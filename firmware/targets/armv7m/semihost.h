/* Raw Arm semihosting for the ARMv7-M boards (QEMU, or a debugger): host files, the command line and the exit
 * status, through `bkpt 0xAB`, without newlib's stdio (which would link malloc).
 *
 * Every call blocks until the host answers. Handles are small non-negative integers; -1 means
 * the host refused. Paths are host paths, relative to QEMU's working directory.
 */
#ifndef LKWS_SEMIHOST_H
#define LKWS_SEMIHOST_H

#include <stddef.h>

/* SYS_OPEN modes (ISO C fopen modes, in the order the semihosting spec numbers them). */
#define LKWS_SH_MODE_READ_BINARY 1  /* "rb" */
#define LKWS_SH_MODE_WRITE_BINARY 5 /* "wb" */
#define LKWS_SH_MODE_WRITE_TEXT 4   /* "w": on ":tt", the host's stdout */
#define LKWS_SH_MODE_APPEND_TEXT 8  /* "a": on ":tt", the host's stderr */

int lkws_sh_open(const char *path, int mode);
int lkws_sh_close(int handle);
/* Both return the number of bytes NOT transferred: 0 on complete success. */
size_t lkws_sh_write(int handle, const void *data, size_t bytes);
size_t lkws_sh_read(int handle, void *data, size_t bytes);
/* Length of an open file in bytes, or -1. */
long lkws_sh_flen(int handle);
/* The command line, NUL-terminated: the kernel path, a space, then QEMU's -append text.
 * Returns 0, or -1 when it does not fit in `capacity` bytes. */
int lkws_sh_get_cmdline(char *buffer, size_t capacity);

/* The host's stdout and stderr (":tt"), opened on first use. */
void lkws_sh_print(const char *text);
void lkws_sh_eprint(const char *text);
/* Decimal text of a signed integer into buffer (at least 12 bytes); returns buffer. */
char *lkws_sh_itoa(long value, char *buffer);

/* Command-line helpers for a harness's main. */
/* "error: WHAT NAME\n" on stderr (" NAME" only when name is not NULL); returns status. */
int lkws_sh_fail(int status, const char *what, const char *name);
/* 1 when the two strings are equal, else 0. */
int lkws_sh_streq(const char *a, const char *b);
/* Splits the command line in place on spaces into at most max_args arguments (argv holds
 * max_args pointers); argv[0] is the kernel path. Returns the number of arguments. */
int lkws_sh_split_args(char *line, char **argv, int max_args);

/* Ends the emulation; QEMU exits with `status` (SYS_EXIT_EXTENDED, ApplicationExit). */
void lkws_sh_exit(int status) __attribute__((noreturn));

#endif
