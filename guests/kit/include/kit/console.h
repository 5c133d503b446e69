/* SPDX-License-Identifier: MIT */
/* Kit: console output through console_io and the start_info console ring. */
#ifndef KIT_CONSOLE_H
#define KIT_CONSOLE_H

#include <kit/lib.h>

/*
 * Output goes to every console the domain has:
 *  - HYPERVISOR_console_io(CONSOLEIO_write), which Xen gives the initial
 *    domain (and debug builds any domain);
 *  - the start_info console ring (struct xencons_interface), which a domU
 *    has and the initial domain does not (SIF_INITDOMAIN: the console field
 *    then holds the dom0 VGA info instead). The ring is found through the
 *    M2P table, and mapped by update_va_mapping when it lies outside the
 *    initial mapping; the back end is kicked on console.domU.evtchn.
 * Either may be turned off (kit_console_use_io / kit_console_use_ring), for
 * a test of the other one, or on a hypervisor that shows both on one line.
 */
extern bool kit_console_use_io;
extern bool kit_console_use_ring;

void kit_console_init(const start_info_t *si);
void kit_console_write(const char *buf, size_t len);
struct xencons_interface *kit_console_ring(void);

int kit_printf(const char *fmt, ...) KIT_PRINTF(1, 2);
int kit_vprintf(const char *fmt, va_list ap);

#endif /* KIT_CONSOLE_H */
