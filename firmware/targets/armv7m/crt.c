/* The C runtime every ARMv7-M board shares (see crt.h). */
#include <stdint.h>

#include "crt.h"

/* From the linker script. */
extern uint32_t __data_load, __data_start, __data_end;
extern uint32_t __bss_start, __bss_end;

/* Naked: no prologue, so nothing touches the FPU before CPACR grants CP10 and CP11. */
__attribute__((naked, noreturn)) void Reset_Handler(void)
{
    __asm__ volatile(
        "ldr r0, =0xE000ED88\n" /* SCB->CPACR */
        "ldr r1, [r0]\n"
        "orr r1, r1, #(0xF << 20)\n"
        "str r1, [r0]\n"
        "dsb\n"
        "isb\n"
        "b lkws_start\n"
        ".ltorg\n");
}

/* Volatile accesses: keeps GCC from turning the loops into memcpy/memset calls. */
void lkws_crt_init(void)
{
    volatile uint32_t *dst = &__data_start;
    const volatile uint32_t *src = &__data_load;
    while (dst < &__data_end) {
        *dst++ = *src++;
    }
    for (dst = &__bss_start; dst < &__bss_end; dst++) {
        *dst = 0;
    }
}
