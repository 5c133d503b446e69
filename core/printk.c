/* SPDX-License-Identifier: MIT */
/* printk, log levels and panic. */
#include <asm/current.h>
#include <tern/console.h>
#include <tern/errno.h>
#include <tern/smp.h>
#include <tern/spinlock.h>

static DEFINE_SPINLOCK(console_lock);
static int console_level = LOG_LEVEL_INFO;
static bool at_line_start = true;

/* Parse loglvl=: a name or 1..4. Returns 0 or -EINVAL. */
int console_set_level(const char *val)
{
    static const char *const names[] = { "", "err", "warning", "info", "debug" };
    unsigned int i;

    if ( !strcmp(val, "all") )
    {
        console_level = LOG_LEVEL_DEBUG;
        return 0;
    }
    for ( i = 1; i < ARRAY_SIZE(names); i++ )
        if ( !strcmp(val, names[i]) || (val[0] == (char)('0' + i) && !val[1]) )
        {
            console_level = (int)i;
            return 0;
        }
    return -EINVAL;
}

/* Caller holds console_lock. Translates \n into \r\n for the UART. */
static void console_write_locked(const char *s, size_t n)
{
    size_t i;

    for ( i = 0; i < n; i++ )
    {
        if ( s[i] == '\n' )
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

void console_write(const char *s, size_t n)
{
    unsigned long f = spin_lock_irqsave(&console_lock);

    console_write_locked(s, n);
    if ( n )
        at_line_start = s[n - 1] == '\n';
    spin_unlock_irqrestore(&console_lock, f);
}

void console_force_unlock(void)
{
    console_lock = (spinlock_t)SPIN_LOCK_UNLOCKED;
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int level = LOG_LEVEL_INFO, len, i, j;
    unsigned long f;

    if ( fmt[0] == '<' && fmt[1] >= '1' && fmt[1] <= '4' && fmt[2] == '>' )
    {
        level = fmt[1] - '0';
        fmt += 3;
    }
    if ( level > console_level )
        return;

    len = vsnprintf(buf, sizeof(buf), fmt, ap);
    if ( len >= (int)sizeof(buf) )
        len = sizeof(buf) - 1;

    f = spin_lock_irqsave(&console_lock);
    /* Every line Tern prints starts with its prefix. */
    for ( i = 0; i < len; i = j )
    {
        for ( j = i; j < len && buf[j] != '\n'; j++ )
            ;
        if ( j < len )
            j++;
        if ( at_line_start )
            console_write_locked("(TERN) ", 7);
        console_write_locked(buf + i, (size_t)(j - i));
        at_line_start = buf[j - 1] == '\n';
    }
    spin_unlock_irqrestore(&console_lock, f);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

/* Say why, stop the other CPUs, and halt this one for good. */
void panic(const char *fmt, ...)
{
    static volatile int in_panic;
    char buf[256];
    va_list ap;

    local_irq_disable();
    if ( __atomic_exchange_n(&in_panic, 1, __ATOMIC_SEQ_CST) )
        for ( ;; )
            halt();
    console_force_unlock();
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if ( !at_line_start )
        printk(TLOG_ERR "\n");
    printk(TLOG_ERR "****************************************\n");
    printk(TLOG_ERR "Panic on CPU %u:\n%s\n", smp_processor_id(), buf);
    printk(TLOG_ERR "****************************************\n");
    smp_stop_others();
    for ( ;; )
        halt();
}
