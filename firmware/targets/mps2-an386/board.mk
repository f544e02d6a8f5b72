# mps2-an386 (Cortex-M4F) under QEMU: toolchain, flags and the run command.
# Include from a Makefile that sets BOARD_DIR to this folder; the rest is in ../armv7m/armv7m.mk.

ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
BOARD_LDSCRIPT := $(BOARD_DIR)/mps2-an386.ld
QEMU_MACHINE := mps2-an386
include $(BOARD_DIR)/armv7m.mk
