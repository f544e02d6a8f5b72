# netduinoplus2 (STM32F405RG, Cortex-M4F) under QEMU: toolchain, flags and the run command.
# Include from a Makefile that sets BOARD_DIR to this folder. The ARMv7-M semihosting build
# (toolchain, -O2 -ffp-contract=off -std=c99 -Wall -Wextra -Werror, startup.c and semihost.c)
# is ../armv7m/armv7m.mk, which a generated project copies into target/ beside this file.

ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
BOARD_LDSCRIPT := $(BOARD_DIR)/netduinoplus2.ld
QEMU_MACHINE := netduinoplus2
# make flash: an ST-LINK (or any SWD probe) on the board's SWD pads and OpenOCD's STM32F4 target.
# Untested: no board here.
OPENOCD_FLAGS ?= -f interface/stlink.cfg -f target/stm32f4x.cfg
# pyOCD has no built-in STM32F405: after `pyocd pack install stm32f405rg`, make flash FLASHER=pyocd
# PYOCD_TARGET=stm32f405rgtx.
include $(BOARD_DIR)/armv7m.mk
