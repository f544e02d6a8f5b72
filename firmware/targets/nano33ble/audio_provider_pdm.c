/* Audio provider of the nano33ble (see audio_provider.h): the on-board MP34DT05 PDM microphone
 * through the nRF52840's PDM peripheral, 16 kHz mono 16-bit, delivered hop by hop.
 *
 * Pins, as the Arduino Nano 33 BLE Sense wires them (ArduinoCore-mbed
 * variants/ARDUINO_NANO33BLE/variant.cpp, "PDM PWR / CLK / DIN"): the microphone's supply
 * switch on P0.17, CLK on P0.26, DATA on P0.25. The clock settings follow that core's PDM
 * library for 16 kHz: PDM clock 1.280 MHz with RATIO 80 (16 000 Hz exactly, from the crystal),
 * mono, left channel sampled on the falling edge, gain 20 (-10 dB; 0x28 is 0 dB, steps of 0.5 dB).
 *
 * EasyDMA writes one hop (LKWS_FE_HOP samples) per buffer into a ring of RING_HOPS buffers. The
 * PDM's STARTED event means the buffer just given has been taken: its interrupt hands over the
 * next one (the double buffering of SAMPLE.PTR), so the ring fills while the application runs
 * the network. When the application falls more than RING_HOPS - 2 hops behind, the oldest hops
 * are dropped (counted in dropped_hops, and still counted in samples so that times stay those
 * of the microphone). */
#include "audio_provider.h"

#include <stddef.h>

#include "nrf52840.h"

#define MIC_PWR_PIN 17u /* P0.17 */
#define MIC_CLK_PIN 26u /* P0.26 */
#define MIC_DIN_PIN 25u /* P0.25 */

#ifndef KWS_PDM_GAIN
#define KWS_PDM_GAIN 20u
#endif

/* 32 hops: 250 ms of audio, 8 KiB. An inference of the default model takes well under that. */
#define RING_HOPS 32u
/* A slot of 128 samples keeps every buffer word-aligned (125 samples are 250 bytes). */
#define SLOT_SAMPLES 128u
typedef char hop_fits_a_slot[LKWS_FE_HOP <= SLOT_SAMPLES ? 1 : -1];

static int16_t ring[RING_HOPS][SLOT_SAMPLES] __attribute__((aligned(4)));
/* STARTED events so far; after the k-th, buffers 0 .. k-2 (mod RING_HOPS) are complete. Written
 * by the interrupt only. */
static volatile uint32_t started;
static uint32_t next_hop; /* the next hop the application reads */

void PDM_IRQHandler(void)
{
    if (PDM_EVENTS_STARTED != 0) {
        PDM_EVENTS_STARTED = 0;
        (void)PDM_EVENTS_STARTED; /* the write reaches the peripheral before the handler returns */
        uint32_t n = started + 1u;
        PDM_SAMPLE_PTR = (uint32_t)(uintptr_t)ring[n % RING_HOPS];
        started = n;
    }
}

int audio_provider_open(audio_provider *ap, const char *path, const char **why)
{
    const char *mic = "mic";
    size_t i = 0;
    while (mic[i] != '\0' && path[i] == mic[i]) {
        i++;
    }
    ap->handle = -1;
    ap->data_left = 0;
    ap->samples = 0;
    ap->dropped_hops = 0;
    if (mic[i] != '\0' || path[i] != '\0') {
        *why = "this board records from its microphone only (give mic), not";
        return -1;
    }
    started = 0;
    next_hop = 0;

    GPIO_OUTSET(GPIO_P0) = 1u << MIC_PWR_PIN; /* microphone supply on */
    GPIO_DIRSET(GPIO_P0) = 1u << MIC_PWR_PIN;
    GPIO_OUTCLR(GPIO_P0) = 1u << MIC_CLK_PIN; /* CLK: an output, low until the PDM drives it */
    GPIO_DIRSET(GPIO_P0) = 1u << MIC_CLK_PIN;
    GPIO_PIN_CNF(GPIO_P0, MIC_DIN_PIN) = GPIO_PIN_CNF_INPUT_CONNECTED;

    PDM_PDMCLKCTRL = PDM_PDMCLKCTRL_1280K;
    PDM_RATIO = PDM_RATIO_80;
    PDM_MODE = PDM_MODE_MONO_LEFT_FALLING;
    PDM_GAINL = KWS_PDM_GAIN;
    PDM_GAINR = KWS_PDM_GAIN;
    PDM_PSEL_CLK = NRF_PSEL(0u, MIC_CLK_PIN);
    PDM_PSEL_DIN = NRF_PSEL(0u, MIC_DIN_PIN);
    PDM_SAMPLE_PTR = (uint32_t)(uintptr_t)ring[0];
    PDM_SAMPLE_MAXCNT = LKWS_FE_HOP; /* 16-bit samples per buffer (mono) */

    PDM_EVENTS_STARTED = 0;
    PDM_EVENTS_STOPPED = 0;
    PDM_EVENTS_END = 0;
    PDM_INTENSET = PDM_INT_STARTED;
    NVIC_IPR_BYTE(PDM_IRQN) = 0xE0u; /* a low priority: nothing else runs from interrupts */
    NVIC_ICPR0 = 1u << PDM_IRQN;
    NVIC_ISER0 = 1u << PDM_IRQN;
    PDM_ENABLE = 1u;
    PDM_TASKS_START = 1u;
    ap->handle = 0;
    return 0;
}

int audio_provider_read_hop(audio_provider *ap, int16_t *hop)
{
    if (ap->handle < 0) {
        return 0;
    }
    for (;;) {
        uint32_t s = started;
        uint32_t complete = s > 0u ? s - 1u : 0u;
        uint32_t behind = complete - next_hop;
        if (behind > RING_HOPS - 2u) {
            /* The DMA is about to write (or writes) the oldest buffers: skip them. */
            uint32_t skip = behind - (RING_HOPS - 2u);
            next_hop += skip;
            ap->dropped_hops += skip;
            ap->samples += skip * LKWS_FE_HOP;
        }
        if (complete != next_hop) {
            break;
        }
        __asm__ volatile("wfi"); /* until the next PDM interrupt (one per 7.8 ms) */
    }
    const int16_t *slot = ring[next_hop % RING_HOPS];
    for (uint32_t i = 0; i < LKWS_FE_HOP; i++) {
        hop[i] = slot[i];
    }
    next_hop++;
    ap->samples += LKWS_FE_HOP;
    return 1;
}

void audio_provider_close(audio_provider *ap)
{
    if (ap->handle >= 0) {
        NVIC_ICER0 = 1u << PDM_IRQN;
        PDM_INTENCLR = PDM_INT_STARTED;
        PDM_TASKS_STOP = 1u;
        while (PDM_EVENTS_STOPPED == 0) {
        }
        PDM_ENABLE = 0;
        GPIO_OUTCLR(GPIO_P0) = 1u << MIC_PWR_PIN; /* microphone supply off */
    }
    ap->handle = -1;
}
