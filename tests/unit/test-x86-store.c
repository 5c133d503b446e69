/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/x86-store.c: decoding and computing page-table stores. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <tern/x86-store.h>
#include "unit.h"

/*
 * The instruction bytes in these tables come from the host assembler (as,
 * then objdump -d), and each expected description from objdump's own
 * disassembly of them: two decoders that must agree. The results of
 * x86_store_apply() are checked against the host CPU, which executes the
 * same bytes on the same memory and registers.
 */

/* One decode case: the bytes and either a description or an error. */
struct dcase {
    const char *text;               /* objdump's disassembly, or a note */
    unsigned int n;                 /* bytes: the instruction length if valid */
    uint8_t bytes[X86_STORE_MAX_LEN];
    const char *desc;               /* expected describe() when valid */
    int rc;                         /* else the expected error */
    uint64_t rip, target;           /* RIP-relative: address, target */
};

/* ------------------------------------------------------------------ */
/* Describing a decoded store the way objdump writes the instruction.  */

static const char *const reg64[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

/* The name of register reg at size bytes (hi8: AH..BH). */
static const char *reg_name(unsigned int reg, unsigned int size, bool hi8)
{
    static const char *const r32[8] = {
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
    static const char *const r16[8] = {
        "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
    static const char *const r8[8] = {
        "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil" };
    static const char *const h8[4] = { "ah", "ch", "dh", "bh" };
    static char buf[8];

    if ( hi8 )
        return reg >= 4 && reg < 8 ? h8[reg - 4] : "?";
    if ( size == 8 )
        return reg64[reg];
    if ( reg < 8 )
        return size == 4 ? r32[reg] : size == 2 ? r16[reg] : r8[reg];
    snprintf(buf, sizeof(buf), "r%u%s", reg,
             size == 4 ? "d" : size == 2 ? "w" : "b");
    return buf;
}

/* Write "0x10", "-0x8" for disp into buf. */
static void fmt_disp(char *buf, size_t size, int32_t disp)
{
    if ( disp < 0 )
        snprintf(buf, size, "-0x%llx", -(long long)disp);
    else
        snprintf(buf, size, "0x%x", (unsigned int)disp);
}

/*
 * "<op><bits>[ lock][ <src>] -> <memory operand>", the memory operand in
 * AT&T syntax as objdump prints it (no 0x0 displacement).
 */
static const char *describe(const struct x86_store *st)
{
    static const char *const kinds[] = {
        [X86_STORE_MOV] = "mov", [X86_STORE_XCHG] = "xchg",
        [X86_STORE_CMPXCHG] = "cmpxchg", [X86_STORE_CMPXCHG8B] = "cmpxchg8b",
    };
    static const char *const ops[] = {
        [X86_STORE_ADD] = "add", [X86_STORE_OR] = "or", [X86_STORE_AND] = "and",
        [X86_STORE_SUB] = "sub", [X86_STORE_XOR] = "xor",
        [X86_STORE_BTS] = "bts", [X86_STORE_BTR] = "btr",
        [X86_STORE_BTC] = "btc",
    };
    static char buf[128];
    char src[32] = "", disp[16] = "", idx[16] = "";
    uint64_t mask = st->size == 8 ? ~0ull : (1ull << (8 * st->size)) - 1;

    if ( st->src_imm )
        snprintf(src, sizeof(src), " $0x%llx",
                 (unsigned long long)((uint64_t)st->imm & mask));
    else if ( st->kind != X86_STORE_CMPXCHG8B )
        snprintf(src, sizeof(src), " %s",
                 reg_name(st->reg, st->size, st->reg_hi8));
    if ( st->disp || (st->base < 0 && st->index < 0 && !st->rip_rel) )
        fmt_disp(disp, sizeof(disp), st->disp);
    if ( st->index >= 0 )
        snprintf(idx, sizeof(idx), ",%%%s,%u", reg64[st->index], st->scale);
    snprintf(buf, sizeof(buf), "%s%u%s%s -> %s%s%s%s%s%s%s",
             st->kind == X86_STORE_RMW ? ops[st->op] : kinds[st->kind],
             st->size * 8, st->lock ? " lock" : "", src,
             st->seg == X86_STORE_SEG_FS ? "%fs:" :
             st->seg == X86_STORE_SEG_GS ? "%gs:" : "",
             disp,
             st->rip_rel || st->base >= 0 || st->index >= 0 ? "(" : "",
             st->rip_rel ? "%rip" : st->base >= 0 ? "%" : "",
             st->rip_rel ? "" : st->base >= 0 ? reg64[st->base] : "",
             idx,
             st->rip_rel || st->base >= 0 || st->index >= 0 ? ")" : "");
    return buf;
}

/* ------------------------------------------------------------------ */
/* Instructions that must decode (bytes from as, text from objdump).   */

static const struct dcase good[] = {
    { "mov %rax,(%rdi)", 3, { 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "mov %eax,(%rdi)", 2, { 0x89, 0x07 },
      .desc = "mov32 eax -> (%rdi)" },
    { "mov %ax,(%rdi)", 3, { 0x66, 0x89, 0x07 },
      .desc = "mov16 ax -> (%rdi)" },
    { "mov %al,(%rdi)", 2, { 0x88, 0x07 },
      .desc = "mov8 al -> (%rdi)" },
    { "mov %ah,(%rdi)", 2, { 0x88, 0x27 },
      .desc = "mov8 ah -> (%rdi)" },
    { "mov %bh,0x7(%rsi)", 3, { 0x88, 0x7e, 0x07 },
      .desc = "mov8 bh -> 0x7(%rsi)" },
    { "mov %sil,(%rdi)", 3, { 0x40, 0x88, 0x37 },
      .desc = "mov8 sil -> (%rdi)" },
    { "mov %dil,(%rdi)", 3, { 0x40, 0x88, 0x3f },
      .desc = "mov8 dil -> (%rdi)" },
    { "mov %r8b,(%rdi)", 3, { 0x44, 0x88, 0x07 },
      .desc = "mov8 r8b -> (%rdi)" },
    { "mov %r15b,(%r15)", 3, { 0x45, 0x88, 0x3f },
      .desc = "mov8 r15b -> (%r15)" },
    { "mov %r15,0x0(%r13)", 4, { 0x4d, 0x89, 0x7d, 0x00 },
      .desc = "mov64 r15 -> (%r13)" },
    { "mov %rax,(%r12)", 4, { 0x49, 0x89, 0x04, 0x24 },
      .desc = "mov64 rax -> (%r12)" },
    { "mov %rax,(%rsp)", 4, { 0x48, 0x89, 0x04, 0x24 },
      .desc = "mov64 rax -> (%rsp)" },
    { "mov %rax,0x8(%rbp)", 4, { 0x48, 0x89, 0x45, 0x08 },
      .desc = "mov64 rax -> 0x8(%rbp)" },
    { "mov %rax,-0x8(%rdi,%rcx,8)", 5, { 0x48, 0x89, 0x44, 0xcf, 0xf8 },
      .desc = "mov64 rax -> -0x8(%rdi,%rcx,8)" },
    { "mov %rax,0x12345678(%rdi,%r9,4)", 8, {
        0x4a, 0x89, 0x84, 0x8f, 0x78, 0x56, 0x34, 0x12 },
      .desc = "mov64 rax -> 0x12345678(%rdi,%r9,4)" },
    { "mov %r11,-0x80(%r10,%r12,2)", 5, { 0x4f, 0x89, 0x5c, 0x62, 0x80 },
      .desc = "mov64 r11 -> -0x80(%r10,%r12,2)" },
    { "mov %rax,0x7f(%r13,%rax,1)", 5, { 0x49, 0x89, 0x44, 0x05, 0x7f },
      .desc = "mov64 rax -> 0x7f(%r13,%rax,1)" },
    { "mov %rdx,0x0(%rbp,%r12,1)", 5, { 0x4a, 0x89, 0x54, 0x25, 0x00 },
      .desc = "mov64 rdx -> (%rbp,%r12,1)" },
    { "mov %rax,0x1000(,%rcx,8)", 8, {
        0x48, 0x89, 0x04, 0xcd, 0x00, 0x10, 0x00, 0x00 },
      .desc = "mov64 rax -> 0x1000(,%rcx,8)" },
    { "mov %rax,-0x1000(,%r14,2)", 8, {
        0x4a, 0x89, 0x04, 0x75, 0x00, 0xf0, 0xff, 0xff },
      .desc = "mov64 rax -> -0x1000(,%r14,2)" },
    { "mov %rax,0x1000", 8, { 0x48, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 },
      .desc = "mov64 rax -> 0x1000" },
    { "mov %rax,-0x7fffffff(%rbx)", 7, {
        0x48, 0x89, 0x83, 0x01, 0x00, 0x00, 0x80 },
      .desc = "mov64 rax -> -0x7fffffff(%rbx)" },
    { "mov %rax,0x10(%rip)", 7, { 0x48, 0x89, 0x05, 0x10, 0x00, 0x00, 0x00 },
      .desc = "mov64 rax -> 0x10(%rip)",
      .rip = 0x66, .target = 0x7dull },
    { "mov %rcx,-0x100(%rip)", 7, { 0x48, 0x89, 0x0d, 0x00, 0xff, 0xff, 0xff },
      .desc = "mov64 rcx -> -0x100(%rip)",
      .rip = 0x6d, .target = 0xffffffffffffff74ull },
    { "mov %rax,%fs:(%rdi)", 4, { 0x64, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> %fs:(%rdi)" },
    { "mov %rax,%gs:0x28", 9, {
        0x65, 0x48, 0x89, 0x04, 0x25, 0x28, 0x00, 0x00, 0x00 },
      .desc = "mov64 rax -> %gs:0x28" },
    { "mov %ecx,%gs:0x10(%rip)", 7, {
        0x65, 0x89, 0x0d, 0x10, 0x00, 0x00, 0x00 },
      .desc = "mov32 ecx -> %gs:0x10(%rip)",
      .rip = 0x81, .target = 0x98ull },
    { "ds mov %rax,(%rdi)", 4, { 0x3e, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "cs mov %rax,(%rdi)", 4, { 0x2e, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "es mov %eax,0x4(%rdi)", 4, { 0x26, 0x89, 0x47, 0x04 },
      .desc = "mov32 eax -> 0x4(%rdi)" },
    { "ss mov %eax,0x4(%rdi)", 4, { 0x36, 0x89, 0x47, 0x04 },
      .desc = "mov32 eax -> 0x4(%rdi)" },
    { "movq $0xffffffffffffffff,(%rdi)", 7, {
        0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff },
      .desc = "mov64 $0xffffffffffffffff -> (%rdi)" },
    { "movq $0x12345678,(%r8)", 7, { 0x49, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12 },
      .desc = "mov64 $0x12345678 -> (%r8)" },
    { "movl $0x12345678,0x4(%rdi)", 7, {
        0xc7, 0x47, 0x04, 0x78, 0x56, 0x34, 0x12 },
      .desc = "mov32 $0x12345678 -> 0x4(%rdi)" },
    { "movl $0xffffffff,0x4(%rdi)", 7, {
        0xc7, 0x47, 0x04, 0xff, 0xff, 0xff, 0xff },
      .desc = "mov32 $0xffffffff -> 0x4(%rdi)" },
    { "movw $0x1234,(%rdi)", 5, { 0x66, 0xc7, 0x07, 0x34, 0x12 },
      .desc = "mov16 $0x1234 -> (%rdi)" },
    { "movw $0xfffe,0x6(%rdi)", 6, { 0x66, 0xc7, 0x47, 0x06, 0xfe, 0xff },
      .desc = "mov16 $0xfffe -> 0x6(%rdi)" },
    { "movb $0x12,(%rdi)", 3, { 0xc6, 0x07, 0x12 },
      .desc = "mov8 $0x12 -> (%rdi)" },
    { "movb $0xff,0x3(%rdi)", 4, { 0xc6, 0x47, 0x03, 0xff },
      .desc = "mov8 $0xff -> 0x3(%rdi)" },
    { "movq $0x7fffffff,0x10(%rip)", 11, {
        0x48, 0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
        0x7f },
      .desc = "mov64 $0x7fffffff -> 0x10(%rip)",
      .rip = 0xc6, .target = 0xe1ull },
    { "movw $0x1234,-0x20(%rip)", 9, {
        0x66, 0xc7, 0x05, 0xe0, 0xff, 0xff, 0xff, 0x34, 0x12 },
      .desc = "mov16 $0x1234 -> -0x20(%rip)",
      .rip = 0xd1, .target = 0xbaull },
    { "movnti %rax,(%rdi)", 4, { 0x48, 0x0f, 0xc3, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "movnti %eax,0x4(%rdi)", 4, { 0x0f, 0xc3, 0x47, 0x04 },
      .desc = "mov32 eax -> 0x4(%rdi)" },
    { "movnti %r9,(%r10,%r11,8)", 5, { 0x4f, 0x0f, 0xc3, 0x0c, 0xda },
      .desc = "mov64 r9 -> (%r10,%r11,8)" },
    { "xrelease mov %rax,(%rdi)", 4, { 0xf3, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "repnz mov %rax,(%rdi)", 4, { 0xf2, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "xchg %rax,(%rdi)", 3, { 0x48, 0x87, 0x07 },
      .desc = "xchg64 rax -> (%rdi)" },
    { "xchg %eax,(%rdi)", 2, { 0x87, 0x07 },
      .desc = "xchg32 eax -> (%rdi)" },
    { "xchg %ax,(%rdi)", 3, { 0x66, 0x87, 0x07 },
      .desc = "xchg16 ax -> (%rdi)" },
    { "xchg %al,(%rdi)", 2, { 0x86, 0x07 },
      .desc = "xchg8 al -> (%rdi)" },
    { "xchg %bh,(%rdi)", 2, { 0x86, 0x3f },
      .desc = "xchg8 bh -> (%rdi)" },
    { "xchg %r9,(%rdi)", 3, { 0x4c, 0x87, 0x0f },
      .desc = "xchg64 r9 -> (%rdi)" },
    { "lock xchg %r9,0x10(%rdi,%rsi,8)", 6, {
        0xf0, 0x4c, 0x87, 0x4c, 0xf7, 0x10 },
      .desc = "xchg64 lock r9 -> 0x10(%rdi,%rsi,8)" },
    { "lock cmpxchg %rcx,(%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xb1, 0x0f },
      .desc = "cmpxchg64 lock rcx -> (%rdi)" },
    { "lock cmpxchg %ecx,0x4(%rdi)", 5, { 0xf0, 0x0f, 0xb1, 0x4f, 0x04 },
      .desc = "cmpxchg32 lock ecx -> 0x4(%rdi)" },
    { "lock cmpxchg %cx,(%rdi)", 5, { 0x66, 0xf0, 0x0f, 0xb1, 0x0f },
      .desc = "cmpxchg16 lock cx -> (%rdi)" },
    { "lock cmpxchg %cl,(%rdi)", 4, { 0xf0, 0x0f, 0xb0, 0x0f },
      .desc = "cmpxchg8 lock cl -> (%rdi)" },
    { "lock cmpxchg %ch,(%rdi)", 4, { 0xf0, 0x0f, 0xb0, 0x2f },
      .desc = "cmpxchg8 lock ch -> (%rdi)" },
    { "cmpxchg %r8,(%rdi)", 4, { 0x4c, 0x0f, 0xb1, 0x07 },
      .desc = "cmpxchg64 r8 -> (%rdi)" },
    { "lock cmpxchg %r8,%gs:0x18(%r9,%r10,4)", 8, {
        0x65, 0xf0, 0x4f, 0x0f, 0xb1, 0x44, 0x91, 0x18 },
      .desc = "cmpxchg64 lock r8 -> %gs:0x18(%r9,%r10,4)" },
    { "xacquire lock cmpxchg %rcx,(%rdi)", 6, {
        0xf2, 0xf0, 0x48, 0x0f, 0xb1, 0x0f },
      .desc = "cmpxchg64 lock rcx -> (%rdi)" },
    { "lock cmpxchg8b (%rdi)", 4, { 0xf0, 0x0f, 0xc7, 0x0f },
      .desc = "cmpxchg8b64 lock -> (%rdi)" },
    { "cmpxchg8b 0x8(%rsi,%rbx,8)", 5, { 0x0f, 0xc7, 0x4c, 0xde, 0x08 },
      .desc = "cmpxchg8b64 -> 0x8(%rsi,%rbx,8)" },
    { "lock and %rax,(%rdi)", 4, { 0xf0, 0x48, 0x21, 0x07 },
      .desc = "and64 lock rax -> (%rdi)" },
    { "lock or %rax,(%rdi)", 4, { 0xf0, 0x48, 0x09, 0x07 },
      .desc = "or64 lock rax -> (%rdi)" },
    { "lock xor %rax,(%rdi)", 4, { 0xf0, 0x48, 0x31, 0x07 },
      .desc = "xor64 lock rax -> (%rdi)" },
    { "lock add %rax,(%rdi)", 4, { 0xf0, 0x48, 0x01, 0x07 },
      .desc = "add64 lock rax -> (%rdi)" },
    { "lock sub %rax,(%rdi)", 4, { 0xf0, 0x48, 0x29, 0x07 },
      .desc = "sub64 lock rax -> (%rdi)" },
    { "lock and %ecx,0x4(%rdi)", 4, { 0xf0, 0x21, 0x4f, 0x04 },
      .desc = "and32 lock ecx -> 0x4(%rdi)" },
    { "lock or %dx,0x2(%rdi)", 5, { 0x66, 0xf0, 0x09, 0x57, 0x02 },
      .desc = "or16 lock dx -> 0x2(%rdi)" },
    { "lock xor %bl,(%rdi)", 3, { 0xf0, 0x30, 0x1f },
      .desc = "xor8 lock bl -> (%rdi)" },
    { "lock add %ah,(%rdi)", 3, { 0xf0, 0x00, 0x27 },
      .desc = "add8 lock ah -> (%rdi)" },
    { "lock sub %r10b,(%rdi)", 4, { 0xf0, 0x44, 0x28, 0x17 },
      .desc = "sub8 lock r10b -> (%rdi)" },
    { "and %r12,(%rdi)", 3, { 0x4c, 0x21, 0x27 },
      .desc = "and64 r12 -> (%rdi)" },
    { "lock andq $0xfffffffffffffffe,(%rdi)", 5, {
        0xf0, 0x48, 0x83, 0x27, 0xfe },
      .desc = "and64 lock $0xfffffffffffffffe -> (%rdi)" },
    { "lock orq $0x100,(%rdi)", 8, {
        0xf0, 0x48, 0x81, 0x0f, 0x00, 0x01, 0x00, 0x00 },
      .desc = "or64 lock $0x100 -> (%rdi)" },
    { "lock orl $0x80000000,(%rdi)", 7, {
        0xf0, 0x81, 0x0f, 0x00, 0x00, 0x00, 0x80 },
      .desc = "or32 lock $0x80000000 -> (%rdi)" },
    { "lock orq $0xffffffff80000000,(%rdi)", 8, {
        0xf0, 0x48, 0x81, 0x0f, 0x00, 0x00, 0x00, 0x80 },
      .desc = "or64 lock $0xffffffff80000000 -> (%rdi)" },
    { "lock orw $0x1234,(%rdi)", 6, { 0x66, 0xf0, 0x81, 0x0f, 0x34, 0x12 },
      .desc = "or16 lock $0x1234 -> (%rdi)" },
    { "lock orw $0x12,(%rdi)", 5, { 0x66, 0xf0, 0x83, 0x0f, 0x12 },
      .desc = "or16 lock $0x12 -> (%rdi)" },
    { "lock andb $0x7f,(%rdi)", 4, { 0xf0, 0x80, 0x27, 0x7f },
      .desc = "and8 lock $0x7f -> (%rdi)" },
    { "lock xorq $0x1,(%rdi)", 5, { 0xf0, 0x48, 0x83, 0x37, 0x01 },
      .desc = "xor64 lock $0x1 -> (%rdi)" },
    { "lock addq $0x1000,(%rdi)", 8, {
        0xf0, 0x48, 0x81, 0x07, 0x00, 0x10, 0x00, 0x00 },
      .desc = "add64 lock $0x1000 -> (%rdi)" },
    { "lock subq $0x7f,(%rdi)", 5, { 0xf0, 0x48, 0x83, 0x2f, 0x7f },
      .desc = "sub64 lock $0x7f -> (%rdi)" },
    { "lock addl $0xffffffff,0x4(%rdi)", 5, { 0xf0, 0x83, 0x47, 0x04, 0xff },
      .desc = "add32 lock $0xffffffff -> 0x4(%rdi)" },
    { "lock subb $0x80,(%rdi)", 4, { 0xf0, 0x80, 0x2f, 0x80 },
      .desc = "sub8 lock $0x80 -> (%rdi)" },
    { "andq $0xfffffffffffff000,0x10(%rip)", 11, {
        0x48, 0x81, 0x25, 0x10, 0x00, 0x00, 0x00, 0x00, 0xf0, 0xff,
        0xff },
      .desc = "and64 $0xfffffffffffff000 -> 0x10(%rip)",
      .rip = 0x1a6, .target = 0x1c1ull },
    { "lock bts %rax,(%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xab, 0x07 },
      .desc = "bts64 lock rax -> (%rdi)" },
    { "lock btr %rcx,(%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xb3, 0x0f },
      .desc = "btr64 lock rcx -> (%rdi)" },
    { "lock btc %edx,(%rdi)", 4, { 0xf0, 0x0f, 0xbb, 0x17 },
      .desc = "btc32 lock edx -> (%rdi)" },
    { "lock bts %ax,(%rdi)", 5, { 0x66, 0xf0, 0x0f, 0xab, 0x07 },
      .desc = "bts16 lock ax -> (%rdi)" },
    { "btr %r11,0x40(%rdi)", 5, { 0x4c, 0x0f, 0xb3, 0x5f, 0x40 },
      .desc = "btr64 r11 -> 0x40(%rdi)" },
    { "lock btrq $0x1,(%rdi)", 6, { 0xf0, 0x48, 0x0f, 0xba, 0x37, 0x01 },
      .desc = "btr64 lock $0x1 -> (%rdi)" },
    { "lock btsl $0x3f,(%rdi)", 5, { 0xf0, 0x0f, 0xba, 0x2f, 0x3f },
      .desc = "bts32 lock $0x3f -> (%rdi)" },
    { "lock btcq $0x5,(%rdi)", 6, { 0xf0, 0x48, 0x0f, 0xba, 0x3f, 0x05 },
      .desc = "btc64 lock $0x5 -> (%rdi)" },
    { "lock btsw $0xf,(%rdi)", 6, { 0x66, 0xf0, 0x0f, 0xba, 0x2f, 0x0f },
      .desc = "bts16 lock $0xf -> (%rdi)" },
    { "btcq $0x3f,%fs:0x8(%rip)", 10, {
        0x64, 0x48, 0x0f, 0xba, 0x3d, 0x08, 0x00, 0x00, 0x00, 0x3f },
      .desc = "btc64 $0x3f -> %fs:0x8(%rip)",
      .rip = 0x1e0, .target = 0x1f2ull },
    { "data16 mov %rax,(%rdi)", 4, { 0x66, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "cs mov %rax,%fs:(%rdi)", 5, { 0x2e, 0x64, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> %fs:(%rdi)" },
    { "gs mov %rax,%gs:(%rdi)", 5, { 0x65, 0x65, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> %gs:(%rdi)" },
    { "lock lock cmpxchg %rcx,(%rdi)", 6, {
        0xf0, 0xf0, 0x48, 0x0f, 0xb1, 0x0f },
      .desc = "cmpxchg64 lock rcx -> (%rdi)" },
    { "es es es es es es es es es es es es es mov %eax,(%rdi)", 15, {
        0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
        0x26, 0x26, 0x26, 0x89, 0x07 },
      .desc = "mov32 eax -> (%rdi)" },
    { "ds ds ds ds ds ds ds ds movq $0xffffffffffffffff,(%rdi)", 15, {
        0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x48, 0xc7,
        0x07, 0xff, 0xff, 0xff, 0xff },
      .desc = "mov64 $0xffffffffffffffff -> (%rdi)" },
    { "xrelease lock bts %rax,(%rdi)", 6, {
        0xf3, 0xf0, 0x48, 0x0f, 0xab, 0x07 },
      .desc = "bts64 lock rax -> (%rdi)" },
    { "xacquire lock orq $0x1,(%rdi)", 6, {
        0xf2, 0xf0, 0x48, 0x83, 0x0f, 0x01 },
      .desc = "or64 lock $0x1 -> (%rdi)" },
    { "data16 data16 mov %ax,(%rdi)", 5, { 0x66, 0x66, 0x66, 0x89, 0x07 },
      .desc = "mov16 ax -> (%rdi)" },
    { "mov %spl,(%rdi)", 3, { 0x40, 0x88, 0x27 },
      .desc = "mov8 spl -> (%rdi)" },
    { "bts %ax,(%rdi)", 4, { 0x66, 0x0f, 0xab, 0x07 },
      .desc = "bts16 ax -> (%rdi)" },
};

/* Instructions that must be refused, and why. */
static const struct dcase bad[] = {
    { "mov (%rdi),%rax", 3, { 0x48, 0x8b, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "mov (%rdi),%al", 2, { 0x8a, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "add (%rdi),%rax", 3, { 0x48, 0x03, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "or 0x10(%rip),%ecx", 6, { 0x0b, 0x0d, 0x10, 0x00, 0x00, 0x00 },
      .rc = -X86_STORE_ELOAD },
    { "cmp %rax,(%rdi)", 3, { 0x48, 0x39, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "cmpb %al,(%rdi)", 2, { 0x38, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "cmpq $0,(%rdi)", 4, { 0x48, 0x83, 0x3f, 0x00 },
      .rc = -X86_STORE_ELOAD },
    { "cmpl $0x1000,(%rdi)", 6, { 0x81, 0x3f, 0x00, 0x10, 0x00, 0x00 },
      .rc = -X86_STORE_ELOAD },
    { "test %rax,(%rdi)", 3, { 0x48, 0x85, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "bt %rax,(%rdi)", 4, { 0x48, 0x0f, 0xa3, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "btq $1,(%rdi)", 5, { 0x48, 0x0f, 0xba, 0x27, 0x01 },
      .rc = -X86_STORE_ELOAD },
    { "movzbl (%rdi),%eax", 3, { 0x0f, 0xb6, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "movswq (%rdi),%rax", 4, { 0x48, 0x0f, 0xbf, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "movslq (%rdi),%rax", 3, { 0x48, 0x63, 0x07 },
      .rc = -X86_STORE_ELOAD },
    { "mov %rax,%rdi", 3, { 0x48, 0x89, 0xc7 },
      .rc = -X86_STORE_EREG },
    { "mov %al,%bl", 2, { 0x88, 0xc3 },
      .rc = -X86_STORE_EREG },
    { "xchg %rax,%rcx", 2, { 0x48, 0x91 },
      .rc = -X86_STORE_EOPCODE },
    { "movq $1,%rax", 7, { 0x48, 0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00 },
      .rc = -X86_STORE_EREG },
    { "orq $1,%rax", 4, { 0x48, 0x83, 0xc8, 0x01 },
      .rc = -X86_STORE_EREG },
    { "andb $1,%al", 2, { 0x24, 0x01 },
      .rc = -X86_STORE_EOPCODE },
    { "btsq $1,%rax", 5, { 0x48, 0x0f, 0xba, 0xe8, 0x01 },
      .rc = -X86_STORE_EREG },
    { "bts %rax,%rcx", 4, { 0x48, 0x0f, 0xab, 0xc1 },
      .rc = -X86_STORE_EREG },
    { "cmpxchg %rcx,%rdx", 4, { 0x48, 0x0f, 0xb1, 0xca },
      .rc = -X86_STORE_EREG },
    { "add %rax,%rdi", 3, { 0x48, 0x01, 0xc7 },
      .rc = -X86_STORE_EREG },
    { "adc %rax,(%rdi)", 3, { 0x48, 0x11, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "lock adcq $1,(%rdi)", 5, { 0xf0, 0x48, 0x83, 0x17, 0x01 },
      .rc = -X86_STORE_EOPCODE },
    { "lock sbb %eax,(%rdi)", 3, { 0xf0, 0x19, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "incq (%rdi)", 3, { 0x48, 0xff, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "lock decl (%rdi)", 3, { 0xf0, 0xff, 0x0f },
      .rc = -X86_STORE_EOPCODE },
    { "notq (%rdi)", 3, { 0x48, 0xf7, 0x17 },
      .rc = -X86_STORE_EOPCODE },
    { "lock negq (%rdi)", 4, { 0xf0, 0x48, 0xf7, 0x1f },
      .rc = -X86_STORE_EOPCODE },
    { "lock xadd %rax,(%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xc1, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "stosq", 2, { 0x48, 0xab },
      .rc = -X86_STORE_EOPCODE },
    { "rep stosq", 3, { 0xf3, 0x48, 0xab },
      .rc = -X86_STORE_EOPCODE },
    { "movsq", 2, { 0x48, 0xa5 },
      .rc = -X86_STORE_EOPCODE },
    { "movabs %rax,0x1000", 10, {
        0x48, 0xa3, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
      .rc = -X86_STORE_EOPCODE },
    { "movabs %al,0x1000", 9, {
        0xa2, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
      .rc = -X86_STORE_EOPCODE },
    { "lock cmpxchg16b (%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xc7, 0x0f },
      .rc = -X86_STORE_EOPCODE },
    { "push (%rdi)", 2, { 0xff, 0x37 },
      .rc = -X86_STORE_EOPCODE },
    { "pop (%rdi)", 2, { 0x8f, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "lea (%rdi),%rax", 3, { 0x48, 0x8d, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "nop", 1, { 0x90 },
      .rc = -X86_STORE_EOPCODE },
    { "ret", 1, { 0xc3 },
      .rc = -X86_STORE_EOPCODE },
    { "movq %xmm0,(%rdi)", 4, { 0x66, 0x0f, 0xd6, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "vmovq %xmm0,(%rdi)", 4, { 0xc5, 0xf9, 0xd6, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "shlq $1,(%rdi)", 3, { 0x48, 0xd1, 0x27 },
      .rc = -X86_STORE_EOPCODE },
    { "setz (%rdi)", 3, { 0x0f, 0x94, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "sfence", 3, { 0x0f, 0xae, 0xf8 },
      .rc = -X86_STORE_EOPCODE },
    { "movbe %rax,(%rdi)", 5, { 0x48, 0x0f, 0x38, 0xf1, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "crc32b (%rdi),%eax", 5, { 0xf2, 0x0f, 0x38, 0xf0, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "xbegin .", 6, { 0xc7, 0xf8, 0xfa, 0xff, 0xff, 0xff },
      .rc = -X86_STORE_EOPCODE },
    { "xabort $1", 3, { 0xc6, 0xf8, 0x01 },
      .rc = -X86_STORE_EOPCODE },
    { "popcnt (%rdi),%rax", 5, { 0xf3, 0x48, 0x0f, 0xb8, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "tzcnt (%rdi),%rax", 5, { 0xf3, 0x48, 0x0f, 0xbc, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "lss (%rdi),%eax", 3, { 0x0f, 0xb2, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "lzcnt (%rdi),%rax", 5, { 0xf3, 0x48, 0x0f, 0xbd, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "mov %es,(%rdi)", 2, { 0x8c, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "addr32 mov %rax,(%edi)", 4, { 0x67, 0x48, 0x89, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "movl %eax,(%edi)", 3, { 0x67, 0x89, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    /* Hand-made: register operands of forms as did not pick. */
    { "xchg %rax,%rcx (87 /r)", 3, { 0x48, 0x87, 0xc1 },
      .rc = -X86_STORE_EREG },
    { "and $1,%al (80 /4)", 3, { 0x80, 0xe0, 0x01 },
      .rc = -X86_STORE_EREG },
    { "lock or %rax,%rax", 4, { 0xf0, 0x48, 0x09, 0xc0 },
      .rc = -X86_STORE_EREG },
    { "cmpxchg8b with a register", 3, { 0x0f, 0xc7, 0xc8 },
      .rc = -X86_STORE_EREG },
    /* Invalid or unemulated encodings. */
    { "82 /0 (invalid in 64-bit mode)", 3, { 0x82, 0x07, 0x01 },
      .rc = -X86_STORE_EOPCODE },
    { "c6 /1", 3, { 0xc6, 0x0f, 0x12 },
      .rc = -X86_STORE_EOPCODE },
    { "c7 /2", 6, { 0xc7, 0x17, 0x01, 0x00, 0x00, 0x00 },
      .rc = -X86_STORE_EOPCODE },
    { "0f ba /0", 4, { 0x0f, 0xba, 0x07, 0x01 },
      .rc = -X86_STORE_EOPCODE },
    { "0f c7 /0", 3, { 0x0f, 0xc7, 0x07 },
      .rc = -X86_STORE_EOPCODE },
    { "evex", 7, { 0x62, 0xf1, 0xfd, 0x48, 0x7f, 0x07, 0x00 },
      .rc = -X86_STORE_EOPCODE },
    /* Prefixes. */
    { "lock mov %rax,(%rdi)", 4, { 0xf0, 0x48, 0x89, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "lock movq $1,(%rdi)", 8, { 0xf0, 0x48, 0xc7, 0x07, 0x01, 0, 0, 0 },
      .rc = -X86_STORE_EPREFIX },
    { "lock movb %al,(%rdi)", 3, { 0xf0, 0x88, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "lock movnti %rax,(%rdi)", 5, { 0xf0, 0x48, 0x0f, 0xc3, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "66 movnti", 4, { 0x66, 0x0f, 0xc3, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "f3 movnti", 4, { 0xf3, 0x0f, 0xc3, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "66 cmpxchg8b", 4, { 0x66, 0x0f, 0xc7, 0x0f },
      .rc = -X86_STORE_EPREFIX },
    { "f2 lock cmpxchg8b", 5, { 0xf2, 0xf0, 0x0f, 0xc7, 0x0f },
      .rc = -X86_STORE_EPREFIX },
    { "fs and gs at once", 5, { 0x64, 0x65, 0x48, 0x89, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    { "67 after REX", 5, { 0x48, 0x67, 0x48, 0x89, 0x07 },
      .rc = -X86_STORE_EPREFIX },
    /* Length. */
    { "nothing", 0, { 0 }, .rc = -X86_STORE_ETRUNC },
    { "0f alone", 1, { 0x0f }, .rc = -X86_STORE_ETRUNC },
    { "14 prefixes, no opcode", 14, {
        0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
        0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0 },
      .rc = -X86_STORE_ETRUNC },
    { "15 prefixes", 15, {
        0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0,
        0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0, 0xf0 },
      .rc = -X86_STORE_ETOOLONG },
    { "14 prefixes + mov: 16 bytes", 15, {
        0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26,
        0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x26, 0x89 },
      .rc = -X86_STORE_ETOOLONG },
    { "9 prefixes + movq $imm32: 16 bytes", 15, {
        0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
        0x48, 0xc7, 0x07, 0xff, 0xff, 0xff },
      .rc = -X86_STORE_ETOOLONG },
    { "12 prefixes + mov disp32: 17 bytes", 15, {
        0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
        0x3e, 0x89, 0x87, 0x00 },
      .rc = -X86_STORE_ETOOLONG },
};

/* Cases whose REX is ignored: objdump prints the REX apart. */
static const struct dcase good_raw[] = {
    { "rex.W; mov %ax,(%rdi)", 4, { 0x48, 0x66, 0x89, 0x07 },
      .desc = "mov16 ax -> (%rdi)" },
    { "rex.B; mov %rax,(%rdi)", 4, { 0x41, 0x48, 0x89, 0x07 },
      .desc = "mov64 rax -> (%rdi)" },
    { "rex.WR; lock xchg %eax,(%rdi)", 4, { 0x4c, 0xf0, 0x87, 0x07 },
      .desc = "xchg32 lock eax -> (%rdi)" },
    { "rex; ds; mov %ah,(%rdi)", 4, { 0x40, 0x3e, 0x88, 0x27 },
      .desc = "mov8 ah -> (%rdi)" },
};

#define FOR_EACH_CASE(c, table) \
    for ( const struct dcase *c = table; c < table + ARRAY_SIZE(table); c++ )

/* Decode c->bytes[0..n) from a heap copy of exactly n bytes (ASan checks). */
static int decode_exact(const struct dcase *c, unsigned int n,
                        struct x86_store *st)
{
    uint8_t *p = malloc(n ? n : 1);
    int rc;

    memcpy(p, c->bytes, n);
    rc = x86_store_decode(p, n, st);
    free(p);
    return rc;
}

/* The valid case whose text is text (the tables above). */
static const struct dcase *find(const char *text)
{
    FOR_EACH_CASE(c, good)
        if ( !strcmp(c->text, text) )
            return c;
    fprintf(stderr, "no case \"%s\"\n", text);
    abort();
}

/* Decode a good case, which must succeed. */
static struct x86_store decode_good(const struct dcase *c)
{
    struct x86_store st;

    if ( x86_store_decode(c->bytes, c->n, &st) )
        abort();
    return st;
}

/*
 * A good case decodes to its description and length, with trailing bytes
 * or not, and every shorter prefix of it is reported truncated.
 */
static void check_good(const struct dcase *c)
{
    struct x86_store st;
    uint8_t buf[X86_STORE_MAX_LEN];
    unsigned int m;
    int rc;

    rc = decode_exact(c, c->n, &st);
    CHECK_EQ(rc, 0);
    if ( rc )
    {
        fprintf(stderr, "  case: %s: %s\n", c->text, x86_store_strerror(rc));
        return;
    }
    CHECK_EQ(st.len, c->n);
    CHECK_STR(describe(&st), c->desc);

    memset(buf, 0x90, sizeof(buf));
    memcpy(buf, c->bytes, c->n);
    CHECK_EQ(x86_store_decode(buf, sizeof(buf), &st), 0);
    CHECK_STR(describe(&st), c->desc);
    CHECK_EQ(st.len, c->n);

    for ( m = 0; m < c->n; m++ )
    {
        rc = decode_exact(c, m, &st);
        CHECK_EQ(rc, -X86_STORE_ETRUNC);
        if ( rc != -X86_STORE_ETRUNC )
            fprintf(stderr, "  case: %s, %u bytes: %s\n", c->text, m,
                    x86_store_strerror(rc));
    }
}

static void test_decode(void)
{
    struct x86_store st;

    FOR_EACH_CASE(c, good)
        check_good(c);
    FOR_EACH_CASE(c, good_raw)
        check_good(c);
    FOR_EACH_CASE(c, bad)
    {
        int rc = decode_exact(c, c->n, &st);

        CHECK_EQ(rc, c->rc);
        if ( rc != c->rc )
            fprintf(stderr, "  case: %s: %s\n", c->text,
                    x86_store_strerror(rc));
    }
    CHECK_STR(x86_store_strerror(0), "ok");
    CHECK_STR(x86_store_strerror(1), "store");
    CHECK_STR(x86_store_strerror(-X86_STORE_ELOAD), "not a store");
    CHECK_STR(x86_store_strerror(-99), "unknown");
}

/* ------------------------------------------------------------------ */
/* Effective addresses.                                                */

static void test_ea(void)
{
    static const struct {
        const char *text;
        unsigned int reg[2];        /* two registers set ... */
        uint64_t val[2];            /* ... to these values */
        uint64_t seg_base;
        uint64_t ea;
    } cases[] = {
        { "mov %rax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 7 }, 0, 0x1000 },
        { "mov %rax,-0x8(%rdi,%rcx,8)", { X86_RDI, X86_RCX }, { 0x1000, 3 },
          0, 0x1010 },
        { "mov %rax,0x12345678(%rdi,%r9,4)", { X86_RDI, X86_R9 },
          { 0x1000, 0x10 }, 0, 0x12346678 + 0x40 },
        { "mov %r11,-0x80(%r10,%r12,2)", { X86_R10, X86_R12 },
          { 0xffff800000001000ull, 8 }, 0, 0xffff800000000f90ull },
        { "mov %rax,0x7f(%r13,%rax,1)", { X86_R13, X86_RAX }, { 1, 2 },
          0, 0x82 },
        { "mov %rdx,0x0(%rbp,%r12,1)", { X86_RBP, X86_R12 }, { 0x10, 0x20 },
          0, 0x30 },
        { "mov %rax,-0x1000(,%r14,2)", { X86_R14, X86_RAX }, { 0x1000, 5 },
          0, 0x1000 },
        { "mov %rax,0x1000", { X86_RAX, X86_RDI }, { 1, 2 }, 0, 0x1000 },
        { "mov %rax,-0x7fffffff(%rbx)", { X86_RBX, X86_RAX }, { 0, 0 }, 0,
          0xffffffff80000001ull },
        { "mov %rax,(%rsp)", { X86_RSP, X86_RAX }, { 0x8000, 0 }, 0, 0x8000 },
        { "mov %rax,(%r12)", { X86_R12, X86_RSP }, { 0x9000, 1 }, 0, 0x9000 },
        { "mov %r15,0x0(%r13)", { X86_R13, X86_R15 }, { 0xa000, 1 }, 0,
          0xa000 },
        { "movq $0xffffffffffffffff,(%rdi)", { X86_RDI, X86_RAX },
          { ~0ull, 0 }, 0, ~0ull },
        { "mov %rax,(%rdi)", { X86_RDI, X86_RAX }, { ~0ull - 3, 0 }, 8, 4 },
        { "mov %rax,%fs:(%rdi)", { X86_RDI, X86_RAX }, { 0x18, 0 },
          0x7f0000000000ull, 0x7f0000000018ull },
        { "mov %rax,%gs:0x28", { X86_RDI, X86_RAX }, { 0, 0 },
          0xffff888000000000ull, 0xffff888000000028ull },
        /* Bit offsets in a register move the operand by whole units. */
        { "lock bts %rax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 63 }, 0,
          0x1000 },
        { "lock bts %rax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 64 }, 0,
          0x1008 },
        { "lock bts %rax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, ~0ull }, 0,
          0xff8 },
        { "lock bts %rax,(%rdi)", { X86_RDI, X86_RAX },
          { 0x1000, 1ull << 63 }, 0, 0x1000 - (1ull << 60) },
        { "lock btc %edx,(%rdi)", { X86_RDI, X86_RDX },
          { 0x1000, 0xffffffff00000020ull }, 0, 0x1004 },
        { "lock btc %edx,(%rdi)", { X86_RDI, X86_RDX },
          { 0x1000, 0x00000000ffffffdfull }, 0, 0x1000 - 8 },
        { "bts %ax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 0xffff }, 0,
          0xffe },
        { "bts %ax,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 0x10010 }, 0,
          0x1002 },
        { "btr %r11,0x40(%rdi)", { X86_RDI, X86_R11 }, { 0x1000, 130 }, 0,
          0x1050 },
        /* ... immediates do not. */
        { "lock btsl $0x3f,(%rdi)", { X86_RDI, X86_RAX }, { 0x1000, 0 }, 0,
          0x1000 },
    };
    struct x86_store_regs regs;
    unsigned int i, j;

    for ( i = 0; i < ARRAY_SIZE(cases); i++ )
    {
        const struct dcase *c = find(cases[i].text);
        struct x86_store st = decode_good(c);

        for ( j = 0; j < 16; j++ )
            regs.gpr[j] = unit_rand();
        regs.gpr[cases[i].reg[0]] = cases[i].val[0];
        regs.gpr[cases[i].reg[1]] = cases[i].val[1];
        CHECK_EQ(x86_store_ea(&st, &regs, 0x1234, cases[i].seg_base),
                 cases[i].ea);
    }

    /* RIP-relative: objdump's target for the instruction at its address. */
    FOR_EACH_CASE(c, good)
    {
        struct x86_store st;

        if ( !c->target )
            continue;
        st = decode_good(c);
        CHECK(st.rip_rel);
        CHECK_EQ(x86_store_ea(&st, &regs, c->rip, 0), c->target);
        CHECK_EQ(x86_store_ea(&st, &regs, c->rip, 0x10000),
                 c->target + 0x10000);
    }
}

/* ------------------------------------------------------------------ */
/* Apply: explicit cases.                                              */

static void test_apply(void)
{
    struct x86_store_regs regs, saved;
    struct x86_store st;
    uint64_t nw;
    unsigned int off, size;

    memset(&regs, 0, sizeof(regs));
    regs.rflags = 0x202;

    /* The high half of an entry: a 4-byte store at offset 4. */
    st = decode_good(find("mov %eax,(%rdi)"));
    regs.gpr[X86_RAX] = 0xffffffffdeadbeefull;
    saved = regs;
    CHECK_EQ(x86_store_apply(&st, 0x1111111122222222ull, 4, &regs, &nw), 1);
    CHECK_EQ(nw, 0xdeadbeef22222222ull);
    CHECK(!memcmp(&regs, &saved, sizeof(regs)));
    CHECK_EQ(x86_store_apply(&st, 0x1111111122222222ull, 0, &regs, &nw), 1);
    CHECK_EQ(nw, 0x11111111deadbeefull);

    /* Every size at every offset: aligned ones store, others touch nothing. */
    for ( size = 1; size <= 8; size *= 2 )
    {
        static const char *const movs[] = {
            [1] = "mov %al,(%rdi)", [2] = "mov %ax,(%rdi)",
            [4] = "mov %eax,(%rdi)", [8] = "mov %rax,(%rdi)",
        };

        st = decode_good(find(movs[size]));
        regs.gpr[X86_RAX] = 0x8877665544332211ull;
        for ( off = 0; off < 10; off++ )
        {
            uint64_t mask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
            int rc;

            saved = regs;
            nw = 0x5a5a;
            rc = x86_store_apply(&st, 0xaaaaaaaaaaaaaaaaull, off, &regs, &nw);
            CHECK(!memcmp(&regs, &saved, sizeof(regs)));
            if ( off < 8 && off % size == 0 )
            {
                CHECK_EQ(rc, 1);
                CHECK_EQ(nw, (0xaaaaaaaaaaaaaaaaull & ~(mask << (8 * off))) |
                             ((0x8877665544332211ull & mask) << (8 * off)));
            }
            else
            {
                CHECK_EQ(rc, -X86_STORE_EALIGN);
                CHECK_EQ(nw, 0x5a5a);
            }
        }
    }

    /* XCHG with BH: the old byte goes to bits 8-15 of RBX. */
    st = decode_good(find("xchg %bh,(%rdi)"));
    regs.gpr[X86_RBX] = 0x1122334455667788ull;
    CHECK_EQ(x86_store_apply(&st, 0x00000000c0000000ull, 3, &regs, &nw), 1);
    CHECK_EQ(nw, 0x0000000077000000ull);
    CHECK_EQ(regs.gpr[X86_RBX], 0x112233445566c088ull);

    /* XCHG of 32 bits clears the register's upper half. */
    st = decode_good(find("xchg %eax,(%rdi)"));
    regs.gpr[X86_RAX] = 0xffffffff00000001ull;
    CHECK_EQ(x86_store_apply(&st, 0x8000000000000067ull, 4, &regs, &nw), 1);
    CHECK_EQ(nw, 0x0000000100000067ull);
    CHECK_EQ(regs.gpr[X86_RAX], 0x80000000ull);

    /* A failed CMPXCHG stores nothing and loads rAX; a good one stores. */
    st = decode_good(find("lock cmpxchg %rcx,(%rdi)"));
    regs.gpr[X86_RAX] = 0x1000067;
    regs.gpr[X86_RCX] = 0x2000067;
    CHECK_EQ(x86_store_apply(&st, 0x1000065, 0, &regs, &nw), 0);
    CHECK_EQ(nw, 0x1000065);
    CHECK_EQ(regs.gpr[X86_RAX], 0x1000065);
    CHECK(!(regs.rflags & X86_FLAGS_ZF));
    CHECK_EQ(x86_store_apply(&st, 0x1000065, 0, &regs, &nw), 1);
    CHECK_EQ(nw, 0x2000067);
    CHECK(regs.rflags & X86_FLAGS_ZF);

    /* Clearing a PTE's present bit with LOCK BTR and an immediate. */
    st = decode_good(find("lock btrq $0x1,(%rdi)"));
    regs.rflags = 0x202;
    CHECK_EQ(x86_store_apply(&st, 0x8000000012345067ull, 0, &regs, &nw), 1);
    CHECK_EQ(nw, 0x8000000012345065ull);
    CHECK_EQ(regs.rflags, 0x203);

    /* A size the decoder never makes is refused too. */
    st.size = 3;
    CHECK_EQ(x86_store_apply(&st, 0, 0, &regs, &nw), -X86_STORE_EALIGN);
}

/* ------------------------------------------------------------------ */
/* Apply against the host CPU.                                         */

/*
 * Instructions the host executes: the memory operand is (%rdi), the source
 * RCX/ECX/CX/CL/CH, the accumulator RAX (and RDX:RAX, RCX:RBX for
 * CMPXCHG8B).
 */
static const struct dcase oracle[] = {
    { .text = "movq %rcx,(%rdi)", .n = 3, .bytes = { 0x48, 0x89, 0x0f } },
    { .text = "movl %ecx,(%rdi)", .n = 2, .bytes = { 0x89, 0x0f } },
    { .text = "movw %cx,(%rdi)", .n = 3, .bytes = { 0x66, 0x89, 0x0f } },
    { .text = "movb %cl,(%rdi)", .n = 2, .bytes = { 0x88, 0x0f } },
    { .text = "movb %ch,(%rdi)", .n = 2, .bytes = { 0x88, 0x2f } },
    { .text = "movq $-2,(%rdi)", .n = 7, .bytes = {
        0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff } },
    { .text = "movl $0x80000000,(%rdi)", .n = 6, .bytes = {
        0xc7, 0x07, 0x00, 0x00, 0x00, 0x80 } },
    { .text = "movw $0x8001,(%rdi)", .n = 5, .bytes = {
        0x66, 0xc7, 0x07, 0x01, 0x80 } },
    { .text = "movb $0x81,(%rdi)", .n = 3, .bytes = { 0xc6, 0x07, 0x81 } },
    { .text = "movnti %rcx,(%rdi)", .n = 4, .bytes = {
        0x48, 0x0f, 0xc3, 0x0f } },
    { .text = "movnti %ecx,(%rdi)", .n = 3, .bytes = { 0x0f, 0xc3, 0x0f } },
    { .text = "xchgq %rcx,(%rdi)", .n = 3, .bytes = { 0x48, 0x87, 0x0f } },
    { .text = "xchgl %ecx,(%rdi)", .n = 2, .bytes = { 0x87, 0x0f } },
    { .text = "xchgw %cx,(%rdi)", .n = 3, .bytes = { 0x66, 0x87, 0x0f } },
    { .text = "xchgb %cl,(%rdi)", .n = 2, .bytes = { 0x86, 0x0f } },
    { .text = "xchgb %ch,(%rdi)", .n = 2, .bytes = { 0x86, 0x2f } },
    { .text = "lock cmpxchgq %rcx,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x0f, 0xb1, 0x0f } },
    { .text = "lock cmpxchgl %ecx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xb1, 0x0f } },
    { .text = "lock cmpxchgw %cx,(%rdi)", .n = 5, .bytes = {
        0x66, 0xf0, 0x0f, 0xb1, 0x0f } },
    { .text = "lock cmpxchgb %cl,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xb0, 0x0f } },
    { .text = "lock cmpxchgb %ch,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xb0, 0x2f } },
    { .text = "lock cmpxchg8b (%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xc7, 0x0f } },
    { .text = "lock addq %rcx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x48, 0x01, 0x0f } },
    { .text = "lock addl %ecx,(%rdi)", .n = 3, .bytes = { 0xf0, 0x01, 0x0f } },
    { .text = "lock addw %cx,(%rdi)", .n = 4, .bytes = {
        0x66, 0xf0, 0x01, 0x0f } },
    { .text = "lock addb %cl,(%rdi)", .n = 3, .bytes = { 0xf0, 0x00, 0x0f } },
    { .text = "lock addb %ch,(%rdi)", .n = 3, .bytes = { 0xf0, 0x00, 0x2f } },
    { .text = "lock orq %rcx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x48, 0x09, 0x0f } },
    { .text = "lock orl %ecx,(%rdi)", .n = 3, .bytes = { 0xf0, 0x09, 0x0f } },
    { .text = "lock orw %cx,(%rdi)", .n = 4, .bytes = {
        0x66, 0xf0, 0x09, 0x0f } },
    { .text = "lock orb %cl,(%rdi)", .n = 3, .bytes = { 0xf0, 0x08, 0x0f } },
    { .text = "lock andq %rcx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x48, 0x21, 0x0f } },
    { .text = "lock andl %ecx,(%rdi)", .n = 3, .bytes = { 0xf0, 0x21, 0x0f } },
    { .text = "lock andw %cx,(%rdi)", .n = 4, .bytes = {
        0x66, 0xf0, 0x21, 0x0f } },
    { .text = "lock andb %cl,(%rdi)", .n = 3, .bytes = { 0xf0, 0x20, 0x0f } },
    { .text = "lock subq %rcx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x48, 0x29, 0x0f } },
    { .text = "lock subl %ecx,(%rdi)", .n = 3, .bytes = { 0xf0, 0x29, 0x0f } },
    { .text = "lock subw %cx,(%rdi)", .n = 4, .bytes = {
        0x66, 0xf0, 0x29, 0x0f } },
    { .text = "lock subb %cl,(%rdi)", .n = 3, .bytes = { 0xf0, 0x28, 0x0f } },
    { .text = "lock subb %ch,(%rdi)", .n = 3, .bytes = { 0xf0, 0x28, 0x2f } },
    { .text = "lock xorq %rcx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x48, 0x31, 0x0f } },
    { .text = "lock xorl %ecx,(%rdi)", .n = 3, .bytes = { 0xf0, 0x31, 0x0f } },
    { .text = "lock xorw %cx,(%rdi)", .n = 4, .bytes = {
        0x66, 0xf0, 0x31, 0x0f } },
    { .text = "lock xorb %cl,(%rdi)", .n = 3, .bytes = { 0xf0, 0x30, 0x0f } },
    { .text = "lock addq $0x7f,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x83, 0x07, 0x7f } },
    { .text = "lock addq $-0x80000000,(%rdi)", .n = 8, .bytes = {
        0xf0, 0x48, 0x81, 0x07, 0x00, 0x00, 0x00, 0x80 } },
    { .text = "lock subq $-0x80000000,(%rdi)", .n = 8, .bytes = {
        0xf0, 0x48, 0x81, 0x2f, 0x00, 0x00, 0x00, 0x80 } },
    { .text = "lock subq $1,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x83, 0x2f, 0x01 } },
    { .text = "lock andl $0x80000001,(%rdi)", .n = 7, .bytes = {
        0xf0, 0x81, 0x27, 0x01, 0x00, 0x00, 0x80 } },
    { .text = "lock orw $0x8001,(%rdi)", .n = 6, .bytes = {
        0x66, 0xf0, 0x81, 0x0f, 0x01, 0x80 } },
    { .text = "lock subw $0x7f,(%rdi)", .n = 5, .bytes = {
        0x66, 0xf0, 0x83, 0x2f, 0x7f } },
    { .text = "lock xorb $0x80,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x80, 0x37, 0x80 } },
    { .text = "lock addb $0xff,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x80, 0x07, 0xff } },
    { .text = "lock addl $-1,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x83, 0x07, 0xff } },
    { .text = "lock andq $-0x1000,(%rdi)", .n = 8, .bytes = {
        0xf0, 0x48, 0x81, 0x27, 0x00, 0xf0, 0xff, 0xff } },
    { .text = "lock orq $0x80,(%rdi)", .n = 8, .bytes = {
        0xf0, 0x48, 0x81, 0x0f, 0x80, 0x00, 0x00, 0x00 } },
    { .text = "lock btsq %rcx,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x0f, 0xab, 0x0f } },
    { .text = "lock btrq %rcx,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x0f, 0xb3, 0x0f } },
    { .text = "lock btcq %rcx,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x48, 0x0f, 0xbb, 0x0f } },
    { .text = "lock btsl %ecx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xab, 0x0f } },
    { .text = "lock btrl %ecx,(%rdi)", .n = 4, .bytes = {
        0xf0, 0x0f, 0xb3, 0x0f } },
    { .text = "lock btcw %cx,(%rdi)", .n = 5, .bytes = {
        0x66, 0xf0, 0x0f, 0xbb, 0x0f } },
    { .text = "lock btsw %cx,(%rdi)", .n = 5, .bytes = {
        0x66, 0xf0, 0x0f, 0xab, 0x0f } },
    { .text = "lock btrq $63,(%rdi)", .n = 6, .bytes = {
        0xf0, 0x48, 0x0f, 0xba, 0x37, 0x3f } },
    { .text = "lock btsq $0,(%rdi)", .n = 6, .bytes = {
        0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x00 } },
    { .text = "lock btsl $33,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x0f, 0xba, 0x2f, 0x21 } },
    { .text = "lock btcl $31,(%rdi)", .n = 5, .bytes = {
        0xf0, 0x0f, 0xba, 0x3f, 0x1f } },
    { .text = "lock btcw $17,(%rdi)", .n = 6, .bytes = {
        0x66, 0xf0, 0x0f, 0xba, 0x3f, 0x11 } },
    { .text = "lock btrw $0xff,(%rdi)", .n = 6, .bytes = {
        0x66, 0xf0, 0x0f, 0xba, 0x37, 0xff } },
};

/* The registers the oracle instructions use. */
struct hregs {
    uint64_t rax, rbx, rcx, rdx, rflags;
};

/*
 * Run code (an instruction then RET) on the host with rdi = p and the
 * registers and arithmetic flags of h; h gets the results. The stack
 * pointer steps over the red zone, which the pushes would clobber.
 */
static void host_run(const void *code, struct hregs *h, void *p)
{
    uint64_t a = h->rax, b = h->rbx, c = h->rcx, d = h->rdx, f = h->rflags;

    __asm__ __volatile__(
        "sub $128, %%rsp\n\t"
        "push %[f]\n\t"
        "popfq\n\t"
        "call *%[code]\n\t"
        "pushfq\n\t"
        "pop %[f]\n\t"
        "add $128, %%rsp"
        : "+a" (a), "+b" (b), "+c" (c), "+d" (d), [f] "+r" (f)
        : "D" (p), [code] "r" (code)
        : "memory", "cc");
    h->rax = a;
    h->rbx = b;
    h->rcx = c;
    h->rdx = d;
    h->rflags = f;
}

/* A random 64-bit value, often one at an edge of some size. */
static uint64_t rand_value(void)
{
    static const uint64_t edges[] = {
        0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x7fffffffffffffffull, 1ull << 63, ~0ull,
    };
    uint64_t r = unit_rand();

    switch ( r & 3 )
    {
    case 0:
        return edges[(r >> 8) % ARRAY_SIZE(edges)] + ((r >> 16) & 1);
    case 1:
        return edges[(r >> 8) % ARRAY_SIZE(edges)] * 0x0101010101010101ull;
    default:
        return unit_rand();
    }
}

/* The flags an instruction defines (the others are undefined). */
static uint64_t defined_flags(const struct x86_store *st)
{
    if ( st->kind != X86_STORE_RMW )
        return ~0ull;
    switch ( st->op )
    {
    case X86_STORE_OR:
    case X86_STORE_AND:
    case X86_STORE_XOR:
        return ~(uint64_t)X86_FLAGS_AF;
    case X86_STORE_BTS:
    case X86_STORE_BTR:
    case X86_STORE_BTC:
        return ~(uint64_t)(X86_FLAGS_OF | X86_FLAGS_SF | X86_FLAGS_AF |
                           X86_FLAGS_PF);
    default:
        return ~0ull;
    }
}

#define ORACLE_WORDS    16
#define ORACLE_ROUNDS   3000

/*
 * Execute c on the host and through decode/ea/apply on a copy of the same
 * memory and registers, ORACLE_ROUNDS times with random values at every
 * aligned offset; memory, registers and the defined flags must agree.
 */
static void check_oracle(const struct dcase *c, uint8_t *code)
{
    struct x86_store st = decode_good(c);
    uint64_t host_mem[ORACLE_WORDS], emu_mem[ORACLE_WORDS];
    unsigned int round, i, fails = 0;
    uint64_t flags_mask = defined_flags(&st);

    memcpy(code, c->bytes, c->n);
    code[c->n] = 0xc3;                          /* ret */
    for ( round = 0; round < ORACLE_ROUNDS && fails < 5; round++ )
    {
        unsigned int off = (unsigned int)(unit_rand() % 8) & ~(st.size - 1);
        struct x86_store_regs regs;
        struct hregs h;
        uint64_t ea, nw, *word;
        uint8_t *p;
        bool ok = true;
        int rc, expect_rc = 1;

        for ( i = 0; i < ORACLE_WORDS; i++ )
            host_mem[i] = emu_mem[i] = rand_value();
        for ( i = 0; i < 16; i++ )
            regs.gpr[i] = unit_rand();
        h.rax = rand_value();
        h.rbx = rand_value();
        h.rcx = rand_value();
        h.rdx = rand_value();
        h.rflags = 0x202 | (unit_rand() & X86_FLAGS_ARITH);
        p = (uint8_t *)&emu_mem[ORACLE_WORDS / 2] + off;

        /* Bit offsets in a register: within +-256 bits, high bits junk. */
        if ( st.kind == X86_STORE_RMW && st.op >= X86_STORE_BTS && !st.src_imm )
        {
            uint64_t mask = st.size == 8 ? ~0ull : (1ull << (8 * st.size)) - 1;

            h.rcx = (h.rcx & ~mask) |
                    ((uint64_t)((int64_t)(unit_rand() % 512) - 256) & mask);
        }
        /* Make compares succeed half the time. */
        if ( round & 1 )
        {
            uint64_t mask = st.size == 8 ? ~0ull : (1ull << (8 * st.size)) - 1;
            uint64_t cur = (emu_mem[ORACLE_WORDS / 2] >> (8 * off)) & mask;

            if ( st.kind == X86_STORE_CMPXCHG )
                h.rax = (h.rax & ~mask) | cur;
            if ( st.kind == X86_STORE_CMPXCHG8B )
            {
                h.rax = (h.rax & ~0xffffffffull) | (uint32_t)cur;
                h.rdx = (h.rdx & ~0xffffffffull) | (cur >> 32);
            }
        }

        regs.gpr[X86_RAX] = h.rax;
        regs.gpr[X86_RBX] = h.rbx;
        regs.gpr[X86_RCX] = h.rcx;
        regs.gpr[X86_RDX] = h.rdx;
        regs.gpr[X86_RDI] = (uint64_t)(uintptr_t)p;
        regs.rflags = h.rflags;
        host_run(code, &h, (uint8_t *)&host_mem[ORACLE_WORDS / 2] + off);

        ea = x86_store_ea(&st, &regs, 0, 0);
        if ( ea < (uint64_t)(uintptr_t)emu_mem ||
             ea >= (uint64_t)(uintptr_t)(emu_mem + ORACLE_WORDS) )
        {
            CHECK(!"effective address outside the buffer");
            fails++;
            continue;
        }
        word = (uint64_t *)(uintptr_t)(ea & ~7ull);
        if ( (st.kind == X86_STORE_CMPXCHG || st.kind == X86_STORE_CMPXCHG8B) &&
             !(h.rflags & X86_FLAGS_ZF) )
            expect_rc = 0;
        rc = x86_store_apply(&st, *word, (unsigned int)(ea & 7), &regs, &nw);
        ok &= rc == expect_rc;
        if ( rc == 1 )
            *word = nw;
        else
            ok &= nw == *word;
        ok &= !memcmp(host_mem, emu_mem, sizeof(host_mem));
        ok &= regs.gpr[X86_RAX] == h.rax && regs.gpr[X86_RBX] == h.rbx &&
              regs.gpr[X86_RCX] == h.rcx && regs.gpr[X86_RDX] == h.rdx;
        ok &= ((regs.rflags ^ h.rflags) & flags_mask) == 0;
        CHECK(ok);
        if ( !ok )
        {
            fprintf(stderr, "  oracle: %s, offset %u: rc %d, rax %#llx/%#llx "
                    "rdx %#llx/%#llx rcx %#llx/%#llx flags %#llx/%#llx\n",
                    c->text, off, rc,
                    (unsigned long long)regs.gpr[X86_RAX],
                    (unsigned long long)h.rax,
                    (unsigned long long)regs.gpr[X86_RDX],
                    (unsigned long long)h.rdx,
                    (unsigned long long)regs.gpr[X86_RCX],
                    (unsigned long long)h.rcx,
                    (unsigned long long)regs.rflags,
                    (unsigned long long)h.rflags);
            fails++;
        }
    }
}

static void test_oracle(void)
{
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if ( code == MAP_FAILED )
    {
        printf("x86-store: no executable memory: host oracle skipped\n");
        return;
    }
    FOR_EACH_CASE(c, oracle)
        check_oracle(c, code);
    munmap(code, 4096);
}

/*
 * With TERN_FUZZ_SEEDS=DIR, write every good instruction into DIR as the
 * fuzzer's seed corpus (tests/fuzz/fuzz.mk).
 */
static void write_seeds(const char *dir)
{
    char path[512];
    unsigned int i = 0;
    FILE *f;

    FOR_EACH_CASE(c, good)
    {
        snprintf(path, sizeof(path), "%s/insn-%03u", dir, i++);
        f = fopen(path, "wb");
        if ( !f || fwrite(c->bytes, 1, c->n, f) != c->n )
            CHECK(!"writing a seed");
        if ( f )
            fclose(f);
    }
}

int main(void)
{
    test_decode();
    test_ea();
    test_apply();
    test_oracle();
    if ( getenv("TERN_FUZZ_SEEDS") )
        write_seeds(getenv("TERN_FUZZ_SEEDS"));
    return unit_done();
}
