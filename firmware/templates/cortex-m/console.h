/* The application's console: where its text goes and where its command line comes from.
 *
 * Each board gives console.c: on the semihosting boards (QEMU's mps2-an386, mps2-an500 and
 * netduinoplus2, or a board under a debugger that serves semihosting) the host's stdout and
 * stderr and QEMU's -append text; on a UART board (nano33ble) a serial port for both streams and
 * a command line built into the firmware. Text is plain ASCII; a line ends with "\n". */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stddef.h>

/* Normal output: inferences, detections, the summary. */
void lkws_console_print(const char *text);

/* Errors and usage. */
void lkws_console_eprint(const char *text);

/* The command line, NUL-terminated: the program's name, a space, then its arguments.
 * Returns 0, or -1 when it does not fit in `capacity` bytes. */
int lkws_console_command_line(char *buffer, size_t capacity);

/* "error: WHAT NAME\n" on the error stream (" NAME" only when name is not NULL); returns status. */
static inline int lkws_console_fail(int status, const char *what, const char *name)
{
    lkws_console_eprint("error: ");
    lkws_console_eprint(what);
    if (name != NULL) {
        lkws_console_eprint(" ");
        lkws_console_eprint(name);
    }
    lkws_console_eprint("\n");
    return status;
}

#endif
