/* Command responder: prints on the console (see command_responder.h). */
#include "command_responder.h"

#include "console.h"
#include "model_settings.h"
#include "semihost.h"

static const char *const labels[MODEL_NUM_LABELS] = MODEL_LABELS;

void command_responder_respond(int32_t time_ms, int32_t label, float score)
{
    char digits[12];
    /* No printf (it would link malloc): the score as thousandths. */
    long thousandths = (long)(score * 1000.0f + 0.5f);
    lkws_console_print("detected ");
    lkws_console_print(labels[label]);
    lkws_console_print(" at ");
    lkws_console_print(lkws_sh_itoa((long)time_ms, digits));
    lkws_console_print(" ms (score ");
    lkws_console_print(thousandths >= 1000 ? "1." : "0.");
    thousandths %= 1000;
    lkws_console_print(thousandths < 100 ? (thousandths < 10 ? "00" : "0") : "");
    lkws_console_print(lkws_sh_itoa(thousandths, digits));
    lkws_console_print(")\n");
}
