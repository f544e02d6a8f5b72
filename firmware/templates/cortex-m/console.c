/* The console of the semihosting boards (see console.h): the host's stdout and stderr, and the
 * command line QEMU (or the debugger) passes, through target/semihost.c. */
#include "console.h"

#include "semihost.h"

void lkws_console_print(const char *text)
{
    lkws_sh_print(text);
}

void lkws_console_eprint(const char *text)
{
    lkws_sh_eprint(text);
}

int lkws_console_command_line(char *buffer, size_t capacity)
{
    return lkws_sh_get_cmdline(buffer, capacity);
}
