/* Startup of the semihosting ARMv7-M boards (mps2-an386, mps2-an500, netduinoplus2): vector table,
 * lkws_start, fault handler.
 *
 * crt.c's reset handler turns the FPU on before any C runs and branches to lkws_start, which sets
 * up .data and .bss (lkws_crt_init) and calls main. The return value of main leaves through
 * semihosting.
 */
#include <stdint.h>

#include "board.h"
#include "crt.h"
#include "semihost.h"

/* From the linker script. */
extern uint32_t __stack_top;
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

/* After crt.c's Reset_Handler has turned the FPU on. */
__attribute__((noreturn, used)) void lkws_start(void)
{
    lkws_crt_init();
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
