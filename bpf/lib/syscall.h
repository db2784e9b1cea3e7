/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Syscall arguments at sys_exit, read back from the user registers saved on
 * entry (Falco's modern_bpf does the same). Entry code only overwrites ax
 * with the return; the argument registers still hold what the kernel used,
 * and user memory is paged in by then.
 *
 * There is deliberately no sys_enter stash keyed by tid: the stash cost an
 * enter program and two map operations per call, and pairing enter with
 * exit by the tracepoint's syscall number lost records silently. That
 * field is an int followed by 4 bytes the kernel never writes (the
 * perf/BPF syscall record is built on the stack), so reading it as the
 * `long id` of trace_event_raw_sys_{enter,exit} compared stack garbage and
 * dropped whatever did not match, depending on kernel build and load. */
#ifndef __VIGIL_SYSCALL_H
#define __VIGIL_SYSCALL_H

#include "path.h"

/* The syscall number of a tp/syscalls/sys_{enter,exit}_* context: only the
 * low 32 bits of the `id` slot are the kernel's (see above). */
static __always_inline __s32 syscall__nr(struct trace_event_raw_sys_exit *ctx)
{
	return (__s32)ctx->id;
}

/* The current task's saved user registers, as a BTF pointer. */
static __always_inline struct pt_regs *syscall__regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* Args of the current syscall into a; -1 for the agent's own processes. */
static __always_inline int syscall__exit_args(struct pt_regs *regs, long nr, struct vigil_args *a)
{
	if (filter__is_self())
		return -1;
	a->nr = nr;
	a->a[0] = PT_REGS_PARM1_SYSCALL(regs);
	a->a[1] = PT_REGS_PARM2_SYSCALL(regs);
	a->a[2] = PT_REGS_PARM3_SYSCALL(regs);
	a->a[3] = PT_REGS_PARM4_SYSCALL(regs);
	a->a[4] = PT_REGS_PARM5_SYSCALL(regs);
	a->a[5] = 0;
	return 0;
}

/* syscall__exit_args() for a tp/syscalls/sys_exit_* program. */
static __always_inline int syscall__args(struct trace_event_raw_sys_exit *ctx, struct vigil_args *a)
{
	return syscall__exit_args(syscall__regs(), syscall__nr(ctx), a);
}

#endif /* __VIGIL_SYSCALL_H */
