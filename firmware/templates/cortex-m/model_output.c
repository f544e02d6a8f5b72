/* The model's scores and the lines about them (see model_output.h). */
#include "model_output.h"

#include "console.h"
#include "model.h"
#include "model_settings.h"
#include "semihost.h"

static const char *const labels[MODEL_NUM_LABELS] = MODEL_LABELS;

void model_output_scores(const uint8_t *arena, float *scores)
{
    const MODEL_OUTPUT_0_CTYPE *out = model_output(arena, 0);
    for (int32_t k = 0; k < MODEL_NUM_LABELS; k++) {
#if defined(MODEL_OUTPUT_0_TYPE_INT8)
        scores[k] = ((float)out[k] - (float)MODEL_OUTPUT_0_ZERO_POINT) * MODEL_OUTPUT_0_SCALE;
#else
        scores[k] = (float)out[k];
#endif
    }
}

void model_output_print_inference(const float *scores, int32_t time_ms)
{
    char digits[12];
    int32_t best = 0;
    for (int32_t k = 1; k < MODEL_NUM_LABELS; k++) {
        if (scores[k] > scores[best]) {
            best = k;
        }
    }
    lkws_console_print("inference ");
    lkws_console_print(lkws_sh_itoa((long)time_ms, digits));
    lkws_console_print(" ");
    lkws_console_print(lkws_sh_itoa((long)best, digits));
    lkws_console_print(" ");
    lkws_console_print(labels[best]);
    lkws_console_print("\n");
}

void model_output_print_count(const char *name, long value)
{
    char digits[12];
    lkws_console_print(name);
    lkws_console_print(lkws_sh_itoa(value, digits));
}
