/* The front end's constant tables (firmware/src/frontend_tables.c, made by
 * tools/gen_frontend_tables.py): float32 values of float64 computations, never libm at run time. */
#ifndef LKWS_FRONTEND_TABLES_H
#define LKWS_FRONTEND_TABLES_H

#include "lkws/common.h"

LKWS_BEGIN_DECLS

extern const float lkws_fe_hann256[256];  /* periodic Hann window of 256 points */
extern const float lkws_fft_cos256[128];  /* cos(2 pi k / 256), k = 0..127 */
extern const float lkws_fft_sin256[128];  /* sin(2 pi k / 256), k = 0..127 */

LKWS_END_DECLS

#endif /* LKWS_FRONTEND_TABLES_H */
