# mps2-an500 (Cortex-M7) under QEMU: toolchain, flags and the run command.
# Include from a Makefile that sets BOARD_DIR to this folder; the rest is ../armv7m/armv7m.mk,
# which a generated project copies into target/ beside this file.

ARCH_FLAGS := -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16
BOARD_LDSCRIPT := $(BOARD_DIR)/mps2-an500.ld
QEMU_MACHINE := mps2-an500
include $(BOARD_DIR)/armv7m.mk
