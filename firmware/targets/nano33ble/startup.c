/* Startup for the nano33ble (nRF52840, Cortex-M4F at 64 MHz): vector table, lkws_start, clock,
 * fault handler.
 *
 * crt.c's reset handler turns the FPU on before any C runs; lkws_start sets up .data and .bss
 * (lkws_crt_init), starts the 32 MHz crystal oscillator (HFXO) as the source of HFCLK, so that the PDM clock (and so the 16 kHz sample rate)
 * and the UART's baud rate are crystal-accurate rather than the RC oscillator's, and calls main.
 * The CPU runs at 64 MHz from reset; nothing else needs configuring. There is no host to return
 * to: when main returns, the core sleeps. */
#include <stdint.h>

#include "board.h"
#include "crt.h"
#include "console.h"
#include "nrf52840.h"
#include "semihost.h"

/* From the linker script. */
extern uint32_t __stack_top;
static void fault_handler(void);
static void unexpected_interrupt(void);

typedef void (*vector_t)(void);

/* 16 system exceptions, then the nRF52840's 48 interrupts (their numbers are the peripherals'
 * IDs); only PDM's, 29, is ever enabled. */
#define U unexpected_interrupt
__attribute__((section(".vectors"), used)) static const vector_t vector_table[16 + 48] = {
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
    U, U, U, U, U, U, U, U, U, U, /* 0..9 */
    U, U, U, U, U, U, U, U, U, U, /* 10..19 */
    U, U, U, U, U, U, U, U, U,    /* 20..28 */
    PDM_IRQHandler,               /* 29: PDM */
    U, U, U, U, U, U, U, U, U, U, /* 30..39 */
    U, U, U, U, U, U, U, U,       /* 40..47 */
};
#undef U
typedef char pdm_is_interrupt_29[PDM_IRQN == 29u ? 1 : -1]; /* the table above puts it there */

static void park(void)
{
    for (;;) {
        __asm__ volatile("wfe");
    }
}

static void start_crystal(void)
{
    CLOCK_EVENTS_HFCLKSTARTED = 0;
    CLOCK_TASKS_HFCLKSTART = 1;
    while (CLOCK_EVENTS_HFCLKSTARTED == 0) {
    }
}

/* After crt.c's Reset_Handler has turned the FPU on. */
__attribute__((noreturn, used)) void lkws_start(void)
{
    lkws_crt_init();
    start_crystal();
    (void)main();
    park();
    __builtin_unreachable();
}

static void report(const char *what)
{
    char number[12];
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    lkws_console_eprint(what);
    lkws_console_eprint(lkws_sh_itoa((long)(ipsr & 0x1FFu), number));
    lkws_console_eprint("\n");
}

/* A fault (a semihosting call without a debugger attached is one: bkpt escalates to HardFault). */
static void fault_handler(void)
{
    report("error: fault, exception ");
    park();
}

static void unexpected_interrupt(void)
{
    report("error: unexpected interrupt, exception ");
    park();
}
