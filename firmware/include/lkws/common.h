/* Shared definitions of the lossykws C runtime: C99, no malloc, no mutable globals. */
#ifndef LKWS_COMMON_H
#define LKWS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define LKWS_ALIGN16 __attribute__((aligned(16)))
#else
#define LKWS_ALIGN16
#endif

#define LKWS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LKWS_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
