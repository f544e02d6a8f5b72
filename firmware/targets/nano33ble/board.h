/* The nano33ble board (Arduino Nano 33 BLE Sense, nRF52840): what main.c needs besides its
 * console (console.h) and audio provider. The same interface as the semihosting boards' board.h. */
#ifndef LKWS_BOARD_H
#define LKWS_BOARD_H

/* Bracket code for the QEMU instruction counter. No QEMU models this board: they do nothing. */
void lkws_marker_begin(void);
void lkws_marker_end(void);

/* Stack high-water mark: lkws_stack_paint() fills the free stack below the caller's frame with a
 * pattern (with interrupts masked: an interrupt's frame below sp would be overwritten);
 * lkws_stack_peak() returns how many bytes from the top of the stack have been used since. */
void lkws_stack_paint(void);
unsigned long lkws_stack_peak(void);

/* The application, called by the reset handler once .data and .bss are set up, the FPU is on and
 * HFCLK runs from the crystal. When it returns, the core sleeps. */
int main(void);

/* The PDM interrupt (interrupt 29), defined by the microphone's audio provider. */
void PDM_IRQHandler(void);

#endif
