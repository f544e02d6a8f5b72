/* Measurement hooks every ARMv7-M board provides (probe.c): instruction-count brackets and the
 * stack high-water mark. */
#ifndef LKWS_PROBE_H
#define LKWS_PROBE_H

/* Bracket the code whose executed instructions are counted. They do nothing; the QEMU plugin
 * (firmware/qemu_plugin/insn_count.c) snapshots its instruction counter when the first instruction
 * of each runs. Keep I/O outside the brackets. On a board no QEMU models they cost a call. */
void lkws_marker_begin(void);
void lkws_marker_end(void);

/* Stack high-water mark: lkws_stack_paint() fills the free stack below the caller's frame with a
 * pattern (interrupts masked meanwhile: an interrupt's frame below sp would be painted over);
 * lkws_stack_peak() returns how many bytes from the top of the stack have been used since (the
 * deepest point of what ran in between, the callers' frames included). */
void lkws_stack_paint(void);
unsigned long lkws_stack_peak(void);

#endif
