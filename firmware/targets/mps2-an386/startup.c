/* Startup for mps2-an386 (Cortex-M4F): vector table, reset handler, fault handler, markers.
 *
 * The reset handler turns the FPU on before any C runs (compiled with -mfloat-abi=hard, any C
 * function may push or use s-registers; with the FPU off the first one faults), then sets up
 * .data and .bss and calls main. The return value of main leaves through semihosting.
 */
#include <stdint.h>

#include "board.h"
#include "semihost.h"

/* From the linker script. */
extern uint32_t __stack_top, __stack_bottom;
extern uint32_t __data_load, __data_start, __data_end;
extern uint32_t __bss_start, __bss_end;

void Reset_Handler(void);
void lkws_start(void);
static void fault_handler(void);

/* Status for a fault: EX_SOFTWARE from sysexits.h, beside the harness's other statuses. */
#define LKWS_EXIT_FAULT 70

typedef void (*vector_t)(void);

/* 16 system exceptions; no interrupt is enabled, so no IRQ vectors are needed. */
__attribute__((section(".vectors"), used)) static const vector_t vector_table[16] = {
    (vector_t)&__stack_top,
    Reset_Handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    fault_handler, /* SysTick */
};

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
__attribute__((noreturn, used)) void lkws_start(void)
{
    volatile uint32_t *dst = &__data_start;
    const volatile uint32_t *src = &__data_load;
    while (dst < &__data_end) {
        *dst++ = *src++;
    }
    for (dst = &__bss_start; dst < &__bss_end; dst++) {
        *dst = 0;
    }
    lkws_sh_exit(main());
}

static void fault_handler(void)
{
    char number[12];
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    lkws_sh_eprint("error: fault, exception ");
    lkws_sh_eprint(lkws_sh_itoa((long)(ipsr & 0x1FFu), number));
    lkws_sh_eprint("\n");
    lkws_sh_exit(LKWS_EXIT_FAULT);
}
