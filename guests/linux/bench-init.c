/* SPDX-License-Identifier: MIT */
/*
 * /init of the bench initramfs (make bench's Linux rows; never the tests').
 *
 * A static x86-64 program without libc: its entry reads the TSC before
 * anything else, so `linux.init` is the TSC at the first user instruction
 * Linux runs (ticks since power-on: neither Tern nor Xen 4.17 writes the
 * TSC, and under -icount shift=0 it counts instructions). A working RDTSC
 * here also shows CR4.TSD is clear: with it set, RDTSC would fault and
 * kill init, so Linux would panic instead of printing the line.
 *
 * Then a fixed workload: fork + execve("/bin/true") + wait4, timed with
 * RDTSC in BENCH_ROUNDS rounds of FORK_OPS after FORK_WARM untimed ones;
 * then execve("/bin/busybox poweroff -f"). Results are lines of
 * guests/bench/lib/bench.h's format, parsed by bench/run-bench.py:
 *
 *   BENCH linux.init value=<tsc> unit=tsc
 *   BENCH linux.fork-exec median=<n.d> min=<n.d> max=<n.d> unit=tsc/op rounds=5 ops=20
 *
 * Output goes to fd 1, the console the kernel opened for init.
 */

#define SYS_write   1
#define SYS_fork    57
#define SYS_execve  59
#define SYS_exit    60
#define SYS_wait4   61

#define BENCH_ROUNDS 5
#define FORK_OPS     20
#define FORK_WARM    5

typedef unsigned long u64;

/* The entry: TSC first (lfence so earlier work is done), then C. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    lfence\n"
        "    rdtsc\n"
        "    shl $32, %rdx\n"
        "    or %rdx, %rax\n"
        "    mov %rax, %rdi\n"
        "    and $-16, %rsp\n"
        "    call init_main\n"
        "    ud2\n");

static long sys3(long nr, long a, long b, long c)
{
    long ret;

    __asm__ volatile ("syscall" : "=a" (ret)
                      : "a" (nr), "D" (a), "S" (b), "d" (c)
                      : "rcx", "r11", "memory");
    return ret;
}

static long sys4(long nr, long a, long b, long c, long d)
{
    register long r10 __asm__("r10") = d;
    long ret;

    __asm__ volatile ("syscall" : "=a" (ret)
                      : "a" (nr), "D" (a), "S" (b), "d" (c), "r" (r10)
                      : "rcx", "r11", "memory");
    return ret;
}

static u64 tsc(void)
{
    unsigned int lo, hi;

    __asm__ volatile ("lfence; rdtsc" : "=a" (lo), "=d" (hi) :: "memory");
    return ((u64)hi << 32) | lo;
}

/* A line buffer: text and decimal numbers, written out at once. */
static char line[160];
static unsigned int len;

static void put(const char *s)
{
    while ( *s && len < sizeof(line) - 1 )
        line[len++] = *s++;
}

static void put_u(u64 v)
{
    char d[24];
    int n = 0;

    do
        d[n++] = (char)('0' + v % 10);
    while ( (v /= 10) && n < (int)sizeof(d) );
    while ( n && len < sizeof(line) - 1 )
        line[len++] = d[--n];
}

/* A tenth-resolution figure: tenths / 10 "." tenths % 10. */
static void put_d(u64 tenths)
{
    put_u(tenths / 10);
    put(".");
    put_u(tenths % 10);
}

static void flush(void)
{
    line[len++] = '\n';
    sys3(SYS_write, 1, (long)line, len);
    len = 0;
}

static char *const true_argv[] = { "true", 0 };
static char *const poweroff_argv[] = { "poweroff", "-f", 0 };
static char *const envp[] = { "PATH=/bin", 0 };

/* One fork + execve("/bin/true") + wait4; 0 when the child exited 0. */
static int fork_exec(void)
{
    int status = -1;
    long pid = sys3(SYS_fork, 0, 0, 0);

    if ( pid == 0 )
    {
        sys3(SYS_execve, (long)"/bin/true", (long)true_argv, (long)envp);
        sys3(SYS_exit, 127, 0, 0);
    }
    if ( pid < 0 )
        return -1;
    if ( sys4(SYS_wait4, pid, (long)&status, 0, 0) != pid )
        return -1;
    return status;
}

void init_main(u64 entry_tsc);

void init_main(u64 entry_tsc)
{
    u64 samples[BENCH_ROUNDS], t;
    unsigned int r, i, j;
    int bad = 0;

    put("BENCH linux.init value=");
    put_u(entry_tsc);
    put(" unit=tsc");
    flush();

    for ( i = 0; i < FORK_WARM; i++ )
        bad |= fork_exec();
    for ( r = 0; r < BENCH_ROUNDS && !bad; r++ )
    {
        t = tsc();
        for ( i = 0; i < FORK_OPS; i++ )
            bad |= fork_exec();
        samples[r] = tsc() - t;
    }
    if ( bad )
    {
        put("BENCH linux.fork-exec n/a reason=fork+exec of /bin/true failed");
        flush();
    }
    else
    {
        /* Sort the few samples; report per operation, in tenths. */
        for ( i = 1; i < BENCH_ROUNDS; i++ )
            for ( j = i; j && samples[j - 1] > samples[j]; j-- )
            {
                t = samples[j];
                samples[j] = samples[j - 1];
                samples[j - 1] = t;
            }
        put("BENCH linux.fork-exec median=");
        put_d(samples[BENCH_ROUNDS / 2] * 10 / FORK_OPS);
        put(" min=");
        put_d(samples[0] * 10 / FORK_OPS);
        put(" max=");
        put_d(samples[BENCH_ROUNDS - 1] * 10 / FORK_OPS);
        put(" unit=tsc/op rounds=5 ops=");
        put_u(FORK_OPS);
        flush();
    }
    put("bench: init done, powering off");
    flush();
    sys3(SYS_execve, (long)"/bin/busybox", (long)poweroff_argv, (long)envp);
    sys3(SYS_exit, 1, 0, 0);
}
