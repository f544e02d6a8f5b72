/* The nano33ble's console (see console.h): UARTE0 at 115200 baud, 8N1, transmit only, on the
 * header's TX pin, P1.03 (ArduinoCore-mbed variants/ARDUINO_NANO33BLE: PIN_SERIAL_TX is D0 = P1_3;
 * RX, unused here, is P1.10). The board's USB port belongs to the nRF52840's USB device, which
 * this firmware does not drive: read the console with a 3.3 V USB-serial adapter on TX and GND.
 * Both streams go to the same UART; "\n" is sent as "\r\n" for terminals.
 *
 * The command line is built in: KWS_COMMAND_LINE (default "fw.elf mic", the microphone with no
 * option), e.g. make clean all KWS_CFLAGS='-DKWS_COMMAND_LINE="\"fw.elf --trace mic\""'. */
#include "console.h"

#include <stdint.h>

#include "nrf52840.h"

#ifndef KWS_COMMAND_LINE
#define KWS_COMMAND_LINE "fw.elf mic"
#endif

#define TX_PORT GPIO_P1
#define TX_PORT_NUMBER 1u
#define TX_PIN 3u

/* EasyDMA reads RAM only: text (often in flash) is copied here in chunks. */
static uint8_t tx_buffer[64];
static int uart_ready;

static void uart_init(void)
{
    GPIO_OUTSET(TX_PORT) = 1u << TX_PIN; /* idle high before the UART takes the pin */
    GPIO_DIRSET(TX_PORT) = 1u << TX_PIN;
    UARTE0_PSEL_TXD = NRF_PSEL(TX_PORT_NUMBER, TX_PIN);
    UARTE0_PSEL_RXD = NRF_PSEL_DISCONNECTED;
    UARTE0_PSEL_RTS = NRF_PSEL_DISCONNECTED;
    UARTE0_PSEL_CTS = NRF_PSEL_DISCONNECTED;
    UARTE0_BAUDRATE = UARTE_BAUDRATE_115200;
    UARTE0_CONFIG = 0; /* no parity, no hardware flow control, one stop bit */
    UARTE0_ENABLE = UARTE_ENABLE_ENABLED;
    uart_ready = 1;
}

/* Blocks until the bytes are out of the DMA buffer. */
static void send(uint32_t bytes)
{
    UARTE0_TXD_PTR = (uint32_t)(uintptr_t)tx_buffer;
    UARTE0_TXD_MAXCNT = bytes;
    UARTE0_EVENTS_ENDTX = 0;
    UARTE0_TASKS_STARTTX = 1;
    while (UARTE0_EVENTS_ENDTX == 0) {
    }
    UARTE0_EVENTS_ENDTX = 0;
}

static void write_text(const char *text)
{
    uint32_t n = 0;
    if (!uart_ready) {
        uart_init();
    }
    for (; *text != '\0'; text++) {
        if (n + 2 > sizeof tx_buffer) {
            send(n);
            n = 0;
        }
        if (*text == '\n') {
            tx_buffer[n++] = '\r';
        }
        tx_buffer[n++] = (uint8_t)*text;
    }
    if (n > 0) {
        send(n);
    }
}

void lkws_console_print(const char *text)
{
    write_text(text);
}

void lkws_console_eprint(const char *text)
{
    write_text(text);
}

int lkws_console_command_line(char *buffer, size_t capacity)
{
    static const char line[] = KWS_COMMAND_LINE;
    if (sizeof line > capacity) {
        return -1;
    }
    for (size_t i = 0; i < sizeof line; i++) {
        buffer[i] = line[i];
    }
    return 0;
}
