/* SPDX-License-Identifier: MIT */
/* Kit: words of the guest's command line (start_info cmd_line). */
#ifndef KIT_CMDLINE_H
#define KIT_CMDLINE_H

#include <kit/lib.h>

/*
 * The command line is words separated by spaces: `word` or `key=value`
 * (Tern's cmdline="..." and the dom0 builder's pass it as given).
 */

/* The value of key=VALUE (up to the next space), or NULL without one. */
const char *kit_cmdline_value(const char *cmd, const char *key);
/* The decimal number of key=N, or def without key=. */
unsigned long kit_cmdline_num(const char *cmd, const char *key, unsigned long def);
/* The value of key= copied into buf (len bytes, cut, terminated); "" without. */
void kit_cmdline_str(const char *cmd, const char *key, char *buf, size_t len);
/* Is word one of the words? */
bool kit_cmdline_has(const char *cmd, const char *word);

#endif /* KIT_CMDLINE_H */
