/* The mps2-an386 (Cortex-M4F) board under QEMU: what a harness needs besides semihosting. */
#ifndef LKWS_BOARD_H
#define LKWS_BOARD_H

/* Bracket the code whose executed instructions are counted. They do nothing; the QEMU plugin
 * (tools/qemu_plugin/insn_count.c) snapshots its instruction counter when the first instruction
 * of each runs. Keep I/O outside the brackets. */
void lkws_marker_begin(void);
void lkws_marker_end(void);

/* Stack high-water mark: lkws_stack_paint() fills the free stack below the caller's frame with a
 * pattern; lkws_stack_peak() returns how many bytes from the top of the stack have been used
 * since (the deepest point of what ran in between, the callers' frames included). */
void lkws_stack_paint(void);
unsigned long lkws_stack_peak(void);

/* The harness's entry point, called by the reset handler after .data and .bss are set up and
 * the FPU is on; its return value becomes QEMU's exit status. */
int main(void);

#endif
