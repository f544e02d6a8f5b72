/* Measurement hooks (probe.h), the same on every ARMv7-M board. The linker script defines
 * __stack_bottom and __stack_top. */
#include <stdint.h>

#include "probe.h"

extern uint32_t __stack_top, __stack_bottom;

#define STACK_PATTERN 0xA5C3A5C3u

/* noinline: paints below its own frame, which lies below the caller's. */
__attribute__((noinline)) void lkws_stack_paint(void)
{
    uint32_t sp;
    __asm__ volatile("cpsid i\n mov %0, sp" : "=r"(sp)::"memory");
    for (volatile uint32_t *p = &__stack_bottom; (uintptr_t)p < sp; p++) {
        *p = STACK_PATTERN;
    }
    __asm__ volatile("cpsie i" ::: "memory");
}

unsigned long lkws_stack_peak(void)
{
    const volatile uint32_t *p = &__stack_bottom;
    while (p < &__stack_top && *p == STACK_PATTERN) {
        p++;
    }
    return (unsigned long)((uintptr_t)&__stack_top - (uintptr_t)p);
}

/* noipa: callers may not assume anything about them (registers, no side effects), so the code
 * between the brackets is exactly what it would be without instrumentation. */
__attribute__((noinline, noipa, used)) void lkws_marker_begin(void)
{
    __asm__ volatile("" ::: "memory");
}

__attribute__((noinline, noipa, used)) void lkws_marker_end(void)
{
    __asm__ volatile("" ::: "memory");
}
