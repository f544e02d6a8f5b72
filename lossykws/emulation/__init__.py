"""Running the generated C against the reference: the LCE interpreter (reference), the host build
(host), QEMU and the Arm toolchain (qemu), the cortex-m firmware harness fed audio (firmware) or
code frames (code_frames)."""
