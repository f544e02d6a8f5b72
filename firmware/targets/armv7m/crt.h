/* The C runtime every ARMv7-M board shares (crt.c): the reset handler turns the FPU on before any
 * C runs (compiled with -mfloat-abi=hard, any C function may push or use s-registers; with the FPU
 * off the first one faults) and branches to the board's lkws_start, which calls lkws_crt_init
 * first. */
#ifndef LKWS_CRT_H
#define LKWS_CRT_H

void Reset_Handler(void);

/* The board's entry after the FPU is on (its startup.c). */
void lkws_start(void);

/* Copies .data from flash and zeroes .bss (symbols of the linker script). */
void lkws_crt_init(void);

#endif
