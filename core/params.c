/* SPDX-License-Identifier: MIT */
/* Tern's command line: console=, loglvl=, maxcpus=, nopoweroff, sched=, ... */
#include <tern/cmdline.h>
#include <tern/console.h>
#include <tern/params.h>
#include <tern/sched.h>

struct tern_params opt;

static const struct param params[] = {
    { "console",    PARAM_CUSTOM, NULL, 0, serial_set_port },
    { "loglvl",     PARAM_CUSTOM, NULL, 0, console_set_level },
    { "maxcpus",    PARAM_UINT,   &opt.maxcpus, 0, NULL },
    { "nopoweroff", PARAM_BOOL,   &opt.nopoweroff, 0, NULL },
    { "noreboot",   PARAM_BOOL,   &opt.noreboot, 0, NULL },
    { "sched",      PARAM_CUSTOM, NULL, 0, sched_select },
};

static void param_error(const char *key, const char *val, int rc)
{
    if ( rc == -2 /* ENOENT */ )
        printk(TLOG_WARNING "Command line: unknown option '%s' ignored\n", key);
    else
        printk(TLOG_WARNING "Command line: bad value '%s' for '%s' ignored\n",
               val ? val : "", key);
}

int params_parse(const char *cmdline)
{
    return cmdline_parse(cmdline, params, ARRAY_SIZE(params), param_error);
}
