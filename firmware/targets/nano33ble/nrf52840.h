/* The few nRF52840 registers the nano33ble board files use, written out from the nRF52840
 * Product Specification (no vendor SDK): base addresses from its "Instantiation" table, offsets
 * from each peripheral's register table. A peripheral's interrupt number is its ID, bits 12..19
 * of its base address ("Peripheral interface" chapter). */
#ifndef NRF52840_H
#define NRF52840_H

#include <stdint.h>

#define NRF_REG(address) (*(volatile uint32_t *)(uintptr_t)(address))

/* CLOCK: HFCLK from the 32 MHz crystal (HFXO) instead of the internal RC, for exact PDM and UART clocks. */
#define CLOCK_BASE 0x40000000u
#define CLOCK_TASKS_HFCLKSTART NRF_REG(CLOCK_BASE + 0x000u)
#define CLOCK_EVENTS_HFCLKSTARTED NRF_REG(CLOCK_BASE + 0x100u)

/* GPIO: ports P0 and P1. */
#define GPIO_P0 0x50000000u
#define GPIO_P1 0x50000300u
#define GPIO_OUTSET(port) NRF_REG((port) + 0x508u)
#define GPIO_OUTCLR(port) NRF_REG((port) + 0x50Cu)
#define GPIO_DIRSET(port) NRF_REG((port) + 0x518u)
#define GPIO_PIN_CNF(port, pin) NRF_REG((port) + 0x700u + 4u * (uint32_t)(pin))
#define GPIO_PIN_CNF_INPUT_CONNECTED 0u /* DIR input, input buffer connected, no pull */

/* A PSEL register's value: pin number in bits 0..4, port in bit 5, CONNECT (bit 31) 0 = connected. */
#define NRF_PSEL(port, pin) ((uint32_t)(port) << 5 | (uint32_t)(pin))
#define NRF_PSEL_DISCONNECTED 0xFFFFFFFFu

/* UARTE0: UART with EasyDMA: transmits from RAM only. */
#define UARTE0_BASE 0x40002000u
#define UARTE0_TASKS_STARTTX NRF_REG(UARTE0_BASE + 0x008u)
#define UARTE0_EVENTS_ENDTX NRF_REG(UARTE0_BASE + 0x120u)
#define UARTE0_ENABLE NRF_REG(UARTE0_BASE + 0x500u)
#define UARTE0_PSEL_RTS NRF_REG(UARTE0_BASE + 0x508u)
#define UARTE0_PSEL_TXD NRF_REG(UARTE0_BASE + 0x50Cu)
#define UARTE0_PSEL_CTS NRF_REG(UARTE0_BASE + 0x510u)
#define UARTE0_PSEL_RXD NRF_REG(UARTE0_BASE + 0x514u)
#define UARTE0_BAUDRATE NRF_REG(UARTE0_BASE + 0x524u)
#define UARTE0_TXD_PTR NRF_REG(UARTE0_BASE + 0x544u)
#define UARTE0_TXD_MAXCNT NRF_REG(UARTE0_BASE + 0x548u)
#define UARTE0_CONFIG NRF_REG(UARTE0_BASE + 0x56Cu)
#define UARTE_ENABLE_ENABLED 8u
#define UARTE_BAUDRATE_115200 0x01D7E000u

/* PDM: pulse density modulation interface with EasyDMA; ID 0x1D: interrupt 29. */
#define PDM_BASE 0x4001D000u
#define PDM_IRQN 29u
#define PDM_TASKS_START NRF_REG(PDM_BASE + 0x000u)
#define PDM_TASKS_STOP NRF_REG(PDM_BASE + 0x004u)
#define PDM_EVENTS_STARTED NRF_REG(PDM_BASE + 0x100u)
#define PDM_EVENTS_STOPPED NRF_REG(PDM_BASE + 0x104u)
#define PDM_EVENTS_END NRF_REG(PDM_BASE + 0x108u)
#define PDM_INTENSET NRF_REG(PDM_BASE + 0x304u)
#define PDM_INTENCLR NRF_REG(PDM_BASE + 0x308u)
#define PDM_ENABLE NRF_REG(PDM_BASE + 0x500u)
#define PDM_PDMCLKCTRL NRF_REG(PDM_BASE + 0x504u)
#define PDM_MODE NRF_REG(PDM_BASE + 0x508u)
#define PDM_GAINL NRF_REG(PDM_BASE + 0x518u)
#define PDM_GAINR NRF_REG(PDM_BASE + 0x51Cu)
#define PDM_RATIO NRF_REG(PDM_BASE + 0x520u)
#define PDM_PSEL_CLK NRF_REG(PDM_BASE + 0x540u)
#define PDM_PSEL_DIN NRF_REG(PDM_BASE + 0x544u)
#define PDM_SAMPLE_PTR NRF_REG(PDM_BASE + 0x560u)
#define PDM_SAMPLE_MAXCNT NRF_REG(PDM_BASE + 0x564u)
#define PDM_INT_STARTED (1u << 0)
#define PDM_PDMCLKCTRL_1280K 0x0A000000u /* 32 MHz / 25 = 1.280 MHz */
#define PDM_RATIO_80 1u                   /* 1.280 MHz / 80 = 16 000 Hz exactly */
#define PDM_MODE_MONO_LEFT_FALLING 1u     /* OPERATION = Mono (bit 0), EDGE = LeftFalling (bit 1 = 0) */

/* Cortex-M4 system registers (ARMv7-M Architecture Reference Manual, B3.4 NVIC). */
#define NVIC_ISER0 NRF_REG(0xE000E100u)
#define NVIC_ICER0 NRF_REG(0xE000E180u)
#define NVIC_ICPR0 NRF_REG(0xE000E280u)
#define NVIC_IPR_BYTE(irq) (*(volatile uint8_t *)(uintptr_t)(0xE000E400u + (irq)))

#endif
