/* The nano33ble board (Arduino Nano 33 BLE Sense, nRF52840): what main.c needs besides its
 * console (console.h) and audio provider. The same interface as the semihosting boards' board.h. */
#ifndef LKWS_BOARD_H
#define LKWS_BOARD_H

#include "probe.h"  /* lkws_marker_begin/end, lkws_stack_paint/peak */

/* The application, called by the reset handler once .data and .bss are set up, the FPU is on and
 * HFCLK runs from the crystal. When it returns, the core sleeps. */
int main(void);

/* The PDM interrupt (interrupt 29), defined by the microphone's audio provider. */
void PDM_IRQHandler(void);

#endif
