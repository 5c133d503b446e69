/* SPDX-License-Identifier: MIT */
/* Test guest ldt: constants shared by main.c and user.S. */
#ifndef LDT_TEST_H
#define LDT_TEST_H

/* A selector of LDT entry i with RPL 3. */
#define LDT_SEL(i)      (((i) << 3) | 7)

/* LDT entries of the test (two pages: 0..511 and 512..LDT_ENTS-1). */
#define LDT_E_DATA      0       /* data, DPL 3, base BASE_DATA */
#define LDT_E_DPL0      1       /* data written with DPL 0 */
#define LDT_E_NP        2       /* data, not present */
#define LDT_E_XO        3       /* execute-only 64-bit code */
#define LDT_E_GS        4       /* data, base BASE_GS (update_descriptor) */
#define LDT_E_CODE      5       /* 64-bit code, DPL 3 */
#define LDT_E_PAGE1     512     /* data, in the second page */
#define LDT_ENTS        600

/* What the user code saw (ldt_user_seen[] word offsets). */
#define LDT_SEEN_DS       0
#define LDT_SEEN_ES       1
#define LDT_SEEN_FS       2
#define LDT_SEEN_GS       3
#define LDT_SEEN_FS_READ  4
#define LDT_SEEN_GS_READ  5
#define LDT_SEEN_WORDS    6

#endif /* LDT_TEST_H */
