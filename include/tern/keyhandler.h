/* SPDX-License-Identifier: MIT */
/* Debug keys on the serial console (core/keyhandler.c). */
#ifndef TERN_KEYHANDLER_H
#define TERN_KEYHANDLER_H

/* Start polling the serial port for keys (boot CPU, after the timers). */
void keyhandler_init(void);
/* Act on one key; unknown keys print a hint. */
void handle_keypress(char key);

#endif /* TERN_KEYHANDLER_H */
