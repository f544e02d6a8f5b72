# nano33ble (Arduino Nano 33 BLE Sense: nRF52840, Cortex-M4F at 64 MHz): flags and make flash.
# Include from a Makefile that sets BOARD_DIR to this folder. The ARMv7-M build (toolchain,
# -O2 -ffp-contract=off -std=c99 -Wall -Wextra -Werror, startup.c and semihost.c) is
# ../armv7m/armv7m.mk, which a generated project copies into target/ beside this file.
# No QEMU machine models this board: make run and make count are for the QEMU boards.

ARCH_FLAGS := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
BOARD_LDSCRIPT := $(BOARD_DIR)/nano33ble.ld
QEMU_MACHINE :=
# make flash: an SWD probe (CMSIS-DAP by default; interface/jlink.cfg for a J-Link) on the SWDIO,
# SWCLK, GND and 3.3 V pads under the board, and OpenOCD's nRF52 target. The image starts at
# 0x0, over the Arduino bootloader. Untested: no board here.
OPENOCD_FLAGS ?= -f interface/cmsis-dap.cfg -c "transport select swd" -f target/nrf52.cfg
# make flash FLASHER=pyocd: pyOCD's built-in nRF52840 target.
PYOCD_TARGET ?= nrf52840
include $(BOARD_DIR)/armv7m.mk
