/* SPDX-License-Identifier: MIT */
/* 16550 UART driver, polled, for the hypervisor console. */
#include <asm/processor.h>
#include <tern/console.h>
#include <tern/errno.h>

#define UART_THR 0      /* transmit holding (write) */
#define UART_RBR 0      /* receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_DLL 0
#define UART_DLM 1
#define LSR_DR   0x01   /* data ready */
#define LSR_THRE 0x20   /* transmit holding register empty */

static uint16_t uart_base = 0x3f8;

/* Choose the port from console=; must run before serial_init. */
int serial_set_port(const char *val)
{
    if ( !strcmp(val, "com1") )
        uart_base = 0x3f8;
    else if ( !strcmp(val, "com2") )
        uart_base = 0x2f8;
    else if ( !strcmp(val, "none") )
        uart_base = 0;
    else
        return -EINVAL;
    return 0;
}

/* 115200 8n1, FIFOs on, interrupts off (the console is polled). */
void serial_init(void)
{
    if ( !uart_base )
        return;
    outb(uart_base + UART_IER, 0);
    outb(uart_base + UART_LCR, 0x80);           /* DLAB */
    outb(uart_base + UART_DLL, 1);              /* 115200 baud */
    outb(uart_base + UART_DLM, 0);
    outb(uart_base + UART_LCR, 0x03);           /* 8n1 */
    outb(uart_base + UART_FCR, 0x07);           /* enable + clear FIFOs */
    outb(uart_base + UART_MCR, 0x03);           /* DTR, RTS */
}

/*
 * Wait for room in the transmitter as long as it takes a slow reader of the
 * serial line to catch up (seconds under load in QEMU); give up only when
 * no UART answers at all, so that output is never silently dropped.
 */
void serial_putc(char c)
{
    unsigned long spins = 0;

    if ( !uart_base )
        return;
    while ( !(inb(uart_base + UART_LSR) & LSR_THRE) && ++spins < 20000000ul )
        cpu_relax();
    outb(uart_base + UART_THR, (uint8_t)c);
}

int serial_getc(void)
{
    if ( !uart_base || !(inb(uart_base + UART_LSR) & LSR_DR) )
        return -1;
    return inb(uart_base + UART_RBR);
}
