# The ARMv7-M build every board shares: toolchain, flags, the QEMU run command and make flash.
# Include from a board.mk that has set ARCH_FLAGS, BOARD_LDSCRIPT and QEMU_MACHINE; BOARD_DIR is
# the folder that holds this file, startup.c and semihost.c (a generated project's target/, where
# the files of firmware/targets/armv7m and of the board's own folder land side by side).

CROSS ?= arm-none-eabi-
CC := $(CROSS)gcc
NM := $(CROSS)nm
SIZE := $(CROSS)size

# -ffp-contract=off: no fused multiply-add, so float results match the host build bit for bit.
BOARD_CFLAGS := $(ARCH_FLAGS) -O2 -ffp-contract=off -std=c99 -Wall -Wextra -Werror \
	-ffunction-sections -fdata-sections -I$(BOARD_DIR)
# No crt0 and no syscalls: crt.c and startup.c boot, semihost.c does the I/O. newlib-nano is linked only
# for what the code calls (memcpy, memset, libm); `make check-heap` proves malloc stays out.
BOARD_LDFLAGS := $(ARCH_FLAGS) -nostartfiles --specs=nano.specs -T $(BOARD_LDSCRIPT) \
	-Wl,--gc-sections -Wl,--no-warn-rwx-segments
BOARD_LDLIBS := -lm
BOARD_SRCS := $(BOARD_DIR)/startup.c $(BOARD_DIR)/semihost.c $(BOARD_DIR)/probe.c $(BOARD_DIR)/crt.c

QEMU ?= qemu-system-arm
QEMU_FLAGS := -M $(QEMU_MACHINE) -nographic -semihosting-config enable=on,target=native
HEAP_SYMBOLS := malloc _malloc_r _sbrk _sbrk_r free _free_r calloc realloc
# make flash (cortex-m projects): an MPS2 board's debug USB is CMSIS-DAP; there is no OpenOCD
# target file for MPS2, so the core is declared by hand. Untested: no board here.
OPENOCD ?= openocd
OPENOCD_FLAGS ?= -f interface/cmsis-dap.cfg -c "transport select swd" \
	-c "swj_newdap mps2 cpu -enable" -c "dap create mps2.dap -chain-position mps2.cpu" \
	-c "target create mps2.cpu cortex_m -dap mps2.dap"
