/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Enter/exit pairing: stash raw args at sys_enter keyed by tid, fetch and
 * delete them at sys_exit. User memory is read at exit, when it is paged in. */
#ifndef __VIGIL_SYSCALL_H
#define __VIGIL_SYSCALL_H

#include "path.h"

static __always_inline int syscall__stash(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_args a = {};

	if (filter__is_self())
		return 0;
	a.nr = ctx->id;
	/* By helper, not direct loads: attach refuses (EACCES) a program whose
	 * ctx loads reach past the tracepoint's own fields, and sys_enter_X
	 * only has X's argument count. Slots past that read as garbage. */
	bpf_probe_read_kernel(a.a, sizeof(a.a), ctx->args);
	bpf_map_update_elem(&inflight, &tid, &a, BPF_ANY);
	return 0;
}

/* Copy out and delete the stashed args; returns 0 if there were any. */
static __always_inline int syscall__take(struct vigil_args *out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_args *a = bpf_map_lookup_elem(&inflight, &tid);

	if (!a)
		return -1;
	__builtin_memcpy(out, a, sizeof(*out));
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

/* Syscall args read back at sys_exit from the user registers saved on
 * entry (Falco's modern_bpf does the same), instead of a sys_enter stash:
 * entry code only overwrites ax with the return, the argument registers
 * still hold what the kernel used. For the hottest syscalls this saves an
 * enter program and two LRU map operations (~1 us of ~3.5 us per probed
 * open on the dev VM, bpf_stats). -1 for the agent's own processes. */
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

/* The current task's saved user registers, as a BTF pointer. */
static __always_inline struct pt_regs *syscall__regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* One enter program per syscall; they all just stash. */
#define SYSCALL_ENTER(name)						\
SEC("tp/syscalls/sys_enter_" #name)					\
int enter_##name(struct trace_event_raw_sys_enter *ctx)			\
{									\
	return syscall__stash(ctx);					\
}

#endif /* __VIGIL_SYSCALL_H */
