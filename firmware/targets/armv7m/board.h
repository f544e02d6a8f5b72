/* A semihosting ARMv7-M board (QEMU's mps2-an386, mps2-an500, netduinoplus2): what a harness
 * needs besides semihosting. */
#ifndef LKWS_BOARD_H
#define LKWS_BOARD_H

#include "probe.h"  /* lkws_marker_begin/end, lkws_stack_paint/peak */

/* The harness's entry point, called by the reset handler after .data and .bss are set up and
 * the FPU is on; its return value becomes QEMU's exit status. */
int main(void);

#endif
