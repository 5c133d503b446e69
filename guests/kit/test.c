/* SPDX-License-Identifier: MIT */
/* Kit: start of day in C, and XTF-style test reporting. */
#include <kit/kit.h>
#include <kit/traps.h>

const start_info_t *kit_start_info;

static enum kit_test_status status = KIT_TEST_RUNNING;

static const char *const status_names[] = {
    [KIT_TEST_RUNNING] = "RUNNING",
    [KIT_TEST_SUCCESS] = "SUCCESS",
    [KIT_TEST_SKIP]    = "SKIP",
    [KIT_TEST_ERROR]   = "ERROR",
    [KIT_TEST_FAILURE] = "FAILURE",
};

/* Raise the outcome to s unless a worse one was reported already. */
static void set_status(enum kit_test_status s)
{
    if ( s > status )
        status = s;
}

/* Print "label: message" on a line of its own. */
static void report(const char *label, const char *fmt, va_list ap)
{
    kit_printf("%s: ", label);
    kit_vprintf(fmt, ap);
    kit_printf("\n");
}

/* The test passed (unless something worse was reported). */
void kit_test_success(void)
{
    set_status(KIT_TEST_SUCCESS);
}

/* The test does not apply here; prints why. */
void kit_test_skip(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Skip", fmt, ap);
    va_end(ap);
    set_status(KIT_TEST_SKIP);
}

/* The test could not be carried out; prints why. */
void kit_test_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Error", fmt, ap);
    va_end(ap);
    set_status(KIT_TEST_ERROR);
}

/* The test found a fault; prints it. */
void kit_test_failure(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Failure", fmt, ap);
    va_end(ap);
    set_status(KIT_TEST_FAILURE);
}

/* The outcome so far. */
enum kit_test_status kit_test_status(void)
{
    return status;
}

/*
 * Print the one result line and power the domain off. A test that
 * reported nothing ends in ERROR. If the shutdown hypercall returns, try
 * SHUTDOWN_crash, then spin on yield: there is nothing else to do.
 */
void kit_test_exit(void)
{
    static bool exiting;

    if ( !exiting )
    {
        exiting = true;
        if ( status == KIT_TEST_RUNNING )
        {
            kit_printf("Error: the test reported no result\n");
            status = KIT_TEST_ERROR;
        }
        kit_printf("Test result: %s\n", status_names[status]);
    }
    kit_shutdown(SHUTDOWN_poweroff);
    kit_shutdown(SHUTDOWN_crash);
    for ( ;; )
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

/* Report an error and end the test at once. */
void kit_test_abort(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report("Error", fmt, ap);
    va_end(ap);
    set_status(KIT_TEST_ERROR);
    kit_test_exit();
}

/*
 * Pick the hypercall way: the page, unless the builder left it as the kit
 * filled it (int3 bytes), which means it did not honour the note.
 */
static void hypercall_init(void)
{
    if ( kit_hypercall_page[0] == 0xcc )
        kit_hypercall_mode = KIT_HC_SYSCALL;
}

/* C entry from head.S on the kit's stack: set up, run the test, report. */
void kit_main(const start_info_t *si) KIT_NORETURN;
void kit_main(const start_info_t *si)
{
    kit_start_info = si;
    hypercall_init();
    if ( kit_hypercall_mode == KIT_HC_SYSCALL )
        kit_printf("kit: the hypercall page is empty, using SYSCALL\n");
    /* Traps first: finding the console ring reads the M2P, which may fault. */
    kit_traps_init();
    kit_console_init(si);
    test_main(si);
    kit_test_exit();
}
