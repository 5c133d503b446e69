/* SPDX-License-Identifier: MIT */
/* Kit: XTF-style test reporting and the test's entry point. */
#ifndef KIT_TEST_H
#define KIT_TEST_H

#include <kit/lib.h>

/*
 * A test guest defines test_main(). The kit calls it once with the
 * start_info page; the test reports with the calls below, returns, and the
 * kit prints the outcome as exactly one line
 *
 *     Test result: SUCCESS | SKIP | ERROR | FAILURE
 *
 * and powers the domain off (SCHEDOP_shutdown, SHUTDOWN_poweroff, whatever
 * the outcome: the line carries it). Messages given to skip, error and
 * failure are printed at once, on lines of their own before the result.
 *
 * Outcomes only get worse: SUCCESS < SKIP < ERROR < FAILURE; the worst one
 * reported wins. A test that reports nothing ends in ERROR.
 *   failure: the thing under test behaved wrongly;
 *   error:   the test itself could not run as planned (setup failed);
 *   skip:    the thing under test is absent here.
 */
enum kit_test_status {
    KIT_TEST_RUNNING,   /* nothing reported yet */
    KIT_TEST_SUCCESS,   /* the test passed */
    KIT_TEST_SKIP,      /* the test does not apply here */
    KIT_TEST_ERROR,     /* the test could not be carried out */
    KIT_TEST_FAILURE,   /* the test found a fault */
};

/* The one function a test guest defines. */
void test_main(const start_info_t *si);

/* The start_info page the domain was started with. */
extern const start_info_t *kit_start_info;

void kit_test_success(void);
void kit_test_skip(const char *fmt, ...) KIT_PRINTF(1, 2);
void kit_test_error(const char *fmt, ...) KIT_PRINTF(1, 2);
void kit_test_failure(const char *fmt, ...) KIT_PRINTF(1, 2);
enum kit_test_status kit_test_status(void);

/* Print the result line now and power off; for fatal paths. */
void kit_test_exit(void) KIT_NORETURN;
/* Report error and end the test now. */
void kit_test_abort(const char *fmt, ...) KIT_PRINTF(1, 2) KIT_NORETURN;

#endif /* KIT_TEST_H */
